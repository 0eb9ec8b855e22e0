import { splitDisplayName } from '../../common/datasets.ts';
import type { IndexStats } from '../../common/index-types.ts';

const n = (x: number): string => x.toLocaleString('en-US');

function reasons(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ');
}

/** The index's counts as a few readable lines, for the terminal. */
export function formatStats(s: IndexStats): string {
  const lines = [`  items: ${n(s.items.total)} (${reasons(s.items.bySource)})${s.items.emptyCaptions > 0 ? `, ${n(s.items.emptyCaptions)} with an empty caption` : ''}`];
  for (const [split, subsets] of Object.entries(s.annotations)) {
    const parts = Object.entries(subsets).map(([subset, c]) => `${subset} ${n(c.total)} (${n(c.pristine)} pristine, ${n(c.falsified)} falsified)`);
    lines.push(`  ${splitDisplayName(split)}: ${parts.join('; ')}`);
  }
  lines.push(`  pairs: ${n(s.pairs)}, metadata records: ${n(s.metadata)}`);
  if (Object.keys(s.skipped).length > 0) lines.push(`  skipped: ${reasons(s.skipped)}  (details: ooc stats --skips)`);
  if (Object.keys(s.notes).length > 0) lines.push(`  notes: ${reasons(s.notes)}`);
  if (s.imageChecks) lines.push(`  images checked: ${reasons(s.imageChecks)}`);
  if (Object.keys(s.embeddings).length > 0) lines.push(`  embeddings: ${reasons(s.embeddings)}`);
  return `${lines.join('\n')}\n`;
}
