import { rmSync, closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { OocError } from '../../common/errors.ts';
import type { Db } from './db.ts';

/** Where a database keeps its embedding matrices: a folder beside the file, named after it. */
export function vectorsDir(databaseFile: string): string {
  const resolved = path.resolve(databaseFile);
  return `${resolved}.vectors`;
}

export type EmbeddingKind = 'image' | 'text';
export type EmbeddingOrigin = 'model' | 'import';

export interface EmbeddingSet {
  setId: number;
  /** The model id, or the name of an imported set (its folder in news_clippings/embeddings). */
  name: string;
  kind: EmbeddingKind;
  dim: number;
  origin: EmbeddingOrigin;
  /** The float32 file, absolute. */
  file: string;
  rows: number;
}

/** A row of embedding_sets as selected below: the file still relative to the vectors folder. */
type SetRow = EmbeddingSet;

/** Rows per block of a loaded matrix: 256 Ki rows of 512 floats is 512 MiB. */
export const BLOCK_ROWS = 262144;

function fromRow(db: Db, row: SetRow): EmbeddingSet {
  return { ...row, file: path.join(vectorsDir(db.name), row.file) };
}

const SELECT = 'SELECT set_id AS setId, name, kind, dim, origin, file, rows FROM embedding_sets';

export function listSets(db: Db): EmbeddingSet[] {
  return (db.prepare(`${SELECT} ORDER BY name, kind`).all() as SetRow[]).map((r) => fromRow(db, r));
}

export function getSet(db: Db, name: string, kind: EmbeddingKind): EmbeddingSet | undefined {
  const row = db.prepare(`${SELECT} WHERE name = ? AND kind = ?`).get(name, kind) as SetRow | undefined;
  return row && fromRow(db, row);
}

/** The set for (name, kind), created when new; an existing set must have the same size. */
export function ensureSet(db: Db, name: string, kind: EmbeddingKind, dim: number, origin: EmbeddingOrigin): EmbeddingSet {
  const existing = getSet(db, name, kind);
  if (existing) {
    if (existing.dim !== dim) {
      throw new OocError('BAD_ARGUMENT', `embeddings "${name}" (${kind}) hold ${existing.dim}-d vectors; these are ${dim}-d`);
    }
    return existing;
  }
  const file = `${name.replace(/[^\w.-]+/g, '_')}/${kind}.f32`;
  db.prepare('INSERT INTO embedding_sets (name, kind, dim, origin, file, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    name,
    kind,
    dim,
    origin,
    file,
    new Date().toISOString(),
  );
  return getSet(db, name, kind)!;
}

/** Where a set's 8-bit copy for search is kept (inference/quantized.ts): beside its float32 file, rebuilt when that changes. */
export function quantizedFile(set: EmbeddingSet, raw: boolean): string {
  return `${set.file}${raw ? '.raw' : ''}.q8`;
}

/** Where a set's approximate index is kept (inference/ann.ts): the graph, what it was built from, and a build in progress. */
export function annFiles(set: EmbeddingSet): { index: string; meta: string; partialIndex: string; partialMeta: string } {
  const base = `${set.file}.hnsw`;
  return { index: base, meta: `${base}.json`, partialIndex: `${base}.partial`, partialMeta: `${base}.partial.json` };
}

/** Removes a set, its row map, its file, its 8-bit copies and its approximate index. */
export function deleteSet(db: Db, set: EmbeddingSet): void {
  db.transaction(() => {
    for (const table of ['embedding_rows', 'embedding_failures', 'embedding_sets']) db.prepare(`DELETE FROM ${table} WHERE set_id = ?`).run(set.setId);
  })();
  for (const file of [set.file, quantizedFile(set, false), quantizedFile(set, true), ...Object.values(annFiles(set))]) rmSync(file, { force: true });
}

/** The row of every item in a set, by item id (-1: none). */
export function rowsOfItems(db: Db, set: EmbeddingSet): Int32Array {
  const max = (db.prepare('SELECT max(item_id) FROM embedding_rows WHERE set_id = ?').pluck().get(set.setId) as number | null) ?? -1;
  const rows = new Int32Array(max + 1).fill(-1);
  for (const [item, row] of db.prepare('SELECT item_id, row FROM embedding_rows WHERE set_id = ?').raw().iterate(set.setId) as Iterable<[number, number]>) rows[item] = row;
  return rows;
}

/** Embedding counts per set, keyed "<name>:<kind>", for stats. */
export function embeddingCounts(db: Db): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const set of listSets(db)) counts[`${set.name}:${set.kind}`] = set.rows;
  return counts;
}

