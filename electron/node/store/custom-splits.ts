import { CUSTOM_PREFIX, CUSTOM_SPLIT_NAME, STRATEGY_INFO, type CustomSplit, type Strategy } from '../../common/candidates.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from './db.ts';

/**
 * Custom splits (migration 16): the pairs the analyst accepted are the record; each split's
 * subsets are also written into the index tables (annotation_files, annotations, pairs,
 * pairs_fts) as split folder "custom_<name>", so the pair browser, its filters and curation, the
 * item pages and the exports treat them as the paper's files. That copy is rewritten whenever
 * the split changes and after every index build (publishStaged).
 */

export interface AcceptedPair {
  captionId: number;
  imageId: number;
  strategy: Strategy;
  /** The strategy's score: the falsified row's similarity_score. */
  score: number;
  /** CLIP text–image similarity of the caption and its own image: the pristine row's. */
  ctiP: number | null;
}

const folderOf = (name: string): string => `${CUSTOM_PREFIX}${name}`;

function requireName(name: string): void {
  if (!CUSTOM_SPLIT_NAME.test(name)) throw new OocError('BAD_ARGUMENT', `a custom split's name is 1 to 60 letters, digits, - or _ (it names a folder), got ${JSON.stringify(name)}`);
}

export function listCustomSplits(db: Db): CustomSplit[] {
  const splits = db.prepare('SELECT split_id, name, created_at FROM custom_splits ORDER BY name').all() as { split_id: number; name: string; created_at: string }[];
  const subsets = db.prepare('SELECT subset, count(*) AS n FROM custom_split_pairs WHERE split_id = ? GROUP BY subset ORDER BY subset');
  return splits.map((s) => ({
    name: s.name,
    folder: folderOf(s.name),
    subsets: Object.fromEntries((subsets.all(s.split_id) as { subset: string; n: number }[]).map((r) => [r.subset, r.n])),
    strategies: strategiesOf(db, s.split_id),
    createdAt: s.created_at,
  }));
}

function strategiesOf(db: Db, splitId: number): string[] {
  return (db.prepare('SELECT DISTINCT strategy FROM custom_split_pairs WHERE split_id = ? ORDER BY strategy').pluck().all(splitId) as Strategy[]).map((s) => STRATEGY_INFO[s]?.folder ?? s);
}

/**
 * Accepts an image for a caption into a custom split's subset (made when new): the caption's
 * earlier pick there, if any, is replaced, as a split file holds a caption once.
 */
export function acceptPair(db: Db, name: string, subset: string, pair: AcceptedPair): CustomSplit {
  requireName(name);
  if (!/^[\w-]{1,20}$/.test(subset)) throw new OocError('BAD_ARGUMENT', `a subset is a short name such as train, val or test, got ${JSON.stringify(subset)}`);
  if (pair.imageId === pair.captionId) throw new OocError('BAD_ARGUMENT', `image ${pair.imageId} is the caption's own: a falsified pair needs another item's image`);
  const folder = folderOf(name);
  db.transaction(() => {
    const taken = db.prepare('SELECT 1 FROM annotation_files f WHERE f.split = ? AND NOT EXISTS (SELECT 1 FROM custom_splits c WHERE c.name = ?)').get(folder, name);
    if (taken !== undefined) throw new OocError('BAD_ARGUMENT', `the index has a split folder named ${folder}: choose another name`);
    db.prepare('INSERT OR IGNORE INTO custom_splits (name, created_at) VALUES (?, ?)').run(name, new Date().toISOString());
    const splitId = db.prepare('SELECT split_id FROM custom_splits WHERE name = ?').pluck().get(name) as number;
    const position = (db.prepare('SELECT coalesce(max(position), -1) + 1 FROM custom_split_pairs WHERE split_id = ?').pluck().get(splitId) as number);
    db.prepare(
      `INSERT INTO custom_split_pairs (split_id, subset, caption_id, image_id, strategy, score, cti_p, position, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (split_id, subset, caption_id) DO UPDATE SET image_id = excluded.image_id, strategy = excluded.strategy, score = excluded.score, cti_p = excluded.cti_p, accepted_at = excluded.accepted_at`,
    ).run(splitId, subset, pair.captionId, pair.imageId, pair.strategy, pair.score, pair.ctiP, position, new Date().toISOString());
    materialize(db, splitId, name);
  }).immediate();
  return listCustomSplits(db).find((s) => s.name === name)!;
}

/** Removes a pair from a custom split (an explicit user action). */
export function removePair(db: Db, name: string, subset: string, captionId: number): void {
  db.transaction(() => {
    const splitId = requireSplit(db, name);
    db.prepare('DELETE FROM custom_split_pairs WHERE split_id = ? AND subset = ? AND caption_id = ?').run(splitId, subset, captionId);
    materialize(db, splitId, name);
  }).immediate();
}

