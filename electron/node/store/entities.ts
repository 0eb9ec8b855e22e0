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
