import type { PairPrediction, RunOrigin, PredictionMapping, PredictionRun, ProblemKind, RunProblem, RunThreshold } from '../../common/evaluation.ts';
import type { PairQuery } from '../../common/schemas.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from './db.ts';

/** A prediction_runs row (NewsCLIPpings' runs here, DGM4's in dgm4-runs.ts). */
export interface RunRecord {
  run_id: number;
  name: string;
  split: string;
  file: string;
  format: string;
  mapping: string;
  imported_at: string;
  rows: number;
  summary: string;
}

function toRun(r: RunRecord): PredictionRun & { id: number } {
  const summary = JSON.parse(r.summary) as Pick<PredictionRun, 'matched' | 'problems' | 'hasProbabilities' | 'threshold'>;
  return { id: r.run_id, name: r.name, split: r.split, file: r.file, format: r.format as RunOrigin, mapping: JSON.parse(r.mapping) as PredictionMapping, importedAt: r.imported_at, rows: r.rows, ...summary };
}

/** DGM4 runs share the table; their split is "dgm4/<split>" (store/dgm4.ts reads them). */
export const DGM4_RUN = 'dgm4/';

export function readRun(db: Db, name: string): (PredictionRun & { id: number }) | null {
  const r = db.prepare(`SELECT * FROM prediction_runs WHERE name = ? AND split NOT LIKE '${DGM4_RUN}%'`).get(name) as RunRecord | undefined;
  return r === undefined ? null : toRun(r);
}

/** A run by name, or a NOT_FOUND error naming the runs there are. */
export function requireRun(db: Db, name: string): PredictionRun & { id: number } {
  const run = readRun(db, name);
  if (run !== null) return run;
  const names = listRuns(db).map((r) => r.name);
  throw new OocError('NOT_FOUND', `no prediction run named "${name}" (${names.length === 0 ? 'none imported yet' : `runs: ${names.join(', ')}`})`);
}

export function listRuns(db: Db): (PredictionRun & { id: number })[] {
  return (db.prepare(`SELECT * FROM prediction_runs WHERE split NOT LIKE '${DGM4_RUN}%' ORDER BY imported_at, name`).all() as RunRecord[]).map(toRun);
}

/** Deletes a run the user names (its rows and problems go with it). */
export function deleteRun(db: Db, name: string): void {
  requireRun(db, name);
  db.prepare('DELETE FROM prediction_runs WHERE name = ?').run(name);
}

export function runProblems(db: Db, runId: number, kind?: ProblemKind, limit = 200): RunProblem[] {
  const sql = `SELECT kind, line, detail FROM prediction_problems WHERE run_id = ?${kind === undefined ? '' : ' AND kind = ?'} ORDER BY kind, line LIMIT ?`;
  return db.prepare(sql).all(...(kind === undefined ? [runId, limit] : [runId, kind, limit])) as RunProblem[];
}

/** Whether some of a run's rows have a probability and no label (they are labelled at its threshold). */
export function hasUnlabelledRows(db: Db, runId: number): boolean {
  return db.prepare('SELECT 1 FROM predictions WHERE run_id = ? AND answer IS NULL AND probability IS NOT NULL LIMIT 1').get(runId) !== undefined;
}

export function setRunThreshold(db: Db, runId: number, threshold: RunThreshold | null): void {
  db.prepare("UPDATE prediction_runs SET summary = json_set(summary, '$.threshold', json(?)) WHERE run_id = ?").run(JSON.stringify(threshold), runId);
}

/** The runs of a split, by name. */
export function runsOfSplit(db: Db, split: string): string[] {
  return db.prepare('SELECT name FROM prediction_runs WHERE split = ? ORDER BY imported_at, name').pluck().all(split) as string[];
}

