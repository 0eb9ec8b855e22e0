import type { Db } from './db.ts';
import type { EmbeddingSet } from './vectors.ts';

/** Which items an embedding job still has to do, in id order, within an optional split scope. */

export interface Candidate {
  id: number;
  caption: string;
  image_path: string | null;
}

export interface EmbedQueue {
  /** Items left to embed, items embedded before, items that failed before. */
  total: number;
  alreadyDone: number;
  failedBefore: number;
  /** The next items after this id. */
  next(after: number, limit: number): Candidate[];
}

/** A temp table of the item ids a split (or one of its subsets) uses, or null for every item. */
export function scopeItems(db: Db, split: string | undefined, subset: string | undefined): string | null {
  if (split === undefined) return null;
  db.exec('CREATE TEMP TABLE IF NOT EXISTS embed_scope (id INTEGER PRIMARY KEY); DELETE FROM embed_scope;');
  const where = subset === undefined ? 'f.split = ?' : 'f.split = ? AND f.subset = ?';
  const args = subset === undefined ? [split] : [split, subset];
  for (const column of ['caption_id', 'pristine_image_id', 'falsified_image_id']) {
    db.prepare(`INSERT OR IGNORE INTO embed_scope SELECT p.${column} FROM pairs p JOIN annotation_files f USING (file_id) WHERE ${where} AND p.${column} IS NOT NULL`).run(...args);
  }
  return 'embed_scope';
}

/** The queue of a set: items in scope with neither a vector nor a recorded failure (failures forgotten first when retrying). */
export function embedQueue(db: Db, set: EmbeddingSet, scope: string | null, retryFailed: boolean): EmbedQueue {
  if (retryFailed) db.prepare('DELETE FROM embedding_failures WHERE set_id = ?').run(set.setId);
  const inScope = scope === null ? '' : `AND i.id IN (SELECT id FROM ${scope})`;
  const pending = `NOT EXISTS (SELECT 1 FROM embedding_rows r WHERE r.set_id = ${set.setId} AND r.item_id = i.id)
    AND NOT EXISTS (SELECT 1 FROM embedding_failures x WHERE x.set_id = ${set.setId} AND x.item_id = i.id) ${inScope}`;
  const next = db.prepare(`SELECT id, caption, image_path FROM items i WHERE id > ? AND ${pending} ORDER BY id LIMIT ?`);
  return {
    total: db.prepare(`SELECT count(*) FROM items i WHERE ${pending}`).pluck().get() as number,
    alreadyDone: db.prepare(`SELECT count(*) FROM items i JOIN embedding_rows r ON r.item_id = i.id AND r.set_id = ? WHERE 1 ${inScope}`).pluck().get(set.setId) as number,
    failedBefore: db.prepare(`SELECT count(*) FROM items i JOIN embedding_failures r ON r.item_id = i.id AND r.set_id = ? WHERE 1 ${inScope}`).pluck().get(set.setId) as number,
    next: (after, limit) => next.all(after, limit) as Candidate[],
  };
}
