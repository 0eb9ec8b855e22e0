import { OocError, type ErrorCode } from '../../common/errors.ts';
import type { SplitFolder, Subset } from '../../common/datasets.ts';
import { mapLimited } from '../concurrency.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import type { Db } from '../store/db.ts';
import { embedQueue, scopeItems, type Candidate } from '../store/embed-queue.ts';
import { hasIndex } from '../store/index-tables.ts';
import { claimJob, finishJob } from '../store/jobs.ts';
import { getRoots } from '../store/roots.ts';
import { ensureSet, VectorWriter, type EmbeddingKind } from '../store/vectors.ts';
import type { EmbedKindSummary, EmbedProgress, EmbedSummary, EmbedWhat } from '../../common/models.ts';
import type { ClipModel } from './clip.ts';
import { preprocessImage } from './preprocess.ts';

export interface EmbedRequest {
  what: EmbedWhat;
  /** Only the items that the pairs of this split (and subset) use. */
  split?: SplitFolder;
  subset?: Subset;
  /** Try again the items that failed before (a missing image since restored, say). */
  retryFailed?: boolean;
  batchSize?: number;
  /** The run's token (store/jobs.ts). */
  runToken?: string;
}

export interface EmbedOptions {
  signal?: AbortSignal;
  onProgress?: (p: EmbedProgress) => void;
}

/**
 * Embeds the indexed items' images and/or captions with a CLIP model and stores the vectors
 * per model. Work is committed batch by batch, so a cancelled or killed job continues where it
 * stopped: items that already have a vector (or failed, unless retryFailed) are not redone.
 * Images are decoded for the next batch while the model encodes the current one.
 */
export async function runEmbedJob(db: Db, clip: ClipModel, request: EmbedRequest, options: EmbedOptions = {}): Promise<EmbedSummary> {
  if (!hasIndex(db)) throw new OocError('INDEX_MISSING', 'index a dataset before embedding it');
  if (request.subset !== undefined && request.split === undefined) throw new OocError('BAD_ARGUMENT', '--subset needs --split');
  const { runToken, ...params } = request;
  const { job } = claimJob(db, 'embed', { model: clip.manifest.id, ...params }, runToken);
  try {
    const kinds: EmbeddingKind[] = request.what === 'all' ? ['text', 'image'] : request.what === 'images' ? ['image'] : ['text'];
    const scope = scopeItems(db, request.split, request.subset);
    const summaries: EmbedKindSummary[] = [];
    for (const kind of kinds) summaries.push(await embedKind(db, clip, kind, scope, request, options));
    finishJob(db, job.id, 'done');
    return { model: clip.manifest.id, providers: clip.providers(), kinds: summaries };
  } catch (err) {
    finishJob(db, job.id, err instanceof OocError && err.code === 'CANCELLED' ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}

async function embedKind(db: Db, clip: ClipModel, kind: EmbeddingKind, scope: string | null, request: EmbedRequest, options: EmbedOptions): Promise<EmbedKindSummary> {
  const started = performance.now();
  const set = ensureSet(db, clip.manifest.id, kind, clip.dim, 'model');
  const { total, alreadyDone, failedBefore, next } = embedQueue(db, set, scope, request.retryFailed === true);
  const batchSize = request.batchSize ?? (kind === 'image' ? 32 : 128);
  const fetch = (after: number) => next(after, batchSize);

  const writer = new VectorWriter(db, set);
  const skipped: Record<string, number> = {};
  let done = 0;
  let embedded = 0;
  const report = () => {
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ kind, done, total, skipped: done - embedded, perSecond: seconds > 0 ? embedded / seconds : 0 });
  };
  const fail = (id: number, reason: string) => {
    writer.recordFailure(id, reason);
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  try {
    report();
    let batch = fetch(-1);
    const root = getRoots(db).visualnews;
    let prepared = kind === 'image' ? decodeBatch(root, clip, batch) : null;
    while (batch.length > 0) {
      if (options.signal?.aborted) throw new OocError('CANCELLED', 'embedding was cancelled; run it again to continue');
      const upcoming = fetch(batch.at(-1)!.id);
      let ids: number[];
      let vectors: Float32Array;
      if (kind === 'image') {
        const current = await prepared!;
        prepared = upcoming.length > 0 ? decodeBatch(root, clip, upcoming) : null;
        for (const f of current.failures) fail(f.id, f.reason);
        ids = current.ids;
        vectors = ids.length > 0 ? await clip.encodeImages(current.pixels, ids.length) : new Float32Array(0);
      } else {
        ids = batch.map((c) => c.id);
        vectors = await clip.encodeTexts(batch.map((c) => c.caption));
      }
      if (ids.length > 0) writer.append(ids, vectors);
      done += batch.length;
      embedded += ids.length;
      report();
      batch = upcoming;
    }
  } finally {
    writer.close();
  }
  return { kind, embedded, skipped, alreadyDone, failedBefore, seconds: (performance.now() - started) / 1000 };
}

interface DecodedBatch {
  ids: number[];
  pixels: Float32Array;
  failures: Array<{ id: number; reason: string }>;
}

/** The reason an image is skipped, counted under these words, by its error's code. */
const FAILURE_REASONS: Partial<Record<ErrorCode, string>> = { IMAGE_MISSING: 'missing image', IMAGE_CORRUPT: 'corrupt image', PATH_OUTSIDE_ROOT: 'path outside the dataset folder' };

/** Decodes and preprocesses a batch of images; the ones that fail are listed with the reason. */
async function decodeBatch(root: string | undefined, clip: ClipModel, batch: Candidate[]): Promise<DecodedBatch> {
  const spec = clip.manifest.preprocess;
  const plane = 3 * spec.size * spec.size;
  const pixels = new Float32Array(batch.length * plane);
  const ok = await mapLimited(batch, 4, async (item, i) => {
    if (item.image_path === null || root === undefined) return 'no image path';
    try {
      await preprocessImage(resolveInRoot(root, item.image_path), spec, pixels, i * plane);
      return null;
    } catch (err) {
      const code = err instanceof OocError ? err.code : 'INTERNAL';
      return FAILURE_REASONS[code] ?? (err instanceof Error ? err.message : String(err));
    }
  });
  const ids: number[] = [];
  const failures: DecodedBatch['failures'] = [];
  batch.forEach((item, i) => {
    const reason = ok[i];
    if (reason === null || reason === undefined) {
      if (ids.length !== i) pixels.copyWithin(ids.length * plane, i * plane, (i + 1) * plane);
      ids.push(item.id);
    } else failures.push({ id: item.id, reason });
  });
  return { ids, pixels, failures };
}
