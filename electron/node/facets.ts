import { VERDICTS } from '../common/curation.ts';
import type { Facet, FacetCount, PairFacets, PairQuery, ScoreHistogram } from '../common/pairs.ts';
import type { Db } from './store/db.ts';
import { runsOfSplit } from './store/predictions.ts';
import {
  columnsKey,
  HAS_FALSIFIED,
  HAS_PRISTINE,
  loadFileColumns,
  loadFileCuration,
  loadScoreColumns,
  noteMatches,
  outcomeMatches,
  NO_SUBSPLIT,
  PRESENT,
  scoresKey,
  searchMatches,
  type FileColumns,
  type ScoreColumns,
} from './store/facet-columns.ts';

/** One bit per filter: a pair's bits say which filters it fails. */
const BIT = { label: 1, source: 2, topic: 4, sourceDataset: 8, verdict: 16, tag: 32, collection: 64, q: 128, note: 256, score: 512, absent: 1024, outcome: 2048 } as const;
const BINS = 40;
/** Split files whose columns stay loaded. */
const CACHED_FILES = 4;

/** The score a query filters and sorts by, per pair, and what a missing one counts as (as in store/pairs.ts). */
function scoreOf(query: PairQuery, columns: FileColumns, scores: ScoreColumns | undefined): { values: Float64Array; missing: number } {
  if (scores === undefined) return { values: query.label === 'pristine' ? columns.pristineScore : columns.falsifiedScore, missing: -1 };
  const values = query.scoreMeasure === 'text-text' ? scores.textText : query.label === 'pristine' ? scores.pristine : scores.falsified;
  return { values, missing: -2 };
}

function markAll(fail: Uint16Array, bit: number, passing: Iterable<number>): void {
  for (let i = 0; i < fail.length; i++) fail[i]! |= bit;
  for (const i of passing) if (i >= 0 && i < fail.length) fail[i]! &= ~bit;
}

