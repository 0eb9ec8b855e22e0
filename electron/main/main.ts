import { app, BrowserWindow, dialog, Menu, session } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers, type Handlers } from '../node/api/handlers.ts';
import { JobRunner } from '../node/api/job-runner.ts';
import { appDataDir, defaultDatabasePath, demoDatabasePath, demoDatasetDir, thumbnailDir } from '../node/app-paths.ts';
import { openDatabase, type Db } from '../node/store/db.ts';
import { hasIndex } from '../node/store/index-tables.ts';
import { getRoots } from '../node/store/roots.ts';
import { runIndexInWorker, type IndexJobRequest } from '../node/jobs/run-job.ts';
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

interface OpenDataset {
  db: Db;
  dbFile: string;
  demo: boolean;
  handlers: Handlers;
  thumbnailDir: string;
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

function openDataset(dbFile: string, demo: boolean): void {
  current?.db.close();
  const db = openDatabase(dbFile, bindingOption());
  const options = { ...bindingOption(), workerEntry: WORKER_ENTRY };
  const indexer = new JobRunner('index', dbFile, options);
  const embedder = new JobRunner('embed', dbFile, options);
  const exporter = new JobRunner('export', dbFile, options);
  current = { db, dbFile, demo, thumbnailDir: thumbnailDir(dbFile), handlers: createHandlers({ db, databaseFile: dbFile, demo, version: app.getVersion(), indexer, embedder, exporter }) };
}

/** Indexes in a worker while the window keeps showing the last good index; progress in the title and taskbar. */
async function indexInto(dbFile: string, source: Omit<IndexJobRequest, 'dbFile'>, demo: boolean): Promise<void> {
  const win = window;
  try {
    await runIndexInWorker(
      { dbFile, ...source, ...bindingOption() },
      {
        onProgress: (p) => {
          const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0;
          win?.setProgressBar(fraction);
          win?.setTitle(`OOC Workbench — indexing ${(fraction * 100).toFixed(0)}%`);
        },
      },
      WORKER_ENTRY,
    );
    openDataset(dbFile, demo);
    win?.reload();
  } catch (err) {
    dialog.showErrorBox('Indexing failed', `${err instanceof Error ? err.message : String(err)}\n\nThe previous index, if any, is still usable. Running the index again continues where it stopped.`);
  } finally {
    win?.setProgressBar(-1);
    win?.setTitle('OOC Workbench');
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