/** Deletes a custom split, its pairs and its browsable copy (an explicit user action, confirmed in the UI). */
export function deleteCustomSplit(db: Db, name: string): void {
  db.transaction(() => {
    const splitId = requireSplit(db, name);
    unmaterialize(db, folderOf(name));
    db.prepare('DELETE FROM custom_splits WHERE split_id = ?').run(splitId);
  }).immediate();
}

function requireSplit(db: Db, name: string): number {
  const id = db.prepare('SELECT split_id FROM custom_splits WHERE name = ?').pluck().get(name) as number | undefined;
  if (id === undefined) throw new OocError('NOT_FOUND', `no custom split named ${JSON.stringify(name)}`);
  return id;
}

/** Writes every custom split into the index tables (after an index build replaced them). */
export function materializeCustomSplits(db: Db): void {
  for (const { split_id, name } of db.prepare('SELECT split_id, name FROM custom_splits').all() as { split_id: number; name: string }[]) materialize(db, split_id, name);
}

function unmaterialize(db: Db, folder: string): void {
  // pairs_fts holds no text (content = ''): a row is removed by giving the text it was indexed with.
  db.prepare(
    `INSERT INTO pairs_fts (pairs_fts, rowid, caption)
     SELECT 'delete', p.pair_id, ooc_search_text(i.caption) FROM pairs p JOIN annotation_files f USING (file_id) JOIN items i ON i.id = p.caption_id
     WHERE f.split = ? AND i.caption <> ''`,
  ).run(folder);
  for (const table of ['pairs', 'annotations']) db.prepare(`DELETE FROM ${table} WHERE file_id IN (SELECT file_id FROM annotation_files WHERE split = ?)`).run(folder);
  db.prepare('DELETE FROM annotation_files WHERE split = ?').run(folder);
}

/**
 * A custom split's subsets as split files: rows in NewsCLIPpings' order (each pristine row, then
 * its falsified one), source_dataset naming the strategy, and pairs numbered after every other
 * pair so that a file's pairs stay contiguous (the caption search relies on it).
 */
function materialize(db: Db, splitId: number, name: string): void {
  const folder = folderOf(name);
  unmaterialize(db, folder);
  const strategies = (db.prepare('SELECT DISTINCT strategy FROM custom_split_pairs WHERE split_id = ? ORDER BY strategy').pluck().all(splitId) as string[]);
  const sourceDatasets = JSON.stringify(strategies.map((s) => STRATEGY_INFO[s as Strategy]?.folder ?? s));
  const subsets = db.prepare('SELECT DISTINCT subset FROM custom_split_pairs WHERE split_id = ? ORDER BY subset').pluck().all(splitId) as string[];
  for (const subset of subsets) {
    const pairs = db.prepare('SELECT caption_id, image_id, strategy, score, cti_p FROM custom_split_pairs WHERE split_id = ? AND subset = ? ORDER BY position').all(splitId, subset) as { caption_id: number; image_id: number; strategy: string; score: number; cti_p: number | null }[];
    const fileId = Number(
      db.prepare('INSERT INTO annotation_files (split, subset, path, rows, pairs, source_datasets) VALUES (?, ?, ?, ?, ?, ?)').run(folder, subset, `custom split "${name}"`, pairs.length * 2, pairs.length, sourceDatasets).lastInsertRowid,
    );
    let next = ((db.prepare('SELECT max(pair_id) FROM pairs').pluck().get() as number | null) ?? 0) + 1;
    const annotation = db.prepare('INSERT INTO annotations (file_id, row, id, image_id, similarity_score, falsified, source_dataset) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const pair = db.prepare(
      `INSERT INTO pairs (pair_id, file_id, caption_id, pristine_row, falsified_row, pristine_image_id, falsified_image_id, pristine_score, falsified_score, source_dataset, source, topic)
       SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, i.source, i.topic FROM (SELECT 1) LEFT JOIN items i ON i.id = ?`,
    );
    const fts = db.prepare("INSERT INTO pairs_fts (rowid, caption) SELECT ?, ooc_search_text(caption) FROM items WHERE id = ? AND caption <> ''");
    pairs.forEach((p, i) => {
      const dataset = strategies.indexOf(p.strategy);
      annotation.run(fileId, 2 * i, p.caption_id, p.caption_id, p.cti_p, 0, dataset);
      annotation.run(fileId, 2 * i + 1, p.caption_id, p.image_id, p.score, 1, dataset);
      pair.run(next, fileId, p.caption_id, 2 * i, 2 * i + 1, p.caption_id, p.image_id, p.cti_p, p.score, dataset, p.caption_id);
      fts.run(next, p.caption_id);
      next++;
    });
  }
}

