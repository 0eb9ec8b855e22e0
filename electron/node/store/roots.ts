import type { Db } from './db.ts';

export type RootKind = 'visualnews' | 'clippings';

/** The dataset folders the user chose; files are only ever served from inside these. */
export function getRoots(db: Db): Partial<Record<RootKind, string>> {
  const rows = db.prepare('SELECT kind, path FROM roots').all() as { kind: RootKind; path: string }[];
  return Object.fromEntries(rows.map((r) => [r.kind, r.path]));
}

export function setRoot(db: Db, kind: RootKind, path: string | undefined): void {
  if (path === undefined) {
    db.prepare('DELETE FROM roots WHERE kind = ?').run(kind);
    return;
  }
  db.prepare(
    'INSERT INTO roots (kind, path, chosen_at) VALUES (?, ?, ?) ON CONFLICT (kind) DO UPDATE SET path = excluded.path, chosen_at = excluded.chosen_at',
  ).run(kind, path, new Date().toISOString());
}
