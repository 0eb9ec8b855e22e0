import type { ProviderReport } from './models.ts';

/** "image encoder on cpu (cuda skipped: …)", a line per tower opened: for the CLI and the Models view alike. */
export function describeProviders(report: ProviderReport): string[] {
  return Object.entries(report).map(([tower, r]) => {
    const skipped = r.skipped.map((s) => `${s.provider} skipped: ${s.reason}`).join('; ');
    return `${tower} encoder on ${r.provider}${skipped ? ` (${skipped})` : ''}`;
  });
}
