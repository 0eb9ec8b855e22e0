import { closeSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { normalizeRows } from './clip.ts';
import { BLOCK_ROWS, quantizedFile, readBlock, rowIds, type EmbeddingSet } from '../store/vectors.ts';

/**
 * An 8-bit copy of a set's vectors for exact search of a few queries (see NeighbourSearch):
 * a quarter of the float32 matrix's memory, scanned as bytes, with bounds that say which rows
 * must be scored exactly. Per block of rows:
 * - `codes`: the values as signed bytes, transposed ([dim, rows]), each row's largest magnitude
 *   mapped to ±CODE_MAX (7 bits, see there);
 * - `scale`: the row's float per code step;
 * - `error`: the length of the rounding error, ‖x − scale·codes‖ (rounded up);
 * - `norm`: ‖scale·codes‖;
 * - `sum`: the sum of the row's codes (a query's bytes are its codes + 128);
 * - `bias`: -Infinity for a row that cannot be searched (a NaN or infinite value), else 0.
 * Cosine sets quantize each row divided by its length; `raw` ones (dot products) as stored.
 */
export interface QuantizedBlock {
  rows: number;
  codes: Int8Array;
  scale: Float32Array;
  error: Float32Array;
  norm: Float32Array;
  sum: Float32Array;
  bias: Float32Array;
}

export interface QuantizedMatrix {
  set: EmbeddingSet;
  raw: boolean;
  ids: Int32Array;
  blocks: QuantizedBlock[];
}

/**
 * Float32 rounding the bounds also cover, as a share of ‖q‖‖x‖: the re-rank normalises a row
 * in float32, which moves its score by about 1e-7 of that.
 */
export const RELATIVE_SLACK = 1e-6;

/**
 * A row's largest code. 7 bits, not 8: on x86 without VNNI (AVX2 alone, as on many AMD EPYC and
 * older Intel machines) ONNX Runtime's u8×s8 MatMulInteger adds pairs of products in 16 bits
 * with saturation (vpmaddubsw), and 255·127·2 overflows it; 255·64·2 does not. With 8-bit codes
 * such a machine scored rows wrongly and exact search missed true neighbours. The bounds use
 * each row's own rounding error, so the coarser codes only widen the shortlist.
 */
const CODE_MAX = 63;

/** Quantizes `rows` rows of `dim` floats (row-major) into a block. */
export function quantizeBlock(values: Float32Array, dim: number, raw: boolean): QuantizedBlock {
  const rows = values.length / dim;
  const block: QuantizedBlock = { rows, codes: new Int8Array(rows * dim), scale: new Float32Array(rows), error: new Float32Array(rows), norm: new Float32Array(rows), sum: new Float32Array(rows), bias: new Float32Array(rows) };
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let length = 0;
    let largest = 0;
    let finite = true;
    for (let d = 0; d < dim; d++) {
      const v = values[base + d]!;
      if (!Number.isFinite(v)) finite = false;
      length += v * v;
      largest = Math.max(largest, Math.abs(v));
    }
    if (!finite) {
      block.bias[r] = -Infinity;
      continue;
    }
    const divisor = raw || length === 0 ? 1 : Math.sqrt(length);
    // The graph multiplies by the float32 scale, so the errors are measured against it.
    const scale = Math.fround(largest / divisor / CODE_MAX);
    if (scale === 0) continue;
    let error = 0;
    let norm = 0;
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      const x = values[base + d]! / divisor;
      const code = Math.round(x / scale);
      block.codes[d * rows + r] = code;
      sum += code;
      error += (x - code * scale) ** 2;
      norm += (code * scale) ** 2;
    }
    block.scale[r] = scale;
    block.error[r] = roundUp(Math.sqrt(error));
    block.norm[r] = roundUp(Math.sqrt(norm));
    block.sum[r] = sum;
  }
  return block;
}

/** A float32 no smaller than x. */
function roundUp(x: number): number {
  const f = Math.fround(x);
  return f >= x ? f : Math.fround(x * (1 + 1e-7) + Number.MIN_VALUE);
}

/** A query as unsigned bytes around 128, with what the bounds need: scale, ‖q‖ and ‖q − q̂‖ (both rounded up). */
export function quantizeQuery(query: Float32Array): { codes: Uint8Array; scale: number; norm: number; delta: number } {
  let largest = 0;
  let norm = 0;
  for (const v of query) {
    largest = Math.max(largest, Math.abs(v));
    norm += v * v;
  }
  const scale = Math.fround(largest / 127);
  const codes = new Uint8Array(query.length).fill(128);
  let delta = 0;
  if (scale > 0) {
    for (let d = 0; d < query.length; d++) {
      const code = Math.round(query[d]! / scale);
      codes[d] = code + 128;
      delta += (query[d]! - code * scale) ** 2;
    }
  }
  return { codes, scale, norm: roundUp(Math.sqrt(norm)), delta: roundUp(Math.sqrt(delta) + RELATIVE_SLACK * Math.sqrt(norm)) };
}

