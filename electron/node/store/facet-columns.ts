import { VERDICTS } from '../../common/curation.ts';
import type { PairQuery } from '../../common/pairs.ts';
import type { Db } from './db.ts';
import { getMeta } from './meta.ts';
import { fileFor } from './pairs.ts';
import { outcomeFilters } from './predictions.ts';
import { toFtsQuery } from './search.ts';

/**
 * A split file's pairs as columns, indexed by pair_id − first (a file's pairs have contiguous
 * ids): what the facet counts read, so counting under any filter is a loop over typed arrays
 * rather than a GROUP BY per facet. 226 k pairs take about 6 MB.
 */
export interface FileColumns {
  /** Changes when the index is rebuilt: a cache of these columns is stale then. */
  key: string;
  fileId: number;
  first: number;
  length: number;
  /** 1: has a pristine row, 2: a falsified row, 4: the id is a pair of this file. */
  flags: Uint8Array;
  source: Uint16Array;
  sources: (string | null)[];
  topic: Uint16Array;
  topics: (string | null)[];
  /** Merged / Balanced: the source_dataset index; NO_SUBSPLIT when none. */
  subSplit: Uint8Array;
  subSplits: string[];
  pristineScore: Float64Array;
  falsifiedScore: Float64Array;
}

export const HAS_PRISTINE = 1;
export const HAS_FALSIFIED = 2;
export const PRESENT = 4;
export const NO_SUBSPLIT = 255;

/** A set of embeddings' scores of a file's pairs, NaN where a vector was missing. */
export interface ScoreColumns {
  key: string;
  pristine: Float64Array;
  falsified: Float64Array;
  textText: Float64Array;
}

/** The key a file's cached columns are valid for: the index build, and the file's pairs (a custom split's change renumbers them). */
export function columnsKey(db: Db, split: string, subset: string): string {
  const { first, last, pairs } = fileFor(db, split, subset);
  return `${getMeta(db, 'indexed_at') ?? ''}|${split}/${subset}|${first}-${last}:${pairs}`;
}

export function loadFileColumns(db: Db, split: string, subset: string): FileColumns {
  const file = fileFor(db, split, subset);
  const length = Math.max(0, file.last - file.first + 1);
  const codes = <T>(): { map: Map<T, number>; values: T[]; code(value: T): number } => {
    const map = new Map<T, number>();
    const values: T[] = [];
    return {
      map,
      values,
      code(value) {
        let c = map.get(value);
        if (c === undefined) {
          c = values.push(value) - 1;
          map.set(value, c);
        }
        return c;
      },
    };
  };
  const sources = codes<string | null>();
  const topics = codes<string | null>();
  const columns: FileColumns = {
    key: columnsKey(db, split, subset),
    fileId: file.file_id,
    first: file.first,
    length,
    flags: new Uint8Array(length),
    source: new Uint16Array(length),
    sources: sources.values,
    topic: new Uint16Array(length),
    topics: topics.values,
    subSplit: new Uint8Array(length).fill(NO_SUBSPLIT),
    subSplits: file.source_datasets === null ? [] : (JSON.parse(file.source_datasets) as string[]),
    pristineScore: new Float64Array(length).fill(NaN),
    falsifiedScore: new Float64Array(length).fill(NaN),
  };
  const rows = db
    .prepare('SELECT pair_id, pristine_row IS NOT NULL, falsified_row IS NOT NULL, source, topic, source_dataset, pristine_score, falsified_score FROM pairs WHERE file_id = ?')
    .raw()
    .iterate(file.file_id) as IterableIterator<[number, number, number, string | null, string | null, number | null, number | null, number | null]>;
  for (const [pairId, hasPristine, hasFalsified, source, topic, subSplit, pristineScore, falsifiedScore] of rows) {
    const i = pairId - file.first;
    columns.flags[i] = PRESENT | (hasPristine ? HAS_PRISTINE : 0) | (hasFalsified ? HAS_FALSIFIED : 0);
    columns.source[i] = sources.code(source);
    columns.topic[i] = topics.code(topic);
    if (subSplit !== null && subSplit < NO_SUBSPLIT) columns.subSplit[i] = subSplit;
    if (pristineScore !== null) columns.pristineScore[i] = pristineScore;
    if (falsifiedScore !== null) columns.falsifiedScore[i] = falsifiedScore;
  }
  return columns;
}

