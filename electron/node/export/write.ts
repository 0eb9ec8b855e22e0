import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import type { ExportOptions, ExportProgress, ExportRow, ExportSummary, SelectionSpec } from '../../common/export.ts';
import { mapLimited } from '../concurrency.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import type { Db } from '../store/db.ts';
import { exportRows, itemsById, sourceFingerprints, visualNewsSource, type ExportItem } from '../store/export-rows.ts';
import type { Item } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';
import { selectPairs } from './selection.ts';
import { checkTarget, cleanStalePartials, EXPORT_APP, partialFolder, protectedPlaces } from './target.ts';

/**
 * Writes a selection of pairs as a small, valid VisualNews + NewsCLIPpings copy: the split files
 * (`news_clippings/data/<split>/<subset>.json`, the original rows, fields and types, pristine
 * then falsified), `visual_news/origin/data.json` for every item they use (with the images and
 * articles when asked), JSONL and CSV for other tools, and a manifest with the sha256 of every
 * file. All of it is written to a temporary folder beside the target and renamed into place.
 */

export interface ExportRequest extends ExportOptions {
  dir: string;
  selection: SelectionSpec;
  version: string;
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
}

const COPY_CONCURRENCY = 8;

/** A write that failed for want of space, as the error the user sees (null for any other failure). */
export function diskFull(err: unknown, target: string): OocError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return null;
  return new OocError('DISK_FULL', `the disk holding ${target} is full (or over its quota), so nothing was written there; free some space and export again`);
}

