import type { IndexStatus } from '../../common/api.ts';
import { OocError, toErrorInfo } from '../../common/errors.ts';
import { runIndexInWorker } from '../../workers/run-index.ts';

/**
 * One indexing run at a time for a database, in a worker, observable by polling: the UI's way
 * to index (browser mode and the desktop app alike). The live index stays readable meanwhile.
 */
export class IndexRunner {
  private status: IndexStatus = { state: 'idle', progress: null, summary: null, error: null };
  private controller: AbortController | null = null;

  constructor(
    private readonly dbFile: string,
    private readonly options: { nativeBinding?: string; workerEntry?: URL } = {},
  ) {}

  start(visualnews: string, clippings: string | undefined, onDone?: () => void): IndexStatus {
    if (this.status.state === 'running') throw new OocError('DATABASE_BUSY', 'an index is already being built; wait for it or cancel it');
    const controller = new AbortController();
    this.controller = controller;
    this.status = { state: 'running', progress: null, summary: null, error: null };
    const request = {
      dbFile: this.dbFile,
      visualnews,
      ...(clippings === undefined ? {} : { clippings }),
      ...(this.options.nativeBinding === undefined ? {} : { nativeBinding: this.options.nativeBinding }),
    };
    runIndexInWorker(request, { signal: controller.signal, onProgress: (progress) => (this.status = { ...this.status, progress }) }, this.options.workerEntry).then(
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

  current(): IndexStatus {
    return { ...this.status };
  }

  cancel(): IndexStatus {
    if (this.status.state === 'running') this.controller?.abort();
    return this.current();
  }
}
