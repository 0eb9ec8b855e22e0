import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { itemExists } from '../store/items.ts';
import { deleteSet, ensureSet, VectorWriter, type EmbeddingKind } from '../store/vectors.ts';
import { PickleFormatError, PickleRefusedError, readPickleFile, type PickleEntry } from './pickle.ts';

export interface PickleSource {
  file: string;
  /** The embeddings/<type> folder name: what the vectors are (clip_image, sbert_wk …). */
  type: string;
  split: string;
  kind: EmbeddingKind;
}

export interface ImportFileSummary {
  file: string;
  set: string;
  imported: number;
  alreadyPresent: number;
  noneValues: number;
  /** Entries with several rows (FaceNet: one per face); the first row was kept. */
  multiRow: number;
  notInIndex: number;
  skipped: Record<string, number>;
  bytes: number;
  seconds: number;
  /** Why nothing from this file was imported (a refused or malformed pickle). */
  error?: string;
}

export interface ImportProgress {
  file: string;
  fileIndex: number;
  files: number;
  bytesDone: number;
  bytesTotal: number;
}

const BATCH = 4096;

/** What a folder name says about its vectors: image-side (CLIP image, Places, faces) or caption-side. */
export function kindOfType(type: string): EmbeddingKind | null {
  const t = type.toLowerCase();
  if (/image|img|visual|vision|resnet|place|face/.test(t)) return 'image';
  if (/text|caption|sbert|sentence/.test(t)) return 'text';
  return null;
}

/**
 * The pickles under news_clippings/embeddings (or one of its type folders, or one file), named
 * `<split>.pkl` or `<type>_<split>.pkl`.
 */
export function findPickles(target: string): PickleSource[] {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) throw new OocError('BAD_ARGUMENT', `${target} does not exist`);
  const describe = (file: string): PickleSource => {
    const type = path.basename(path.dirname(file));
    const base = path.basename(file, '.pkl');
    const split = base.startsWith(`${type}_`) ? base.slice(type.length + 1) : base;
    const kind = kindOfType(type) ?? kindOfType(base);
    if (kind === null) {
      throw new OocError('BAD_ARGUMENT', `cannot tell whether ${file} holds image or caption embeddings: its folder "${type}" names neither (expected e.g. clip_image, clip_text, sbert, places, facenet)`);
    }
    return { file, type, split, kind };
  };
  if (stat.isFile()) return [describe(path.resolve(target))];
  const files: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 2) walk(full, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.pkl')) files.push(full);
    }
  };
  walk(path.resolve(target), 0);
  if (files.length === 0) throw new OocError('BAD_ARGUMENT', `no .pkl files under ${target}`);
  return files.map(describe);
}

/**
 * The set a type folder's vectors go to: CLIP's image and text folders share one name, so the
 * two kinds score pairs together (see pair-scores.ts); any other type is its own set.
 */
export function setNameOfType(type: string): string {
  return /clip/i.test(type) ? 'newsclippings-clip' : `newsclippings-${type}`;
}

/**
 * Imports NewsCLIPpings' precomputed embeddings into sets named by setNameOfType. Each
 * file is all or nothing: a refused or malformed pickle leaves no vector behind, and the other
 * files still import. Ids already in the set keep their vectors.
 */
export function importEmbeddings(db: Db, target: string, onProgress?: (p: ImportProgress) => void): ImportFileSummary[] {
  const sources = findPickles(target);
  const inIndex = hasIndex(db) ? itemExists(db) : null;
  return sources.map((source, fileIndex) => importOne(db, source, inIndex, (bytesDone, bytesTotal) => onProgress?.({ file: source.file, fileIndex, files: sources.length, bytesDone, bytesTotal })));
}

function importOne(db: Db, source: PickleSource, inIndex: ((id: number) => boolean) | null, progress: (done: number, total: number) => void): ImportFileSummary {
  const started = performance.now();
  const name = setNameOfType(source.type);
  const summary: ImportFileSummary = { file: source.file, set: `${name}:${source.kind}`, imported: 0, alreadyPresent: 0, noneValues: 0, multiRow: 0, notInIndex: 0, skipped: {}, bytes: 0, seconds: 0 };
  let writer: VectorWriter | null = null;
  let startRows = 0;
  let ids: number[] = [];
  const pending = new Set<number>();
  let batch: Float32Array | null = null;
  const skip = (reason: string) => (summary.skipped[reason] = (summary.skipped[reason] ?? 0) + 1);
  const flush = () => {
    if (writer && batch && ids.length > 0) writer.append(ids, batch.subarray(0, ids.length * writer.set.dim));
    ids = [];
    pending.clear();
  };
  const onEntry = ({ key, value }: PickleEntry) => {
    const id = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : Number.NaN;
    if (!Number.isSafeInteger(id)) return skip('key is not an item id');
    if (value === null) return void summary.noneValues++;
    const dim = value.shape.at(-1) ?? 0;
    if (dim === 0 || value.data.length === 0) return skip('empty array');
    if (value.shape.length > 1 && value.data.length > dim) summary.multiRow++;
    if (writer === null) {
      writer = new VectorWriter(db, ensureSet(db, name, source.kind, dim, 'import'));
      startRows = writer.count;
      batch = new Float32Array(BATCH * dim);
    }
    if (dim !== writer.set.dim) return skip(`not ${writer.set.dim}-d`);
    if (pending.has(id) || writer.has(id)) return void summary.alreadyPresent++;
    if (inIndex && !inIndex(id)) summary.notInIndex++;
    batch!.set(value.data.subarray(0, dim), ids.length * dim);
    ids.push(id);
    pending.add(id);
    summary.imported++;
    if (ids.length === BATCH) flush();
  };
  try {
    const { bytes } = readPickleFile(source.file, onEntry, progress);
    flush();
    summary.bytes = bytes;
  } catch (err) {
    (writer as VectorWriter | null)?.rollback(startRows);
    summary.imported = 0;
    if (err instanceof PickleRefusedError || err instanceof PickleFormatError) summary.error = `${source.file}: ${err.message}; nothing was imported from it`;
    else throw err;
  } finally {
    const w = writer as VectorWriter | null;
    w?.close();
    if (w && summary.error && startRows === 0) deleteSet(db, w.set);
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
