import type { Migration } from './index.ts';

/**
 * Scores of every pair under a set of embeddings (a model's, or imported ones): cosine of the
 * caption with the pristine and with the falsified image, and of the caption with the
 * falsified image's own caption. Keyed by pair_id, so a new index clears them (publishStaged);
 * the indexes on (name, file_id, score) serve a split file's pairs sorted by a score.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'pair-scores',
  up(db) {
    db.exec(`
      CREATE TABLE pair_scores (
        name TEXT NOT NULL,
        pair_id INTEGER NOT NULL,
        file_id INTEGER NOT NULL,
        pristine REAL,
        falsified REAL,
        text_text REAL,
        PRIMARY KEY (name, pair_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX pair_scores_pristine ON pair_scores (name, file_id, coalesce(pristine, -2.0));
      CREATE INDEX pair_scores_falsified ON pair_scores (name, file_id, coalesce(falsified, -2.0));
      CREATE INDEX pair_scores_text_text ON pair_scores (name, file_id, coalesce(text_text, -2.0));

      -- One row per scored set of embeddings: complete once every pair has its row.
      CREATE TABLE pair_score_runs (
        name TEXT PRIMARY KEY,
        complete INTEGER NOT NULL,
        pairs INTEGER NOT NULL,
        text_image INTEGER NOT NULL,
        text_text INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