function sorted(counts: Map<string, number>, selected: string | undefined): FacetCount[] {
  if (selected !== undefined && !counts.has(selected)) counts.set(selected, 0);
  return [...counts].filter(([value, count]) => count > 0 || value === selected).map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/**
 * Counts for the faceted sidebar: for each facet, each value's pairs under every *other* filter
 * (so choosing a value shows what choosing another would give), and the score histogram per label
 * under every filter but the score range. The file's columns are loaded once and kept; the
 * analyst's records, the search and the note filter are read afresh.
 */
export class FacetIndex {
  private readonly files = new Map<string, FileColumns>();
  private readonly scores = new Map<string, ScoreColumns>();

  constructor(private readonly db: Db) {}

  private columnsFor(query: PairQuery): FileColumns {
    const key = columnsKey(this.db, query.split, query.subset);
    let columns = this.files.get(key);
    if (columns === undefined) {
      columns = loadFileColumns(this.db, query.split, query.subset);
      if (this.files.size >= CACHED_FILES) this.files.delete(this.files.keys().next().value!);
      this.files.set(key, columns);
    }
    return columns;
  }

  private scoresFor(columns: FileColumns, name: string): ScoreColumns {
    const key = scoresKey(this.db, columns, name);
    let scores = this.scores.get(key);
    if (scores === undefined) {
      scores = loadScoreColumns(this.db, columns, name);
      if (this.scores.size >= CACHED_FILES) this.scores.delete(this.scores.keys().next().value!);
      this.scores.set(key, scores);
    }
    return scores;
  }

  facets(query: PairQuery): PairFacets {
    const started = performance.now();
    const columns = this.columnsFor(query);
    const scores = query.scoreModel === undefined ? undefined : this.scoresFor(columns, query.scoreModel);
    const curation = loadFileCuration(this.db, columns, query.split, query.subset);
    const { length, flags } = columns;
    const fail = new Uint16Array(length);

    const code = <T>(values: T[], value: T): number => values.indexOf(value);
    const sourceCode = query.source === undefined ? -1 : code(columns.sources, query.source);
    const topicCode = query.topic === undefined ? -1 : code(columns.topics, query.topic);
    const labelFlag = query.label === 'pristine' ? HAS_PRISTINE : HAS_FALSIFIED;
    const verdictCode = query.verdict === undefined || query.verdict === 'none' ? 0 : 1 + VERDICTS.indexOf(query.verdict);
    const { minScore, maxScore } = query;
    const ranged = minScore !== undefined || maxScore !== undefined;
    /** Whether a pair's score (as store/pairs.ts reads it: a missing one is -1 or -2) is in the range. */
    const inRange = (values: Float64Array, missing: number, i: number): boolean => {
      const raw = values[i]!;
      const value = Number.isNaN(raw) ? missing : raw;
      return (minScore === undefined || value >= minScore) && (maxScore === undefined || (!Number.isNaN(raw) && value <= maxScore));
    };
    const score = scoreOf(query, columns, scores);
    // Choosing the other label moves the range onto that label's score.
    const labelScore = { pristine: scoreOf({ ...query, label: 'pristine' }, columns, scores), falsified: scoreOf({ ...query, label: 'falsified' }, columns, scores) };
    for (let i = 0; i < length; i++) {
      let f = flags[i]! & PRESENT ? 0 : BIT.absent;
      if (query.label !== undefined && !(flags[i]! & labelFlag)) f |= BIT.label;
      if (query.source !== undefined && columns.source[i] !== sourceCode) f |= BIT.source;
      if (query.topic !== undefined && columns.topic[i] !== topicCode) f |= BIT.topic;
      if (query.sourceDataset !== undefined && columns.subSplit[i] !== query.sourceDataset) f |= BIT.sourceDataset;
      if (query.verdict !== undefined && curation.verdict[i] !== verdictCode) f |= BIT.verdict;
      if (ranged && !inRange(score.values, score.missing, i)) f |= BIT.score;
      fail[i] = f;
    }
    const q = searchMatches(this.db, columns, query.q);
    if (q !== null) markAll(fail, BIT.q, q);
    if (query.note !== undefined) markAll(fail, BIT.note, noteMatches(this.db, columns, query));
    const outcome = outcomeMatches(this.db, columns, query);
    if (outcome !== null) markAll(fail, BIT.outcome, outcome);
    if (query.tag !== undefined) markAll(fail, BIT.tag, curation.tags.filter(([, tag]) => tag === query.tag).map(([i]) => i));
    if (query.collection !== undefined) markAll(fail, BIT.collection, curation.collections.filter(([, name]) => name === query.collection).map(([i]) => i));

    // Counting: a pair counts toward a facet's values when it passes every filter but that facet's.
    const counts = {
      label: new Float64Array(2),
      source: new Float64Array(columns.sources.length),
      topic: new Float64Array(columns.topics.length),
      sourceDataset: new Float64Array(NO_SUBSPLIT + 1),
      verdict: new Float64Array(VERDICTS.length + 1),
    };
    let total = 0;
    for (let i = 0; i < length; i++) {
      const f = fail[i]!;
      if ((f & ~(BIT.label | BIT.score)) === 0) {
        if (flags[i]! & HAS_PRISTINE && (!ranged || inRange(labelScore.pristine.values, labelScore.pristine.missing, i))) counts.label[0]!++;
        if (flags[i]! & HAS_FALSIFIED && (!ranged || inRange(labelScore.falsified.values, labelScore.falsified.missing, i))) counts.label[1]!++;
      }
      if (f !== 0) {
        // Failing one filter alone, a pair counts toward that facet's values.
        if (f === BIT.source) counts.source[columns.source[i]!]!++;
        else if (f === BIT.topic) counts.topic[columns.topic[i]!]!++;
        else if (f === BIT.sourceDataset) counts.sourceDataset[columns.subSplit[i]!]!++;
        else if (f === BIT.verdict) counts.verdict[curation.verdict[i]!]!++;
        continue;
      }
      total++;
      counts.source[columns.source[i]!]!++;
      counts.topic[columns.topic[i]!]!++;
      counts.sourceDataset[columns.subSplit[i]!]!++;
      counts.verdict[curation.verdict[i]!]!++;
    }
    const byName = (entries: [number, string][], bit: number): Map<string, number> => {
      const m = new Map<string, number>();
      for (const [i, name] of entries) if (i >= 0 && i < length && (fail[i]! & ~bit) === 0) m.set(name, (m.get(name) ?? 0) + 1);
      return m;
    };
    const named = (values: (string | null)[], n: Float64Array): Map<string, number> => {
      const m = new Map<string, number>();
      // A pair without a source or topic has no value to filter by.
      values.forEach((value, c) => value !== null && m.set(value, n[c]!));
      return m;
    };
    const facets: Record<Facet, FacetCount[]> = {
      label: [{ value: 'pristine', count: counts.label[0]! }, { value: 'falsified', count: counts.label[1]! }],
      source: sorted(named(columns.sources, counts.source), query.source),
      topic: sorted(named(columns.topics, counts.topic), query.topic),
      sourceDataset: columns.subSplits.map((_, i) => ({ value: String(i), count: counts.sourceDataset[i]! })),
      verdict: [...VERDICTS.map((v, i) => ({ value: v as string, count: counts.verdict[i + 1]! })), { value: 'none', count: counts.verdict[0]! }],
      tag: sorted(byName(curation.tags, BIT.tag), query.tag),
      collection: sorted(byName(curation.collections, BIT.collection), query.collection),
    };
    return { total, facets, histogram: this.histogram(query, columns, scores, fail), runs: runsOfSplit(this.db, query.split), ms: performance.now() - started };
  }

  /** Per label, the score's distribution over the pairs passing every filter but the score range and the label. */
  private histogram(query: PairQuery, columns: FileColumns, scores: ScoreColumns | undefined, fail: Uint16Array): ScoreHistogram | null {
    const textText = scores !== undefined && query.scoreMeasure === 'text-text';
    const series: { name: ScoreHistogram['series'][number]['name']; values: Float64Array; flag: number }[] = textText
      ? [{ name: 'caption–caption', values: scores.textText, flag: HAS_FALSIFIED }]
      : [
          { name: 'pristine', values: scores?.pristine ?? columns.pristineScore, flag: HAS_PRISTINE },
          { name: 'falsified', values: scores?.falsified ?? columns.falsifiedScore, flag: HAS_FALSIFIED },
        ];
    // The range spans the whole file, so the bars stay put as filters change.
    let min = Infinity;
    let max = -Infinity;
    for (const s of series) {
      for (const x of s.values) {
        if (x < min) min = x;
        if (x > max) max = x;
      }
    }
    if (!Number.isFinite(min)) return null;
    if (max === min) max = min + 1e-6;
    const width = (max - min) / BINS;
    const ignore = ~(BIT.score | BIT.label);
    const out = series.map((s) => {
      const counts = new Array<number>(BINS).fill(0);
      for (let i = 0; i < columns.length; i++) {
        const x = s.values[i]!;
        if ((fail[i]! & ignore) !== 0 || !(columns.flags[i]! & s.flag) || Number.isNaN(x)) continue;
        counts[Math.min(BINS - 1, Math.floor((x - min) / width))]!++;
      }
      return { name: s.name, counts };
    });
    const score = scores === undefined ? 'file similarity' : textText ? `${query.scoreModel} caption–caption cosine` : `${query.scoreModel} cosine`;
    return { score, min, max, series: out };
  }
}
