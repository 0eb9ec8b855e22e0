import { randomUUID } from 'node:crypto';
import type { JobRun, JobStatus } from '../../common/api.ts';
import { OocError, toErrorInfo } from '../../common/errors.ts';
import { trainingProgress, type TrainHeadProgress } from '../../common/heads.ts';
import { openDatabase } from '../store/db.ts';
import { releaseRun } from '../store/jobs.ts';
import { JOB_KINDS, type JobKind, type Jobs } from './kinds.ts';
import { JOB_WORKER, runInWorker } from './run-job.ts';

type Request<K extends JobKind> = Omit<Jobs[K]['request'], 'dbFile' | 'nativeBinding' | 'runToken'>;
type Listener = (runs: JobRun[]) => void;

export interface JobCenterOptions {
  /** better-sqlite3's addon for the workers' runtime (the desktop app's). */
  nativeBinding?: string;
  /** The compiled worker entry (a packaged app); the source one otherwise. */
  workerEntry?: URL;
}

const KEEP_FINISHED = 30;
const PUSH_EVERY_MS = 100;

/** How far a run of each kind has got, from its own progress report. */
function measure(kind: string, progress: unknown): { fraction: number | null; note: string } {
  if (progress === null || typeof progress !== 'object') return { fraction: null, note: 'starting…' };
  const p = progress as { phase?: string; done?: number; total?: number; bytesDone?: number; bytesTotal?: number; kind?: string; rows?: number };
  if (kind === 'train-head') return trainingProgress(progress as TrainHeadProgress);
  if (p.rows !== undefined) return { fraction: null, note: `${p.rows.toLocaleString('en-US')} rows read` };
  if (kind === 'index' && p.bytesTotal !== undefined) return { fraction: p.bytesTotal > 0 ? p.bytesDone! / p.bytesTotal : null, note: p.phase ?? '' };
  if (p.done !== undefined && p.total !== undefined) {
    const what = kind === 'embed' ? (p.phase === 'scoring' ? 'scoring pairs' : p.phase === 'hashing' ? 'hashing images' : p.kind === 'image' ? 'images' : 'captions') : kind === 'export' ? (p.phase ?? 'rows') : kind === 'generate-split' ? `${p.phase ?? 'ranking'} captions` : kind === 'ann-index' ? 'vectors' : 'done';
    return { fraction: p.total > 0 ? p.done / p.total : null, note: `${what} ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}` };
  }
  return { fraction: null, note: p.phase ?? '' };
}

/**
 * The one job system of an open dataset: every long job (the kinds in kinds.ts, in workers, and
 * saliency maps, in the app's own pool) starts, is cancelled and is observed here. One run of a
 * kind at a time; each run claims its work with a token of its own (store/jobs.ts). Listeners
 * are told of every change, progress at most every 100 ms, so views need not poll. One center per
 * database file for the whole process: opening another dataset and coming back finds its jobs.
 */
export class JobCenter {
  private static readonly centers = new Map<string, JobCenter>();

  /** The center of a database file, made on first use. */
  static for(dbFile: string, options: JobCenterOptions = {}): JobCenter {
    let center = JobCenter.centers.get(dbFile);
    if (center === undefined) {
      center = new JobCenter(dbFile, options);
      JobCenter.centers.set(dbFile, center);
    }
    return center;
  }

