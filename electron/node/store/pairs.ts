import { OocError } from '../../common/errors.ts';
import type { Verdict } from '../../common/curation.ts';
import type { ModelScores, PairPage, PairQuery, PairSummary } from '../../common/pairs.ts';
import type { Db } from './db.ts';
import { outcomeFilters } from './predictions.ts';
import { toFtsQuery } from './search.ts';

interface PairDbRow {
  pair_id: number;
  caption_id: number;
  caption: string;
  source: string | null;
  topic: string | null;
  pristine_image_id: number | null;
  pristine_path: string | null;
  pristine_score: number | null;
  falsified_image_id: number | null;
  falsified_path: string | null;
  falsified_caption: string | null;
  falsified_score: number | null;
  source_dataset: number | null;
  /** The query's scoreModel's scores, when it has one. */
  m_pristine?: number | null;
  m_falsified?: number | null;
  m_text_text?: number | null;
  verdict: Verdict | null;
  tags: string | null;
}

const MAX_LIMIT = 500;

/** What a PairSummary is made of: the pair (p) with its caption's item and both images' items. */
const PAIR_COLUMNS = `p.pair_id, p.caption_id, c.caption, p.source, p.topic,
  p.pristine_image_id, pi.image_path AS pristine_path, p.pristine_score,
  p.falsified_image_id, fi.image_path AS falsified_path, fi.caption AS falsified_caption, p.falsified_score,
  p.source_dataset,
  (SELECT c.verdict FROM annotation_files af JOIN curation c ON c.split = af.split AND c.subset = af.subset
     WHERE af.file_id = p.file_id AND c.caption_id = p.caption_id) AS verdict,
  (SELECT group_concat(t.tag, char(31)) FROM annotation_files af JOIN pair_tags t ON t.split = af.split AND t.subset = af.subset
     WHERE af.file_id = p.file_id AND t.caption_id = p.caption_id) AS tags`;
const PAIR_JOINS = `JOIN items c ON c.id = p.caption_id
  LEFT JOIN items pi ON pi.id = p.pristine_image_id
  LEFT JOIN items fi ON fi.id = p.falsified_image_id`;
const MODEL_COLUMNS = ', s.pristine AS m_pristine, s.falsified AS m_falsified, s.text_text AS m_text_text';

/** The column a query's score is read from: the files' similarity_score (p), or a pair_scores one (s). */
function scoreColumn(query: PairQuery): string {
  if (query.scoreModel === undefined) return `p.${query.label ?? 'falsified'}_score`;
  return query.scoreMeasure === 'text-text' ? 's.text_text' : `s.${query.label ?? 'falsified'}`;
}

/** The score sort key of a query; it must read exactly as in the score indexes for them to serve it. */
function scoreOf(query: PairQuery): string {
  return `coalesce(${scoreColumn(query)}, ${query.scoreModel === undefined ? '-1.0' : '-2.0'})`;
}

interface SplitFile {
  file_id: number;
  source_datasets: string | null;
  pairs: number;
  /** The file's annotation rows (pristine and falsified). */
  rows: number;
  first: number;
  last: number;
}

/** Every split file indexed, with its pair count and (Merged / Balanced) sub-split folder names. */
export function splitFiles(db: Db): { split: string; subset: string; pairs: number; sourceDatasets: string[] }[] {
  const rows = db.prepare('SELECT split, subset, pairs, source_datasets FROM annotation_files ORDER BY split, subset').all() as { split: string; subset: string; pairs: number; source_datasets: string | null }[];
  return rows.map((r) => ({ split: r.split, subset: r.subset, pairs: r.pairs, sourceDatasets: r.source_datasets === null ? [] : (JSON.parse(r.source_datasets) as string[]) }));
}

/** Whether a split file has a pair with this caption. */
export function hasPair(db: Db, fileId: number, captionId: number): boolean {
  return db.prepare('SELECT 1 FROM pairs WHERE file_id = ? AND caption_id = ?').get(fileId, captionId) !== undefined;
}

