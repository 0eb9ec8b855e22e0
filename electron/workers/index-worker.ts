import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../common/errors.ts';
import { buildIndex } from '../node/ingest/indexer.ts';
import { openDatabase } from '../node/store/db.ts';
import type { IndexJobRequest, IndexWorkerMessage } from './run-index.ts';

/** Worker entry point: runs one index build off the main thread and reports progress. */
const request = workerData as IndexJobRequest;
const controller = new AbortController();
const port = parentPort;
if (port === null) throw new Error('index-worker must run as a worker thread');
port.on('message', (message: unknown) => {
  if (message === 'cancel') controller.abort();
});

const post = (m: IndexWorkerMessage): void => port.postMessage(m);
const db = openDatabase(request.dbFile, request.nativeBinding === undefined ? {} : { nativeBinding: request.nativeBinding });
try {
  const summary = await buildIndex(db, {
    visualnews: request.visualnews,
    ...(request.clippings === undefined ? {} : { clippings: request.clippings }),
    force: request.force ?? false,
    signal: controller.signal,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  post({ type: 'done', summary });
} catch (err) {
  post({ type: 'error', error: toErrorInfo(err) });
} finally {
  db.close();
  port.close();
}
