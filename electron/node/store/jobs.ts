import { randomUUID } from 'node:crypto';
import { OocError } from '../../common/errors.ts';
import type { Db } from './db.ts';
import { processAlive } from '../processes.ts';

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface Job<C = unknown> {
  id: number;
  kind: string;
  status: JobStatus;
  params: unknown;
  checkpoint: C | null;
  pid: number | null;
}

interface JobRow {
  id: number;
  kind: string;
  status: JobStatus;
  params: string;
  checkpoint: string | null;
  pid: number | null;
}

function fromRow<C>(row: JobRow): Job<C> {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    params: JSON.parse(row.params) as unknown,
    checkpoint: row.checkpoint === null ? null : (JSON.parse(row.checkpoint) as C),
    pid: row.pid,
  };
}

/**
 * The latest unfinished job of a kind, to resume. Refused while another run holds it: one in
 * another live process, or another run in this one (worker threads share the process id, so each
 * run claims with a token of its own; a run that ends, however it ends, releases its token).
 */
export function claimJob<C>(db: Db, kind: string, params: unknown, token: string = randomUUID()): { job: Job<C>; resumed: boolean } {
  return db
    .transaction(() => {
      const row = db
        .prepare("SELECT id, kind, status, params, checkpoint, pid, token FROM jobs WHERE kind = ? AND status IN ('running', 'failed', 'cancelled') ORDER BY id DESC LIMIT 1")
        .get(kind) as (JobRow & { token: string | null }) | undefined;
      const now = new Date().toISOString();
      if (row && row.status === 'running' && row.pid !== null && row.token !== token) {
        if (row.pid !== process.pid && processAlive(row.pid)) {
          throw new OocError('DATABASE_BUSY', `another ${kind} job (process ${row.pid}) is working on this database; wait for it or stop it`);
        }
        if (row.pid === process.pid && row.token !== null) throw new OocError('DATABASE_BUSY', `another ${kind} job is working on this database; wait for it or cancel it`);
      }
      if (row) {
        db.prepare("UPDATE jobs SET status = 'running', pid = ?, token = ?, updated_at = ?, error = NULL, params = ? WHERE id = ?").run(
          process.pid,
          token,
          now,
          JSON.stringify(params),
          row.id,
        );
        return { job: { ...fromRow<C>(row), status: 'running' as const, pid: process.pid, params }, resumed: true };
      }
      const id = db
        .prepare("INSERT INTO jobs (kind, status, params, pid, token, started_at, updated_at) VALUES (?, 'running', ?, ?, ?, ?, ?)")
        .run(kind, JSON.stringify(params), process.pid, token, now, now).lastInsertRowid as number;
      return { job: { id, kind, status: 'running' as const, params, checkpoint: null, pid: process.pid }, resumed: false };
    })
    .immediate();
}

export function saveCheckpoint(db: Db, jobId: number, checkpoint: unknown): void {
  db.prepare('UPDATE jobs SET checkpoint = ?, updated_at = ? WHERE id = ?').run(
    checkpoint === null ? null : JSON.stringify(checkpoint),
    new Date().toISOString(),
    jobId,
  );
}

export function finishJob(db: Db, jobId: number, status: Exclude<JobStatus, 'running'>, error?: string): void {
  db.prepare('UPDATE jobs SET status = ?, error = ?, updated_at = ?, pid = NULL, token = NULL WHERE id = ?').run(status, error ?? null, new Date().toISOString(), jobId);
}

/** Marks what a run left marked running as failed: its worker died before it could say so itself. */
export function releaseRun(db: Db, token: string, error: string): void {
  db.prepare("UPDATE jobs SET status = 'failed', error = ?, updated_at = ?, pid = NULL, token = NULL WHERE token = ? AND status = 'running'").run(error, new Date().toISOString(), token);
}
