import { OocError } from '../../common/errors.ts';
import type { IndexPhase, IndexProgress } from '../../common/index-types.ts';
import type { Db } from '../store/db.ts';
import type { IndexLog } from '../store/index-log.ts';
import { saveCheckpoint } from '../store/jobs.ts';
import { JsonStructureError, scanJsonFile, type JsonScanTarget, type ScannedRecord, type ScanResumePoint } from './json-stream.ts';

/** Where a chunked file scan stands; stored in the job row after every committed batch. */
export interface ScanCheckpoint extends ScanResumePoint {
  file: string;
  /** Records accepted so far. */
  accepted: number;
}

export interface ResumableScan {
  db: Db;
  jobId: number;
  file: string;
  phase: IndexPhase;
  log: IndexLog;
  checkpoint: ScanCheckpoint | null;
  signal?: AbortSignal;
  /** Bytes of earlier files, so progress runs over the whole build. */
  bytesBefore: number;
  bytesTotal: number;
  onProgress?: (p: IndexProgress) => void;
  /** What to read of the file (json-stream.ts). */
  target?: JsonScanTarget;
  /** Work a batch needs done before its transaction (reading files, say), awaited. */
  beforeBatch?(records: readonly ScannedRecord[]): Promise<void>;
  /** Handles one record inside the batch's transaction; returns whether it was accepted. */
  accept(record: ScannedRecord): boolean;
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new OocError('CANCELLED', 'indexing was cancelled; run it again to continue where it stopped');
}

/**
 * Reads a large top-level JSON array or object record by record, committing each batch of
 * records together with the checkpoint that lets a later run continue right after it.
 */
export async function runResumableScan(scan: ResumableScan): Promise<number> {
  try {
    return await scanAndCommit(scan);
  } catch (err) {
    if (err instanceof JsonStructureError) throw new OocError('BAD_INPUT_FILE', err.message);
    throw err;
  }
}

async function scanAndCommit(scan: ResumableScan): Promise<number> {
  const resumeFrom = scan.checkpoint?.file === scan.file ? scan.checkpoint : undefined;
  let accepted = resumeFrom?.accepted ?? 0;
  let container = resumeFrom?.container;
  for await (const batch of scanJsonFile(scan.file, { ...scan.target, ...(resumeFrom ? { resumeFrom } : {}) })) {
    throwIfCancelled(scan.signal);
    container ??= batch.container;
    await scan.beforeBatch?.(batch.records);
    try {
      scan.db.transaction(() => {
        for (const record of batch.records) if (scan.accept(record)) accepted++;
        scan.log.flush();
        const last = batch.records.at(-1);
        if (last !== undefined && container !== undefined) {
          const checkpoint: ScanCheckpoint = { file: scan.file, offset: last.end, nextIndex: last.index + 1, container, accepted };
          saveCheckpoint(scan.db, scan.jobId, checkpoint);
        }
      })();
    } catch (err) {
      scan.log.discard();
      throw err;
    }
    scan.onProgress?.({
      phase: scan.phase,
      file: scan.file,
      bytesDone: scan.bytesBefore + batch.position,
      bytesTotal: scan.bytesTotal,
      records: accepted,
    });
  }
  return accepted;
}
