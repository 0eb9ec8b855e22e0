import type { Migration } from './index.ts';

/**
 * A DGM4 run imported with a tokenizer scores text grounding over word pieces, as DGM4's authors
 * do: each row keeps, per word piece of its sample's text, the index of the word it belongs to
 * (JSON), and its `words` are then one flag per piece. NULL: the run's flags are per word.
 */
export const migration0014: Migration = {
  version: 14,
  name: 'dgm4-subwords',
  up(db) {
    // Idempotent, as every migration: a database rolled back to an older version keeps its columns.
    const columns = db.prepare("SELECT name FROM pragma_table_info('dgm4_predictions')").pluck().all();
    if (!columns.includes('word_ids')) db.exec('ALTER TABLE dgm4_predictions ADD COLUMN word_ids TEXT');
  },
};
