import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomically } from '../atomic-write.ts';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import { appDataDir } from '../app-paths.ts';
import { hashFile } from './download.ts';

/**
 * Model files are checked against their manifest's sha256 when first loaded: a damaged or
 * swapped file is refused with its name instead of producing silent garbage. A file is hashed
 * once per (path, size, mtime): the result is kept in memory and in the app-data folder, so a
 * 350 MB encoder is not read again at every start.
 */

const checked = new Map<string, string>();

function cacheFile(env: NodeJS.ProcessEnv): string {
  return path.join(appDataDir(env), 'model-checks.json');
}

function readCache(file: string): Record<string, string> {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** Adds one entry, written atomically; a cache that cannot be written only costs a re-hash next time. */
function remember(file: string, key: string, sha256: string): void {
  try {
    const cache = readCache(file);
    cache[key] = sha256;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomically(file, `${JSON.stringify(cache)}\n`);
  } catch {
    // read-only app-data folder: nothing to keep
  }
}

/** Throws BAD_INPUT_FILE, naming the file, when its sha256 is not the manifest's. */
export async function verifyModelFile(file: string, expected: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const st = statSync(file, { throwIfNoEntry: false });
  if (st === undefined) throw new OocError('BAD_INPUT_FILE', `model file ${file} is missing`);
  const key = `${path.resolve(file)}|${st.size}|${Math.trunc(st.mtimeMs)}`;
  const cache = cacheFile(env);
  let actual = checked.get(key) ?? readCache(cache)[key];
  if (actual === undefined) {
    actual = await hashFile(file);
    remember(cache, key, actual);
  }
  checked.set(key, actual);
  if (actual !== expected.toLowerCase()) {
    throw new OocError('BAD_INPUT_FILE', `model file ${file} does not match its manifest (sha256 ${actual}, manifest says ${expected}); the file is damaged or was replaced: export or install the model again`);
  }
}