export function fileFor(db: Db, split: string, subset: string): SplitFile {
  const row = db
    .prepare(
      `SELECT f.file_id, f.source_datasets, f.pairs, f.rows,
              (SELECT min(pair_id) FROM pairs WHERE file_id = f.file_id) AS first,
              (SELECT max(pair_id) FROM pairs WHERE file_id = f.file_id) AS last
       FROM annotation_files f WHERE f.split = ? AND f.subset = ?`,
    )
    .get(split, subset) as (Omit<SplitFile, 'first' | 'last'> & { first: number | null; last: number | null }) | undefined;
  if (row === undefined) throw new OocError('NOT_FOUND', `no ${split}/${subset}.json was indexed`);
  return { ...row, first: row.first ?? 0, last: row.last ?? -1 };
}

/** Cursor = "<sort key>:<pair id>" of the last row of the previous page. */
function decodeCursor(cursor: string | null | undefined): { key: number; pairId: number } | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  const [key, pairId] = cursor.split(':').map(Number);
  if (key === undefined || pairId === undefined || !Number.isFinite(key) || !Number.isSafeInteger(pairId)) {
    throw new OocError('BAD_ARGUMENT', `not a page cursor: ${JSON.stringify(cursor)}`);
  }
  return { key, pairId };
}

/** The query's filters other than the caption search, as SQL on `p` (pairs). */
function filtersFor(query: PairQuery): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    sql.push(clause);
    params.push(value);
  };
  if (query.source !== undefined) add('p.source = ?', query.source);
  if (query.topic !== undefined) add('p.topic = ?', query.topic);
  if (query.sourceDataset !== undefined) add('p.source_dataset = ?', query.sourceDataset);
  if (query.label !== undefined) sql.push(`p.${query.label}_row IS NOT NULL`);
  const mine = (table: string, clause: string, ...values: unknown[]): void => {
    sql.push(`EXISTS (SELECT 1 FROM ${table} WHERE x.split = ? AND x.subset = ? AND x.caption_id = p.caption_id AND ${clause})`);
    params.push(query.split, query.subset, ...values);
  };
  if (query.verdict === 'none') {
    sql.push('NOT EXISTS (SELECT 1 FROM curation x WHERE x.split = ? AND x.subset = ? AND x.caption_id = p.caption_id AND x.verdict IS NOT NULL)');
    params.push(query.split, query.subset);
  } else if (query.verdict !== undefined) mine('curation x', 'x.verdict = ?', query.verdict);
  if (query.tag !== undefined) mine('pair_tags x', 'x.tag = ?', query.tag);
  if (query.note !== undefined) mine('curation x', "x.note IS NOT NULL AND instr(lower(x.note), lower(?)) > 0", query.note.trim());
  if (query.collection !== undefined) mine('collection_pairs x JOIN collections k USING (collection_id)', 'k.name = ?', query.collection);
  const outcome = outcomeFilters(query);
  sql.push(...outcome.sql);
  params.push(...outcome.params);
  // On the indexed expression, so a score range is an index range.
  const score = scoreOf(query);
  if (query.minScore !== undefined) add(`${score} >= ?`, query.minScore);
  if (query.maxScore !== undefined) {
    add(`${score} <= ?`, query.maxScore);
    sql.push(`${scoreColumn(query)} IS NOT NULL`);
  }
  return { sql, params };
}

interface Plan {
  from: string;
  where: string[];
  params: unknown[];
  /** The column that orders file order: the search index's rowid when it drives the query. */
  order: string;
  /** Counts the same rows more cheaply, where it can (a search with no other filter: its index alone). */
  count?: { from: string; where: string[]; params: unknown[] };
}

/**
 * FROM and WHERE for a query. A caption search reads the pairs' own full-text index over the
 * file's pair_id range, in pair order, so a page costs the same for a rare word and a common one.
 * Sorted by a model's score, the query is driven by that score's index on pair_scores.
 */
