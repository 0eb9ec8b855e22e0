// In a fresh process: re-open the index, fetch the first page of pairs, a page deep in the split,
// then caption searches. Times are in-process milliseconds.
import { openDatabase } from '../../electron/node/store/db.ts';
import { pairsPage } from '../../electron/node/store/pairs.ts';
import { searchCaptions } from '../../electron/node/store/search.ts';

const [dbFile, split, subset, ...queries] = process.argv.slice(2) as [string, string, string, ...string[]];
const t0 = performance.now();
const db = openDatabase(dbFile, { readonly: true });
const first = pairsPage(db, { split, subset, limit: 100 });
const firstPageMs = performance.now() - t0;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function timeIt(fn: () => unknown, runs = 15): { firstMs: number; medianMs: number } {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    times.push(performance.now() - s);
  }
  return { firstMs: times[0]!, medianMs: median(times) };
}

// Walk 100 pages in, then time that page against the first.
let cursor = first.next;
for (let i = 0; i < 99 && cursor !== null; i++) cursor = pairsPage(db, { split, subset, cursor, limit: 100 }).next;
const deep = timeIt(() => pairsPage(db, { split, subset, cursor, limit: 100 }));
const firstAgain = timeIt(() => pairsPage(db, { split, subset, limit: 100 }));
const searches = Object.fromEntries(queries.map((q) => [q, { ...timeIt(() => searchCaptions(db, q, 50)), hits: searchCaptions(db, q, 500).length }]));
process.stdout.write(`${JSON.stringify({ firstPageMs, firstPageRows: first.items.length, page1: firstAgain, page101: deep, searches })}\n`);