/** A run's rows of one subset: caption, image, answer (null: probability only), probability. */
export function runRows(db: Db, runId: number, subset: string): IterableIterator<[number, number, number | null, number | null]> {
  return db.prepare('SELECT caption_id, image_id, answer, probability FROM predictions WHERE run_id = ? AND subset = ?').raw().iterate(runId, subset) as IterableIterator<[number, number, number | null, number | null]>;
}

/**
 * A split file row's key: its caption id and image id in one number (ids below 2^26; a larger
 * one is no VisualNews id, and matches nothing).
 */
export function rowKey(caption: number, image: number): number {
  return image < 2 ** 26 && caption < 2 ** 26 ? caption * 2 ** 26 + image : -1;
}

/**
 * A split file's pairs, read by their contiguous pair ids (by file_id the planner picks a score
 * index and reads the table in random order, several times slower): caption, pristine image,
 * falsified image, and with `groups` source, topic and sub-split index.
 */
export function pairsOfFile(db: Db, file: { first: number; last: number }, groups = false): [number, number | null, number | null, string | null, string | null, number | null][] {
  const columns = groups ? 'caption_id, pristine_image_id, falsified_image_id, source, topic, source_dataset' : 'caption_id, pristine_image_id, falsified_image_id';
  return db.prepare(`SELECT ${columns} FROM pairs WHERE pair_id BETWEEN ? AND ?`).raw().all(file.first, file.last) as [number, number | null, number | null, string | null, string | null, number | null][];
}

/** A lookup of the pairs, in every split file, of a caption: [split, pristine image, falsified image]. */
export function pairsOfCaption(db: Db): (captionId: number) => [string, number | null, number | null][] {
  const lookup = db.prepare('SELECT f.split, p.pristine_image_id, p.falsified_image_id FROM pairs p JOIN annotation_files f USING (file_id) WHERE p.caption_id = ?').raw();
  return (captionId) => lookup.all(captionId) as [string, number | null, number | null][];
}

/** A run's matched rows, column by column (subset as an index into `subsets`; explanations by row, where given). */
export interface StoredRows {
  subset: number[];
  caption: number[];
  image: number[];
  answer: (number | null)[];
  probability: (number | null)[];
  explanation: Map<number, string>;
}

