import type { Db } from './db.ts';

export interface InputFile {
  path: string;
  kind: 'visualnews' | 'annotations' | 'metadata' | 'dgm4';
  split: string | null;
  subset: string | null;
  bytes: number;
  mtimeMs: number;
  fingerprint: string;
}

interface SourceRow {
  path: string;
  kind: InputFile['kind'];
  split: string | null;
  subset: string | null;
  bytes: number;
  mtime_ms: number;
  fingerprint: string;
  done: number;
}

/** The input files an index (live or staged) was built from. */
export function readSources(db: Db, prefix: string): (InputFile & { done: boolean })[] {
  const rows = db.prepare(`SELECT path, kind, split, subset, bytes, mtime_ms, fingerprint, done FROM ${prefix}sources ORDER BY path`).all() as SourceRow[];
  return rows.map((r) => ({
    path: r.path,
    kind: r.kind,
    split: r.split,
    subset: r.subset,
    bytes: r.bytes,
    mtimeMs: r.mtime_ms,
    fingerprint: r.fingerprint,
    done: r.done === 1,
  }));
}

export function writeSources(db: Db, prefix: string, files: readonly InputFile[]): void {
  const insert = db.prepare(
    `INSERT INTO ${prefix}sources (path, kind, split, subset, bytes, mtime_ms, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const f of files) insert.run(f.path, f.kind, f.split, f.subset, f.bytes, f.mtimeMs, f.fingerprint);
}

export function markSourceDone(db: Db, prefix: string, file: string, records: number): void {
  db.prepare(`UPDATE ${prefix}sources SET done = 1, records = ? WHERE path = ?`).run(records, file);
}

/** Whether two sets of inputs have the same files with the same content. */
export function sameInputs(a: readonly InputFile[], b: readonly InputFile[]): boolean {
  if (a.length !== b.length) return false;
  const key = (f: InputFile): string => `${f.path}\0${f.kind}\0${f.split}\0${f.subset}\0${f.bytes}\0${f.fingerprint}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.every((k, i) => k === right[i]);
}
