import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import { electronBinary, REPO_ROOT } from '../electron-binary.ts';
import { createHandlers } from '../api/handlers.ts';
import { JobCenter } from '../jobs/job-center.ts';
import { TaskPool } from '../jobs/task-pool.ts';
import { defaultDatabasePath, demoDatabasePath, demoDatasetDir, thumbnailDir } from '../app-paths.ts';
import { bundleRenderer } from '../server/renderer-bundle.ts';
import { startServer } from '../server/http-server.ts';
import { openDatabase } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { runIndexInWorker, runInWorker } from '../jobs/run-job.ts';
import { TINY_MODEL_ID } from '../inference/registry.ts';
import { optionalString, type Command } from './args.ts';
import { commandDatabaseFile, openForCommand } from './database.ts';
import { progressReporter } from './progress.ts';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

/** Serves a database in browser mode until Ctrl-C. */
async function serve(dbFile: string, options: { port: number; demo: boolean; open: boolean }): Promise<number> {
  const db = openForCommand(dbFile);
  const jobs = JobCenter.for(dbFile);
  const tasks = new TaskPool(dbFile);
  const server = await startServer({
    db,
    handlers: createHandlers({ db, databaseFile: dbFile, demo: options.demo, version: VERSION, jobs, tasks }),
    jobs,
    renderer: await bundleRenderer(),
    thumbnailDir: thumbnailDir(dbFile),
    port: options.port,
  });
  process.stdout.write(`OOC Workbench (browser mode) on ${dbFile}\n\n  Open: ${server.url}\n\nOnly this machine can connect, and only with that address (it carries this session's token). Ctrl-C stops.\n`);
  if (options.open) openInBrowser(server.url);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await tasks.close();
  db.close();
  return 0;
}

const REPO = REPO_ROOT;

/** Builds the shell and its Electron-ABI SQLite addon, then runs the desktop app; null if it could not be prepared. */
function launchDesktop(electron: string): number | null {
  const run = (command: string, args: string[]): boolean => spawnSync(command, args, { cwd: REPO, stdio: 'inherit' }).status === 0;
  if (!run(path.join(REPO, 'node_modules', '.bin', 'tsx'), [path.join(REPO, 'scripts', 'build-shell.ts')])) return null;
  if (!run(process.execPath, [path.join(REPO, 'scripts', 'build-native-electron.mjs')])) return null;
  return spawnSync(electron, [REPO], { cwd: REPO, stdio: 'inherit' }).status ?? 1;
}

function findChromium(): string | null {
  const candidates =
    process.platform === 'darwin'
      ? ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium']
      : process.platform === 'win32'
        ? [`${process.env['PROGRAMFILES'] ?? ''}\\Google\\Chrome\\Application\\chrome.exe`]
        : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((c) => existsSync(c)) ?? null;
}

/** Opens the URL in Chromium's app mode (a window without browser chrome) when there is a display. */
function openInBrowser(url: string): void {
  const chromium = findChromium();
  if (chromium === null || (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)) {
    process.stdout.write('(No Chromium window opened: none installed, or no display. Open the address above in a browser.)\n');
    return;
  }
  spawn(chromium, [`--app=${url}`, '--no-first-run', '--disable-background-networking'], { detached: true, stdio: 'ignore' }).unref();
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new OocError('BAD_ARGUMENT', `--port must be a port number, got ${text}`);
  return port;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the workbench UI in a browser, on 127.0.0.1 only, behind a per-launch token',
  usage: `ooc serve [--db <file>] [--port <n>] [--open]

  --db    database file (default: ${defaultDatabasePath()})
  --port  port to listen on (default: a free one)
  --open  open the workbench in Chromium's app mode, when installed`,
  options: { db: { type: 'string' }, port: { type: 'string' }, open: { type: 'boolean' } },
  async run(values) {
    const dbFile = commandDatabaseFile(values);
    return serve(dbFile, { port: parsePort(optionalString(values, 'port')), demo: dbFile === demoDatabasePath(), open: values.open === true });
  },
};

export const startCommand: Command = {
  name: 'start',
  summary: 'start the workbench: the desktop app, or browser mode where Electron is not installed',
  usage: `ooc start [--port <n>]

Runs the Electron desktop app when its binary is installed. Otherwise starts browser mode on the
default database when it holds an index, or on the bundled demo dataset (indexed into its own
database) when it does not, and opens it in Chromium's app mode when Chromium is installed.`,
  options: { port: { type: 'string' } },
  async run(values) {
    const electron = electronBinary();
    if (electron !== null) {
      const code = launchDesktop(electron);
      if (code !== null) return code;
      process.stdout.write('The desktop app could not be prepared (see above); starting browser mode instead.\n');
    } else {
      process.stdout.write('Starting browser mode: no Electron binary is installed (npm ci could not download it; with a network, run npm ci again).\n');
    }
    const own = defaultDatabasePath();
    if (existsSync(own)) {
      const db = openDatabase(own);
      const indexed = hasIndex(db);
      db.close();
      if (indexed) return serve(own, { port: parsePort(optionalString(values, 'port')), demo: false, open: true });
    }
    const dbFile = demoDatabasePath();
    const reporter = progressReporter();
    await runIndexInWorker({ dbFile, ...demoDatasetDir() }, { onProgress: (p) => reporter.update(p) });
    reporter.done();
    // Scores, neighbours and the Models view have something to show; already-embedded items are skipped.
    process.stdout.write(`Embedding the demo with the bundled ${TINY_MODEL_ID} (random weights: its scores are meaningless) …\n`);
    await runInWorker('embed', { dbFile, model: TINY_MODEL_ID, what: 'all', ep: 'cpu' });
    return serve(dbFile, { port: parsePort(optionalString(values, 'port')), demo: true, open: true });
  },
};
