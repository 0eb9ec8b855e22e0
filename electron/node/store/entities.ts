import type { CaptionEntities, Entity } from '../../common/candidates.ts';
import type { Db } from './db.ts';

/** Captions' named entities as computed (migration 15); a new index drops them (publishStaged). */

export function cachedEntities(db: Db, itemIds: readonly number[]): Map<number, CaptionEntities> {
  const found = new Map<number, CaptionEntities>();
  if (itemIds.length === 0) return found;
  const select = db.prepare('SELECT item_id, source, entities FROM item_entities WHERE item_id = ?');
  for (const id of itemIds) {
    const row = select.get(id) as { item_id: number; source: CaptionEntities['from']; entities: string } | undefined;
    if (row === undefined) continue;
    found.set(id, { from: row.source, entities: JSON.parse(row.entities) as Entity[] });
  }
  return found;
}

export function storeEntities(db: Db, rows: readonly [number, CaptionEntities][]): void {
  const insert = db.prepare('INSERT OR REPLACE INTO item_entities (item_id, source, entities) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (const [id, e] of rows) insert.run(id, e.from, JSON.stringify(e.entities));
  })();
}

/** Items with a caption whose entities are not computed yet, after `afterId`, in id order. */
export function itemsWithoutEntities(db: Db, afterId: number, limit: number): { id: number; caption: string }[] {
  return db
    .prepare("SELECT i.id, i.caption FROM items i WHERE i.id > ? AND i.caption <> '' AND NOT EXISTS (SELECT 1 FROM item_entities e WHERE e.item_id = i.id) ORDER BY i.id LIMIT ?")
    .all(afterId, limit) as { id: number; caption: string }[];
}

/** Captions with entities computed, and captions in all. */
export function entityCoverage(db: Db): { computed: number; captions: number } {
  return {
    computed: db.prepare('SELECT count(*) FROM item_entities').pluck().get() as number,
    captions: db.prepare("SELECT count(*) FROM items WHERE caption <> ''").pluck().get() as number,
  };
}
