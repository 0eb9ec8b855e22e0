// In a fresh process: server-side page fetches of the largest split file, for several filters and
// sorts, at page 1 and page 101 (keyset paging: both should cost the same).
import { openDatabase } from '../../electron/node/store/db.ts';
import { pairsPage } from '../../electron/node/store/pairs.ts';
import type { PairQuery } from '../../electron/common/pairs.ts';

const [dbFile, word] = process.argv.slice(2) as [string, string];
const db = openDatabase(dbFile, { readonly: true });
const base = { split: 'semantics_clip_text_text', subset: 'train', limit: 100 };
const queries: Record<string, Omit<PairQuery, 'split' | 'subset'>> = {
  'file order': {},
  'source = bbc': { source: 'bbc' },
  'topic = world': { topic: 'world' },
  [`search "${word}"`]: { q: word },
  [`search "${word.slice(0, 3)}" (typing)`]: { q: word.slice(0, 3) },
  'score, high first': { sort: 'score-desc' },
  'score ≥ 0.6, low first': { minScore: 0.6, sort: 'score-asc' },
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const out: Record<string, { page1Ms: number; page101Ms: number; total: number }> = {};
for (const [name, q] of Object.entries(queries)) {
  const time = (cursor: string | null): number => {
    const runs: number[] = [];
    for (let i = 0; i < 9; i++) {
      const s = performance.now();
      pairsPage(db, { ...base, ...q, cursor });
      runs.push(performance.now() - s);
    }
    return median(runs);
  };
  const first = pairsPage(db, { ...base, ...q });
  let cursor = first.next;
  for (let i = 0; i < 99 && cursor !== null; i++) cursor = pairsPage(db, { ...base, ...q, cursor }).next;
  out[name] = { page1Ms: time(null), page101Ms: cursor === null ? NaN : time(cursor), total: first.total ?? 0 };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
