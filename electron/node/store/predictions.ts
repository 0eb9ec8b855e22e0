import type { PredictionFormat, PredictionMapping, PredictionRun, ProblemKind, RunProblem } from '../../common/evaluation.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from './db.ts';

interface RunRecord {
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
  const summary = JSON.parse(r.summary) as Pick<PredictionRun, 'matched' | 'problems' | 'hasProbabilities'>;
  return { id: r.run_id, name: r.name, split: r.split, file: r.file, format: r.format as PredictionFormat, mapping: JSON.parse(r.mapping) as PredictionMapping, importedAt: r.imported_at, rows: r.rows, ...summary };
}

export function readRun(db: Db, name: string): (PredictionRun & { id: number }) | null {
  const r = db.prepare('SELECT * FROM prediction_runs WHERE name = ?').get(name) as RunRecord | undefined;
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
  return (db.prepare('SELECT * FROM prediction_runs ORDER BY imported_at, name').all() as RunRecord[]).map(toRun);
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

/** A run's rows of one subset: caption, image, answer (null: probability only), probability. */
export function runRows(db: Db, runId: number, subset: string): IterableIterator<[number, number, number | null, number | null]> {
  return db.prepare('SELECT caption_id, image_id, answer, probability FROM predictions WHERE run_id = ? AND subset = ?').raw().iterate(runId, subset) as IterableIterator<[number, number, number | null, number | null]>;
}
