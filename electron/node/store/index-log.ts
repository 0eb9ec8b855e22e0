import type { LogEntry, LogKind, LogSample } from '../../common/index-types.ts';
import type { Db } from './db.ts';

export type { LogEntry, LogKind };

/** How many example records are kept per (kind, reason, file). */
const SAMPLES_PER_REASON = 20;

/**
 * Counts skipped and flagged records per reason and file, and keeps a few examples of each so a
 * user can find them. Counts gather in memory and are written by `flush`, which callers run in
 * the same transaction as the rows they describe: an interrupted, resumed build counts each
 * record once.
 */
export class IndexLog {
  private readonly upsert;
  private readonly insertSample;
  private readonly countSamples;
  private readonly pending = new Map<string, { kind: LogKind; reason: string; file: string; n: number; samples: LogSample[] }>();
  /** Samples already stored per key, loaded on first use. */
  private readonly stored = new Map<string, number>();

  constructor(db: Db, prefix: string) {
    this.upsert = db.prepare(
      `INSERT INTO ${prefix}index_log (kind, reason, file, n) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, reason, file) DO UPDATE SET n = n + excluded.n`,
    );
    this.insertSample = db.prepare(`INSERT INTO ${prefix}index_samples (kind, reason, file, record, offset, detail) VALUES (?, ?, ?, ?, ?, ?)`);
    this.countSamples = db.prepare(`SELECT count(*) FROM ${prefix}index_samples WHERE kind = ? AND reason = ? AND file = ?`).pluck();
  }

  add(kind: LogKind, reason: string, file: string, sample?: LogSample): void {
    const key = `${kind}\0${reason}\0${file}`;
    let entry = this.pending.get(key);
    if (entry === undefined) {
      entry = { kind, reason, file, n: 0, samples: [] };
      this.pending.set(key, entry);
    }
    entry.n++;
    if (sample === undefined) return;
    let stored = this.stored.get(key);
    if (stored === undefined) {
      stored = this.countSamples.get(kind, reason, file) as number;
      this.stored.set(key, stored);
    }
    if (stored + entry.samples.length < SAMPLES_PER_REASON) entry.samples.push(sample);
  }

  /** Writes what was added since the last flush; call inside the transaction that commits the rows. */
  flush(): void {
    for (const [key, e] of this.pending) {
      this.upsert.run(e.kind, e.reason, e.file, e.n);
      for (const s of e.samples) this.insertSample.run(e.kind, e.reason, e.file, s.record ?? null, s.offset ?? null, s.detail);
      this.stored.set(key, (this.stored.get(key) ?? 0) + e.samples.length);
    }
    this.pending.clear();
  }

  /** Forgets what was added since the last flush (its transaction rolled back). */
  discard(): void {
    this.pending.clear();
  }
}

export function readIndexLog(db: Db, prefix = ''): LogEntry[] {
  const rows = db.prepare(`SELECT kind, reason, file, n FROM ${prefix}index_log ORDER BY kind, reason, file`).all() as Omit<LogEntry, 'samples'>[];
  const samples = db.prepare(
    `SELECT record, offset, detail FROM ${prefix}index_samples WHERE kind = ? AND reason = ? AND file = ? ORDER BY rowid`,
  );
  return rows.map((r) => ({
    ...r,
    samples: (samples.all(r.kind, r.reason, r.file) as { record: number | null; offset: number | null; detail: string }[]).map((s) => ({
      ...(s.record === null ? {} : { record: s.record }),
      ...(s.offset === null ? {} : { offset: s.offset }),
      detail: s.detail,
    })),
  }));
}

/** reason → total count, over all files, for one kind. */
export function logTotals(db: Db, kind: LogKind, prefix = ''): Record<string, number> {
  const rows = db.prepare(`SELECT reason, sum(n) AS n FROM ${prefix}index_log WHERE kind = ? GROUP BY reason ORDER BY reason`).all(kind) as {
    reason: string;
    n: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
}
