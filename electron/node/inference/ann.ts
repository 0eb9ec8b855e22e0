import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import usearch from 'usearch';
import type { AnnBuildSummary, AnnProgress, AnnStatus } from '../../common/models.ts';
import { OocError } from '../../common/errors.ts';
import { writeFileAtomically } from '../atomic-write.ts';
import type { Db } from '../store/db.ts';
import { annFiles, readBlock, rowIds, type EmbeddingSet } from '../store/vectors.ts';
import { normalizeRows } from './clip.ts';

/**
 * An approximate nearest-neighbour index of a set's vectors (cosine), for the interactive views:
 * usearch's HNSW graph over 8-bit copies of the unit vectors, keyed by item id, kept beside the
 * set's float32 file (`<file>.hnsw`, with what it was built from in `<file>.hnsw.json`) and
 * memory-mapped when searched, so a start pays nothing to load it. A search asks the graph for a
 * shortlist several times k long and scores the shortlist exactly (NeighbourSearch), so the
 * scores are the exact ones and only a neighbour missing from the shortlist can be lost.
 * usearch (Apache-2.0) ships prebuilt binaries for Linux, macOS and Windows; its graph is the
 * one its Python and C++ users build.
 */
const { Index, MetricKind, ScalarKind } = usearch;
type Graph = InstanceType<typeof Index>;

/** The graph's shape: 16 links a node, a wide search while adding (better graph, slower build). */
const PARAMS = { metric: 'ip', quantization: 'i8', connectivity: 16, expansionAdd: 128 } as const;
/** Rows read, normalised and added at a time (4 MiB at 512-d floats to read; a progress step). */
const CHUNK_ROWS = 16384;
/** A build in progress is saved this often, and when cancelled, so that it continues where it stopped. */
const CHECKPOINT_MS = 120_000;
const THREADS = availableParallelism();

/** What an index was built from: a later build or search compares it with the set as it is now. */
interface AnnMeta {
  dim: number;
  /** Rows of the float32 file read (rows with a NaN or infinite value are read but not added). */
  rows: number;
  params: typeof PARAMS;
  sourceBytes: number;
  sourceModified: number;
  builtAt: string;
  /** Seconds spent building, over every run that built it. */
  seconds: number;
}

function newIndex(dim: number): Graph {
  return new Index({
    dimensions: dim,
    metric: MetricKind.IP,
    quantization: ScalarKind.I8,
    connectivity: PARAMS.connectivity,
    expansion_add: PARAMS.expansionAdd,
    expansion_search: 64,
    multi: false,
  });
}

function readMeta(file: string): AnnMeta | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as AnnMeta;
  } catch {
    return null;
  }
}

/** Whether `meta` describes an index built from the set's file as it is now, with these parameters. */
function builtFrom(meta: AnnMeta | null, set: EmbeddingSet): meta is AnnMeta {
  if (meta === null || meta.dim !== set.dim || JSON.stringify(meta.params) !== JSON.stringify(PARAMS)) return false;
  try {
    const source = statSync(set.file);
    return meta.sourceBytes === source.size && meta.sourceModified === source.mtimeMs;
  } catch {
    return false;
  }
}

/** Whether a set has an index, current with its vectors, stale (the set changed since), or half built. */
export function annStatus(set: EmbeddingSet): AnnStatus {
  const files = annFiles(set);
  const meta = readMeta(files.meta);
  if (meta !== null && existsSync(files.index)) {
    const current = builtFrom(meta, set) && meta.rows === set.rows;
    return { state: current ? 'current' : 'stale', rows: meta.rows, setRows: set.rows, builtAt: meta.builtAt, seconds: meta.seconds };
  }
  const partial = readMeta(files.partialMeta);
  if (partial !== null && existsSync(files.partialIndex)) return { state: 'partial', rows: partial.rows, setRows: set.rows, builtAt: null, seconds: partial.seconds };
  return { state: 'none', rows: 0, setRows: set.rows, builtAt: null, seconds: 0 };
}

/**
 * Builds a set's index, or continues the build a cancelled or interrupted run saved. Rows are
 * read from the float32 file a chunk at a time and added on every core; the index replaces the
 * old one only when whole. A current index is left as it is.
 */
