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

/** The latest unfinished job of a kind, to resume; refuses when another live process runs it. */
export function claimJob<C>(db: Db, kind: string, params: unknown): { job: Job<C>; resumed: boolean } {
  return db
    .transaction(() => {
      const row = db
        .prepare("SELECT id, kind, status, params, checkpoint, pid FROM jobs WHERE kind = ? AND status IN ('running', 'failed', 'cancelled') ORDER BY id DESC LIMIT 1")
        .get(kind) as JobRow | undefined;
      const now = new Date().toISOString();
      if (row && row.status === 'running' && row.pid !== null && row.pid !== process.pid && processAlive(row.pid)) {
        throw new OocError('DATABASE_BUSY', `another ${kind} job (process ${row.pid}) is working on this database; wait for it or stop it`);
      }
      if (row) {
        db.prepare("UPDATE jobs SET status = 'running', pid = ?, updated_at = ?, error = NULL, params = ? WHERE id = ?").run(
          process.pid,
          now,
          JSON.stringify(params),
          row.id,
        );
        return { job: { ...fromRow<C>(row), status: 'running' as const, pid: process.pid, params }, resumed: true };
      }
      const id = db
        .prepare("INSERT INTO jobs (kind, status, params, pid, started_at, updated_at) VALUES (?, 'running', ?, ?, ?, ?)")
        .run(kind, JSON.stringify(params), process.pid, now, now).lastInsertRowid as number;
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
  db.prepare('UPDATE jobs SET status = ?, error = ?, updated_at = ?, pid = NULL WHERE id = ?').run(status, error ?? null, new Date().toISOString(), jobId);
}
