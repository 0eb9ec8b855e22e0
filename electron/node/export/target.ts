import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import { appDataDir, thumbnailDir } from '../app-paths.ts';
import { vectorsDir } from '../store/vectors.ts';
import { headsDir } from '../heads/store.ts';
import { caseImagesDir } from '../vetting/case-files.ts';
import { isWithin, realPathOrNearest } from '../dataset-paths.ts';
import { databaseFile, type Db } from '../store/db.ts';
import { getRoots } from '../store/roots.ts';
import { processAlive } from '../processes.ts';

/**
 * Where an export may be written. An export replaces its target folder, so the target must not
 * be, contain or lie inside anything the user made or the app keeps (the dataset folders, the
 * database and its side files, the app-data folder), and an existing folder is replaced only
 * when it is itself a previous export with nothing added to it since.
 */

export const EXPORT_APP = 'ooc-workbench';

/** A place an export must never touch, with what to call it in the refusal. */
export interface ProtectedPlace {
  path: string;
  what: string;
}

/** Everything an export of this database must keep clear of. */
export function protectedPlaces(db: Db, env: NodeJS.ProcessEnv = process.env): ProtectedPlace[] {
  const places: ProtectedPlace[] = [];
  const file = databaseFile(db);
  if (file !== null) {
    places.push({ path: file, what: 'the database' });
    places.push({ path: `${file}-wal`, what: "the database's write-ahead log" });
    places.push({ path: `${file}-shm`, what: "the database's shared-memory file" });
    places.push({ path: vectorsDir(file), what: "the database's embeddings folder" });
    places.push({ path: thumbnailDir(file), what: 'the thumbnail cache' });
    places.push({ path: headsDir(db), what: 'the trained heads folder' });
    places.push({ path: caseImagesDir(db), what: "the investigation cases' images" });
  }
  const roots = getRoots(db);
  if (roots.visualnews !== undefined) places.push({ path: roots.visualnews, what: 'the VisualNews dataset folder' });
  if (roots.clippings !== undefined) places.push({ path: roots.clippings, what: 'the NewsCLIPpings dataset folder' });
  places.push({ path: appDataDir(env), what: "the app's data folder" });
  return places;
}

/** What is at the target now. */
export type TargetState = 'absent' | 'empty' | 'previous-export';

/**
 * Refuses a target that overlaps a protected place, or an existing folder that is not an
 * unchanged previous export (or empty); a previous export only with `overwrite`. Real paths are
 * compared, so a symlink or `..` cannot route an export into the dataset.
 */
export function checkTarget(target: string, places: readonly ProtectedPlace[], overwrite: boolean): TargetState {
  const real = realPathOrNearest(target);
  for (const place of places) {
    const placeReal = realPathOrNearest(place.path);
    if (isWithin(real, placeReal) || isWithin(placeReal, real)) {
      const how = real === placeReal ? 'is' : isWithin(real, placeReal) ? 'lies inside' : 'contains';
      throw new OocError('BAD_ARGUMENT', `refusing to export to ${target}: it ${how} ${place.what} (${place.path}); choose a folder elsewhere`);
    }
  }
  if (!existsSync(target)) return 'absent';
  if (!statSync(target).isDirectory()) throw new OocError('BAD_ARGUMENT', `refusing to export to ${target}: it is a file, not a folder`);
  const entries = readdirSync(target);
  if (entries.length === 0) return 'empty';
  const stray = strayFile(target);
  if (stray !== null) {
    throw new OocError('BAD_ARGUMENT', `refusing to replace ${target}: ${stray}; only a folder holding a previous export, unchanged, can be replaced (even with --force)`);
  }
  if (!overwrite) throw new OocError('BAD_ARGUMENT', `${target} already exists (a previous export); choose another folder or allow replacing it (--force)`);
  return 'previous-export';
}

/** Why the folder is not an unchanged previous export, or null when it is one. */
function strayFile(dir: string): string | null {
  let manifest: { app?: unknown; files?: { path?: unknown }[] };
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as typeof manifest;
  } catch {
    return 'it has no export manifest.json, so it is not a previous export';
  }
  if (manifest.app !== EXPORT_APP || !Array.isArray(manifest.files)) return 'its manifest.json was not written by an OOC Workbench export';
  const listed = new Set(manifest.files.map((f) => f.path));
  listed.add('manifest.json');
  const walk = (relative: string): string | null => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        const found = walk(child);
        if (found !== null) return found;
      } else if (!entry.isFile() || !listed.has(child)) {
        return `it holds ${child}, which the export did not write`;
      }
    }
    return null;
  };
  return walk('');
}

/** The hidden folder an export is built in: named after the target and the owning process. */
export function partialFolder(target: string, nonce: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}-${nonce}`);
}

const PARTIAL = /^\.(.+)\.partial-(\d+)-[0-9a-f]+(\.old)?$/;

/**
 * Cleans up after exports whose process died (kill -9, a power cut) in the target's parent
 * folder: half-built folders are removed; a previous export set aside for replacing is put back
 * when the new one never arrived. Returns what was done, in words.
 */
export async function cleanStalePartials(target: string): Promise<string[]> {
  const parent = path.dirname(target);
  const done: string[] = [];
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return done;
  }
  for (const name of names) {
    const match = PARTIAL.exec(name);
    if (match === null || processAlive(Number(match[2]))) continue;
    const folder = path.join(parent, name);
    const original = path.join(parent, match[1]!);
    if (match[3] !== undefined && !existsSync(original)) {
      await rename(folder, original);
      done.push(`restored ${original} (an interrupted export had set it aside)`);
    } else {
      await rm(folder, { recursive: true, force: true });
      done.push(`removed ${folder} (left by an interrupted export)`);
    }
  }
  return done;
}
