import type { ItemRow } from '../ingest/records.ts';
import type { Db } from './db.ts';

/** Appends VisualNews items and their caption search entries to the staging tables. */
export class ItemWriter {
  private readonly insert;
  private readonly insertFts;

  constructor(db: Db, prefix: string) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO ${prefix}items (id, caption, topic, source, image_path, article_path, record) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertFts = db.prepare(`INSERT INTO ${prefix}items_fts (rowid, caption) VALUES (?, ?)`);
  }

  /** Returns false when the id is already present (the first record with an id wins). */
  add(row: ItemRow, record: number): boolean {
    const result = this.insert.run(row.id, row.caption, row.topic, row.source, row.image_path, row.article_path, record);
    if (result.changes === 0) return false;
    if (row.caption.length > 0) this.insertFts.run(row.id, row.caption);
    return true;
  }
}

export interface Item extends ItemRow {
  record: number;
}

export function getItem(db: Db, id: number): Item | undefined {
  return db.prepare('SELECT id, caption, topic, source, image_path, article_path, record FROM items WHERE id = ?').get(id) as Item | undefined;
}

/** Every item id in the staging table, for validating annotation rows without a query per row. */
export function stagedItemIds(db: Db, prefix: string): Set<number> {
  return new Set(db.prepare(`SELECT id FROM ${prefix}items`).raw().pluck().all() as number[]);
}