// 3: 7-bit codes (caches made with 8-bit codes are made again).
const MAGIC = 'OOC-Q8 3';
/** Floats per row after the codes: scale, error, norm, sum, bias. */
const ROW_FLOATS = 5;

interface CacheHeader {
  dim: number;
  rows: number;
  raw: boolean;
  blockRows: number;
  sourceBytes: number;
  sourceModified: number;
}

function blockBytes(rows: number, dim: number): number {
  return Math.ceil((rows * dim) / 4) * 4 + rows * ROW_FLOATS * 4;
}

/**
 * A set's 8-bit copy: read from its cache file when that was made from the float32 file as it is
 * now, otherwise made by streaming the float32 file a block at a time (never the whole matrix
 * in memory) and cached for the next start. The float32 file is the truth; a cache that is
 * stale, torn or unreadable is made again.
 */
export async function loadQuantized(db: Db, set: EmbeddingSet, raw: boolean, blockRows: number = BLOCK_ROWS): Promise<QuantizedMatrix> {
  const ids = rowIds(db, set);
  const source = statSync(set.file);
  if (source.size < set.rows * set.dim * 4) throw new OocError('BAD_INPUT_FILE', `${set.file} holds ${source.size} bytes but the index maps ${set.rows} rows of ${set.dim} floats; delete the set and embed again`);
  const header: CacheHeader = { dim: set.dim, rows: set.rows, raw, blockRows, sourceBytes: source.size, sourceModified: source.mtimeMs };
  const file = quantizedFile(set, raw);
  const cached = await readCache(file, header).catch(() => null);
  if (cached) return { set, raw, ids, blocks: cached };
  const blocks: QuantizedBlock[] = [];
  const handle = await open(set.file, 'r');
  try {
    for (let start = 0; start < set.rows; start += blockRows) blocks.push(quantizeBlock(await readBlock(handle, set, start, Math.min(blockRows, set.rows - start)), set.dim, raw));
  } finally {
    await handle.close();
  }
  try {
    writeCache(file, header, blocks);
  } catch {
    // A read-only folder: search works from memory, and the copy is made again next start.
  }
  return { set, raw, ids, blocks };
}

function writeCache(file: string, header: CacheHeader, blocks: QuantizedBlock[]): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(temporary, 'w');
  try {
    const json = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(16);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(json.length, 8);
    writeSync(fd, head);
    writeSync(fd, json);
    for (const b of blocks) {
      const padded = new Uint8Array(blockBytes(b.rows, header.dim) - b.rows * ROW_FLOATS * 4);
      padded.set(new Uint8Array(b.codes.buffer, b.codes.byteOffset, b.codes.byteLength));
      writeSync(fd, padded);
      for (const part of [b.scale, b.error, b.norm, b.sum, b.bias]) writeSync(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
    closeSync(fd);
    renameSync(temporary, file);
  } catch (err) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw err;
  }
}

async function readCache(file: string, expected: CacheHeader): Promise<QuantizedBlock[] | null> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    await handle.read(head, 0, 16, 0);
    if (head.toString('latin1', 0, 8) !== MAGIC) return null;
    const json = Buffer.alloc(head.readUInt32LE(8));
    await handle.read(json, 0, json.length, 16);
    if (JSON.stringify(JSON.parse(json.toString())) !== JSON.stringify(expected)) return null;
    let at = 16 + json.length;
    const blocks: QuantizedBlock[] = [];
    for (let start = 0; start < expected.rows; start += expected.blockRows) {
      const rows = Math.min(expected.blockRows, expected.rows - start);
      const bytes = new Uint8Array(blockBytes(rows, expected.dim));
      for (let read = 0; read < bytes.length; ) {
        const { bytesRead } = await handle.read(bytes, read, Math.min(bytes.length - read, 64 << 20), at + read);
        if (bytesRead === 0) return null;
        read += bytesRead;
      }
      at += bytes.length;
      const floats = bytes.length - rows * ROW_FLOATS * 4;
      const part = (i: number) => new Float32Array(bytes.buffer, floats + i * rows * 4, rows);
      blocks.push({ rows, codes: new Int8Array(bytes.buffer, 0, rows * expected.dim), scale: part(0), error: part(1), norm: part(2), sum: part(3), bias: part(4) });
    }
    return blocks;
  } finally {
    await handle.close();
  }
}

/** Reads the given rows of a set's float32 file (for the exact re-rank), by row, each divided by its length unless `raw`. */
export function readRows(set: EmbeddingSet, rows: Iterable<number>, raw: boolean): Map<number, Float32Array> {
  const fd = openSync(set.file, 'r');
  const bytes = set.dim * 4;
  const found = new Map<number, Float32Array>();
  try {
    for (const row of rows) {
      const v = new Float32Array(set.dim);
      if (readSync(fd, new Uint8Array(v.buffer), 0, bytes, row * bytes) !== bytes) throw new OocError('BAD_INPUT_FILE', `${set.file} ends before row ${row} of ${set.rows}`);
      if (!raw) normalizeRows(v, set.dim);
      found.set(row, v);
    }
  } finally {
    closeSync(fd);
  }
  return found;
}
