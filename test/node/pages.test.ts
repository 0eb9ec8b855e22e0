import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PairSummary } from '../../electron/common/pairs.ts';
import { appendPage, indexOfPair, itemAt, noPages, updatePair } from '../../renderer/src/state/pages.ts';

const pair = (pairId: number): PairSummary => ({ pairId, split: 's', subset: 't', captionId: pairId, caption: `c${pairId}`, source: null, topic: null, pristine: null, falsified: null, sourceDataset: null, modelScores: [], verdict: null, tags: [] });
const page = (from: number, n: number): PairSummary[] => Array.from({ length: n }, (_, i) => pair(from + i));

test('loaded pages are kept as pages: appending one does not copy the pairs before it, and an edit copies one page', () => {
  let pages = noPages(100);
  const first = page(0, 100);
  for (let k = 0; k < 200; k++) pages = appendPage(pages, k === 0 ? first : page(k * 100, 100));
  pages = appendPage(pages, page(20_000, 37));
  assert.equal(pages.count, 20_037);
  assert.equal(pages.pages[0], first, 'the first page is the same array, never copied');
  assert.deepEqual([itemAt(pages, 0)?.pairId, itemAt(pages, 12_345)?.pairId, itemAt(pages, 20_036)?.pairId, itemAt(pages, 20_037)], [0, 12_345, 20_036, undefined]);
  assert.deepEqual([indexOfPair(pages, 15_001), indexOfPair(pages, 99_999), indexOfPair(pages, undefined)], [15_001, -1, -1]);
  const edited = updatePair(pages, 150, (p) => ({ ...p, verdict: 'ambiguous' }));
  assert.equal(itemAt(edited, 150)?.verdict, 'ambiguous');
  assert.equal(itemAt(pages, 150)?.verdict, null, 'the old pages are left as they were');
  assert.equal(edited.pages[0], pages.pages[0], 'other pages are shared');
  assert.notEqual(edited.pages[1], pages.pages[1]);
});
