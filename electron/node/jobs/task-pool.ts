import { Worker } from 'node:worker_threads';
import { OocError, type ErrorInfo } from '../../common/errors.ts';
import type { Progress, TaskName, TaskRunner, Tasks } from './tasks.ts';

export type TaskMessage = { [T in TaskName]: { id: number; task: T; args: Tasks[T]['args'] } }[TaskName];
export type TaskReply = { id: number; type: 'progress'; progress: { done: number; total: number } } | { id: number; type: 'done'; value: unknown } | { id: number; type: 'error'; error: ErrorInfo };

export interface TaskPoolOptions {
  /** Worker threads for saliency (default 2); neighbour searches and vetting all go to the first, which keeps the matrices. */
  size?: number;
  nativeBinding?: string;
  /** The compiled worker entry (a packaged app); the source one otherwise. */
  workerEntry?: URL;
}

interface Slot {
  worker: Worker | null;
  pending: Map<number, { resolve(value: unknown): void; reject(err: Error): void; onProgress?: Progress }>;
}

const TASK_WORKER = new URL('../../workers/task-worker.ts', import.meta.url);

/**
 * Saliency maps and neighbour searches in a small pool of worker threads, so the main process's
 * event loop (IPC, the HTTP server) keeps answering while RISE builds its masks or a matrix
 * loads. Workers start on first use and are started again after a crash; a crash fails only the
 * tasks that worker held.
 */
/** The tasks that search embeddings, all on the first worker so that a set's matrices load once. */
const NEIGHBOUR_TASKS: ReadonlySet<TaskName> = new Set(['neighbours', 'vetCase', 'vetWarm', 'candidates']);

export class TaskPool implements TaskRunner {
  private readonly slots: Slot[];
  private nextId = 1;

  constructor(
    private readonly dbFile: string,
    private readonly options: TaskPoolOptions = {},
  ) {
    this.slots = Array.from({ length: Math.max(1, options.size ?? 2) }, () => ({ worker: null, pending: new Map() }));
  }

  run<T extends TaskName>(task: T, args: Tasks[T]['args'], onProgress?: Progress): Promise<Tasks[T]['result']> {
    // Neighbour matrices are large: the first worker holds them (vetting and candidates use them
    // too); the last keeps the facet columns. Saliency goes where least is waiting.
    const slot = NEIGHBOUR_TASKS.has(task) ? this.slots[0]! : task === 'facets' ? this.slots.at(-1)! : this.slots.reduce((best, s) => (s.pending.size < best.pending.size ? s : best));
    const worker = this.start(slot);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, ...(onProgress === undefined ? {} : { onProgress }) });
      // A worker with tasks keeps the process alive; an idle one does not.
      worker.ref();
      worker.postMessage({ id, task, args } as TaskMessage);
    });
  }

  /** Stops the workers (their database connections close with them); tasks still running fail. */
  async close(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        slot.worker = null;
        await worker?.terminate();
      }),
    );
  }

  private start(slot: Slot): Worker {
    if (slot.worker !== null) return slot.worker;
    const entry = this.options.workerEntry ?? TASK_WORKER;
    const data = { dbFile: this.dbFile, ...(this.options.nativeBinding === undefined ? {} : { nativeBinding: this.options.nativeBinding }) };
    const worker = entry.pathname.endsWith('.ts')
      ? new Worker(new URL('../../workers/ts-bootstrap.mjs', import.meta.url), { workerData: { ...data, __entry: entry.href } })
      : new Worker(entry, { workerData: data });
    worker.on('message', (m: TaskReply) => {
      const waiting = slot.pending.get(m.id);
      if (waiting === undefined) return;
      if (m.type === 'progress') return waiting.onProgress?.(m.progress);
      slot.pending.delete(m.id);
      if (slot.pending.size === 0) worker.unref();
      if (m.type === 'done') waiting.resolve(m.value);
      else waiting.reject(new OocError(m.error.code, m.error.message));
    });
    const fail = (why: string): void => {
      if (slot.worker === worker) slot.worker = null;
      for (const waiting of slot.pending.values()) waiting.reject(new OocError('INTERNAL', why));
      slot.pending.clear();
    };
    worker.on('error', (err) => fail(`a task worker failed: ${err.message}`));
    worker.on('exit', (code) => fail(`a task worker stopped unexpectedly (exit code ${code})`));
    slot.worker = worker;
    return worker;
  }
}
