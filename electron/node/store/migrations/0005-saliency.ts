import type { Migration } from './index.ts';

/** Saliency maps, kept per (model, image, caption, method, parameters) so they survive restarts. */
export const migration0005: Migration = {
  version: 5,
  name: 'saliency',
  up(db) {
    db.exec(`
      CREATE TABLE saliency_maps (
        model TEXT NOT NULL,
        image_id INTEGER NOT NULL,
        caption_id INTEGER NOT NULL,
        method TEXT NOT NULL,
        params TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (model, image_id, caption_id, method, params)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
