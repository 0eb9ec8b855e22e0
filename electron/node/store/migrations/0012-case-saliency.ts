import type { Migration } from './index.ts';

/**
 * Saliency maps of a case's images against its claim, kept with the case (and gone with it or
 * with the image): per model, method and parameters, for the claim as it was when computed.
 */
export const migration0012: Migration = {
  version: 12,
  name: 'case-saliency',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS case_saliency (
        case_id INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        model TEXT NOT NULL,
        method TEXT NOT NULL,
        params TEXT NOT NULL,
        claim TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (case_id, sha256, model, method, params),
        FOREIGN KEY (case_id, sha256) REFERENCES case_images (case_id, sha256) ON DELETE CASCADE
      ) STRICT;
    `);
  },
};