/** A VisualNews-relative path made safe to write under the export: no `./`, no `..`, no root. */
function inside(relative: string): string | null {
  const clean = path.posix.normalize(relative.replace(/\\/g, '/').replace(/^\.\//, ''));
  return clean === '.' || clean.startsWith('../') || clean === '..' || path.posix.isAbsolute(clean) || /^[a-zA-Z]:/.test(clean) ? null : clean;
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(';') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const CSV_COLUMNS: (keyof ExportRow)[] = ['id', 'image_id', 'falsified', 'similarity_score', 'split', 'subset', 'sub_split', 'caption', 'image_caption', 'source', 'topic', 'verdict', 'tags', 'note', 'image_path'];

/** The index's identity: each input file's fingerprint, so an export says exactly what it came from. */
function indexFingerprint(db: Db): string {
  return createHash('sha256').update(JSON.stringify(sourceFingerprints(db))).digest('hex');
}

const SOURCE_WINDOW = 256 * 1024;

/**
 * data.json's records for these items, exactly as the source file has them (every field, its
 * spelling, `./` in paths and all), read by the byte ranges the indexer kept. Loaders that
 * strip the first path component, or read fields the workbench does not know, then see what
 * they would see in the original. When data.json changed since indexing, or the index predates
 * byte ranges, the records are written again from the index, with paths in VisualNews's `./` form.
 */
async function sourceRecords(db: Db, items: ExportItem[]): Promise<string[]> {
  const source = visualNewsSource(db);
  const unchanged = source !== undefined && (await stat(source.path).then((st) => st.size === source.bytes && Math.trunc(st.mtimeMs) === source.mtime_ms, () => false));
  if (unchanged && items.every((it) => it.source_start !== null)) {
    const copied = await readRecordBytes(source.path, items);
    if (copied !== null) return copied;
  }
  const dotted = (p: string | null): string | null => (p === null ? null : `./${p}`);
  return items.map((r) =>
    JSON.stringify(Object.fromEntries(Object.entries({ id: r.id, caption: r.caption, topic: r.topic, source: r.source, image_path: dotted(r.image_path), article_path: dotted(r.article_path) }).filter(([, v]) => v !== null))),
  );
}

/** Each item's record text, read in windows (items come in file order); null if a range does not hold an object. */
async function readRecordBytes(file: string, items: ExportItem[]): Promise<string[] | null> {
  const handle = await open(file, 'r');
  try {
    let window = Buffer.alloc(0);
    let windowStart = 0;
    const out: string[] = [];
    for (const it of items) {
      const start = it.source_start!;
      const end = it.source_end!;
      if (start < windowStart || end > windowStart + window.length) {
        window = Buffer.allocUnsafe(Math.max(SOURCE_WINDOW, end - start));
        const { bytesRead } = await handle.read(window, 0, window.length, start);
        window = window.subarray(0, bytesRead);
        windowStart = start;
        if (end > windowStart + window.length) return null;
      }
      const text = window.toString('utf8', start - windowStart, end - windowStart).trimEnd();
      if (!text.startsWith('{') || !text.endsWith('}')) return null;
      out.push(text);
    }
    return out;
  } finally {
    await handle.close();
  }
}

export async function exportPairs(db: Db, request: ExportRequest): Promise<ExportSummary> {
  const started = performance.now();
  const target = path.resolve(request.dir);
  const cleaned = await cleanStalePartials(target);
  const places = protectedPlaces(db);
  checkTarget(target, places, request.overwrite); // refuse before any work
  const { pairs, preview } = selectPairs(db, request.selection);
  if (pairs.length === 0) throw new OocError('BAD_ARGUMENT', 'no pair matches the selection: nothing to export');
  const root = getRoots(db).visualnews;
  if ((request.images || request.articles) && root === undefined) throw new OocError('INDEX_MISSING', 'the index does not say where VisualNews is, so its files cannot be copied');

  const work = partialFolder(target, randomBytes(4).toString('hex'));
  await mkdir(work, { recursive: true });
  const cancelled = (): boolean => request.signal?.aborted === true;
  // Files written here are hashed as they are written; copied ones when copied.
  const written = new Map<string, { bytes: number; sha256: string }>();
  const put = async (relative: string, text: string): Promise<void> => {
    const data = Buffer.from(text, 'utf8');
    await mkdir(path.dirname(path.join(work, relative)), { recursive: true });
    await writeFile(path.join(work, relative), data);
    written.set(relative, { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
  };
  try {
    // One pass over every row of every selected pair, in pair order, pristine before falsified
    // (CROSS JOIN keeps SQLite from scanning every pair of the index instead).
    const byId = new Map(pairs.map((p) => [p.pairId, p]));
    // Rows are kept as their serialized lines only: 100 k pairs make 200 k rows.
    const files = new Map<string, { split: string; subset: string; sourceDatasets: string[] | null; annotations: string[] }>();
    const jsonl: string[] = [];
    const csv: string[] = [CSV_COLUMNS.join(',')];
    const itemIds = new Set<number>();
    let done = 0;
    let last = -1;
    for (const r of exportRows(db, pairs.map((p) => p.pairId))) {
      if (r.pair_id !== last) {
        last = r.pair_id;
        if (++done % 5000 === 0) {
          if (cancelled()) throw new OocError('CANCELLED', 'the export was cancelled; nothing was written');
          request.onProgress?.({ phase: 'rows', done, total: pairs.length });
        }
      }
      const pair = byId.get(r.pair_id)!;
      const key = `${pair.split}/${pair.subset}`;
      let file = files.get(key);
      if (file === undefined) {
        file = { split: pair.split, subset: pair.subset, sourceDatasets: r.source_datasets === null ? null : (JSON.parse(r.source_datasets) as string[]), annotations: [] };
        files.set(key, file);
      }
      file.annotations.push(JSON.stringify({ id: r.id, image_id: r.image_id, similarity_score: r.similarity_score, ...(r.source_dataset === null ? {} : { source_dataset: r.source_dataset }), falsified: r.falsified === 1 }));
      itemIds.add(pair.captionId).add(r.image_id);
      const imagePath = r.image_path ? inside(r.image_path) : null;
      const row: ExportRow = {
        id: r.id,
        image_id: r.image_id,
        falsified: r.falsified === 1,
        similarity_score: r.similarity_score,
        split: pair.split,
        subset: pair.subset,
        sub_split: pair.subsplit === pair.split ? null : pair.subsplit,
        caption: r.caption ?? '',
        image_caption: r.image_caption,
        source: pair.source,
        topic: pair.topic,
        verdict: r.verdict,
        tags: r.tags === null ? [] : r.tags.split('\u001f'),
        note: r.note,
        // Where the image is: in the export when it was copied, else in the VisualNews folder.
        image_path: imagePath === null ? null : request.images ? `visual_news/origin/${imagePath}` : imagePath,
      };
      jsonl.push(JSON.stringify(row));
      csv.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
    }
    const items = itemsById(db, itemIds);
    request.onProgress?.({ phase: 'rows', done: pairs.length, total: pairs.length });

    if (request.formats.includes('newsclippings')) {
      for (const file of files.values()) {
        // Byte for byte what JSON.stringify({ annotations, source_datasets }) writes.
        const names = file.sourceDatasets === null ? '' : `,"source_datasets":${JSON.stringify(file.sourceDatasets)}`;
        await put(`news_clippings/data/${file.split}/${file.subset}.json`, `{"annotations":[${file.annotations.join(',')}]${names}}\n`);
      }
      const records = await sourceRecords(db, items);
      await put('visual_news/origin/data.json', `[${records.join(', ')}]\n`);
    }
    if (request.formats.includes('jsonl')) await put('pairs.jsonl', jsonl.length === 0 ? '' : `${jsonl.join('\n')}\n`);
    if (request.formats.includes('csv')) {
      await put('pairs.csv', `${csv.join('\r\n')}\r\n`);
    }

    const missing = await copyMedia(root, items, work, request, cancelled, written);

    const listed = [...written.keys()].sort();
    const manifest = {
      app: EXPORT_APP,
      version: request.version,
      index: indexFingerprint(db),
      selection: request.selection,
      options: { formats: request.formats, images: request.images, articles: request.articles },
      image_paths: request.images ? 'relative to this folder' : 'relative to the VisualNews origin folder (images not copied)',
      counts: preview,
      missing,
      files: listed.map((f) => ({ path: f, ...written.get(f)! })),
    };
    await writeFile(path.join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (cancelled()) throw new OocError('CANCELLED', 'the export was cancelled; nothing was written');

    // Into place: a previous export (when replacing) is moved aside first and removed last; an
    // interrupted swap is undone by the next export's cleanStalePartials. The target is checked
    // again: something may have been added to it while the export ran.
    const state = checkTarget(target, places, request.overwrite);
    const old = state === 'previous-export' ? `${work}.old` : null;
    if (state === 'empty') await rmdir(target);
    if (old) await rename(target, old);
    await rename(work, target);
    if (old) await rm(old, { recursive: true, force: true });
    return {
      dir: target,
      pairs: pairs.length,
      rows: jsonl.length,
      files: manifest.files.length + 1,
      bytes: manifest.files.reduce((n, f) => n + f.bytes, 0),
      missing,
      cleaned,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw diskFull(err, target) ?? err;
  }
}

/** Copies the items' images and/or articles under visual_news/origin; a file missing on disk is counted, not fatal. */
async function copyMedia(
  root: string | undefined,
  items: Item[],
  work: string,
  request: ExportRequest,
  cancelled: () => boolean,
  written: Map<string, { bytes: number; sha256: string }>,
): Promise<{ images: number; articles: number }> {
  const missing = { images: 0, articles: 0 };
  if (root === undefined) return missing;
  const jobs: { kind: 'images' | 'articles'; relative: string }[] = [];
  for (const it of items) {
    if (request.images && it.image_path) jobs.push({ kind: 'images', relative: it.image_path });
    if (request.articles && it.article_path) jobs.push({ kind: 'articles', relative: it.article_path });
  }
  let done = 0;
  const claimed = new Set<string>();
  const folders = new Set<string>();
  await mapLimited(jobs, COPY_CONCURRENCY, async (job) => {
    if (cancelled()) return;
    const clean = inside(job.relative);
    const relative = clean === null ? null : `visual_news/origin/${clean}`;
    // Two items can share a file; each is copied once.
    if (relative === null || !claimed.has(relative)) {
      if (relative !== null) claimed.add(relative);
      try {
        if (relative === null) throw new Error('outside the dataset folder');
        const source = resolveInRoot(root, job.relative);
        const dest = path.join(work, relative);
        if (!folders.has(path.dirname(dest))) {
          await mkdir(path.dirname(dest), { recursive: true });
          folders.add(path.dirname(dest));
        }
        // The kernel copies (a reflink where the file system has them); the hash reads the copy,
        // which is in the page cache, so the manifest describes exactly what was written.
        await copyFile(source, dest);
        const data = await readFile(dest);
        written.set(relative, { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      } catch (err) {
        // A source that is not there (or not readable) is counted; a full disk stops the export.
        if (diskFull(err, work)) throw err;
        missing[job.kind]++;
      }
    }
    done++;
    if (done % 200 === 0 || done === jobs.length) request.onProgress?.({ phase: 'files', done, total: jobs.length });
  });
  return missing;
}
