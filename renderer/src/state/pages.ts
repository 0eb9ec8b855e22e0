import type { PairSummary } from '../../../electron/common/pairs.ts';

/**
 * The pairs loaded so far, as the pages that brought them: appending a page copies the list of
 * pages, not every pair before it, so scrolling through 20,000 rows costs what its pages cost.
 * Every page but the last holds `size` pairs.
 */
export interface Pages {
  size: number;
  pages: readonly (readonly PairSummary[])[];
  count: number;
}

export const noPages = (size: number): Pages => ({ size, pages: [], count: 0 });

export function appendPage(p: Pages, items: readonly PairSummary[]): Pages {
  return { size: p.size, pages: [...p.pages, items], count: p.count + items.length };
}

export function itemAt(p: Pages, index: number): PairSummary | undefined {
  return p.pages[Math.floor(index / p.size)]?.[index % p.size];
}

export function indexOfPair(p: Pages, pairId: number | undefined): number {
  if (pairId === undefined) return -1;
  for (let i = 0; i < p.pages.length; i++) {
    const at = p.pages[i]!.findIndex((x) => x.pairId === pairId);
    if (at >= 0) return i * p.size + at;
  }
  return -1;
}

/** The pages with one pair changed: only its page is copied. */
export function updatePair(p: Pages, pairId: number, change: (pair: PairSummary) => PairSummary): Pages {
  const index = indexOfPair(p, pairId);
  if (index < 0) return p;
  const n = Math.floor(index / p.size);
  const page = p.pages[n]!.map((x) => (x.pairId === pairId ? change(x) : x));
  return { ...p, pages: p.pages.map((old, i) => (i === n ? page : old)) };
}