/**
 * Appends vectors to a set: the floats go to the set's file first (synced), then one SQLite
 * transaction maps the ids to their rows. A crash between the two leaves unmapped floats at the
 * end of the file, which the next writer cuts off, so a set never maps an id to a torn row.
 * An id already in the set is overwritten in place.
 */
export class VectorWriter {
  private readonly fd: number;
  private rows: number;
  private readonly rowOf;
  private readonly insert;
  private readonly failure;
  private readonly setRows;

  constructor(
    private readonly db: Db,
    readonly set: EmbeddingSet,
  ) {
    mkdirSync(path.dirname(set.file), { recursive: true });
    closeSync(openSync(set.file, 'a'));
    this.fd = openSync(set.file, 'r+');
    this.rows = set.rows;
    const expected = set.rows * set.dim * 4;
    const size = fstatSync(this.fd).size;
    if (size < expected) {
      closeSync(this.fd);
      throw new OocError('BAD_INPUT_FILE', `${set.file} holds ${size} bytes but the index maps ${set.rows} rows of ${set.dim} floats; delete the set and embed again`);
    }
    if (size > expected) ftruncateSync(this.fd, expected);
    this.rowOf = db.prepare('SELECT row FROM embedding_rows WHERE set_id = ? AND item_id = ?').pluck();
    this.insert = db.prepare('INSERT INTO embedding_rows (set_id, item_id, row) VALUES (?, ?, ?)');
    this.failure = db.prepare('INSERT OR REPLACE INTO embedding_failures (set_id, item_id, reason) VALUES (?, ?, ?)');
    this.setRows = db.prepare('UPDATE embedding_sets SET rows = ?, updated_at = ? WHERE set_id = ?');
  }

