import type { JobStatus } from '../../common/api.ts';
import { OocError, toErrorInfo } from '../../common/errors.ts';
import { JOB_WORKER, runInWorker, type JobKind, type Jobs } from '../jobs/run-job.ts';

const BUSY: Record<JobKind, string> = { index: 'an index is being built', embed: 'an embedding job is running', export: 'an export is being written' };

type Request<K extends JobKind> = Omit<Jobs[K]['request'], 'dbFile' | 'nativeBinding'>;

/**
 * One job of a kind at a time for a database, in a worker, observable by polling: the UI's way
 * to index or embed (browser mode and the desktop app alike). The data stays readable meanwhile.
 */
export class JobRunner<K extends JobKind> {
  private status: JobStatus<Jobs[K]['progress'], Jobs[K]['summary']> = { state: 'idle', progress: null, summary: null, error: null };
  private controller: AbortController | null = null;

  constructor(
    private readonly kind: K,
    private readonly dbFile: string,
    private readonly options: { nativeBinding?: string; workerEntry?: URL } = {},
  ) {}

  start(request: Request<K>, onDone?: () => void): JobStatus<Jobs[K]['progress'], Jobs[K]['summary']> {
    if (this.status.state === 'running') throw new OocError('DATABASE_BUSY', `${BUSY[this.kind]}; wait for it or cancel it`);
    const controller = new AbortController();
    this.controller = controller;
    this.status = { state: 'running', progress: null, summary: null, error: null };
    const full = { ...request, dbFile: this.dbFile, ...(this.options.nativeBinding === undefined ? {} : { nativeBinding: this.options.nativeBinding }) } as Jobs[K]['request'];
    runInWorker(this.kind, full, { signal: controller.signal, onProgress: (progress) => (this.status = { ...this.status, progress }) }, this.options.workerEntry ?? JOB_WORKER).then(
      (summary) => {
        this.status = { state: 'done', progress: this.status.progress, summary, error: null };
        onDone?.();
      },
      (err: unknown) => {
        const error = toErrorInfo(err);
        this.status = { state: error.code === 'CANCELLED' ? 'cancelled' : 'failed', progress: this.status.progress, summary: null, error };
      },
    );
    return this.current();
  }

  current(): JobStatus<Jobs[K]['progress'], Jobs[K]['summary']> {
    return { ...this.status };
  }

  cancel(): JobStatus<Jobs[K]['progress'], Jobs[K]['summary']> {
    if (this.status.state === 'running') this.controller?.abort();
    return this.current();
  }
}
