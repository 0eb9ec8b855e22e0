import type { Migration } from './index.ts';

/**
 * An item's page lists every pair that uses its image, as pristine or as swapped in: the pairs'
 * image columns get indexes, on the live tables and on a staged index left by an interrupted run
 * (new indexes build them with the tables: index-tables.ts).
 */
export const migration0008: Migration = {
  version: 8,
  name: 'pairs-by-image',
  up(db) {
    for (const prefix of ['', 'stage_']) {
      if (db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(`${prefix}pairs`) === undefined) continue;
      db.exec(`CREATE INDEX IF NOT EXISTS ${prefix}m8_pairs_pristine_image ON ${prefix}pairs (pristine_image_id);
               CREATE INDEX IF NOT EXISTS ${prefix}m8_pairs_falsified_image ON ${prefix}pairs (falsified_image_id);`);
    }
  },
};
