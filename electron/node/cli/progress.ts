import type { IndexProgress } from '../../common/index-types.ts';

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e3).toFixed(0)} kB`;
}

export interface ProgressBar {
  draw(fraction: number, label: string, final?: boolean): void;
  done(): void;
}

/**
 * Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise (CI logs,
 * pipes), so long work is never silent and never floods a log.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  let drawn = false;
  return {
    draw(fraction, label, final = false) {
      const clamped = Math.min(1, Math.max(0, fraction));
      const line = `${(clamped * 100).toFixed(1).padStart(5)}%  ${label}`;
      if (tty) {
        const width = 28;
        const filled = Math.round(clamped * width);
        stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line}\x1b[K`);
        drawn = true;
      } else if (Date.now() - lastLine > 5000 || final) {
        stream.write(`${line}\n`);
        lastLine = Date.now();
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}

/** The index job's progress: phase, bytes read and records. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(p: IndexProgress): void; done(): void } {
  const bar = progressBar(stream);
  return {
    update(p) {
      const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : 0;
      bar.draw(fraction, `${p.phase.padEnd(11)} ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ${p.records.toLocaleString('en-US')} records`, p.phase === 'done');
    },
    done: () => bar.done(),
  };
}