/** A generated split's pick for one caption: an image and the case it falls in, or why there is none. */
export interface GeneratedPick {
  captionId: number;
  position: number;
  /** 'at-or-above' / 'below' (Algorithm 1's two cases), or a reason no image was picked. */
  outcome: string;
  imageId: number | null;
  score: number | null;
  ctiP: number | null;
  ctiF: number | null;
}

/**
 * Starts or continues generating split `name` with these settings: the captions already picked
 * (an interrupted run's), or none. A custom split of that name that no run is making is refused;
 * a run with other settings starts again.
 */
export function startGeneration(db: Db, name: string, params: unknown): Set<number> {
  requireName(name);
  const json = JSON.stringify(params);
  return db.transaction(() => {
    const run = db.prepare('SELECT params FROM custom_split_runs WHERE name = ?').pluck().get(name) as string | undefined;
    if (run === undefined && db.prepare('SELECT 1 FROM custom_splits WHERE name = ?').get(name) !== undefined) throw new OocError('BAD_ARGUMENT', `a custom split named ${JSON.stringify(name)} exists: choose another name, or delete it first`);
    if (db.prepare('SELECT 1 FROM annotation_files WHERE split = ?').get(folderOf(name)) !== undefined && run === undefined) throw new OocError('BAD_ARGUMENT', `the index has a split folder named ${folderOf(name)}: choose another name`);
    if (run !== json) {
      db.prepare('DELETE FROM custom_split_runs WHERE name = ?').run(name);
      db.prepare('INSERT INTO custom_split_runs (name, params, started_at) VALUES (?, ?, ?)').run(name, json, new Date().toISOString());
    }
    return new Set(db.prepare('SELECT caption_id FROM custom_split_picks WHERE name = ?').pluck().all(name) as number[]);
  }).immediate();
}

/** Checkpoints a block of picks (one transaction). */
export function savePicks(db: Db, name: string, picks: readonly GeneratedPick[]): void {
  const insert = db.prepare('INSERT OR REPLACE INTO custom_split_picks (name, caption_id, position, outcome, image_id, score, cti_p, cti_f) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const p of picks) insert.run(name, p.captionId, p.position, p.outcome, p.imageId, p.score, p.ctiP, p.ctiF);
  })();
}

export function readPicks(db: Db, name: string): GeneratedPick[] {
  return db
    .prepare('SELECT caption_id AS captionId, position, outcome, image_id AS imageId, score, cti_p AS ctiP, cti_f AS ctiF FROM custom_split_picks WHERE name = ? ORDER BY position')
    .all(name) as GeneratedPick[];
}

/** Writes a new custom split whole (one transaction), ending a generation run of that name if one made it. */
export function writeCustomSplit(db: Db, name: string, subset: string, pairs: readonly AcceptedPair[]): CustomSplit {
  requireName(name);
  db.transaction(() => {
    if (db.prepare('SELECT 1 FROM custom_splits WHERE name = ?').get(name) !== undefined) throw new OocError('BAD_ARGUMENT', `a custom split named ${JSON.stringify(name)} exists: choose another name, or delete it first`);
    db.prepare('INSERT INTO custom_splits (name, created_at) VALUES (?, ?)').run(name, new Date().toISOString());
    const splitId = db.prepare('SELECT split_id FROM custom_splits WHERE name = ?').pluck().get(name) as number;
    const insert = db.prepare('INSERT INTO custom_split_pairs (split_id, subset, caption_id, image_id, strategy, score, cti_p, position, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const now = new Date().toISOString();
    pairs.forEach((p, i) => insert.run(splitId, subset, p.captionId, p.imageId, p.strategy, p.score, p.ctiP, i, now));
    materialize(db, splitId, name);
    db.prepare('DELETE FROM custom_split_runs WHERE name = ?').run(name);
  }).immediate();
  return listCustomSplits(db).find((s) => s.name === name)!;
}

/** A custom split's pairs in one subset, in order. */
export function customSplitPairs(db: Db, name: string, subset: string): AcceptedPair[] {
  const splitId = requireSplit(db, name);
  return db.prepare('SELECT caption_id AS captionId, image_id AS imageId, strategy, score, cti_p AS ctiP FROM custom_split_pairs WHERE split_id = ? AND subset = ? ORDER BY position').all(splitId, subset) as AcceptedPair[];
}

/** Items with a caption and an image, in id order: the captions of "all items". */
export function captionedItemIds(db: Db): number[] {
  return db.prepare("SELECT id FROM items WHERE caption <> '' AND image_path IS NOT NULL ORDER BY id").pluck().all() as number[];
}
