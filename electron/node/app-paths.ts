import { createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR_NAME = 'ooc-workbench';

/**
 * The per-user folder for the database and caches: the same folder Electron's `userData` uses,
 * so the CLI and the desktop app share one index. `OOC_HOME` overrides it.
 */
export function appDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OOC_HOME) return path.resolve(env.OOC_HOME);
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), APP_DIR_NAME);
}

export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'workbench.db');
}

/**
 * Where thumbnails for a database are cached: beside it, so each database has its own cache; in
 * the app-data folder (one folder per database) when the database's folder cannot be written,
 * as on read-only media.
 */
export function thumbnailDir(databaseFile: string, env: NodeJS.ProcessEnv = process.env): string {
  const folder = path.dirname(path.resolve(databaseFile));
  try {
    accessSync(folder, constants.W_OK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return path.join(appDataDir(env), 'thumbnails', createHash('sha256').update(path.resolve(databaseFile)).digest('hex').slice(0, 16));
    }
  }
  return path.join(folder, 'thumbnails');
}

/** The bundled demo dataset (resources/demo/dataset in the source tree). */
export function demoDatasetDir(): { visualnews: string; clippings: string } {
  const root = fileURLToPath(new URL('../../resources/demo/dataset/', import.meta.url));
  return { visualnews: path.join(root, 'visual_news', 'origin'), clippings: path.join(root, 'news_clippings') };
}

/** The demo's own database, so trying the demo never replaces the index of a real corpus. */
export function demoDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'demo.db');
}

/** Models shipped with the app (models/ in the source tree; OOC_BUNDLED_MODELS when packaged). */
export function bundledModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OOC_BUNDLED_MODELS) return path.resolve(env.OOC_BUNDLED_MODELS);
  return fileURLToPath(new URL('../../models/', import.meta.url));
}

/** Models the user installed or exported: one folder each, beside the database. */
export function userModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(appDataDir(env), 'models');
}

