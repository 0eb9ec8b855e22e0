import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import type { ExportOptions, ExportProgress, ExportRow, ExportSummary, SelectionSpec } from '../../common/export.ts';
import { mapLimited } from '../concurrency.ts';
import { resolveInRoot } from '../ingest/paths.ts';
import { pairCuration } from '../store/curation.ts';
import type { Db } from '../store/db.ts';
import { getRoots } from '../store/roots.ts';
import { selectPairs } from './selection.ts';

/**
 * Writes a selection of pairs as a small, valid VisualNews + NewsCLIPpings copy: the split files
 * (`news_clippings/data/<split>/<subset>.json`, the original rows, fields and types, pristine
 * then falsified), `visual_news/origin/data.json` for every item they use (with the images and
 * articles when asked), JSONL and CSV for other tools, and a manifest with the sha256 of every
 * file. All of it is written to a temporary folder beside the target and renamed into place.
 */

interface AnnotationRow {
  id: number;
  image_id: number;
  similarity_score: number | null;
  falsified: number;
  source_dataset: number | null;
}

interface ItemRecord {
  id: number;
  caption: string;
  topic: string | null;
  source: string | null;
  image_path: string | null;
  article_path: string | null;
  record: number;
}

export interface ExportRequest extends ExportOptions {
  dir: string;
  selection: SelectionSpec;
  version: string;
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
}

const COPY_CONCURRENCY = 8;

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
  const rows = db.prepare('SELECT kind, split, subset, fingerprint, records FROM sources ORDER BY kind, split, subset, fingerprint').raw().all();
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full, base)));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

