import type { Migration } from './index.ts';

/**
 * Detectors' predictions on DGM4 samples: runs are prediction_runs rows (one store of runs, their
 * names and problems, with NewsCLIPpings'), whose split is "dgm4/<split>"; each row is keyed by
 * the sample's VisualNews id and image path, as DGM4's files key it, so a run survives a re-index.
 */
export const migration0013: Migration = {
  version: 13,
  name: 'dgm4-predictions',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS dgm4_predictions (
        run_id INTEGER NOT NULL REFERENCES prediction_runs (run_id) ON DELETE CASCADE,
        id INTEGER NOT NULL,
        image TEXT NOT NULL,
        probability REAL,
        label INTEGER CHECK (label IN (0, 1)),
        class_probabilities TEXT,
        box TEXT,
        words TEXT,
        PRIMARY KEY (run_id, id, image)
      ) STRICT;
    `);
  },
};
