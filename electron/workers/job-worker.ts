import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../common/errors.ts';
import type { EmbedJobSummary } from '../common/models.ts';
import { getSet } from '../node/store/vectors.ts';
import { computePairScores } from '../node/store/pair-scores.ts';
import { exportPairs } from '../node/export/write.ts';
import { ClipModel } from '../node/inference/clip.ts';
import { runEmbedJob } from '../node/inference/embed-job.ts';
import { resolveModel } from '../node/inference/registry.ts';
import { buildIndex } from '../node/ingest/indexer.ts';
import { explainDatabaseError, openDatabase, type Db } from '../node/store/db.ts';
import type { EmbedJobRequest, JobKind, Jobs, WorkerMessage, WorkerRequest } from '../node/jobs/run-job.ts';

/** Worker entry point: runs one job (an index build, an embedding run, an export) off the main thread and reports progress. */
const request = workerData as WorkerRequest;
const controller = new AbortController();
const port = parentPort;
if (port === null) throw new Error('job-worker must run as a worker thread');
port.on('message', (message: unknown) => {
  if (message === 'cancel') controller.abort();
});

function post<K extends JobKind>(m: WorkerMessage<K>): void {
  port!.postMessage(m);
}

async function embed(db: Db, r: EmbedJobRequest): Promise<EmbedJobSummary> {
  const model = await resolveModel(r.model);
  const clip = new ClipModel(model, r.ep ?? 'auto');
  try {
    const summary = await runEmbedJob(db, clip, { what: r.what }, { signal: controller.signal, onProgress: (p) => post<'embed'>({ type: 'progress', progress: { phase: 'embedding', ...p } }) });
    const hasCaptions = (getSet(db, model.manifest.id, 'text')?.rows ?? 0) > 0;
    const scores = hasCaptions
      ? await computePairScores(db, model.manifest.id, { signal: controller.signal, onProgress: (p) => post<'embed'>({ type: 'progress', progress: { phase: 'scoring', ...p } }) })
      : null;
    return { embed: summary, scores };
  } finally {
    await clip.release();
  }
}

const db = openDatabase(request.dbFile, request.nativeBinding === undefined ? {} : { nativeBinding: request.nativeBinding });
try {
  let summary: Jobs[JobKind]['summary'];
  if (request.kind === 'index') {
    summary = await buildIndex(db, {
      visualnews: request.visualnews,
      ...(request.clippings === undefined ? {} : { clippings: request.clippings }),
      force: request.force ?? false,
      signal: controller.signal,
      onProgress: (progress) => post<'index'>({ type: 'progress', progress }),
    });
  } else if (request.kind === 'embed') {
    summary = await embed(db, request);
  } else {
    summary = await exportPairs(db, { ...request, signal: controller.signal, onProgress: (progress) => post<'export'>({ type: 'progress', progress }) });
  }
  port.postMessage({ type: 'done', summary });
} catch (err) {
  post({ type: 'error', error: toErrorInfo(explainDatabaseError(err, request.dbFile)) });
} finally {
  db.close();
  port.close();
}
