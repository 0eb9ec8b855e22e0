import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../common/errors.ts';
import { JOB_KINDS, type JobKind, type Jobs, type RunContext } from '../node/jobs/kinds.ts';
import type { WorkerMessage, WorkerRequest } from '../node/jobs/run-job.ts';
import { explainDatabaseError, openDatabase } from '../node/store/db.ts';

/** Worker entry point: runs one job of a registered kind (node/jobs/kinds.ts) off the main thread and reports progress. */
const request = workerData as WorkerRequest;
const controller = new AbortController();
const port = parentPort;
if (port === null) throw new Error('job-worker must run as a worker thread');
// A cancel sent before this thread started is already queued: read it before any work begins.
if (receiveMessageOnPort(port)?.message === 'cancel') controller.abort();
port.on('message', (message: unknown) => {
  if (message === 'cancel') controller.abort();
});

function post<K extends JobKind>(m: WorkerMessage<K>): void {
  port!.postMessage(m);
}

const db = openDatabase(request.dbFile, request.nativeBinding === undefined ? {} : { nativeBinding: request.nativeBinding });
try {
  const spec = JOB_KINDS[request.kind] as { run(db: unknown, r: WorkerRequest, c: RunContext<JobKind>): Promise<Jobs[JobKind]['summary']> };
  const summary = await spec.run(db, request, { signal: controller.signal, onProgress: (progress) => post({ type: 'progress', progress }) });
  port.postMessage({ type: 'done', summary });
} catch (err) {
  post({ type: 'error', error: toErrorInfo(explainDatabaseError(err, request.dbFile)) });
} finally {
  db.close();
  port.close();
}