function planFor(file: SplitFile, query: PairQuery): Plan {
  const filters = filtersFor(query);
  const fts = query.q === undefined ? null : toFtsQuery(query.q);
  const byFile = (query.sort ?? 'file') === 'file';
  const model = query.scoreModel;
  const search = fts === null ? [] : ['p.pair_id IN (SELECT rowid FROM pairs_fts WHERE pairs_fts MATCH ? AND rowid BETWEEN ? AND ?)'];
  const searchParams = fts === null ? [] : [fts, file.first, file.last];
  if (model !== undefined && !byFile) {
    return {
      from: 'pair_scores s CROSS JOIN pairs p ON p.pair_id = s.pair_id',
      where: ['s.name = ?', 's.file_id = ?', ...search, ...filters.sql],
      params: [model, file.file_id, ...searchParams, ...filters.params],
      order: 'p.pair_id',
    };
  }
  const scores = model === undefined ? '' : ' LEFT JOIN pair_scores s ON s.name = ? AND s.pair_id = p.pair_id';
  const scoreParams = model === undefined ? [] : [model];
  if (fts !== null && byFile) {
    const match = { where: ['pairs_fts MATCH ?', 'f.rowid BETWEEN ? AND ?'], params: [fts, file.first, file.last] };
    return {
      from: `pairs_fts f CROSS JOIN pairs p ON p.pair_id = f.rowid${scores}`,
      where: [...match.where, ...filters.sql],
      params: [...scoreParams, ...match.params, ...filters.params],
      order: 'f.rowid',
      // Joining each match to its pair row would cost a lookup a match (40–90 ms for a few
      // thousand matches, cold); the file's pairs are its pair_id range, which the index knows.
      ...(filters.sql.length === 0 ? { count: { from: 'pairs_fts f', ...match } } : {}),
    };
  }
  return {
    from: `pairs p${scores}`,
    where: ['p.file_id = ?', ...search, ...filters.sql],
    params: [...scoreParams, file.file_id, ...searchParams, ...filters.params],
    order: 'p.pair_id',
  };
}

/** Pairs of the file matching the plan's filters. */
function count(db: Db, file: SplitFile, plan: Plan): number {
  if (plan.where.length === 1 && plan.from === 'pairs p') return file.pairs; // no filter: counted at index time
  const { from, where, params } = plan.count ?? plan;
  return db.prepare(`SELECT count(*) FROM ${from} WHERE ${where.join(' AND ')}`).pluck().get(...params) as number;
}

/**
 * One page of pairs of a split file, filtered and sorted. Keyset paging on (sort key, pair_id):
 * page 1,000 costs what page 1 does. The total is counted with the first page only.
 */
export function pairsPage(db: Db, query: PairQuery): PairPage {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 50)), MAX_LIMIT);
  const file = fileFor(db, query.split, query.subset);
  const names = file.source_datasets === null ? [] : (JSON.parse(file.source_datasets) as string[]);
  const plan = planFor(file, query);
  const sort = query.sort ?? 'file';
  const score = scoreOf(query);
  const key = sort === 'file' ? plan.order : score;
  const direction = sort === 'score-desc' ? 'DESC' : 'ASC';
  const cursor = decodeCursor(query.cursor);
  const where = [...plan.where];
  const params = [...plan.params];
  if (cursor !== null && sort === 'file') {
    where.push(`${plan.order} > ?`);
    params.push(cursor.pairId);
  } else if (cursor !== null) {
    where.push(`(${score}, p.pair_id) ${direction === 'DESC' ? '<' : '>'} (?, ?)`);
    params.push(cursor.key, cursor.pairId);
  }
  const rows = db
    .prepare(
      `SELECT ${key} AS sort_key, ${PAIR_COLUMNS}${query.scoreModel === undefined ? '' : MODEL_COLUMNS}
       FROM ${plan.from} ${PAIR_JOINS}
       WHERE ${where.join(' AND ')}
       ORDER BY ${key} ${direction}${sort === 'file' ? '' : `, p.pair_id ${direction}`}
       LIMIT ?`,
    )
    .all(...params, limit + 1) as (PairDbRow & { sort_key: number })[];
  const items = rows.slice(0, limit).map((r) => {
    const modelScores = query.scoreModel === undefined ? [] : [{ name: query.scoreModel, pristine: r.m_pristine ?? null, falsified: r.m_falsified ?? null, textText: r.m_text_text ?? null }];
    return toSummary(r, query.split, query.subset, names, modelScores);
  });
  const last = rows[limit - 1];
  return {
    items,
    next: rows.length > limit && last ? `${last.sort_key}:${last.pair_id}` : null,
    total: cursor === null ? count(db, file, plan) : null,
  };
}

