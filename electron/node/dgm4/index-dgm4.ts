import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { imageSize } from 'image-size';
import sharp from 'sharp';
import { classBits, dgm4Words, IMAGE_CLASSES, parseFakeCls, TEXT_CLASSES, type Box, type Dgm4IndexSummary } from '../../common/dgm4.ts';
import { OocError } from '../../common/errors.ts';
import type { IndexProgress } from '../../common/index-types.ts';
import { normalizeDatasetPath, RootContainment } from '../dataset-paths.ts';
import { describeInput } from '../ingest/discover.ts';
import type { ScannedRecord } from '../ingest/json-stream.ts';
import { runResumableScan, throwIfCancelled, type ScanCheckpoint } from '../ingest/resumable-scan.ts';
import type { Db } from '../store/db.ts';
import { createStagedDgm4, DGM4_LIVE, DGM4_NEXT, dgm4Counts, dgm4Root, dgm4Status, Dgm4Writer, hasDgm4, hasStagedDgm4, publishStagedDgm4, type Dgm4Row } from '../store/dgm4.ts';
import { IndexLog } from '../store/index-log.ts';
import { claimJob, finishJob, saveCheckpoint } from '../store/jobs.ts';
import { markSourceDone, readSources, sameInputs, writeSources, type InputFile } from '../store/sources.ts';

export interface Dgm4IndexOptions {
  /** The folder that holds DGM4/ (or DGM4/ itself, or its metadata/ folder). */
  folder: string;
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
  runToken?: string;
}

/** Where DGM4's files are: the folder holding DGM4/ (image paths are relative to it) and metadata/. */
export async function locateDgm4(given: string): Promise<{ root: string; metadataDir: string }> {
  const absolute = path.resolve(given);
  const isDir = async (p: string): Promise<boolean> => (await stat(p).catch(() => null))?.isDirectory() === true;
  if (!(await isDir(absolute))) throw new OocError('BAD_INPUT_FILE', `${absolute} is not a folder: give the folder that holds DGM4/`);
  for (const [root, metadataDir] of [
    [absolute, path.join(absolute, 'DGM4', 'metadata')],
    [path.dirname(absolute), path.join(absolute, 'metadata')],
    [path.dirname(path.dirname(absolute)), absolute],
  ] as const) {
    if (path.basename(metadataDir) === 'metadata' && path.basename(path.dirname(metadataDir)) === 'DGM4' && (await isDir(metadataDir))) return { root, metadataDir };
  }
  throw new OocError('BAD_INPUT_FILE', `no DGM4/metadata/ folder in ${absolute}: give the folder that holds DGM4/ (image paths such as DGM4/manipulation/… are relative to it)`);
}

