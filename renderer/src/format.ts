import type { Verdict } from '../../electron/common/curation.ts';
import type { SplitInfo } from '../../electron/common/api.ts';

/** Display helpers shared by the workbench views. */

export function splitName(splits: readonly SplitInfo[], folder: string): string {
  return splits.find((s) => s.folder === folder)?.name ?? folder;
}

/**
 * 1200 → "1,200", -1234567.5 → "-1,234,567.5": grouped by hand, as a first Intl.NumberFormat
 * costs some 55 ms of a cold start (loading its locale data) and toLocaleString builds one per call.
 */
export function formatNumber(n: number): string {
  const [whole, fraction] = String(Math.abs(n)).split('.');
  if (!Number.isFinite(n) || whole!.includes('e')) return String(n);
  const grouped = whole!.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

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