/** The caption ids of every pair matching a query's filters and search (for bulk edits and exports), in file order. */
export function matchingCaptionIds(db: Db, query: PairQuery): number[] {
  const file = fileFor(db, query.split, query.subset);
  const plan = planFor(file, { ...query, sort: 'file' });
  return db.prepare(`SELECT p.caption_id FROM ${plan.from} WHERE ${plan.where.join(' AND ')} ORDER BY ${plan.order}`).pluck().all(...plan.params) as number[];
}

/** One pair by id, or undefined. */
export function getPair(db: Db, pairId: number): PairSummary | undefined {
  const row = db
    .prepare(`SELECT f.split, f.subset, f.source_datasets, ${PAIR_COLUMNS} FROM pairs p JOIN annotation_files f USING (file_id) ${PAIR_JOINS} WHERE p.pair_id = ?`)
    .get(pairId) as (PairDbRow & { split: string; subset: string; source_datasets: string | null }) | undefined;
  if (row === undefined) return undefined;
  const modelScores = db
    .prepare('SELECT name, pristine, falsified, text_text AS textText FROM pair_scores WHERE pair_id = ? ORDER BY name')
    .all(pairId) as ModelScores[];
  return toSummary(row, row.split, row.subset, row.source_datasets === null ? [] : (JSON.parse(row.source_datasets) as string[]), modelScores);
}

function toSummary(r: PairDbRow, split: string, subset: string, sourceDatasets: string[], modelScores: ModelScores[]): PairSummary {
  return {
    pairId: r.pair_id,
    split,
    subset,
    captionId: r.caption_id,
    caption: r.caption,
    source: r.source,
    topic: r.topic,
    pristine: r.pristine_image_id === null ? null : { imageId: r.pristine_image_id, imagePath: r.pristine_path, similarityScore: r.pristine_score },
    falsified:
      r.falsified_image_id === null
        ? null
        : { imageId: r.falsified_image_id, imagePath: r.falsified_path, similarityScore: r.falsified_score, originalCaption: r.falsified_caption },
    sourceDataset: r.source_dataset === null ? null : (sourceDatasets[r.source_dataset] ?? String(r.source_dataset)),
    modelScores,
    verdict: r.verdict,
    tags: r.tags === null ? [] : r.tags.split('\u001f').sort(),
  };
}

/** How an item takes part in a pair. */
export type ItemRole = 'caption' | 'pristine image' | 'falsified image';
const MAX_USES = 1_000;

/**
 * Every pair, in every split file, that uses an item: its caption, its image as the pristine one,
 * or its image swapped in for another caption. By split file, then role; at most 1,000.
 */
export function pairsUsingItem(db: Db, itemId: number): { role: ItemRole; pair: PairSummary }[] {
  const select = (role: ItemRole, column: string, order: number): string =>
    `SELECT '${role}' AS role, ${order} AS role_order, f.split, f.subset, f.source_datasets, ${PAIR_COLUMNS}
     FROM pairs p JOIN annotation_files f USING (file_id) ${PAIR_JOINS} WHERE p.${column} = ?`;
  const rows = db
    .prepare(`${select('caption', 'caption_id', 0)} UNION ALL ${select('pristine image', 'pristine_image_id', 1)} UNION ALL ${select('falsified image', 'falsified_image_id', 2)} ORDER BY split, subset, role_order, pair_id LIMIT ?`)
    .all(itemId, itemId, itemId, MAX_USES) as (PairDbRow & { role: ItemRole; split: string; subset: string; source_datasets: string | null })[];
  return rows.map((r) => ({ role: r.role, pair: toSummary(r, r.split, r.subset, r.source_datasets === null ? [] : (JSON.parse(r.source_datasets) as string[]), []) }));
}

/** The falsified images the split files chose for a caption, by split file. */
export function falsifiedImagesOf(db: Db, captionId: number): { split: string; subset: string; imageId: number }[] {
  return db
    .prepare('SELECT f.split, f.subset, p.falsified_image_id AS imageId FROM pairs p JOIN annotation_files f USING (file_id) WHERE p.caption_id = ? AND p.falsified_image_id IS NOT NULL ORDER BY f.split, f.subset')
    .all(captionId) as { split: string; subset: string; imageId: number }[];
}
