import { parentPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../common/errors.ts';
import type { TaskMessage, TaskReply } from '../node/jobs/task-pool.ts';
import { TaskState } from '../node/jobs/tasks.ts';
import { explainDatabaseError, openDatabase } from '../node/store/db.ts';

/** Worker entry point of the task pool: runs saliency maps and neighbour searches off the main loop (tasks given together interleave). */
const { dbFile, nativeBinding } = workerData as { dbFile: string; nativeBinding?: string };
const port = parentPort;
if (port === null) throw new Error('task-worker must run as a worker thread');
const db = openDatabase(dbFile, nativeBinding === undefined ? {} : { nativeBinding });
const state = new TaskState(db);
const reply = (m: TaskReply): void => port.postMessage(m);

port.on('message', (m: TaskMessage) => {
  const run = state.tasks[m.task] as (args: unknown, onProgress: (p: { done: number; total: number }) => void) => Promise<unknown>;
  run(m.args, (progress) => reply({ id: m.id, type: 'progress', progress })).then(
    (value) => reply({ id: m.id, type: 'done', value }),
    (err: unknown) => reply({ id: m.id, type: 'error', error: toErrorInfo(explainDatabaseError(err, dbFile)) }),
  );
});