/** The key a model's cached scores of a file are valid for: its run's last update. */
export function scoresKey(db: Db, columns: FileColumns, name: string): string {
  const run = db.prepare('SELECT updated_at || pairs FROM pair_score_runs WHERE name = ?').pluck().get(name) as string | undefined;
  return `${columns.key}|${name}|${run ?? ''}`;
}

export function loadScoreColumns(db: Db, columns: FileColumns, name: string): ScoreColumns {
  const nan = (): Float64Array => new Float64Array(columns.length).fill(NaN);
  const scores: ScoreColumns = { key: scoresKey(db, columns, name), pristine: nan(), falsified: nan(), textText: nan() };
  const rows = db
    .prepare('SELECT pair_id, pristine, falsified, text_text FROM pair_scores WHERE name = ? AND file_id = ?')
    .raw()
    .iterate(name, columns.fileId) as IterableIterator<[number, number | null, number | null, number | null]>;
  for (const [pairId, pristine, falsified, textText] of rows) {
    const i = pairId - columns.first;
    if (i < 0 || i >= columns.length) continue;
    if (pristine !== null) scores.pristine[i] = pristine;
    if (falsified !== null) scores.falsified[i] = falsified;
    if (textText !== null) scores.textText[i] = textText;
  }
  return scores;
}

/** The analyst's records on a file's pairs, by pair index: small next to the file, so read afresh each time. */
export interface FileCuration {
  /** Per pair: 0 for no verdict, else 1 + its index in VERDICTS. */
  verdict: Uint8Array;
  tags: [index: number, tag: string][];
  collections: [index: number, name: string][];
}

export function loadFileCuration(db: Db, columns: FileColumns, split: string, subset: string): FileCuration {
  const join = 'JOIN pairs p ON p.file_id = ? AND p.caption_id = x.caption_id WHERE x.split = ? AND x.subset = ?';
  const at = [columns.first, columns.fileId, split, subset];
  const verdicts = db.prepare(`SELECT p.pair_id - ?, x.verdict FROM curation x ${join} AND x.verdict IS NOT NULL`).raw().all(...at) as [number, string][];
  const verdict = new Uint8Array(columns.length);
  for (const [i, v] of verdicts) if (i >= 0 && i < columns.length) verdict[i] = 1 + VERDICTS.indexOf(v as (typeof VERDICTS)[number]);
  return {
    verdict,
    tags: db.prepare(`SELECT p.pair_id - ?, x.tag FROM pair_tags x ${join}`).raw().all(...at) as [number, string][],
    collections: db.prepare(`SELECT p.pair_id - ?, k.name FROM collection_pairs x JOIN collections k USING (collection_id) ${join}`).raw().all(...at) as [number, string][],
  };
}

/** Pair indexes whose caption matches a search, or null for no search. */
export function searchMatches(db: Db, columns: FileColumns, q: string | undefined): number[] | null {
  const fts = q === undefined ? null : toFtsQuery(q);
  if (fts === null) return null;
  return db
    .prepare('SELECT rowid - ? FROM pairs_fts WHERE pairs_fts MATCH ? AND rowid BETWEEN ? AND ?')
    .pluck()
    .all(columns.first, fts, columns.first, columns.first + columns.length - 1) as number[];
}

/** Pair indexes with a note containing the words (any note for ''). */
export function noteMatches(db: Db, columns: FileColumns, query: PairQuery): number[] {
  return db
    .prepare('SELECT p.pair_id - ? FROM curation x JOIN pairs p ON p.file_id = ? AND p.caption_id = x.caption_id WHERE x.split = ? AND x.subset = ? AND x.note IS NOT NULL AND instr(lower(x.note), lower(?)) > 0')
    .pluck()
    .all(columns.first, columns.fileId, query.split, query.subset, (query.note ?? '').trim()) as number[];
}

/** Pair indexes that pass the outcome filters (wrong / right runs), or null without them. */
export function outcomeMatches(db: Db, columns: FileColumns, query: PairQuery): number[] | null {
  const { sql, params } = outcomeFilters(query);
  if (sql.length === 0) return null;
  return db
    .prepare(`SELECT p.pair_id - ? FROM pairs p WHERE p.file_id = ? AND ${sql.join(' AND ')}`)
    .pluck()
    .all(columns.first, columns.fileId, ...params) as number[];
}