/** Stores a run whole (replacing one of the same name when asked), in one transaction. */
export function saveRun(db: Db, run: PredictionRun, rows: StoredRows & { subsets: readonly string[] }, problems: readonly RunProblem[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM prediction_runs WHERE name = ?').run(run.name);
    const { lastInsertRowid } = db
      .prepare('INSERT INTO prediction_runs (name, split, file, format, mapping, imported_at, rows, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(run.name, run.split, run.file, run.format, JSON.stringify(run.mapping), run.importedAt, run.rows, JSON.stringify({ matched: run.matched, problems: run.problems, hasProbabilities: run.hasProbabilities, ...(run.threshold === undefined ? {} : { threshold: run.threshold }) }));
    // Many rows a statement, bound from one reused array: a call per row cost more than SQLite's own work.
    const COLUMNS = 7;
    const BLOCK = 128;
    const insert = (n: number) => db.prepare(`INSERT INTO predictions (run_id, subset, caption_id, image_id, answer, probability, explanation) VALUES ${Array(n).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
    const block = insert(BLOCK);
    const values: unknown[] = new Array(BLOCK * COLUMNS);
    let k = 0;
    // In the index's order (subset, caption), so that it grows at its end rather than all over.
    const order = Uint32Array.from(rows.caption.keys()).sort((x, y) => rows.subset[x]! - rows.subset[y]! || rows.caption[x]! - rows.caption[y]!);
    for (const i of order) {
      values[k++] = lastInsertRowid;
      values[k++] = rows.subsets[rows.subset[i]!];
      values[k++] = rows.caption[i];
      values[k++] = rows.image[i];
      values[k++] = rows.answer[i];
      values[k++] = rows.probability[i];
      values[k++] = rows.explanation.get(i) ?? null;
      if (k === values.length) {
        block.run(values);
        k = 0;
      }
    }
    if (k > 0) insert(k / COLUMNS).run(values.slice(0, k));
    const insertProblem = db.prepare('INSERT INTO prediction_problems (run_id, kind, line, detail) VALUES (?, ?, ?, ?)');
    for (const p of problems) insertProblem.run(lastInsertRowid, p.kind, p.line, p.detail);
  })();
}

/** What every run of a split says about a caption's rows in one subset (both of a pair's rows). */
export function predictionsForCaption(db: Db, split: string, subset: string, captionId: number): PairPrediction[] {
  return db
    .prepare(
      `SELECT r.name AS run, p.image_id AS imageId, p.answer, p.probability, p.explanation
       FROM prediction_runs r JOIN predictions p ON p.run_id = r.run_id AND p.subset = ? AND p.caption_id = ?
       WHERE r.split = ? ORDER BY r.imported_at, r.name, p.image_id`,
    )
    .all(subset, captionId, split) as PairPrediction[];
}

/** A row's answer, as a run gives it or from its probability at the run's threshold: 1 falsified, 0 pristine, -1 none. */
const ANSWER = "coalesce(x.answer, CASE WHEN x.probability IS NULL THEN -1 WHEN x.probability >= coalesce(json_extract(r.summary, '$.threshold.value'), 0.5) THEN 1 ELSE 0 END)";

/**
 * The outcome filters as SQL on `p` (pairs), over the rows a pair shows (both, or the label's):
 * `wrong` names a run wrong on one of them at least (abstaining is wrong; a row it did not answer
 * is neither), or with "*" every run of the split that answered one; `right` a run that answered
 * them all, rightly.
 */
export function outcomeFilters(query: Pick<PairQuery, 'split' | 'subset' | 'label' | 'wrong' | 'right'>): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  const rows = (query.label === undefined ? (['pristine', 'falsified'] as const) : [query.label]).map((label) => ({ label, truth: label === 'pristine' ? 0 : 1 }));
  const shown = rows.map((r) => `x.image_id = p.${r.label}_image_id`).join(' OR ');
  const wrongRow = rows.map((r) => `(x.image_id = p.${r.label}_image_id AND ${ANSWER} <> ${r.truth})`).join(' OR ');
  const rightRow = rows.map((r) => `(x.image_id = p.${r.label}_image_id AND ${ANSWER} = ${r.truth})`).join(' OR ');
  const ofPair = 'x.run_id = r.run_id AND x.subset = ? AND x.caption_id = p.caption_id';
  if (query.wrong === '*') {
    sql.push(
      `EXISTS (SELECT 1 FROM prediction_runs r JOIN predictions x ON ${ofPair} WHERE r.split = ? AND (${shown}))`,
      `NOT EXISTS (SELECT 1 FROM prediction_runs r WHERE r.split = ? AND EXISTS (SELECT 1 FROM predictions x WHERE ${ofPair} AND (${shown})) AND NOT EXISTS (SELECT 1 FROM predictions x WHERE ${ofPair} AND (${wrongRow})))`,
    );
    params.push(query.subset, query.split, query.split, query.subset, query.subset);
  } else if (query.wrong !== undefined) {
    sql.push(`EXISTS (SELECT 1 FROM prediction_runs r JOIN predictions x ON ${ofPair} WHERE r.name = ? AND r.split = ? AND (${wrongRow}))`);
    params.push(query.subset, query.wrong, query.split);
  }
  if (query.right !== undefined) {
    const count = rows.map((r) => `(p.${r.label}_image_id IS NOT NULL)`).join(' + ');
    sql.push(`(SELECT count(*) FROM prediction_runs r JOIN predictions x ON ${ofPair} WHERE r.name = ? AND r.split = ? AND (${rightRow})) = ${count}`);
    params.push(query.subset, query.right, query.split);
  }
  return { sql, params };
}
