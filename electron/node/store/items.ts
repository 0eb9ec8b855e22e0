import type { ItemRow } from '../ingest/records.ts';
import type { Db } from './db.ts';

/**
 * Appends VisualNews items, in file order, to the raw staging table (see finalizeStagedItems).
 * Keeps the ids seen so far, reloaded from the table when a build resumes, to refuse duplicates.
 */
export class ItemWriter {
  private readonly insert;
  private readonly seen: Set<number>;

  constructor(db: Db, prefix: string) {
    this.insert = db.prepare(
      `INSERT INTO ${prefix}items_raw (record, id, caption, topic, source, image_path, article_path) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.seen = new Set(db.prepare(`SELECT id FROM ${prefix}items_raw`).raw().pluck().all() as number[]);
  }

  /** Returns false when the id was seen before (the first record with an id wins). */
  add(row: ItemRow, record: number): boolean {
    if (this.seen.has(row.id)) return false;
    this.insert.run(record, row.id, row.caption, row.topic, row.source, row.image_path, row.article_path);
    this.seen.add(row.id);
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
