import { readdirSync, realpathSync } from 'node:fs';
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
 * Index-time check that items' files stay inside the root once links are followed. Each folder
 * is resolved and listed once (VisualNews has about a thousand, with a thousand files each): the
 * listing's entry types show which files are links, so an ordinary file costs no system call.
 */
export class RootContainment {
  private readonly realRoot: string;
  private readonly folders = new Map<string, { inside: boolean; links: Set<string> }>();

  constructor(private readonly root: string) {
    this.realRoot = realPathOrNearest(root);
  }

  /** Whether the file at this clean relative path (see normalizeDatasetPath) really lies inside the root. */
  contains(relative: string): boolean {
    const full = path.join(this.root, relative);
    const folder = this.folder(path.dirname(full));
    if (!folder.inside) return false;
    return !folder.links.has(path.basename(full)) || isWithin(realPathOrNearest(full), this.realRoot);
  }

  private folder(dir: string): { inside: boolean; links: Set<string> } {
    let known = this.folders.get(dir);
    if (known === undefined) {
      const inside = isWithin(realPathOrNearest(dir), this.realRoot);
      let links = new Set<string>();
      try {
        if (inside) links = new Set(readdirSync(dir, { withFileTypes: true }).filter((e) => e.isSymbolicLink()).map((e) => e.name));
      } catch {
        // a missing folder holds no links
      }
      known = { inside, links };
      this.folders.set(dir, known);
    }
    return known;
  }
}
