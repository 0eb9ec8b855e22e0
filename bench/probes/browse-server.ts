// The browse benchmark's server, in a process of its own as `ooc serve` runs (the benchmark's
// Playwright client would otherwise share its event loop): serves a database read-only, with the
// sidebar's counts in a worker thread, and prints {"url"} once listening. `--react` serves the
// renderer built on React instead of Preact (the comparison). Stops when stdin closes.
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { TaskPool } from '../../electron/node/jobs/task-pool.ts';
import { bundleRenderer } from '../../electron/node/server/renderer-bundle.ts';
import { startServer } from '../../electron/node/server/http-server.ts';
import { openDatabase } from '../../electron/node/store/db.ts';

const [dbFile, thumbnailDir] = process.argv.slice(2) as [string, string];
const db = openDatabase(dbFile, { readonly: true });
const tasks = new TaskPool(dbFile);
const running = await startServer({
  db,
  handlers: createHandlers({ db, databaseFile: dbFile, demo: false, version: 'bench', tasks }),
  renderer: await bundleRenderer({ react: process.argv.includes('--react') }),
  thumbnailDir,
});
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
process.stdin.resume();
process.stdin.on('close', () => void running.close().then(() => tasks.close()).then(() => db.close()));
