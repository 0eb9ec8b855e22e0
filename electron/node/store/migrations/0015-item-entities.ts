import type { Migration } from './index.ts';

/**
 * Named entities of captions (candidates/entities.ts), computed once per item: from
 * NewsCLIPpings' metadata, or from the offline NER ("ner"); a new index drops them.
 */
export const migration0015: Migration = {
  version: 15,
  name: 'item-entities',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS item_entities (
        item_id INTEGER PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('metadata', 'ner')),
        entities TEXT NOT NULL
      ) STRICT;
    `);
  },
};
