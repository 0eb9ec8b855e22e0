import path from 'node:path';
import { OocError } from '../../common/errors.ts';

/**
 * Turns a path as written in data.json into a clean path relative to the dataset root, or null
 * when it cannot be one. VisualNews writes `./guardian/images/0376/501.jpg`; other tools strip
 * the `./`, use backslashes, or write absolute paths that may or may not lie inside the root.
 */
export function normalizeDatasetPath(raw: string, root: string): string | null {
  let p = raw.trim().replace(/\\/g, '/');
  if (p.length === 0 || p.includes('\0')) return null;
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) {
    const relative = path.relative(path.resolve(root), path.resolve(p));
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
    p = relative.split(path.sep).join('/');
  }
  const normalized = path.posix.normalize(p);
  if (normalized === '.' || normalized === '..' || normalized.startsWith('../') || normalized.startsWith('/')) return null;
  return normalized;
}

/**
 * The absolute location of a dataset-relative path. Refuses anything that would leave the
 * root, so a file is only ever read from inside the folders the user chose.
 */
export function resolveInRoot(root: string, relative: string): string {
  const base = path.resolve(root);
  const full = path.resolve(base, relative);
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new OocError('PATH_OUTSIDE_ROOT', `refusing ${JSON.stringify(relative)}: it lies outside the dataset folder ${base}`);
  }
  return full;
}
