import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { OocError } from '../common/errors.ts';

/**
 * Paths inside the dataset folders the user chose. Text checks (no `..`, no absolute path) come
 * first; then real paths: a symlink inside the folder that points outside it is refused too, at
 * index time and at every read, since a path's text says nothing about where a link leads.
 */

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

/** Whether `inner` is `outer` or lies inside it (both absolute, normalised). */
export function isWithin(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);
}

/** The real path of `p`, or of its nearest existing ancestor with the rest appended (for paths not yet created). */
export function realPathOrNearest(p: string): string {
  const absolute = path.resolve(p);
  const rest: string[] = [];
  let at = absolute;
  for (;;) {
    try {
      return path.join(realpathSync.native(at), ...rest.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return absolute;
      rest.push(path.basename(at));
      at = parent;
    }
  }
}

function outside(relative: string, base: string): OocError {
  return new OocError('PATH_OUTSIDE_ROOT', `refusing ${JSON.stringify(relative)}: it lies outside the dataset folder ${base}`);
}

/**
 * The absolute location of a dataset-relative path, refusing anything whose real path (every
 * symlink followed) leaves the root, so a file is only ever read from inside the folders the
 * user chose. A path that does not exist yet is returned as is: reading it fails as "missing".
 */
export function resolveInRoot(root: string, relative: string): string {
  const base = path.resolve(root);
  const full = path.resolve(base, relative);
  if (!isWithin(full, base)) throw outside(relative, base);
  let real: string;
  try {
    real = realpathSync.native(full);
  } catch {
    return full;
  }
  if (!isWithin(real, realPathOrNearest(base))) throw outside(relative, base);
  return full;
}

/**
 * Index-time check that items' files stay inside the root once links are followed. Directories
 * are resolved once each (VisualNews has about a thousand); each file costs one lstat, and a
 * realpath only when it is itself a link.
 */
export class RootContainment {
  private readonly realRoot: string;
  private readonly directories = new Map<string, boolean>();

  constructor(private readonly root: string) {
    this.realRoot = realPathOrNearest(root);
  }

  /** Whether the file at this clean relative path (see normalizeDatasetPath) really lies inside the root. */
  contains(relative: string): boolean {
    const full = path.join(this.root, relative);
    const folder = path.dirname(full);
    let inside = this.directories.get(folder);
    if (inside === undefined) {
      inside = isWithin(realPathOrNearest(folder), this.realRoot);
      this.directories.set(folder, inside);
    }
    if (!inside) return false;
    if (lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return true;
    return isWithin(realPathOrNearest(full), this.realRoot);
  }
}
