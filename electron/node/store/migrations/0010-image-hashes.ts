import type { Migration } from './index.ts';

/**
 * Each indexed image's perceptual hash (vetting/phash.ts: two 32-bit words), for finding earlier
 * appearances of a new image; or why it has none (missing, corrupt), so a resumed or repeated
 * run does not decode it again. WITHOUT ROWID keeps a row at about 20 bytes.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'image-hashes',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS image_hashes (
        item_id INTEGER PRIMARY KEY,
        even INTEGER,
        odd INTEGER,
        failure TEXT,
        CHECK ((even IS NULL) = (odd IS NULL) AND (even IS NULL) = (failure IS NOT NULL))
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