export async function buildAnnIndex(
  db: Db,
  set: EmbeddingSet,
  { signal, onProgress, chunkRows = CHUNK_ROWS }: { signal?: AbortSignal; onProgress?: (p: AnnProgress) => void; chunkRows?: number } = {},
): Promise<AnnBuildSummary> {
  if (set.rows === 0) throw new OocError('NOT_FOUND', `embeddings "${set.name}" (${set.kind}) hold no vectors yet; embed first`);
  const status = annStatus(set);
  if (status.state === 'current') return { set: set.name, kind: set.kind, rows: status.rows, added: 0, skipped: 0, seconds: 0, resumedAt: null };
  const files = annFiles(set);
  const source = statSync(set.file);
  if (source.size < set.rows * set.dim * 4) throw new OocError('BAD_INPUT_FILE', `${set.file} holds ${source.size} bytes but the index maps ${set.rows} rows of ${set.dim} floats; delete the set and embed again`);
  const meta: AnnMeta = { dim: set.dim, rows: 0, params: PARAMS, sourceBytes: source.size, sourceModified: source.mtimeMs, builtAt: '', seconds: 0 };
  // A saved partial build of the same file continues; any other, or one that cannot be read, is dropped.
  const partial = readMeta(files.partialMeta);
  let index = newIndex(set.dim);
  try {
    if (!builtFrom(partial, set) || partial.rows > set.rows) throw new Error('not this file');
    index.load(files.partialIndex);
    Object.assign(meta, { rows: partial.rows, seconds: partial.seconds });
  } catch {
    for (const file of [files.partialIndex, files.partialMeta]) rmSync(file, { force: true });
    index = newIndex(set.dim);
  }
  const resumedAt = meta.rows > 0 ? meta.rows : null;
  const ids = rowIds(db, set);
  const started = performance.now();
  let lastSave = started;
  let added = 0;
  let skipped = 0;
  const save = (indexFile: string, metaFile: string): void => {
    meta.seconds += (performance.now() - lastSave) / 1000;
    lastSave = performance.now();
    meta.builtAt = new Date().toISOString();
    const temporary = `${indexFile}.${process.pid}.tmp`;
    try {
      index.save(temporary);
      renameSync(temporary, indexFile);
    } catch (err) {
      rmSync(temporary, { force: true });
      throw err;
    }
    writeFileAtomically(metaFile, JSON.stringify(meta));
  };
  const handle = await open(set.file, 'r');
  try {
    onProgress?.({ set: set.name, kind: set.kind, done: meta.rows, total: set.rows });
    while (meta.rows < set.rows) {
      if (signal?.aborted) {
        save(files.partialIndex, files.partialMeta);
        throw new OocError('CANCELLED', `the index of ${set.name} (${set.kind}) was cancelled at ${meta.rows} of ${set.rows} rows; build it again to continue`);
      }
      const start = meta.rows;
      const rows = Math.min(chunkRows, set.rows - start);
      const values = await readBlock(handle, set, start, rows);
      normalizeRows(values, set.dim);
      const keys: bigint[] = [];
      const kept = new Float32Array(values.length);
      for (let r = 0; r < rows; r++) {
        const row = values.subarray(r * set.dim, (r + 1) * set.dim);
        if (!row.every(Number.isFinite)) {
          skipped++;
          continue;
        }
        kept.set(row, keys.length * set.dim);
        keys.push(BigInt(ids[start + r]!));
      }
      if (keys.length > 0) index.add(BigUint64Array.from(keys), kept.subarray(0, keys.length * set.dim), THREADS);
      added += keys.length;
      meta.rows += rows;
      onProgress?.({ set: set.name, kind: set.kind, done: meta.rows, total: set.rows });
      if (performance.now() - lastSave > CHECKPOINT_MS && meta.rows < set.rows) save(files.partialIndex, files.partialMeta);
    }
  } finally {
    await handle.close();
  }
  // Without the old description first, a crash between the two renames cannot pass the new graph off as the old one.
  rmSync(files.meta, { force: true });
  save(files.index, files.meta);
  for (const file of [files.partialIndex, files.partialMeta]) rmSync(file, { force: true });
  return { set: set.name, kind: set.kind, rows: meta.rows, added, skipped, seconds: (performance.now() - started) / 1000, resumedAt };
}

/** A current index, memory-mapped, or null when the set has none or it is stale. */
export class AnnIndex {
  private constructor(
    private readonly index: Graph,
    readonly rows: number,
  ) {}

  static open(set: EmbeddingSet): AnnIndex | null {
    const files = annFiles(set);
    const meta = readMeta(files.meta);
    if (!builtFrom(meta, set) || meta.rows !== set.rows) return null;
    const index = newIndex(set.dim);
    try {
      index.view(files.index);
    } catch {
      return null;
    }
    return index.dimensions() === set.dim ? new AnnIndex(index, meta.rows) : null;
  }

  /** The item ids of about the `count` nearest unit vectors to a unit query, nearest first by the graph's 8-bit scores. */
  shortlist(query: Float32Array, count: number): number[] {
    const found = this.index.search(query, count, 1);
    return Array.from(found.keys, Number);
  }
}
