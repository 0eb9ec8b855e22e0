import type { Db } from './db.ts';
import { getMeta, setMeta } from './meta.ts';

/** The perceptual hashes of the indexed images (vetting/phash.ts; migration 10). */

export interface HashRow {
  itemId: number;
  even: number;
  odd: number;
}

export interface HashFailure {
  itemId: number;
  failure: string;
}

export interface HashCounts {
  items: number;
  hashed: number;
  failed: number;
}

/** Items after `afterId` (in id order) whose image has neither a hash nor a recorded failure. */
export function itemsToHash(db: Db, afterId: number, limit: number): { id: number; image_path: string | null }[] {
  return db
    .prepare('SELECT i.id, i.image_path FROM items i WHERE i.id > ? AND NOT EXISTS (SELECT 1 FROM image_hashes h WHERE h.item_id = i.id) ORDER BY i.id LIMIT ?')
    .all(afterId, limit) as { id: number; image_path: string | null }[];
}

const GENERATION = 'image_hashes_generation';

/** Counts every change to the stored hashes, so a cached search index knows it is stale without a scan. */
function bump(db: Db): void {
  setMeta(db, GENERATION, String(Number(getMeta(db, GENERATION) ?? '0') + 1));
}

export function saveHashes(db: Db, rows: readonly (HashRow | HashFailure)[]): void {
  bump(db);
  const insert = db.prepare('INSERT OR REPLACE INTO image_hashes (item_id, even, odd, failure) VALUES (?, ?, ?, ?)');
  for (const r of rows) {
    if ('failure' in r) insert.run(r.itemId, null, null, r.failure);
    else insert.run(r.itemId, r.even, r.odd, null);
  }
}

/** Forgets the recorded failures, so the next run tries those images again. */
export function forgetHashFailures(db: Db): number {
  bump(db);
  return db.prepare('DELETE FROM image_hashes WHERE failure IS NOT NULL').run().changes;
}

export function hashCounts(db: Db): HashCounts {
  return db
    .prepare(
      `SELECT (SELECT count(*) FROM items) AS items,
              (SELECT count(*) FROM image_hashes h JOIN items i ON i.id = h.item_id WHERE h.failure IS NULL) AS hashed,
              (SELECT count(*) FROM image_hashes h JOIN items i ON i.id = h.item_id WHERE h.failure IS NOT NULL) AS failed`,
    )
    .get() as HashCounts;
}

/** Every stored hash of an indexed item, in item order, as three parallel arrays. */
export function allHashes(db: Db): { ids: Int32Array; even: Uint32Array; odd: Uint32Array } {
  const n = db.prepare('SELECT count(*) FROM image_hashes h JOIN items i ON i.id = h.item_id WHERE h.failure IS NULL').pluck().get() as number;
  const ids = new Int32Array(n);
  const even = new Uint32Array(n);
  const odd = new Uint32Array(n);
  let k = 0;
  const rows = db.prepare('SELECT h.item_id, h.even, h.odd FROM image_hashes h JOIN items i ON i.id = h.item_id WHERE h.failure IS NULL ORDER BY h.item_id').raw();
  for (const [id, e, o] of rows.iterate() as Iterable<[number, number, number]>) {
    if (k === n) break;
    ids[k] = id;
    even[k] = e;
    odd[k] = o;
    k++;
  }
  return { ids: ids.subarray(0, k), even: even.subarray(0, k), odd: odd.subarray(0, k) };
}

/** A token that changes whenever the hashes or the indexed items change (two meta reads, no scan). */
export function hashesVersion(db: Db): string {
  return `${getMeta(db, 'index_generation') ?? ''}:${getMeta(db, GENERATION) ?? '0'}`;
}
