import type { Migration } from './index.ts';

/**
 * The tables that hold the user's own state. The index tables (items, annotations, pairs …) are
 * derived from the input files and are created by the indexer, see index-tables.ts.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE roots (
        kind TEXT PRIMARY KEY CHECK (kind IN ('visualnews', 'clippings')),
        path TEXT NOT NULL,
        chosen_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        params TEXT NOT NULL,
        checkpoint TEXT,
        pid INTEGER,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        error TEXT
      ) STRICT;
      CREATE INDEX jobs_by_kind ON jobs (kind, status);

      CREATE TABLE image_checks (
        item_id INTEGER PRIMARY KEY,
        image_path TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('ok', 'missing', 'corrupt', 'unsupported', 'unreadable')),
        format TEXT,
        width INTEGER,
        height INTEGER,
        bytes INTEGER,
        detail TEXT,
        checked_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX image_checks_by_status ON image_checks (status);
    `);
  },
};