export async function exportPairs(db: Db, request: ExportRequest): Promise<ExportSummary> {
  const started = performance.now();
  const target = path.resolve(request.dir);
  if (existsSync(target) && !request.overwrite) throw new OocError('BAD_ARGUMENT', `${target} already exists; choose another folder or allow replacing it (--force)`);
  const { pairs, preview } = selectPairs(db, request.selection);
  if (pairs.length === 0) throw new OocError('BAD_ARGUMENT', 'no pair matches the selection: nothing to export');
  const root = getRoots(db).visualnews;
  if ((request.images || request.articles) && root === undefined) throw new OocError('INDEX_MISSING', 'the index does not say where VisualNews is, so its files cannot be copied');

  const work = path.join(path.dirname(target), `.${path.basename(target)}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(work, { recursive: true });
  const cancelled = (): boolean => request.signal?.aborted === true;
  try {
    const annotation = db.prepare('SELECT id, image_id, similarity_score, falsified, source_dataset FROM annotations WHERE file_id = ? AND row = ?');
    const pairRow = db.prepare(
      'SELECT p.file_id, p.pristine_row, p.falsified_row, f.source_datasets FROM pairs p JOIN annotation_files f USING (file_id) WHERE p.pair_id = ?',
    );
    const item = db.prepare('SELECT id, caption, topic, source, image_path, article_path, record FROM items WHERE id = ?');
    const items = new Map<number, ItemRecord>();
    const itemOf = (id: number): ItemRecord | undefined => {
      if (!items.has(id)) {
        const found = item.get(id) as ItemRecord | undefined;
        if (found) items.set(id, found);
      }
      return items.get(id);
    };

    // Split files, each keeping its own source_datasets, and the flat rows.
    const files = new Map<string, { split: string; subset: string; sourceDatasets: string[] | null; annotations: Record<string, unknown>[] }>();
    const rows: ExportRow[] = [];
    for (const [index, pair] of pairs.entries()) {
      if (cancelled()) throw new OocError('CANCELLED', 'the export was cancelled; nothing was written');
      const meta = pairRow.get(pair.pairId) as { file_id: number; pristine_row: number | null; falsified_row: number | null; source_datasets: string | null };
      const key = `${pair.split}/${pair.subset}`;
      const file = files.get(key) ?? { split: pair.split, subset: pair.subset, sourceDatasets: meta.source_datasets === null ? null : (JSON.parse(meta.source_datasets) as string[]), annotations: [] };
      files.set(key, file);
      const curation = pairCuration(db, pair);
      const caption = itemOf(pair.captionId);
      for (const row of [meta.pristine_row, meta.falsified_row]) {
        if (row === null) continue;
        const a = annotation.get(meta.file_id, row) as AnnotationRow;
        file.annotations.push({ id: a.id, image_id: a.image_id, similarity_score: a.similarity_score, ...(a.source_dataset === null ? {} : { source_dataset: a.source_dataset }), falsified: a.falsified === 1 });
        const image = itemOf(a.image_id);
        const imagePath = image?.image_path ? inside(image.image_path) : null;
        rows.push({
          id: a.id,
          image_id: a.image_id,
          falsified: a.falsified === 1,
          similarity_score: a.similarity_score,
          split: pair.split,
          subset: pair.subset,
          sub_split: pair.subsplit === pair.split ? null : pair.subsplit,
          caption: caption?.caption ?? '',
          image_caption: image?.caption ?? null,
          source: pair.source,
          topic: pair.topic,
          verdict: curation.verdict,
          tags: curation.tags,
          note: curation.note,
          image_path: imagePath === null ? null : `visual_news/origin/${imagePath}`,
        });
      }
      if (index % 1000 === 999) request.onProgress?.({ phase: 'rows', done: index + 1, total: pairs.length });
    }
    request.onProgress?.({ phase: 'rows', done: pairs.length, total: pairs.length });

    if (request.formats.includes('newsclippings')) {
      for (const file of files.values()) {
        const out = path.join(work, 'news_clippings', 'data', file.split, `${file.subset}.json`);
        await mkdir(path.dirname(out), { recursive: true });
        await writeFile(out, `${JSON.stringify({ annotations: file.annotations, ...(file.sourceDatasets === null ? {} : { source_datasets: file.sourceDatasets }) })}\n`);
      }
      const records = [...items.values()]
        .sort((a, b) => a.record - b.record)
        .map((r) => Object.fromEntries(Object.entries({ id: r.id, caption: r.caption, topic: r.topic, source: r.source, image_path: r.image_path, article_path: r.article_path }).filter(([, v]) => v !== null)));
      await mkdir(path.join(work, 'visual_news', 'origin'), { recursive: true });
      await writeFile(path.join(work, 'visual_news', 'origin', 'data.json'), `${JSON.stringify(records)}\n`);
    }
    if (request.formats.includes('jsonl')) await writeFile(path.join(work, 'pairs.jsonl'), rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
    if (request.formats.includes('csv')) {
      await writeFile(path.join(work, 'pairs.csv'), [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n');
    }

    const missing = await copyMedia(root, [...items.values()], work, request, cancelled);

    const listed = await listFiles(work);
    const manifest = {
      app: 'ooc-workbench',
      version: request.version,
      index: indexFingerprint(db),
      selection: request.selection,
      options: { formats: request.formats, images: request.images, articles: request.articles },
      counts: preview,
      missing,
      files: await Promise.all(listed.map(async (f) => ({ path: f, bytes: (await stat(path.join(work, f))).size, sha256: await sha256(path.join(work, f)) }))),
    };
    await writeFile(path.join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (cancelled()) throw new OocError('CANCELLED', 'the export was cancelled; nothing was written');

    // Into place: the old folder (when replacing) is moved aside first and removed last.
    const old = existsSync(target) ? `${work}.old` : null;
    if (old) await rename(target, old);
    await rename(work, target);
    if (old) await rm(old, { recursive: true, force: true });
    return {
      dir: target,
      pairs: pairs.length,
      rows: rows.length,
      files: manifest.files.length + 1,
      bytes: manifest.files.reduce((n, f) => n + f.bytes, 0),
      missing,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

/** Copies the items' images and/or articles under visual_news/origin; a file missing on disk is counted, not fatal. */
async function copyMedia(
  root: string | undefined,
  items: ItemRecord[],
  work: string,
  request: ExportRequest,
  cancelled: () => boolean,
): Promise<{ images: number; articles: number }> {
  const missing = { images: 0, articles: 0 };
  if (root === undefined) return missing;
  const jobs: { kind: 'images' | 'articles'; relative: string }[] = [];
  for (const it of items) {
    if (request.images && it.image_path) jobs.push({ kind: 'images', relative: it.image_path });
    if (request.articles && it.article_path) jobs.push({ kind: 'articles', relative: it.article_path });
  }
  let done = 0;
  await mapLimited(jobs, COPY_CONCURRENCY, async (job) => {
    if (cancelled()) return;
    const clean = inside(job.relative);
    try {
      if (clean === null) throw new Error('outside the dataset folder');
      const dest = path.join(work, 'visual_news', 'origin', clean);
      await mkdir(path.dirname(dest), { recursive: true });
      await copyFile(resolveInRoot(root, job.relative), dest);
    } catch {
      missing[job.kind]++;
    }
    done++;
    if (done % 200 === 0 || done === jobs.length) request.onProgress?.({ phase: 'files', done, total: jobs.length });
  });
  return missing;
}
