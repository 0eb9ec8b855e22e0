import type { PairQuery } from '../electron/common/pairs.ts';
import { FacetIndex } from '../electron/node/facets.ts';
import { openDatabase, type Db } from '../electron/node/store/db.ts';
import { toFtsQuery } from '../electron/node/store/search.ts';
import { ensureIndex, searchTerms } from './ingest.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const SPLIT = { split: 'semantics_clip_text_image', subset: 'train' };

/**
 * The baseline: what a straightforward implementation does — one GROUP BY per facet over the
 * pairs matching every other filter (indexes on (file_id, source), (file_id, topic) … serve the
 * unfiltered ones), plus the label counts and the total.
 */
function sqlFacets(db: Db, query: PairQuery): { total: number; source: Map<string, number> } {
  const fileId = db.prepare('SELECT file_id FROM annotation_files WHERE split = ? AND subset = ?').pluck().get(query.split, query.subset) as number;
  const range = db.prepare('SELECT min(pair_id), max(pair_id) FROM pairs WHERE file_id = ?').raw().get(fileId) as [number, number];
  const where = (except: string): { sql: string; params: unknown[] } => {
    const sql = ['p.file_id = ?'];
    const params: unknown[] = [fileId];
    const add = (clause: string, ...values: unknown[]): void => {
      sql.push(clause);
      params.push(...values);
    };
    if (query.source !== undefined && except !== 'source') add('p.source = ?', query.source);
    if (query.topic !== undefined && except !== 'topic') add('p.topic = ?', query.topic);
    if (query.label !== undefined && except !== 'label') add(`p.${query.label}_row IS NOT NULL`);
    const fts = query.q === undefined ? null : toFtsQuery(query.q);
    if (fts !== null) add('p.pair_id IN (SELECT rowid FROM pairs_fts WHERE pairs_fts MATCH ? AND rowid BETWEEN ? AND ?)', fts, ...range);
    const score = `coalesce(p.${query.label ?? 'falsified'}_score, -1.0)`;
    if (query.minScore !== undefined) add(`${score} >= ?`, query.minScore);
    if (query.maxScore !== undefined) add(`${score} <= ? AND p.${query.label ?? 'falsified'}_score IS NOT NULL`, query.maxScore);
    return { sql: sql.join(' AND '), params };
  };
  const grouped = (column: string): Map<string, number> => {
    const w = where(column);
    return new Map(db.prepare(`SELECT p.${column}, count(*) FROM pairs p WHERE ${w.sql} GROUP BY p.${column}`).raw().all(...w.params) as [string, number][]);
  };
  const source = grouped('source');
  grouped('topic');
  grouped('source_dataset');
  const l = where('label');
  db.prepare(`SELECT count(p.pristine_row), count(p.falsified_row) FROM pairs p WHERE ${l.sql}`).raw().get(...l.params);
  const all = where('');
  const total = db.prepare(`SELECT count(*) FROM pairs p WHERE ${all.sql}`).pluck().get(...all.params) as number;
  return { total, source };
}

/**
 * Facet counts on the 453 k-row split file (semantics_clip_text_image train, 226 k pairs) of the
 * full-scale synthetic index: the in-memory columns (FacetIndex, as the task worker runs it)
 * against one SQL GROUP BY per facet, under several filters, warm; and the columns' first load.
 */
export async function benchFacets(args: string[]): Promise<void> {
  const { dbFile, corpus } = ensureIndex(args.includes('--fresh'));
  const db = openDatabase(dbFile, { readonly: true });
  const index = new FacetIndex(db);
  const started = performance.now();
  const first = index.facets(SPLIT);
  const loadMs = performance.now() - started;
  const topic = first.facets.topic[0]!.value;
  const [common = 'ka', , rare = 'ka'] = searchTerms(corpus.origin);
  const queries: Record<string, PairQuery> = {
    'no filter': SPLIT,
    'source = bbc': { ...SPLIT, source: 'bbc' },
    [`topic = ${topic}, label pristine`]: { ...SPLIT, topic, label: 'pristine' },
    'score 0.2 … 0.5': { ...SPLIT, minScore: 0.2, maxScore: 0.5 },
    [`search "${common}"`]: { ...SPLIT, q: common },
    [`search "${rare}"`]: { ...SPLIT, q: rare },
    [`bbc, search "${common}", score ≥ 0.3`]: { ...SPLIT, source: 'bbc', q: common, minScore: 0.3 },
  };
  const rows: string[] = [];
  let worst = 0;
  for (const [name, query] of Object.entries(queries)) {
    const ours: number[] = [];
    const theirs: number[] = [];
    let same = true;
    for (let i = 0; i < 7; i++) {
      let t = performance.now();
      const a = index.facets(query);
      ours.push(performance.now() - t);
      t = performance.now();
      const b = sqlFacets(db, query);
      theirs.push(performance.now() - t);
      same &&= a.total === b.total && a.facets.source.every((s) => (b.source.get(s.value) ?? 0) === s.count);
    }
    worst = Math.max(worst, median(ours));
    rows.push(`| ${name} | ${median(ours).toFixed(1)} | ${median(theirs).toFixed(1)} | ${(median(theirs) / median(ours)).toFixed(1)}× | ${same ? 'yes' : 'NO'} |`);
  }
  db.close();
  process.stdout.write(
    [
      `Facet counts, ${first.total.toLocaleString('en-US')} pairs (${SPLIT.split}/${SPLIT.subset}); median of 7, ms. First load of the file's columns: ${loadMs.toFixed(0)} ms.`,
      '',
      '| filters | columns (ours) | SQL GROUP BY per facet | ratio | same counts |',
      '|---|---|---|---|---|',
      ...rows,
      '',
      `worst: ${worst.toFixed(1)} ms (target ≤ 100 ms)`,
      '',
    ].join('\n'),
  );
}