  /** `vectors` holds ids.length rows of set.dim floats. */
  append(ids: ArrayLike<number>, vectors: Float32Array): void {
    const { dim, setId } = this.set;
    const bytesPerRow = dim * 4;
    const fresh: Array<[number, number]> = [];
    let next = this.rows;
    for (let i = 0; i < ids.length; i++) {
      const existing = this.rowOf.get(setId, ids[i]) as number | undefined;
      const row = existing ?? next++;
      if (existing === undefined) fresh.push([ids[i]!, row]);
      const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset + i * bytesPerRow, bytesPerRow);
      writeSync(this.fd, bytes, 0, bytesPerRow, row * bytesPerRow);
    }
    fdatasyncSync(this.fd);
    this.db.transaction(() => {
      for (const [id, row] of fresh) this.insert.run(setId, id, row);
      this.setRows.run(next, new Date().toISOString(), setId);
    })();
    this.rows = next;
  }

  has(itemId: number): boolean {
    return this.rowOf.get(this.set.setId, itemId) !== undefined;
  }

  /** Forgets every row from `rows` on (an import that must leave no trace when refused). */
  rollback(rows: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM embedding_rows WHERE set_id = ? AND row >= ?').run(this.set.setId, rows);
      this.setRows.run(rows, new Date().toISOString(), this.set.setId);
    })();
    ftruncateSync(this.fd, rows * this.set.dim * 4);
    this.rows = rows;
  }

  recordFailure(itemId: number, reason: string): void {
    this.failure.run(this.set.setId, itemId, reason);
  }

  get count(): number {
    return this.rows;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A set's vectors in memory, in blocks of rows (BLOCK_ROWS by default), with the item id of every row. */
export interface Matrix {
  set: EmbeddingSet;
  ids: Int32Array;
  blocks: Float32Array[];
}

/** The item id of every row of a set. */
export function rowIds(db: Db, set: EmbeddingSet): Int32Array {
  const ids = new Int32Array(set.rows);
  for (const r of db.prepare('SELECT item_id, row FROM embedding_rows WHERE set_id = ?').raw().iterate(set.setId) as Iterable<[number, number]>) {
    ids[r[1]] = r[0];
  }
  return ids;
}

/**
 * Reads a whole set into memory. The floats are read asynchronously, a block at a time, so a
 * full-size set (seconds of reading) does not hold up the caller's event loop.
 */
export async function loadMatrix(db: Db, set: EmbeddingSet, blockRows: number = BLOCK_ROWS): Promise<Matrix> {
  const ids = rowIds(db, set);
  const blocks: Float32Array[] = [];
  const handle = await open(set.file, 'r');
  try {
    for (let start = 0; start < set.rows; start += blockRows) blocks.push(await readBlock(handle, set, start, Math.min(blockRows, set.rows - start)));
  } finally {
    await handle.close();
  }
  return { set, ids, blocks };
}

/** Rows `start` to `start + rows` of a set's open file, read asynchronously (64 MiB at a time). */
export async function readBlock(handle: FileHandle, set: EmbeddingSet, start: number, rows: number): Promise<Float32Array> {
  const block = new Float32Array(rows * set.dim);
  const bytes = new Uint8Array(block.buffer);
  for (let read = 0; read < bytes.length; ) {
    const { bytesRead } = await handle.read(bytes, read, Math.min(bytes.length - read, 64 << 20), start * set.dim * 4 + read);
    if (bytesRead === 0) throw new OocError('BAD_INPUT_FILE', `${set.file} ends before row ${start + Math.floor(read / (set.dim * 4))} of ${set.rows}`);
    read += bytesRead;
  }
  return block;
}

/** Reads single rows of a set's file, for random access without loading the matrix. */
export class VectorReader {
  private readonly fd: number;
  private readonly bytes: number;

  constructor(readonly set: EmbeddingSet) {
    this.fd = openSync(set.file, 'r');
    this.bytes = set.dim * 4;
  }

  /** Row `row` into `out` (set.dim floats). */
  read(row: number, out: Float32Array): Float32Array {
    const view = new Uint8Array(out.buffer, out.byteOffset, this.bytes);
    if (readSync(this.fd, view, 0, this.bytes, row * this.bytes) !== this.bytes) {
      throw new OocError('BAD_INPUT_FILE', `${this.set.file} ends before row ${row} of ${this.set.rows}`);
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** One item's vector from a set, read straight from the file, or undefined when it has none. */
export function readVector(db: Db, set: EmbeddingSet, itemId: number): Float32Array | undefined {
  return readVectors(db, set, [itemId]).get(itemId);
}

/** Some items' vectors from a set, read straight from the file; an item without one is left out. */
export function readVectors(db: Db, set: EmbeddingSet, itemIds: Iterable<number>): Map<number, Float32Array> {
  const rowOf = db.prepare('SELECT row FROM embedding_rows WHERE set_id = ? AND item_id = ?').pluck();
  const found = new Map<number, Float32Array>();
  const reader = new VectorReader(set);
  try {
    for (const id of itemIds) {
      const row = rowOf.get(set.setId, id) as number | undefined;
      if (row !== undefined && !found.has(id)) found.set(id, reader.read(row, new Float32Array(set.dim)));
    }
  } finally {
    reader.close();
  }
  return found;
}
