import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, type Handlers } from '../node/api/handlers.ts';
import { appDataDir, defaultDatabasePath, demoDatabasePath, demoDatasetDir, thumbnailDir } from '../node/app-paths.ts';
import { openDatabase, type Db } from '../node/store/db.ts';
import { hasIndex } from '../node/store/index-tables.ts';
import { getRoots } from '../node/store/roots.ts';
import { JobCenter } from '../node/jobs/job-center.ts';
import { TaskPool } from '../node/jobs/task-pool.ts';
import type { IndexJobRequest } from '../node/jobs/kinds.ts';
import { JOBS_CHANNEL } from '../common/bridge.ts';
import { registerIpc } from './ipc.ts';
import { buildMenu } from './menu.ts';
import { handleProtocols, registerSchemes } from './protocols.ts';
import { APP_ORIGIN, isAppUrl, secureWebPreferences } from './security.ts';
import { loadWindowState, saveWindowState } from './window-state.ts';

/** The desktop shell: one window on the workbench UI, the API over IPC, indexing in a worker. */

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'); // out/ (main, preload, renderer, workers)
const APP_ROOT = path.resolve(OUT, '..');
const RESOURCES = app.isPackaged ? process.resourcesPath : APP_ROOT;
// The bundled models (the tiny demo model, the similarity graph) sit in the resources folder.
process.env.OOC_BUNDLED_MODELS ??= path.join(RESOURCES, 'models');
const WORKER_ENTRY = new URL('../workers/job-worker.mjs', import.meta.url);
const TASK_WORKER_ENTRY = new URL('../workers/task-worker.mjs', import.meta.url);

interface OpenDataset {
  db: Db;
  dbFile: string;
  demo: boolean;
  handlers: Handlers;
  thumbnailDir: string;
  jobs: JobCenter;
  tasks: TaskPool;
}

let current: OpenDataset | null = null;
let window: BrowserWindow | null = null;

/** better-sqlite3 built for Electron's ABI (see scripts/build-native-electron.mjs), beside Node's own build. */
function nativeBinding(): string | undefined {
  const file = path.join(APP_ROOT, 'build', 'electron', 'better_sqlite3.node');
  return existsSync(file) ? file : undefined;
}

function bindingOption(): { nativeBinding?: string } {
  const binding = nativeBinding();
  return binding === undefined ? {} : { nativeBinding: binding };
}

/** A dataset's job center (one per database file, kept across switches): its runs are pushed to the window. */
function jobsOf(dbFile: string): JobCenter {
  return JobCenter.for(dbFile, { ...bindingOption(), workerEntry: WORKER_ENTRY });
}

let unsubscribe: (() => void) | null = null;

function openDataset(dbFile: string, demo: boolean): void {
  current?.db.close();
  void current?.tasks.close();
  unsubscribe?.();
  const db = openDatabase(dbFile, bindingOption());
  const jobs = jobsOf(dbFile);
  // Every run's progress goes to the window (the Jobs panel and the views), and to the taskbar.
  unsubscribe = jobs.subscribe((runs) => {
    // A job can end after the window has gone (while quitting).
    if (window === null || window.isDestroyed()) return;
    window.webContents.send(JOBS_CHANNEL, runs);
    const running = runs.filter((r) => r.state === 'running' && r.fraction !== null);
    window.setProgressBar(running.length === 0 ? -1 : running.reduce((n, r) => n + r.fraction!, 0) / running.length);
  });
  // Saliency maps and neighbour searches run in worker threads: the window's IPC never waits on them.
  const tasks = new TaskPool(dbFile, { ...bindingOption(), workerEntry: TASK_WORKER_ENTRY });
  current = { db, dbFile, demo, jobs, tasks, thumbnailDir: thumbnailDir(dbFile), handlers: createHandlers({ db, databaseFile: dbFile, demo, version: app.getVersion(), jobs, tasks }) };
}

