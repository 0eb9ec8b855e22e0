import type { Migration } from './index.ts';

/**
 * Detectors' predictions, imported as named runs and evaluated against the indexed split files.
 * Rows are keyed by what the paper's files key them by — subset, caption id and image id — not
 * by pair ids, so a run survives a re-index; the truth is always read from the split file.
 * `answer` is 1 (falsified), 0 (pristine), -1 (abstained), or NULL where the run gave only a
 * probability. Rows that were not used are kept as problems, with their line. (IF NOT EXISTS:
 * a database rolled back to an older version by hand, as the upgrade tests do, keeps them.)
 */
export const migration0009: Migration = {
  version: 9,
  name: 'prediction-runs',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS prediction_runs (
        run_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        split TEXT NOT NULL,
        file TEXT NOT NULL,
        format TEXT NOT NULL,
        mapping TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        rows INTEGER NOT NULL,
        summary TEXT NOT NULL
      ) STRICT;

      CREATE TABLE IF NOT EXISTS predictions (
        run_id INTEGER NOT NULL REFERENCES prediction_runs (run_id) ON DELETE CASCADE,
        subset TEXT NOT NULL,
        caption_id INTEGER NOT NULL,
        image_id INTEGER NOT NULL,
        answer INTEGER CHECK (answer IN (-1, 0, 1)),
        probability REAL,
        explanation TEXT
      ) STRICT;
      CREATE INDEX IF NOT EXISTS predictions_by_run ON predictions (run_id, subset, caption_id);

      CREATE TABLE IF NOT EXISTS prediction_problems (
        run_id INTEGER NOT NULL REFERENCES prediction_runs (run_id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        line INTEGER NOT NULL,
        detail TEXT NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS prediction_problems_by_run ON prediction_problems (run_id, kind);
    `);
  },
};
