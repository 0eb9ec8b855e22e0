import { Worker } from 'node:worker_threads';
import { OocError, type ErrorInfo } from '../common/errors.ts';
import type { IndexProgress, IndexSummary } from '../common/index-types.ts';

export interface IndexJobRequest {
  dbFile: string;
  /** better-sqlite3 addon for this runtime (see openDatabase). */
  nativeBinding?: string;
  visualnews: string;
  clippings?: string;
  force?: boolean;
}

export type IndexWorkerMessage =
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'done'; summary: IndexSummary }
  | { type: 'error'; error: ErrorInfo };

/** Starts a worker from a .ts entry (running from source, through tsx) or a compiled .js one. */
export function startWorker(entry: URL, workerData: object): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  return new Worker(new URL('./ts-bootstrap.mjs', import.meta.url), { workerData: { ...workerData, __entry: entry.href } });
}

/**
 * Runs an index build in a worker thread so the caller's event loop (the Electron main process,
 * the HTTP server, a terminal progress bar) stays responsive. Aborting the signal asks the
 * worker to stop after its current batch; the run can be resumed later.
 */
export function runIndexInWorker(
  request: IndexJobRequest,
  handlers: { onProgress?: (p: IndexProgress) => void; signal?: AbortSignal } = {},
  /** The worker's entry point; a packaged app passes its compiled one. */
  entry: URL = new URL('./index-worker.ts', import.meta.url),
): Promise<IndexSummary> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(entry, request);
    let settled = false;
    const cancel = (): void => worker.postMessage('cancel');
    handlers.signal?.addEventListener('abort', cancel, { once: true });
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      handlers.signal?.removeEventListener('abort', cancel);
      fn();
    };
    worker.on('message', (m: IndexWorkerMessage) => {
      if (m.type === 'progress') handlers.onProgress?.(m.progress);
      else if (m.type === 'done') settle(() => resolve(m.summary));
      else settle(() => reject(new OocError(m.error.code, m.error.message)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new OocError('INTERNAL', `the indexing worker stopped unexpectedly (exit code ${code})`))));
  });
}
