import type { Verdict } from '../../common/curation.ts';
import { OocError } from '../../common/errors.ts';
import type { SelectionSpec } from '../../common/export.ts';
import type { Db } from './db.ts';
import { fileFor, matchingCaptionIds } from './pairs.ts';

/** A pair as the exporter and the sampler see it. */
export interface SelectedPair {
  pairId: number;
  split: string;
  subset: string;
  captionId: number;
  /** The sub-split a Merged / Balanced pair came from, else the split itself. */
  subsplit: string;
  source: string | null;
  topic: string | null;
  verdict: Verdict | null;
  hasPristine: boolean;
  hasFalsified: boolean;
}

interface PairRow {
  pair_id: number;
  split: string;
  subset: string;
  caption_id: number;
  source_dataset: number | null;
  source_datasets: string | null;
  source: string | null;
  topic: string | null;
  verdict: Verdict | null;
  has_pristine: number;
  has_falsified: number;
}

const COLUMNS = `p.pair_id, f.split, f.subset, p.caption_id, p.source_dataset, f.source_datasets, p.source, p.topic,
  c.verdict, p.pristine_row IS NOT NULL AS has_pristine, p.falsified_row IS NOT NULL AS has_falsified`;
const JOINS = `JOIN annotation_files f USING (file_id)
  LEFT JOIN curation c ON c.split = f.split AND c.subset = f.subset AND c.caption_id = p.caption_id`;

function toPair(r: PairRow): SelectedPair {
  const names = r.source_datasets === null ? null : (JSON.parse(r.source_datasets) as string[]);
  return {
    pairId: r.pair_id,
    split: r.split,
    subset: r.subset,
    captionId: r.caption_id,
    subsplit: names !== null && r.source_dataset !== null ? (names[r.source_dataset] ?? String(r.source_dataset)) : r.split,
    source: r.source,
    topic: r.topic,
    verdict: r.verdict,
    hasPristine: r.has_pristine === 1,
    hasFalsified: r.has_falsified === 1,
  };
}

/** Every candidate pair of a spec, in pair order (file order within each split file). */
export function candidatePairs(db: Db, spec: SelectionSpec): SelectedPair[] {
  if (spec.collection !== undefined) {
    if (spec.query !== undefined) throw new OocError('BAD_ARGUMENT', 'select by a query or by a collection, not both');
    const exists = db.prepare('SELECT collection_id FROM collections WHERE name = ?').pluck().get(spec.collection) as number | undefined;
    if (exists === undefined) throw new OocError('NOT_FOUND', `no collection named ${JSON.stringify(spec.collection)}`);
    return (
      db
        .prepare(
          `SELECT ${COLUMNS} FROM collection_pairs k
           JOIN annotation_files f ON f.split = k.split AND f.subset = k.subset
           JOIN pairs p ON p.file_id = f.file_id AND p.caption_id = k.caption_id
           LEFT JOIN curation c ON c.split = f.split AND c.subset = f.subset AND c.caption_id = p.caption_id
           WHERE k.collection_id = ? ORDER BY p.pair_id`,
        )
        .all(exists) as PairRow[]
    ).map(toPair);
  }
  if (spec.query === undefined) throw new OocError('BAD_ARGUMENT', 'say which pairs: a split and subset (with any filters) or a collection');
  const wanted = new Set(matchingCaptionIds(db, spec.query));
  const file = fileFor(db, spec.query.split, spec.query.subset);
  return (db.prepare(`SELECT ${COLUMNS} FROM pairs p ${JOINS} WHERE p.file_id = ? ORDER BY p.pair_id`).all(file.file_id) as PairRow[])
    .filter((r) => wanted.has(r.caption_id))
    .map(toPair);
}
