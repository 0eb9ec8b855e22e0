import { performance } from 'node:perf_hooks';
import { OocError } from '../../common/errors.ts';
import type { IndexProgress, IndexSummary } from '../../common/index-types.ts';
import { writeAnnotationFile } from '../store/annotations.ts';
import { optimize, type Db } from '../store/db.ts';
import { IndexLog, readIndexLog } from '../store/index-log.ts';
import { createStaged, finalizeStagedItems, hasIndex, hasStagedBuild, publishStaged, STAGE } from '../store/index-tables.ts';
import { ItemWriter, sourceAndTopic, stagedItemIds } from '../store/items.ts';
import { claimJob, finishJob, saveCheckpoint } from '../store/jobs.ts';
import { MetadataWriter } from '../store/metadata.ts';
import { setRoot } from '../store/roots.ts';
import { markSourceDone, readSources, sameInputs, writeSources, type InputFile } from '../store/sources.ts';
import { computeStats, readStats } from '../store/stats.ts';
import { readAnnotationFile } from './annotation-file.ts';
import { discoverInputs, type DiscoveredInputs } from './discover.ts';
import type { ScannedRecord } from './json-stream.ts';
import { pairAnnotations } from './pairing.ts';
import { parseItem } from './records.ts';
import { RootContainment } from '../dataset-paths.ts';
import { runResumableScan, throwIfCancelled, type ResumableScan, type ScanCheckpoint } from './resumable-scan.ts';

export interface IndexOptions {
  /** The VisualNews `origin/` folder, or its data.json. */
  visualnews: string;
  /** The `news_clippings/` folder (or its `data/` folder). */
  clippings?: string;
  /** Rebuild even when the inputs have not changed. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  /** The run's token (store/jobs.ts). */
  runToken?: string;
}

interface Build {
  db: Db;
  jobId: number;
  inputs: DiscoveredInputs;
  options: IndexOptions;
  log: IndexLog;
  checkpoint: ScanCheckpoint | null;
  bytesTotal: number;
  bytesDone: number;
  /** Ids of the staged items, loaded once for validating annotation rows. */
  itemIds?: Set<number>;
}

/**
 * Indexes a VisualNews + NewsCLIPpings copy into the database. Unchanged inputs are not read
 * again; an interrupted build continues from its last committed batch; the new index replaces
 * the old one in a single transaction, only once it is complete.
 */
