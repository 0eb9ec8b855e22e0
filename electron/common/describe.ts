import type { AnnStatus, ProviderReport } from './models.ts';

/** "image encoder on cpu (cuda skipped: …)", a line per tower opened: for the CLI and the Models view alike. */
export function describeProviders(report: ProviderReport): string[] {
  return Object.entries(report).map(([tower, r]) => {
    const skipped = r.skipped.map((s) => `${s.provider} skipped: ${s.reason}`).join('; ');
    return `${tower} encoder on ${r.provider}${skipped ? ` (${skipped})` : ''}`;
  });
}

/** A set's approximate index in words, for the CLI and the Models view alike. */
export function describeAnn(status: AnnStatus): string {
  const rows = (n: number): string => n.toLocaleString('en-US');
  switch (status.state) {
    case 'none':
      return 'no approximate index: neighbours are exact (every vector scored)';
    case 'current':
      return `approximate index of ${rows(status.rows)} vectors, built in ${status.seconds.toFixed(0)} s: neighbours come from its shortlist, scored exactly`;
    case 'stale':
      return `approximate index stale (built on ${rows(status.rows)} rows; the set changed since, now ${rows(status.setRows)}): neighbours are exact until it is built again`;
    case 'partial':
      return `approximate index half built (${rows(status.rows)} of ${rows(status.setRows)} rows): building again continues it`;
  }
}
