import { Worker } from 'node:worker_threads';
import { OocError, type ErrorInfo } from '../../common/errors.ts';
import type { IndexSummary } from '../../common/index-types.ts';
import type { IndexJobRequest, JobKind, Jobs } from './kinds.ts';

export type { EmbedJobRequest, ExportJobRequest, IndexJobRequest, JobKind, Jobs } from './kinds.ts';

export type WorkerRequest = { [K in JobKind]: { kind: K } & Jobs[K]['request'] }[JobKind];

export type WorkerMessage<K extends JobKind> =
  | { type: 'progress'; progress: Jobs[K]['progress'] }
  | { type: 'done'; summary: Jobs[K]['summary'] }
  | { type: 'error'; error: ErrorInfo };

/** The workers' entry point from source; a packaged app passes its compiled one. */
export const JOB_WORKER = new URL('../../workers/job-worker.ts', import.meta.url);

/** Starts a worker from a .ts entry (running from source, through tsx) or a compiled .js one. */
function startWorker(entry: URL, workerData: object): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  return new Worker(new URL('../../workers/ts-bootstrap.mjs', import.meta.url), { workerData: { ...workerData, __entry: entry.href } });
}

/**
 * Runs a long job (an index build, an embedding run …; see kinds.ts) in a worker thread so the
 * caller's event loop (the Electron main process, the HTTP server, a terminal progress bar) stays
 * responsive. Aborting the signal asks the worker to stop after its current batch; the job can be
 * resumed.
 */
export function runInWorker<K extends JobKind>(
  kind: K,
  request: Jobs[K]['request'],
  handlers: { onProgress?: (p: Jobs[K]['progress']) => void; signal?: AbortSignal } = {},
  entry: URL = JOB_WORKER,
): Promise<Jobs[K]['summary']> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(entry, { kind, ...request });
    let settled = false;
    const cancel = (): void => worker.postMessage('cancel');
    handlers.signal?.addEventListener('abort', cancel, { once: true });
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      handlers.signal?.removeEventListener('abort', cancel);
      fn();
    };
    worker.on('message', (m: WorkerMessage<K>) => {
      if (m.type === 'progress') handlers.onProgress?.(m.progress);
      else if (m.type === 'done') settle(() => resolve(m.summary));
      else settle(() => reject(new OocError(m.error.code, m.error.message)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new OocError('INTERNAL', `the ${kind} worker stopped unexpectedly (exit code ${code})`))));
  });
}

/** An index build in a worker (see runInWorker). */
export function runIndexInWorker(request: IndexJobRequest, handlers: Parameters<typeof runInWorker<'index'>>[2] = {}, entry: URL = JOB_WORKER): Promise<IndexSummary> {
  return runInWorker('index', request, handlers, entry);
}
