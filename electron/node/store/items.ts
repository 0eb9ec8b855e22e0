import type { NeighbourScope } from '../../common/schemas.ts';
import type { Db } from './db.ts';
import { fileFor } from './pairs.ts';

export interface ItemRow {
  id: number;
  caption: string;
  topic: string | null;
  source: string | null;
  image_path: string | null;
  article_path: string | null;
}

/** Where a record sits in data.json: its index, and its bytes when it is an array element. */
export interface RecordPlace {
  index: number;
  start: number;
  end: number;
  /** Set when data.json is an object keyed by id: the bytes are then a member, not a record. */
  key?: string;
}

/**
 * Appends VisualNews items, in file order, to the raw staging table (see finalizeStagedItems).
 * Keeps the ids seen so far, reloaded from the table when a build resumes, to refuse duplicates.
 */
export class ItemWriter {
  private readonly insert;
  private readonly seen: Set<number>;

  constructor(db: Db, prefix: string) {
    this.insert = db.prepare(
      `INSERT INTO ${prefix}items_raw (record, id, caption, topic, source, image_path, article_path, source_start, source_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.seen = new Set(db.prepare(`SELECT id FROM ${prefix}items_raw`).raw().pluck().all() as number[]);
  }

  /** Returns false when the id was seen before (the first record with an id wins). */
  add(row: ItemRow, place: RecordPlace): boolean {
    if (this.seen.has(row.id)) return false;
    const bytes = place.key === undefined ? [place.start, place.end] : [null, null];
    this.insert.run(place.index, row.id, row.caption, row.topic, row.source, row.image_path, row.article_path, ...bytes);
    this.seen.add(row.id);
    return true;
  }
}

export interface Item extends ItemRow {
  record: number;
}

export function itemCount(db: Db): number {
  return db.prepare('SELECT count(*) FROM items').pluck().get() as number;
}

/** Items with an id above this one, and up to it (a resumable scan's progress). */
export function itemsAfter(db: Db, id: number): number {
  return db.prepare('SELECT count(*) FROM items WHERE id > ?').pluck().get(id) as number;
}

export function itemsUpTo(db: Db, id: number): number {
  return db.prepare('SELECT count(*) FROM items WHERE id <= ?').pluck().get(id) as number;
}

/** A lookup of whether an item is in the index, prepared once for many calls. */
export function itemExists(db: Db): (id: number) => boolean {
  const statement = db.prepare('SELECT 1 FROM items WHERE id = ?').pluck();
  return (id) => statement.get(id) !== undefined;
}

/** A lookup of staged (or live, with prefix '') items' source and topic, prepared once for many calls. */
export function sourceAndTopic(db: Db, prefix: string): (id: number) => { source: string | null; topic: string | null } | undefined {
  const statement = db.prepare(`SELECT source, topic FROM ${prefix}items WHERE id = ?`);
  return (id) => statement.get(id) as { source: string | null; topic: string | null } | undefined;
}

/** A lookup of items' captions, prepared once for many calls. */
export function captionOf(db: Db): (id: number) => string | null {
  const statement = db.prepare('SELECT caption FROM items WHERE id = ?').pluck();
  return (id) => (statement.get(id) as string | undefined) ?? null;
}

export function getItem(db: Db, id: number): Item | undefined {
  return db.prepare('SELECT id, caption, topic, source, image_path, article_path, record FROM items WHERE id = ?').get(id) as Item | undefined;
}

/** Every item id in the staging table, for validating annotation rows without a query per row. */
export function stagedItemIds(db: Db, prefix: string): Set<number> {
  return new Set(db.prepare(`SELECT id FROM ${prefix}items`).raw().pluck().all() as number[]);
}

/**
 * The ids of the items a neighbour search may return (see NeighbourScope): of a source and a
 * topic when given, and used by a split file's pairs when one is given — by their images
 * (pristine or swapped in) when images are searched, by their captions when captions are.
 */
export function itemIdsWithin(db: Db, scope: NeighbourScope, side: 'image' | 'caption'): number[] {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const column of ['source', 'topic'] as const) {
    if (scope[column] === undefined) continue;
    where.push(`${column} = ?`);
    params.push(scope[column]);
  }
  if (scope.split !== undefined && scope.subset !== undefined) {
    const { file_id } = fileFor(db, scope.split, scope.subset);
    where.push(
      side === 'caption'
        ? 'id IN (SELECT caption_id FROM pairs WHERE file_id = ?)'
        : 'id IN (SELECT pristine_image_id FROM pairs WHERE file_id = ? UNION SELECT falsified_image_id FROM pairs WHERE file_id = ?)',
    );
    params.push(...(side === 'caption' ? [file_id] : [file_id, file_id]));
  }
  return db.prepare(`SELECT id FROM items${where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`}`).raw().pluck().all(...params) as number[];
}

/** Every item's image path as indexed: [id, path]. */
export function itemImagePaths(db: Db): IterableIterator<[number, string]> {
  return db.prepare('SELECT id, image_path FROM items WHERE image_path IS NOT NULL').raw().iterate() as IterableIterator<[number, string]>;
}
