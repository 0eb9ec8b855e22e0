import type { Migration } from './index.ts';

/**
 * The analyst's own records about pairs, keyed by (split, subset, caption_id) so they survive a
 * re-index: verdicts and notes, tags, named collections, and an undo log of every edit with the
 * state it replaced.
 */
export const migration0004: Migration = {
  version: 4,
  name: 'curation',
  up(db) {
    db.exec(`
      CREATE TABLE curation (
        split TEXT NOT NULL,
        subset TEXT NOT NULL,
        caption_id INTEGER NOT NULL,
        verdict TEXT CHECK (verdict IN ('out-of-context', 'consistent', 'ambiguous', 'unsolvable')),
        note TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (split, subset, caption_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX curation_by_verdict ON curation (split, subset, verdict);

      CREATE TABLE pair_tags (
        split TEXT NOT NULL,
        subset TEXT NOT NULL,
        caption_id INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (split, subset, caption_id, tag)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX pair_tags_by_tag ON pair_tags (tag, split, subset);

      CREATE TABLE collections (
        collection_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE collection_pairs (
        collection_id INTEGER NOT NULL REFERENCES collections ON DELETE CASCADE,
        split TEXT NOT NULL,
        subset TEXT NOT NULL,
        caption_id INTEGER NOT NULL,
        PRIMARY KEY (collection_id, split, subset, caption_id)
      ) STRICT, WITHOUT ROWID;

      -- One row per edit: what it was called and the rows it replaced, to put back on undo.
      CREATE TABLE curation_undo (
        seq INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        at TEXT NOT NULL,
        before TEXT NOT NULL
      ) STRICT;
    `);
  },
};
