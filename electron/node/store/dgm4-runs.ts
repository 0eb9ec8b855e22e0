import type { Dgm4Run } from '../../common/dgm4-metrics.ts';
import { OocError } from '../../common/errors.ts';
import type { RunProblem } from '../../common/evaluation.ts';
import type { Db } from './db.ts';
import { DGM4_LIVE } from './dgm4.ts';
import { DGM4_RUN, type RunRecord } from './predictions.ts';

/** DGM4 runs: rows of prediction_runs whose split is "dgm4/<split>", their rows in dgm4_predictions (migration 13). */

export interface Dgm4PredictionRow {
  id: number;
  image: string;
  probability: number | null;
  label: number | null;
  classProbabilities: number[] | null;
  box: number[] | null;
  /** Per word: a flag or probability; per word piece where the run has word pieces (wordIds). */
  words: number[] | null;
  /** Per word piece of the sample's text, its word's index (a run imported with a tokenizer), else null. */
  wordIds: number[] | null;
}


function toRun(r: RunRecord): Dgm4Run & { id: number } {
  const { matched, problems, subwords } = JSON.parse(r.summary) as Pick<Dgm4Run, 'matched' | 'problems' | 'subwords'>;
  return { id: r.run_id, name: r.name, split: r.split.slice(DGM4_RUN.length), file: r.file, format: r.format, fields: JSON.parse(r.mapping) as Record<string, string>, importedAt: r.imported_at, rows: r.rows, matched, problems, subwords: subwords ?? null };
}

export function listDgm4Runs(db: Db): (Dgm4Run & { id: number })[] {
  return (db.prepare(`SELECT * FROM prediction_runs WHERE split LIKE '${DGM4_RUN}%' ORDER BY imported_at, name`).all() as RunRecord[]).map(toRun);
}

export function requireDgm4Run(db: Db, name: string): Dgm4Run & { id: number } {
  const r = db.prepare(`SELECT * FROM prediction_runs WHERE name = ? AND split LIKE '${DGM4_RUN}%'`).get(name) as RunRecord | undefined;
  if (r !== undefined) return toRun(r);
  const names = listDgm4Runs(db).map((x) => x.name);
  throw new OocError('NOT_FOUND', `no DGM4 run named "${name}" (${names.length === 0 ? 'none imported yet' : `runs: ${names.join(', ')}`})`);
}

/** Whether any run (of either dataset) has this name. */
export function runNameTaken(db: Db, name: string): { dgm4: boolean } | null {
  const split = db.prepare('SELECT split FROM prediction_runs WHERE name = ?').pluck().get(name) as string | undefined;
  return split === undefined ? null : { dgm4: split.startsWith(DGM4_RUN) };
}

export function deleteDgm4Run(db: Db, name: string): void {
  requireDgm4Run(db, name);
  db.prepare('DELETE FROM prediction_runs WHERE name = ?').run(name);
}

/** Stores a run whole, in one transaction (a DGM4 run of the same name is replaced). */
export function saveDgm4Run(db: Db, run: Dgm4Run, rows: readonly Dgm4PredictionRow[], problems: readonly RunProblem[]): void {
  db.transaction(() => {
    db.prepare(`DELETE FROM prediction_runs WHERE name = ? AND split LIKE '${DGM4_RUN}%'`).run(run.name);
    const { lastInsertRowid } = db
      .prepare('INSERT INTO prediction_runs (name, split, file, format, mapping, imported_at, rows, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(run.name, `${DGM4_RUN}${run.split}`, run.file, run.format, JSON.stringify(run.fields), run.importedAt, run.rows, JSON.stringify({ matched: run.matched, problems: run.problems, subwords: run.subwords }));
    const insert = db.prepare('INSERT INTO dgm4_predictions (run_id, id, image, probability, label, class_probabilities, box, words, word_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const json = (v: unknown): string | null => (v === null ? null : JSON.stringify(v));
    for (const r of rows) insert.run(lastInsertRowid, r.id, r.image, r.probability, r.label, json(r.classProbabilities), json(r.box), json(r.words), json(r.wordIds));
    const insertProblem = db.prepare('INSERT INTO prediction_problems (run_id, kind, line, detail) VALUES (?, ?, ?, ?)');
    for (const p of problems) insertProblem.run(lastInsertRowid, p.kind, p.line, p.detail);
  })();
}

export interface SampleKey {
  image: string;
  width: number;
  height: number;
  text: string;
}

/** A split's samples for matching a run's rows, by id (several where an id repeats). */
export function samplesById(db: Db, split: string): Map<number, SampleKey[]> {
  const map = new Map<number, SampleKey[]>();
  for (const [id, image, width, height, text] of db.prepare(`SELECT id, image, width, height, text FROM ${DGM4_LIVE}samples WHERE split = ? ORDER BY position`).raw().iterate(split) as Iterable<[number, string, number, number, string]>) {
    const list = map.get(id) ?? [];
    list.push({ image, width, height, text });
    map.set(id, list);
  }
  return map;
}

export interface Dgm4Answer extends Dgm4PredictionRow {
  fakeCls: string;
  classes: number;
  trueBox: number[] | null;
  textPos: number[];
  text: string;
}

/** A run's rows with each sample's truth, in file order (rows whose sample is no longer indexed are left out). */
export function dgm4Answers(db: Db, runId: number, split: string): Dgm4Answer[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.image, p.probability, p.label, p.class_probabilities, p.box, p.words, p.word_ids, s.fake_cls, s.classes, s.box AS true_box, s.text_pos, s.text
       FROM dgm4_predictions p JOIN ${DGM4_LIVE}samples s ON s.split = ? AND s.id = p.id AND s.image = p.image
       WHERE p.run_id = ? ORDER BY s.position`,
    )
    .all(split, runId) as { id: number; image: string; probability: number | null; label: number | null; class_probabilities: string | null; box: string | null; words: string | null; word_ids: string | null; fake_cls: string; classes: number; true_box: string | null; text_pos: string; text: string }[];
  const parse = <T>(v: string | null): T | null => (v === null ? null : (JSON.parse(v) as T));
  return rows.map((r) => ({
    id: r.id,
    image: r.image,
    probability: r.probability,
    label: r.label,
    classProbabilities: parse<number[]>(r.class_probabilities),
    box: parse<number[]>(r.box),
    words: parse<number[]>(r.words),
    wordIds: parse<number[]>(r.word_ids),
    fakeCls: r.fake_cls,
    classes: r.classes,
    trueBox: parse<number[]>(r.true_box),
    textPos: JSON.parse(r.text_pos) as number[],
    text: r.text,
  }));
}
