// Runs a TypeScript worker entry point when the app runs from source (tsx): registers tsx's
// loader inside the worker thread, which does not inherit the parent's loader hooks.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.__entry);