  private readonly list: JobRun[] = [];
  private readonly controllers = new Map<string, AbortController>();
  private readonly finished = new Map<string, Promise<JobRun>>();
  private readonly listeners = new Set<Listener>();
  private pushTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly dbFile: string,
    private readonly options: JobCenterOptions = {},
  ) {}

  /** Starts a run of a kind in a worker; refused while another run of that kind is running. */
  start<K extends JobKind>(kind: K, request: Request<K>): JobRun {
    const spec = JOB_KINDS[kind];
    if (this.list.some((r) => r.kind === kind && r.state === 'running')) throw new OocError('DATABASE_BUSY', `${spec.busy}; wait for it or cancel it`);
    const token = randomUUID();
    const full = { ...request, dbFile: this.dbFile, runToken: token, ...(this.options.nativeBinding === undefined ? {} : { nativeBinding: this.options.nativeBinding }) } as Jobs[K]['request'];
    const controller = new AbortController();
    const run = this.add(kind, spec.title(full), true);
    this.controllers.set(run.id, controller);
    const work = runInWorker(kind, full, { signal: controller.signal, onProgress: (progress) => this.progress(run.id, progress) }, this.options.workerEntry ?? JOB_WORKER);
    this.settle(run.id, work, (err) => {
      // A worker that died could not mark its job as stopped: the claim is released here.
      if (err.code === 'INTERNAL') this.release(token, err.message);
    });
    return { ...run };
  }

  /** Runs work in this process (a saliency map on the worker pool) as a job the panel shows. */
  track<S>(kind: string, title: string, work: (onProgress: (progress: { done: number; total: number }) => void) => Promise<S>, id?: string): Promise<S> {
    const run = this.add(kind, title, false, id);
    const result = work((progress) => this.progress(run.id, progress));
    this.settle(run.id, result);
    return result;
  }

  cancel(id: string): JobRun {
    const run = this.find(id);
    if (run.state === 'running') this.controllers.get(id)?.abort();
    return { ...run };
  }

  /** Resolves once the run has finished, however it finished. */
  wait(id: string): Promise<JobRun> {
    this.find(id);
    return this.finished.get(id)!;
  }

  runs(): JobRun[] {
    return this.list.map((r) => ({ ...r }));
  }

  /** The newest run of a kind, as the kind's own status calls answer (index.status …). */
  latest<K extends JobKind>(kind: K): JobStatus<Jobs[K]['progress'], Jobs[K]['summary']> {
    const run = this.list.find((r) => r.kind === kind);
    if (run === undefined) return { state: 'idle', progress: null, summary: null, error: null };
    return { state: run.state, progress: run.progress as Jobs[K]['progress'] | null, summary: run.summary as Jobs[K]['summary'] | null, error: run.error };
  }

  /** Cancels the running run of a kind, if any. */
  cancelKind<K extends JobKind>(kind: K): JobStatus<Jobs[K]['progress'], Jobs[K]['summary']> {
    const run = this.list.find((r) => r.kind === kind && r.state === 'running');
    if (run !== undefined) this.cancel(run.id);
    return this.latest(kind);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private find(id: string): JobRun {
    const run = this.list.find((r) => r.id === id);
    if (run === undefined) throw new OocError('NOT_FOUND', `no job ${JSON.stringify(id)} (finished jobs are kept for a while, then forgotten)`);
    return run;
  }

  private add(kind: string, title: string, cancellable: boolean, id: string = randomUUID()): JobRun {
    const run: JobRun = { id, kind, title, state: 'running', fraction: null, note: 'starting…', progress: null, summary: null, error: null, startedAt: new Date().toISOString(), endedAt: null, cancellable };
    this.list.unshift(run);
    // Finished runs beyond the newest few are forgotten.
    const finished = this.list.filter((r) => r.state !== 'running');
    for (const old of finished.slice(KEEP_FINISHED)) {
      this.list.splice(this.list.indexOf(old), 1);
      this.finished.delete(old.id);
    }
    this.push(true);
    return run;
  }

  private progress(id: string, progress: unknown): void {
    const run = this.list.find((r) => r.id === id);
    if (run === undefined || run.state !== 'running') return;
    Object.assign(run, { progress }, measure(run.kind, progress));
    this.push(false);
  }

  private settle(id: string, work: Promise<unknown>, onError?: (err: OocError) => void): void {
    const run = this.list.find((r) => r.id === id)!;
    this.finished.set(
      id,
      work.then(
        (summary) => {
          Object.assign(run, { state: 'done', summary, fraction: 1, endedAt: new Date().toISOString() });
          return { ...run };
        },
        (err: unknown) => {
          const error = toErrorInfo(err);
          Object.assign(run, { state: error.code === 'CANCELLED' ? 'cancelled' : 'failed', error, endedAt: new Date().toISOString() });
          onError?.(new OocError(error.code, error.message));
          return { ...run };
        },
      ).finally(() => {
        this.controllers.delete(id);
        this.push(true);
      }),
    );
  }

  private release(token: string, why: string): void {
    try {
      const db = openDatabase(this.dbFile, this.options.nativeBinding === undefined ? {} : { nativeBinding: this.options.nativeBinding });
      try {
        releaseRun(db, token, why);
      } finally {
        db.close();
      }
    } catch {
      // The database itself is gone or unreadable: nothing is left to release.
    }
  }

  /** Tells the listeners: at once for a new or finished run, at most every 100 ms for progress. */
  private push(now: boolean): void {
    if (now) {
      if (this.pushTimer !== null) clearTimeout(this.pushTimer);
      this.pushTimer = null;
      const runs = this.runs();
      for (const listener of this.listeners) listener(runs);
      return;
    }
    this.pushTimer ??= setTimeout(() => this.push(true), PUSH_EVERY_MS);
  }
}
