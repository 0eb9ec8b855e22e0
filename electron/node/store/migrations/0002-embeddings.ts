import type { Migration } from './index.ts';

/**
 * Embeddings: one set per (model or imported source, kind). The vectors themselves live in a
 * flat float32 file per set (fast to scan, see store/vectors.ts); SQLite maps item ids to rows
 * and remembers items that could not be embedded, so a resumed job does not retry them.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'embeddings',
  up(db) {
    db.exec(`
      CREATE TABLE embedding_sets (
        set_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('image', 'text')),
        dim INTEGER NOT NULL CHECK (dim > 0),
        origin TEXT NOT NULL CHECK (origin IN ('model', 'import')),
        file TEXT NOT NULL,
        rows INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        UNIQUE (name, kind)
      ) STRICT;

      CREATE TABLE embedding_rows (
        set_id INTEGER NOT NULL,
        item_id INTEGER NOT NULL,
        row INTEGER NOT NULL,
        PRIMARY KEY (set_id, item_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE embedding_failures (
        set_id INTEGER NOT NULL,
        item_id INTEGER NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (set_id, item_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
