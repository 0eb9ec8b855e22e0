import { closeSync, openSync, readSync } from 'node:fs';
import type { SubsetRows } from '../../common/heads.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { fileFor } from '../store/pairs.ts';
import { pairsOfFile } from '../store/predictions.ts';
import { getSet, listSets, rowsOfItems, type EmbeddingSet } from '../store/vectors.ts';
import type { Rows, TrainingData } from './train.ts';

export const HEAD_SUBSETS = ['train', 'val', 'test'] as const;
export type HeadSubset = (typeof HEAD_SUBSETS)[number];

/** A subset's rows, with the caption and image ids they stand for. */
export interface SplitRows extends Rows {
  captionId: Int32Array;
  imageId: Int32Array;
}

export interface SplitData extends TrainingData {
  train: SplitRows;
  val: SplitRows;
  test: SplitRows;
  counts: Record<HeadSubset, SubsetRows>;
}

/** The embedding sets with both image and caption vectors: those a head can be trained on. */
export function pairedSetNames(db: Db): string[] {
  const sets = listSets(db).filter((s) => s.rows > 0);
  return [...new Set(sets.map((s) => s.name))].filter((n) => sets.some((s) => s.name === n && s.kind === 'image') && sets.some((s) => s.name === n && s.kind === 'text'));
}

/** The set's image and caption halves, or an error naming the sets that have both. */
export function requirePairedSets(db: Db, name: string): { image: EmbeddingSet; text: EmbeddingSet } {
  const image = getSet(db, name, 'image');
  const text = getSet(db, name, 'text');
  if (image && text && image.rows > 0 && text.rows > 0) {
    if (image.dim !== text.dim) throw new OocError('BAD_ARGUMENT', `embeddings "${name}" hold ${image.dim}-d image vectors and ${text.dim}-d caption vectors; a head needs both of one size`);
    return { image, text };
  }
  const paired = pairedSetNames(db);
  const missing = !image || image.rows === 0 ? 'image' : 'caption';
  throw new OocError('NOT_FOUND', `embeddings "${name}" have no ${missing} vectors (${paired.length === 0 ? 'no set has both image and caption vectors yet: run ooc embed, or ooc embed import' : `sets with both: ${paired.join(', ')}`})`);
}

/**
 * The vectors of the given set rows, packed in the order given. Rows are read in file order,
 * runs of neighbouring rows in one read.
 */
function readRows(set: EmbeddingSet, setRows: Int32Array, signal?: AbortSignal): Float32Array {
  const dim = set.dim;
  const out = new Float32Array(setRows.length * dim);
  const order = Uint32Array.from(setRows.keys()).sort((a, b) => setRows[a]! - setRows[b]!);
  const fd = openSync(set.file, 'r');
  const bytesPerRow = dim * 4;
  const buffer = new Float32Array(256 * dim);
  try {
    for (let k = 0; k < order.length; ) {
      if (k % 65_536 === 0) signal?.throwIfAborted();
      let run = 1;
      while (k + run < order.length && run < 256 && setRows[order[k + run]!] === setRows[order[k]!]! + run) run++;
      const bytes = new Uint8Array(buffer.buffer, 0, run * bytesPerRow);
      if (readSync(fd, bytes, 0, bytes.length, setRows[order[k]!]! * bytesPerRow) !== bytes.length) {
        throw new OocError('BAD_INPUT_FILE', `${set.file} ends before row ${setRows[order[k]!]! + run} of ${set.rows}: embed again`);
      }
      for (let j = 0; j < run; j++) out.set(buffer.subarray(j * dim, (j + 1) * dim), order[k + j]! * dim);
      k += run;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/**
 * A split's train, val and test rows (each caption with its pristine and its falsified image)
 * and the vectors they need, each image and caption read once. Rows whose image or caption has
 * no vector in the set are left out and counted.
 */
export function readSplitData(db: Db, setName: string, split: string, signal?: AbortSignal): SplitData {
  const sets = requirePairedSets(db, setName);
  const imageRowOf = rowsOfItems(db, sets.image);
  const textRowOf = rowsOfItems(db, sets.text);
  // Matrix positions of the items used, by set row, given out as they are first met.
  const imageSlot = new Map<number, number>();
  const textSlot = new Map<number, number>();
  const slot = (slots: Map<number, number>, setRow: number): number => {
    let s = slots.get(setRow);
    if (s === undefined) slots.set(setRow, (s = slots.size));
    return s;
  };
  const subsets = {} as Record<HeadSubset, SplitRows>;
  const counts = {} as Record<HeadSubset, SubsetRows>;
  for (const subset of HEAD_SUBSETS) {
    const file = fileFor(db, split, subset);
    const rows = { captionId: [] as number[], imageId: [] as number[], image: [] as number[], text: [] as number[], label: [] as number[] };
    let withoutVectors = 0;
    for (const [caption, pristine, falsified] of pairsOfFile(db, file)) {
      for (const [image, label] of [[pristine, 0], [falsified, 1]] as const) {
        if (image === null) continue;
        const imageRow = imageRowOf[image] ?? -1;
        const textRow = textRowOf[caption] ?? -1;
        if (imageRow < 0 || textRow < 0) {
          withoutVectors++;
          continue;
        }
        rows.captionId.push(caption);
        rows.imageId.push(image);
        rows.image.push(slot(imageSlot, imageRow));
        rows.text.push(slot(textSlot, textRow));
        rows.label.push(label);
      }
    }
    subsets[subset] = { captionId: Int32Array.from(rows.captionId), imageId: Int32Array.from(rows.imageId), image: Int32Array.from(rows.image), text: Int32Array.from(rows.text), label: Uint8Array.from(rows.label) };
    counts[subset] = { rows: rows.label.length, withoutVectors };
  }
  if (counts.train.rows === 0 || counts.val.rows === 0) {
    const which = counts.train.rows === 0 ? 'train' : 'val';
    throw new OocError('BAD_ARGUMENT', `${split}/${which} has no rows with both an image and a caption vector in "${setName}" (${counts[which].withoutVectors} without): embed its images and captions first`);
  }
  return {
    dim: sets.image.dim,
    images: readRows(sets.image, Int32Array.from(imageSlot.keys()), signal),
    texts: readRows(sets.text, Int32Array.from(textSlot.keys()), signal),
    ...subsets,
    counts,
  };
}