/** metadata/<split>.json, one per split; anything else there is noted and left. */
async function metadataFiles(metadataDir: string): Promise<{ files: InputFile[]; ignored: string[] }> {
  const names = (await readdir(metadataDir)).sort();
  const files: InputFile[] = [];
  const ignored: string[] = [];
  for (const name of names) {
    const file = path.join(metadataDir, name);
    if (name.endsWith('.json') && (await stat(file)).isFile()) files.push({ ...(await describeInput(file, 'dgm4', name.slice(0, -5), null)) });
    else ignored.push(file);
  }
  if (files.length === 0) throw new OocError('BAD_INPUT_FILE', `no <split>.json files in ${metadataDir}`);
  return { files, ignored };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBox = (v: unknown): v is Box => Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
const describe = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** An image's pixel size from its header (the first 64 KiB), or why it cannot be read. */
export async function imageDimensions(file: string): Promise<{ width: number; height: number } | { missing: true } | { error: string }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { missing: true } : { error: `cannot open: ${code ?? String(err)}` };
  }
  try {
    const head = Buffer.alloc(1 << 16);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    try {
      const size = imageSize(head.subarray(0, bytesRead));
      if (size.width > 0 && size.height > 0) return { width: size.width, height: size.height };
    } catch {
      // A header past the first 64 KiB, or a format image-size does not read: ask the decoder.
    }
    const meta = await sharp(file, { animated: false }).metadata();
    if (meta.width === undefined || meta.height === undefined) return { error: 'no size in its header' };
    return { width: meta.width, height: meta.height };
  } catch (err) {
    return { error: `not a readable image: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    await handle.close();
  }
}

/** Runs `work` over the items, `width` at a time. */
async function eachConcurrently<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

type Parsed = { ok: true; row: Omit<Dgm4Row, 'width' | 'height'>; notes: [string, string][] } | { ok: false; reason: string; detail: string };

/** Checks one record's fields (the image's size is checked after, against its file). */
function parseRecord(rec: ScannedRecord, split: string, root: string): Parsed {
  const v = rec.value;
  if (!isObject(v)) return { ok: false, reason: 'not_an_object', detail: `record ${rec.index} is ${describe(v)}, not an object` };
  const id = v.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return { ok: false, reason: 'bad_id', detail: `id is ${describe(id)}, not a VisualNews id` };
  if (typeof v.image !== 'string') return { ok: false, reason: 'bad_image_path', detail: `sample ${id}: image is ${describe(v.image)}` };
  const image = normalizeDatasetPath(v.image, root);
  if (image === null) return { ok: false, reason: 'bad_image_path', detail: `sample ${id}: image ${describe(v.image)} is not a path inside ${root}` };
  if (typeof v.text !== 'string') return { ok: false, reason: 'bad_text', detail: `sample ${id}: text is ${describe(v.text)}` };
  if (typeof v.fake_cls !== 'string') return { ok: false, reason: 'unknown_class', detail: `sample ${id}: fake_cls is ${describe(v.fake_cls)}` };
  const classes = parseFakeCls(v.fake_cls);
  if (classes === null) return { ok: false, reason: 'unknown_class', detail: `sample ${id}: fake_cls ${describe(v.fake_cls)} is not "orig" or one or two of face_swap, face_attribute, text_swap, text_attribute joined by "&"` };
  const notes: [string, string][] = [];

  const rawBox = v.fake_image_box;
  let box: Box | null = null;
  if (rawBox !== undefined && rawBox !== null && !(Array.isArray(rawBox) && rawBox.length === 0)) {
    if (!isBox(rawBox) || rawBox[0] >= rawBox[2] || rawBox[1] >= rawBox[3]) return { ok: false, reason: 'bad_box', detail: `sample ${id}: fake_image_box ${describe(rawBox)} is not [x1, y1, x2, y2] with x1 < x2 and y1 < y2` };
    box = rawBox;
  }
  const imageManipulated = classes.some((c) => IMAGE_CLASSES.includes(c));
  if (imageManipulated && box === null) notes.push(['no_box', `sample ${id}: ${v.fake_cls} without a fake_image_box`]);
  if (!imageManipulated && box !== null) notes.push(['box_without_image_class', `sample ${id}: ${v.fake_cls} has a fake_image_box; it is kept`]);

  const rawPos = v.fake_text_pos ?? [];
  if (!Array.isArray(rawPos) || !rawPos.every((p) => typeof p === 'number' && Number.isInteger(p) && p >= 0)) return { ok: false, reason: 'bad_text_pos', detail: `sample ${id}: fake_text_pos ${describe(rawPos)} is not a list of word indices` };
  const words = dgm4Words(v.text).length;
  const past = (rawPos as number[]).find((p) => p >= words);
  if (past !== undefined) return { ok: false, reason: 'token_past_text', detail: `sample ${id}: fake_text_pos has ${past}, but the text has ${words} words` };
  const textManipulated = classes.some((c) => TEXT_CLASSES.includes(c));
  if (textManipulated && rawPos.length === 0) notes.push(['no_text_pos', `sample ${id}: ${v.fake_cls} without fake_text_pos`]);

  let faceBoxes: Box[] = [];
  if (Array.isArray(v.mtcnn_boxes)) {
    faceBoxes = v.mtcnn_boxes.filter(isBox);
    if (faceBoxes.length !== v.mtcnn_boxes.length) notes.push(['bad_face_box', `sample ${id}: ${v.mtcnn_boxes.length - faceBoxes.length} of mtcnn_boxes are not [x1, y1, x2, y2]; dropped`]);
  }
  return { ok: true, row: { split, position: rec.index, id, image, text: v.text, fakeCls: v.fake_cls, classes: classBits(classes), box, textPos: rawPos as number[], faceBoxes, json: rec.text ?? JSON.stringify(v) }, notes };
}

/** A box may reach a pixel past the edge (rounding); further out, it does not fit the image. */
const EDGE = 1;

/**
 * Indexes DGM4's metadata beside the VisualNews index: every sample with its classes, box, word
 * positions and image size, linked to its VisualNews item by id. Records that cannot be used are
 * counted by reason with examples (bad fields, unknown class, box outside the image, word index
 * past the text, missing image). Unchanged files are not read again; an interrupted run continues
 * from its last batch; the samples replace the previous ones only once all files are read.
 */
export async function indexDgm4(db: Db, options: Dgm4IndexOptions): Promise<Dgm4IndexSummary> {
  const started = performance.now();
  throwIfCancelled(options.signal);
  const { root, metadataDir } = await locateDgm4(options.folder);
  const { files, ignored } = await metadataFiles(metadataDir);
  const summary = (upToDate: boolean, resumed: boolean): Dgm4IndexSummary => {
    const { splits, linked, skipped, notes } = dgm4Status(db);
    return { upToDate, resumed, seconds: (performance.now() - started) / 1000, root, splits, linked, skipped, notes };
  };
  if (!options.force && hasDgm4(db) && dgm4Root(db) === root && sameInputs(readSources(db, DGM4_LIVE), files)) return summary(true, false);

  const { job } = claimJob<ScanCheckpoint>(db, 'index-dgm4', { folder: root }, options.runToken);
  try {
    const resumed = !options.force && hasStagedDgm4(db) && sameInputs(readSources(db, DGM4_NEXT), files);
    if (!resumed) {
      createStagedDgm4(db);
      db.transaction(() => {
        writeSources(db, DGM4_NEXT, files);
        const log = new IndexLog(db, DGM4_NEXT);
        for (const file of ignored) log.add('note', 'unknown_file', file, { detail: `${file}: not a <split>.json file; ignored` });
        log.flush();
        saveCheckpoint(db, job.id, null);
      })();
    }
    const log = new IndexLog(db, DGM4_NEXT);
    const writer = new Dgm4Writer(db);
    const containment = new RootContainment(root);
    const pending = readSources(db, DGM4_NEXT);
    const bytesTotal = files.reduce((sum, f) => sum + f.bytes, 0);
    let bytesDone = pending.filter((f) => f.done).reduce((sum, f) => sum + f.bytes, 0);
    let checkpoint = resumed ? job.checkpoint : null;
    for (const file of files) {
      if (pending.find((f) => f.path === file.path)?.done) continue;
      const split = file.split!;
      // Each batch's fields are checked, then its images' sizes read (in parallel), then it is written.
      let parsed = new Map<number, Parsed>();
      let sizes = new Map<number, Awaited<ReturnType<typeof imageDimensions>>>();
      const accepted = await runResumableScan({
        db,
        jobId: job.id,
        file: file.path,
        phase: 'dgm4',
        log,
        checkpoint,
        ...(options.signal ? { signal: options.signal } : {}),
        bytesBefore: bytesDone,
        bytesTotal,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        target: { keepText: true },
        async beforeBatch(records) {
          parsed = new Map();
          sizes = new Map();
          for (const rec of records) if (rec.error === undefined) parsed.set(rec.index, parseRecord(rec, split, root));
          const usable = [...parsed].filter((e): e is [number, Extract<Parsed, { ok: true }>] => e[1].ok);
          await eachConcurrently(usable, 16, async ([index, p]) => {
            sizes.set(index, containment.contains(p.row.image) ? await imageDimensions(path.join(root, p.row.image)) : { error: 'outside the DGM4 folder (a link leads out of it)' });
          });
        },
        accept(rec) {
          const at = { record: rec.index, offset: rec.start };
          if (rec.error !== undefined) {
            log.add('skip', rec.errorReason ?? 'malformed_json', file.path, { ...at, detail: rec.error });
            return false;
          }
          const p = parsed.get(rec.index)!;
          if (!p.ok) {
            log.add('skip', p.reason, file.path, { ...at, detail: p.detail });
            return false;
          }
          const size = sizes.get(rec.index)!;
          if ('missing' in size) {
            log.add('skip', 'missing_image', file.path, { ...at, detail: `sample ${p.row.id}: ${p.row.image} is not there` });
            return false;
          }
          if ('error' in size) {
            log.add('skip', 'unreadable_image', file.path, { ...at, detail: `sample ${p.row.id}: ${p.row.image}: ${size.error}` });
            return false;
          }
          const b = p.row.box;
          if (b !== null && (b[0] < -EDGE || b[1] < -EDGE || b[2] > size.width + EDGE || b[3] > size.height + EDGE)) {
            log.add('skip', 'box_outside_image', file.path, { ...at, detail: `sample ${p.row.id}: fake_image_box [${b.join(', ')}] does not fit the ${size.width} × ${size.height} image ${p.row.image}` });
            return false;
          }
          if (!writer.add({ ...p.row, ...size })) {
            log.add('skip', 'duplicate_sample', file.path, { ...at, detail: `sample ${p.row.id} with ${p.row.image} appears again in ${split}; the first is kept` });
            return false;
          }
          for (const [reason, detail] of p.notes) log.add('note', reason, file.path, { ...at, detail });
          return true;
        },
      });
      db.transaction(() => {
        markSourceDone(db, DGM4_NEXT, file.path, accepted);
        saveCheckpoint(db, job.id, null);
      })();
      checkpoint = null;
      bytesDone += file.bytes;
    }
    throwIfCancelled(options.signal);
    options.onProgress?.({ phase: 'publish', bytesDone: bytesTotal, bytesTotal, records: 0 });
    db.transaction(() => {
      publishStagedDgm4(db, root);
      finishJob(db, job.id, 'done');
    })();
    options.onProgress?.({ phase: 'done', bytesDone: bytesTotal, bytesTotal, records: dgm4Counts(db).reduce((n, s) => n + s.samples, 0) });
    return summary(false, resumed);
  } catch (err) {
    const cancelled = err instanceof OocError && err.code === 'CANCELLED';
    finishJob(db, job.id, cancelled ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}
