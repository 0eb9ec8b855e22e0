import type { Migration } from './index.ts';

/**
 * Investigations of new images (vetting): a case holds the claim, the analyst's notes and
 * verdict, its images (stored once by sha256 beside the database: vetting/case-files.ts), each
 * image's evidence as computed (JSON), and the evidence the analyst pinned.
 */
export const migration0011: Migration = {
  version: 11,
  name: 'cases',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS cases (
        case_id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        claim TEXT NOT NULL DEFAULT '',
        notes TEXT NOT NULL DEFAULT '',
        place TEXT,
        verdict TEXT CHECK (verdict IN ('consistent', 'repurposed', 'manipulated', 'inconclusive')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE IF NOT EXISTS case_images (
        case_id INTEGER NOT NULL REFERENCES cases (case_id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        format TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        position INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        source TEXT,
        evidence TEXT,
        evidence_at TEXT,
        PRIMARY KEY (case_id, sha256)
      ) STRICT;

      CREATE TABLE IF NOT EXISTS case_pins (
        pin_id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (case_id) ON DELETE CASCADE,
        target TEXT NOT NULL,
        label TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (case_id, target)
      ) STRICT;
    `);
  },
};
