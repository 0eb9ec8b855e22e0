import { OocError } from '../../common/errors.ts';
import type { PairPage, PairQuery, PairSummary } from '../../common/pairs.ts';
import type { Db } from './db.ts';
import { toFtsQuery } from './search.ts';

interface PairDbRow {
  pair_id: number;
  sort_key: number;
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
}

const MAX_LIMIT = 500;
/** The score sort key; it must read exactly as in the pairs_score index for the index to serve it. */
const SCORE = 'coalesce(p.falsified_score, -1.0)';

export function fileFor(db: Db, split: string, subset: string): { file_id: number; source_datasets: string | null } {
  const row = db.prepare('SELECT file_id, source_datasets FROM annotation_files WHERE split = ? AND subset = ?').get(split, subset) as
    | { file_id: number; source_datasets: string | null }
    | undefined;
  if (row === undefined) throw new OocError('NOT_FOUND', `no ${split}/${subset}.json was indexed`);
  return row;
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

/** WHERE clause and parameters for the query's filters. */
function whereFor(fileId: number, query: PairQuery): { sql: string; params: unknown[] } {
  const clauses = ['p.file_id = ?'];
  const params: unknown[] = [fileId];
  if (query.source !== undefined) {
    clauses.push('p.source = ?');
    params.push(query.source);
  }
  if (query.topic !== undefined) {
    clauses.push('p.topic = ?');
    params.push(query.topic);
  }
  if (query.sourceDataset !== undefined) {
    clauses.push('p.source_dataset = ?');
    params.push(query.sourceDataset);
  }
  if (query.minScore !== undefined) {
    clauses.push('p.falsified_score >= ?');
    params.push(query.minScore);
  }
  if (query.maxScore !== undefined) {
    clauses.push('p.falsified_score <= ?');
    params.push(query.maxScore);
  }
  const fts = query.q === undefined ? null : toFtsQuery(query.q);
  if (fts !== null) {
    clauses.push('p.caption_id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)');
    params.push(fts);
  }
  return { sql: clauses.join(' AND '), params };
}

/** Number of pairs of a split file matching the query's filters. */
export function countPairs(db: Db, query: PairQuery): number {
  const file = fileFor(db, query.split, query.subset);
  const where = whereFor(file.file_id, query);
  return db.prepare(`SELECT count(*) FROM pairs p WHERE ${where.sql}`).pluck().get(...where.params) as number;
}

/**
 * One page of pairs of a split file, filtered and sorted. Keyset paging on (sort key, pair_id):
 * page 1,000 costs what page 1 does.
 */
export function pairsPage(db: Db, query: PairQuery): PairPage {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 50)), MAX_LIMIT);
  const file = fileFor(db, query.split, query.subset);
  const names = file.source_datasets === null ? [] : (JSON.parse(file.source_datasets) as string[]);
  const where = whereFor(file.file_id, query);
  const sort = query.sort ?? 'file';
  const key = sort === 'file' ? 'p.pair_id' : SCORE;
  const direction = sort === 'score-desc' ? 'DESC' : 'ASC';
  const cursor = decodeCursor(query.cursor);
  const after = cursor === null ? '' : sort === 'file' ? ' AND p.pair_id > ?' : ` AND (${SCORE}, p.pair_id) ${direction === 'DESC' ? '<' : '>'} (?, ?)`;
  const afterParams = cursor === null ? [] : sort === 'file' ? [cursor.pairId] : [cursor.key, cursor.pairId];
  const rows = db
    .prepare(
      `SELECT p.pair_id, ${key} AS sort_key, p.caption_id, c.caption, p.source, p.topic,
              p.pristine_image_id, pi.image_path AS pristine_path, p.pristine_score,
              p.falsified_image_id, fi.image_path AS falsified_path, fi.caption AS falsified_caption, p.falsified_score,
              p.source_dataset
       FROM pairs p
       JOIN items c ON c.id = p.caption_id
       LEFT JOIN items pi ON pi.id = p.pristine_image_id
       LEFT JOIN items fi ON fi.id = p.falsified_image_id
       WHERE ${where.sql}${after}
       ORDER BY ${key} ${direction}, p.pair_id ${direction}
       LIMIT ?`,
    )
    .all(...where.params, ...afterParams, limit + 1) as PairDbRow[];
  const items = rows.slice(0, limit).map((r) => toSummary(r, query.split, query.subset, names));
  const last = rows[limit - 1];
  const unfiltered = where.params.length === 1;
  return {
    items,
    next: rows.length > limit && last ? `${last.sort_key}:${last.pair_id}` : null,
    total: unfiltered ? (db.prepare('SELECT count(*) FROM pairs WHERE file_id = ?').pluck().get(file.file_id) as number) : countPairs(db, query),
  };
}

/** One pair by id, or undefined. */
export function getPair(db: Db, pairId: number): PairSummary | undefined {
  const head = db.prepare('SELECT f.split, f.subset FROM pairs p JOIN annotation_files f USING (file_id) WHERE p.pair_id = ?').get(pairId) as
    | { split: string; subset: string }
    | undefined;
  if (head === undefined) return undefined;
  const page = pairsPage(db, { split: head.split, subset: head.subset, cursor: `${pairId - 1}:${pairId - 1}`, limit: 1 });
  return page.items[0]?.pairId === pairId ? page.items[0] : undefined;
}

function toSummary(r: PairDbRow, split: string, subset: string, sourceDatasets: string[]): PairSummary {
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
  };
}
