import type { Db } from './db.ts';

/** Appends NewsCLIPpings metadata records, kept whole as JSON since their schema varies. */
export class MetadataWriter {
  private readonly insert;

  constructor(db: Db, prefix: string) {
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${prefix}metadata (subset, id, json) VALUES (?, ?, ?)`);
  }

  /** Returns false when the id already has metadata in this subset. */
  add(subset: string, id: number, value: unknown): boolean {
    return this.insert.run(subset, id, JSON.stringify(value)).changes > 0;
  }
}

export function getMetadata(db: Db, id: number): { subset: string; value: unknown }[] {
  const rows = db.prepare('SELECT subset, json FROM metadata WHERE id = ? ORDER BY subset').all(id) as { subset: string; json: string }[];
  return rows.map((r) => ({ subset: r.subset, value: JSON.parse(r.json) as unknown }));
}