/** Indexes through the dataset's job center while the window keeps showing the last good index. */
async function indexInto(dbFile: string, source: Omit<IndexJobRequest, 'dbFile'>, demo: boolean): Promise<void> {
  const win = window;
  try {
    const jobs = jobsOf(dbFile);
    const detach = jobs.subscribe((runs) => {
      const run = runs.find((r) => r.kind === 'index' && r.state === 'running');
      if (run && win !== null && !win.isDestroyed()) win.setTitle(`OOC Workbench — indexing ${((run.fraction ?? 0) * 100).toFixed(0)}%`);
    });
    const ended = await jobs.wait(jobs.start('index', source).id).finally(detach);
    if (ended.state === 'failed') throw new Error(ended.error?.message ?? 'indexing failed');
    if (ended.state === 'done') {
      openDataset(dbFile, demo);
      win?.reload();
    }
  } catch (err) {
    dialog.showErrorBox('Indexing failed', `${err instanceof Error ? err.message : String(err)}\n\nThe previous index, if any, is still usable. Running the index again continues where it stopped.`);
  } finally {
    if (win !== null && !win.isDestroyed()) win.setTitle('OOC Workbench');
  }
}

async function chooseDataset(): Promise<void> {
  if (window === null) return;
  const origin = await dialog.showOpenDialog(window, { title: 'Choose the VisualNews origin folder (the one holding data.json)', properties: ['openDirectory'] });
  const visualnews = origin.filePaths[0];
  if (origin.canceled || visualnews === undefined) return;
  const clippings = await dialog.showOpenDialog(window, { title: 'Choose the news_clippings folder (Cancel to index VisualNews alone)', properties: ['openDirectory'] });
  const clippingsDir = clippings.canceled ? undefined : clippings.filePaths[0];
  await indexInto(defaultDatabasePath(), { visualnews, ...(clippingsDir === undefined ? {} : { clippings: clippingsDir }) }, false);
}

async function openDemo(): Promise<void> {
  const dataset = app.isPackaged
    ? { visualnews: path.join(RESOURCES, 'demo', 'dataset', 'visual_news', 'origin'), clippings: path.join(RESOURCES, 'demo', 'dataset', 'news_clippings') }
    : demoDatasetDir();
  await indexInto(demoDatabasePath(), dataset, true);
}

async function reindex(): Promise<void> {
  const roots = current === null ? {} : getRoots(current.db);
  if (current === null || roots.visualnews === undefined) return chooseDataset();
  await indexInto(current.dbFile, { visualnews: roots.visualnews, ...(roots.clippings === undefined ? {} : { clippings: roots.clippings }) }, current.demo);
}

/** First run: the user's own index if there is one; otherwise ask, with the demo one click away. */
async function firstDataset(): Promise<void> {
  // OOC_DB opens a given database directly (scripted use, and the desktop end-to-end tests).
  const given = process.env.OOC_DB;
  if (given) return openDataset(given, given === demoDatabasePath());
  const own = defaultDatabasePath();
  if (existsSync(own)) {
    const db = openDatabase(own, bindingOption());
    const indexed = hasIndex(db);
    db.close();
    if (indexed) return openDataset(own, false);
  }
  const choice = await dialog.showMessageBox(window ?? new BrowserWindow({ show: false }), {
    type: 'question',
    title: 'OOC Workbench',
    message: 'Open a VisualNews + NewsCLIPpings copy, or start on the bundled demo dataset?',
    buttons: ['Choose dataset folders…', 'Open the demo dataset', 'Quit'],
    defaultId: 1,
    cancelId: 2,
  });
  if (choice.response === 0) return chooseDataset();
  if (choice.response === 1) return openDemo();
  app.quit();
}

function createWindow(): BrowserWindow {
  const stateFile = path.join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(stateFile);
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: 900,
    minHeight: 600,
    title: 'OOC Workbench',
    show: false,
    webPreferences: secureWebPreferences(path.join(OUT, 'preload', 'preload.cjs')),
  });
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  win.on('close', () => saveWindowState(stateFile, win));
  void win.loadURL(`${APP_ORIGIN}/`);
  return win;
}

function lockDown(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

registerSchemes();
app.setPath('userData', appDataDir());
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(async () => {
    lockDown();
    handleProtocols(path.join(OUT, 'renderer'), () => current);
    registerIpc(() => current?.handlers ?? null, app.getVersion());
    Menu.setApplicationMenu(buildMenu({ openDataset: () => void chooseDataset(), reindex: () => void reindex(), openDemo: () => void openDemo() }));
    window = createWindow();
    await firstDataset();
    window.reload();
  });
}
