import type { IndexProgress } from '../../common/index-types.ts';

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e3).toFixed(0)} kB`;
}

/**
 * Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise (CI logs,
 * pipes), so long work is never silent and never floods a log.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(p: IndexProgress): void; done(): void } {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  let drawn = false;
  return {
    update(p) {
      const fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : 0;
      const label = `${p.phase.padEnd(11)} ${(fraction * 100).toFixed(1).padStart(5)}%  ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${p.records.toLocaleString('en-US')} records`;
      if (tty) {
        const width = 28;
        const filled = Math.round(fraction * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${label}\x1b[K`);
        drawn = true;
      } else if (Date.now() - lastLine > 5000 || p.phase === 'done') {
        stream.write(`${label}\n`);
        lastLine = Date.now();
      }
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