export async function buildIndex(db: Db, options: IndexOptions): Promise<IndexSummary> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  throwIfCancelled(options.signal);
  const inputs = await discoverInputs(options.visualnews, options.clippings);
  if (!options.force && hasIndex(db) && sameInputs(readSources(db, ''), inputs.files)) {
    return { upToDate: true, resumed: false, seconds: seconds(), stats: readStats(db), unreadableFiles: unreadableFiles(db) };
  }
  const { job } = claimJob<ScanCheckpoint>(db, 'index', { visualnews: options.visualnews, clippings: options.clippings ?? null }, options.runToken);
  try {
    const resumed = !options.force && hasStagedBuild(db) && sameInputs(readSources(db, STAGE), inputs.files);
    if (!resumed) startStagedBuild(db, job.id, inputs);
    const pending = readSources(db, STAGE);
    const bytesTotal = pending.reduce((sum, f) => sum + f.bytes, 0);
    const build: Build = {
      db,
      jobId: job.id,
      inputs,
      options,
      log: new IndexLog(db, STAGE),
      checkpoint: resumed ? job.checkpoint : null,
      bytesTotal,
      bytesDone: pending.filter((f) => f.done).reduce((sum, f) => sum + f.bytes, 0),
    };
    for (const file of inputs.files) {
      if (pending.find((f) => f.path === file.path)?.done) continue;
      throwIfCancelled(options.signal);
      if (file.kind === 'visualnews') await indexItems(build, file);
      else if (file.kind === 'annotations') await indexAnnotations(build, file);
      else await indexMetadata(build, file);
      build.bytesDone += file.bytes;
    }
    throwIfCancelled(options.signal);
    options.onProgress?.({ phase: 'publish', bytesDone: bytesTotal, bytesTotal, records: 0 });
    const stats = computeStats(db, STAGE);
    db.transaction(() => {
      publishStaged(db, stats);
      setRoot(db, 'visualnews', inputs.visualnewsRoot);
      setRoot(db, 'clippings', inputs.clippingsRoot ?? undefined);
      finishJob(db, job.id, 'done');
    })();
    optimize(db);
    options.onProgress?.({ phase: 'done', bytesDone: bytesTotal, bytesTotal, records: stats.items.total });
    return { upToDate: false, resumed, seconds: seconds(), stats: readStats(db), unreadableFiles: unreadableFiles(db) };
  } catch (err) {
    const cancelled = err instanceof OocError && err.code === 'CANCELLED';
    finishJob(db, job.id, cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}

function unreadableFiles(db: Db): string[] {
  return readIndexLog(db)
    .filter((e) => e.reason === 'unreadable_file')
    .flatMap((e) => e.samples.map((s) => s.detail));
}

function startStagedBuild(db: Db, jobId: number, inputs: DiscoveredInputs): void {
  createStaged(db);
  const log = new IndexLog(db, STAGE);
  db.transaction(() => {
    writeSources(db, STAGE, inputs.files);
    for (const n of inputs.notes) log.add('note', n.reason, n.file, { detail: `${n.file}: ${n.detail}` });
    log.flush();
    saveCheckpoint(db, jobId, null);
  })();
}

/** What every resumable scan of a build shares: where to commit, where to resume, whom to tell. */
function scanSettings(build: Build, phase: IndexProgress['phase'], file: InputFile): Omit<ResumableScan, 'accept'> {
  return {
    db: build.db,
    jobId: build.jobId,
    file: file.path,
    phase,
    log: build.log,
    checkpoint: build.checkpoint,
    ...(build.options.signal ? { signal: build.options.signal } : {}),
    bytesBefore: build.bytesDone,
    bytesTotal: build.bytesTotal,
    ...(build.options.onProgress ? { onProgress: build.options.onProgress } : {}),
  };
}

function finishFile(build: Build, file: InputFile, records: number, alsoInTransaction?: () => void): void {
  build.db.transaction(() => {
    alsoInTransaction?.();
    markSourceDone(build.db, STAGE, file.path, records);
    saveCheckpoint(build.db, build.jobId, null);
  })();
  build.checkpoint = null;
}

async function indexItems(build: Build, file: InputFile): Promise<void> {
  const writer = new ItemWriter(build.db, STAGE);
  const { log } = build;
  const root = build.inputs.visualnewsRoot;
  const containment = new RootContainment(root);
  const accepted = await runResumableScan({
    ...scanSettings(build, 'items', file),
    accept(rec: ScannedRecord): boolean {
      const at = { record: rec.index, offset: rec.start };
      if (rec.error !== undefined) {
        log.add('skip', rec.errorReason ?? 'malformed_json', file.path, { ...at, detail: rec.error });
        return false;
      }
      const parsed = parseItem(withKeyAsId(rec), root, (relative) => containment.contains(relative));
      if (!parsed.ok) {
        log.add('skip', parsed.reason, file.path, { ...at, detail: parsed.detail });
        return false;
      }
      if (!writer.add(parsed.row, rec)) {
        log.add('skip', 'duplicate_id', file.path, { ...at, detail: `id ${parsed.row.id} appears again; the first record with it is kept` });
        return false;
      }
      for (const note of parsed.notes) log.add('note', note, file.path, { ...at, detail: `item ${parsed.row.id}` });
      return true;
    },
  });
  build.options.onProgress?.({ phase: 'items', file: file.path, bytesDone: build.bytesDone + file.bytes, bytesTotal: build.bytesTotal, records: accepted });
  finishFile(build, file, accepted, () => finalizeStagedItems(build.db));
}

/** data.json saved as a dict keyed by id (some re-packagings do this): take the id from the key. */
function withKeyAsId(rec: ScannedRecord): unknown {
  const value = rec.value;
  if (rec.key === undefined || typeof value !== 'object' || value === null || Array.isArray(value) || 'id' in value) return value;
  return /^\d+$/.test(rec.key) ? { ...value, id: Number(rec.key) } : value;
}

async function indexAnnotations(build: Build, file: InputFile): Promise<void> {
  const { db, log } = build;
  build.itemIds ??= stagedItemIds(db, STAGE);
  const read = await readAnnotationFile(file.path, build.itemIds);
  const captionInfo = sourceAndTopic(db, STAGE);
  db.transaction(() => {
    if (read.fileError !== undefined) {
      log.add('skip', 'unreadable_file', file.path, { detail: read.fileError });
    } else {
      const { pairs, notes } = pairAnnotations(read.rows);
      writeAnnotationFile(
        db,
        STAGE,
        { split: file.split ?? '', subset: file.subset ?? '', path: file.path, rows: read.totalRows, sourceDatasets: read.sourceDatasets },
        read.rows,
        pairs,
        captionInfo,
      );
      for (const n of notes) log.add('note', n.reason, file.path, { record: n.row, detail: n.detail });
    }
    for (const l of read.log) {
      log.add(l.kind, l.reason, file.path, { ...(l.record === undefined ? {} : { record: l.record }), ...(l.offset === undefined ? {} : { offset: l.offset }), detail: l.detail });
    }
    log.flush();
    markSourceDone(db, STAGE, file.path, read.rows.length);
  })();
  build.options.onProgress?.({ phase: 'annotations', file: file.path, bytesDone: build.bytesDone + file.bytes, bytesTotal: build.bytesTotal, records: read.rows.length });
}

async function indexMetadata(build: Build, file: InputFile): Promise<void> {
  const writer = new MetadataWriter(build.db, STAGE);
  const { log } = build;
  const subset = file.subset ?? '';
  const accepted = await runResumableScan({
    ...scanSettings(build, 'metadata', file),
    accept(rec: ScannedRecord): boolean {
      const at = { record: rec.index, offset: rec.start };
      if (rec.error !== undefined) {
        log.add('skip', rec.errorReason ?? 'malformed_json', file.path, { ...at, detail: rec.error });
        return false;
      }
      const id = rec.key !== undefined && /^\d+$/.test(rec.key) ? Number(rec.key) : NaN;
      if (!Number.isSafeInteger(id)) {
        log.add('skip', 'bad_metadata_key', file.path, { ...at, detail: `metadata keys are item ids, got ${JSON.stringify(rec.key ?? null)}` });
        return false;
      }
      if (typeof rec.value !== 'object' || rec.value === null || Array.isArray(rec.value)) {
        log.add('skip', 'bad_metadata_value', file.path, { ...at, detail: `metadata for ${id} is not an object` });
        return false;
      }
      if (!writer.add(subset, id, rec.value)) {
        log.add('skip', 'duplicate_id', file.path, { ...at, detail: `metadata for ${id} appears again; the first is kept` });
        return false;
      }
      return true;
    },
  });
  finishFile(build, file, accepted);
}
