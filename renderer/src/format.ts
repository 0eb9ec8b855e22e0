import type { Verdict } from '../../electron/common/curation.ts';
import type { SplitInfo } from '../../electron/common/api.ts';

/** Display helpers shared by the workbench views. */

export function splitName(splits: readonly SplitInfo[], folder: string): string {
  return splits.find((s) => s.folder === folder)?.name ?? folder;
}

// One formatter for the whole app: toLocaleString builds a new one per call, which cost 80 ms
// of the first render of the full-scale sidebar.
const NUMBERS = new Intl.NumberFormat('en-US');

/** 1200 → "1,200". */
export const formatNumber = (n: number): string => NUMBERS.format(n);

/** 1264000 → "1.26 M", 71072 → "71.1 k", 950 → "950". */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)} k`;
  return formatNumber(n);
}

/** 1 → "1 pair", 1200 → "1,200 pairs". */
export function countOf(n: number, noun: string): string {
  return `${formatNumber(n)} ${n === 1 ? noun : `${noun}s`}`;
}

/** How each verdict reads in the UI; keyed by the Verdict type, so a new verdict must be named here. */
export const VERDICT_NAMES: Record<Verdict, string> = {
  'out-of-context': 'confirmed out-of-context',
  consistent: 'actually consistent',
  ambiguous: 'ambiguous',
  unsolvable: 'unsolvable',
};
export const VERDICTS = Object.keys(VERDICT_NAMES) as Verdict[];
