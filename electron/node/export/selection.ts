import { OocError } from '../../common/errors.ts';
import type { SelectionPreview, SelectionSpec, StratumCount, StratumKey } from '../../common/export.ts';
import { mulberry32, shuffle } from '../random.ts';
import type { Db } from '../store/db.ts';
import { candidatePairs, type SelectedPair } from '../store/selection.ts';

function valueOf(pair: SelectedPair, key: StratumKey): string {
  switch (key) {
    case 'split':
      return pair.split;
    case 'subsplit':
      return pair.subsplit;
    case 'label':
      return 'both';
    case 'source':
      return pair.source ?? '(none)';
    case 'topic':
      return pair.topic ?? '(none)';
    case 'verdict':
      return pair.verdict ?? 'none';
  }
}

/** FNV-1a: a stable 32-bit seed from text. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The pairs a spec selects, with the balance per stratum. A sample shuffles each stratum with
 * its own seeded generator (seed and stratum name), so the same seed gives the same pairs
 * whatever else is in the index, and takes the first perStratum; the result is in pair order.
 */
export function selectPairs(db: Db, spec: SelectionSpec): { pairs: SelectedPair[]; preview: SelectionPreview } {
  const all = candidatePairs(db, spec);
  const sample = spec.sample;
  if (sample !== undefined && !(Number.isInteger(sample.perStratum) && sample.perStratum >= 1)) {
    throw new OocError('BAD_ARGUMENT', `the sample size per stratum must be a positive integer, got ${sample.perStratum}`);
  }
  const strata = sample?.strata ?? [];
  const groups = new Map<string, SelectedPair[]>();
  for (const pair of all) {
    const key = JSON.stringify(strata.map((k) => valueOf(pair, k)));
    const group = groups.get(key);
    if (group) group.push(pair);
    else groups.set(key, [pair]);
  }
  const chosen: SelectedPair[] = [];
  const counts: StratumCount[] = [];
  for (const [key, members] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    let picked = members;
    if (sample !== undefined) {
      picked = shuffle([...members], mulberry32(hash(`${sample.seed}:${key}`))).slice(0, sample.perStratum);
    }
    chosen.push(...picked);
    const values = JSON.parse(key) as string[];
    counts.push({
      values: Object.fromEntries(strata.map((k, i) => [k, values[i]!])),
      available: members.length,
      chosen: picked.length,
      pristineRows: picked.filter((p) => p.hasPristine).length,
      falsifiedRows: picked.filter((p) => p.hasFalsified).length,
    });
  }
  chosen.sort((a, b) => a.pairId - b.pairId);
  return {
    pairs: chosen,
    preview: {
      pairs: chosen.length,
      pristineRows: counts.reduce((n, c) => n + c.pristineRows, 0),
      falsifiedRows: counts.reduce((n, c) => n + c.falsifiedRows, 0),
      strata: counts,
    },
  };
}
