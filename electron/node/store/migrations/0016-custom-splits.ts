import type { Migration } from './index.ts';

/**
 * Split files the analyst makes (candidates/): each pair a caption and the image accepted for it,
 * with the strategy's score and the caption's CLIP score with its own image. This is what the
 * user made and is kept across index builds; the browsable copy in the index tables (folder
 * "custom_<name>") is written from it (store/custom-splits.ts).
 */
export const migration0016: Migration = {
  version: 16,
  name: 'custom-splits',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS custom_splits (
        split_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS custom_split_pairs (
        split_id INTEGER NOT NULL REFERENCES custom_splits (split_id) ON DELETE CASCADE,
        subset TEXT NOT NULL,
        caption_id INTEGER NOT NULL,
        image_id INTEGER NOT NULL,
        strategy TEXT NOT NULL,
        score REAL NOT NULL,
        cti_p REAL,
        position INTEGER NOT NULL,
        accepted_at TEXT NOT NULL,
        PRIMARY KEY (split_id, subset, caption_id)
      ) STRICT;
      -- A split being generated (candidates/generate.ts): its settings, and each caption's pick so
      -- far, so that an interrupted run continues; both go once the split is written.
      CREATE TABLE IF NOT EXISTS custom_split_runs (
        name TEXT PRIMARY KEY,
        params TEXT NOT NULL,
        started_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS custom_split_picks (
        name TEXT NOT NULL REFERENCES custom_split_runs (name) ON DELETE CASCADE,
        caption_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        image_id INTEGER,
        score REAL,
        cti_p REAL,
        cti_f REAL,
        PRIMARY KEY (name, caption_id)
      ) STRICT;
    `);
  },
};
