import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { OocError } from '../../common/errors.ts';
import { bundledModelsDir } from '../app-paths.ts';
import type { NeighbourScope } from '../../common/schemas.ts';
import type { NeighbourMethod } from '../../common/models.ts';
import type { Db } from '../store/db.ts';
import { itemIdsWithin } from '../store/items.ts';
import { normalizeRows } from './clip.ts';
import { AnnIndex } from './ann.ts';
import { loadQuantized, quantizeQuery, readRows, type QuantizedMatrix } from './quantized.ts';
import { annFiles, BLOCK_ROWS, getSet, loadMatrix, readVector, readVectors, type EmbeddingKind, type EmbeddingSet, type Matrix } from '../store/vectors.ts';

export interface Neighbour {
  itemId: number;
  /** Cosine similarity. */
  score: number;
}

/** Per block of a matrix, 0 for a row a search may return and -Infinity for one it may not. */
type Mask = Float32Array[];

const MASKS_KEPT = 4;
/** Up to this many queries are scanned through the 8-bit copy; more, by float32 Gemm + TopK (see searchBatch). */
const FEW_QUERIES = 8;
const THREADS = availableParallelism();
/**
 * An approximate search asks the graph for 4 × k candidates (at least 200; a search of the graph
 * costs well under a millisecond) and scores exactly the best 3 × k of them by the graph's 8-bit
 * score (at least 60): each is a read from the float32 file, the bulk of the time. Measured on
 * 1.26 M embedding-like vectors: recall@50 0.9998, against 0.9968 scoring 100 and 0.9332 scoring 60.
 */
const GRAPH_FACTOR = 4;
const GRAPH_MIN = 200;
const RERANK_FACTOR = 3;
const RERANK_MIN = 60;

export interface NeighbourResult {
  neighbours: Neighbour[];
  method: NeighbourMethod;
}

/**
 * Exact nearest neighbours by brute force, every stored vector scored against the queries by
 * ONNX Runtime, block by block (BLOCK_ROWS rows), each query's best k merged over the blocks:
 * - A few queries (an analyst's search) scan an 8-bit copy of the matrix (inference/quantized.ts),
 *   a quarter of its bytes, which bounds every row's score; only the rows whose upper bound
 *   reaches the k-th best lower bound are then scored exactly from the float32 file, so the
 *   result is the exact one. The copy is cached beside the set's file for the next start.
 * - Many queries (generating a split) run a float32 Gemm + TopK per block of the whole matrix
 *   in memory, which is faster for them than bytes.
 * A search within a scope (a split file, source or topic) adds a mask of -Infinity to the rows
 * outside it, so it stays exact however few rows the scope holds. Matrices are
 * loaded on first use and kept until the set changes; the last few masks are kept too.
 *
 * `nearest` and `ofItem` (the interactive views) use a set's approximate index instead when it
 * has a current one (inference/ann.ts) and exact search is not asked for: a shortlist from the
 * graph, scored exactly.
 */
export class NeighbourSearch {
  private readonly sessions = new Map<string, Promise<ort.InferenceSession>>();
  private readonly matrices = new Map<string, { rows: number; matrix: Promise<Matrix> }>();
  private readonly quantizedMatrices = new Map<string, { rows: number; matrix: Promise<QuantizedMatrix> }>();
  private readonly masks = new Map<string, Mask>();
  /** Each set's approximate index (or null: none current), by set id, with the files' state it was opened at. */
  private readonly annIndexes = new Map<number, { state: string; index: AnnIndex | null }>();
  /** The bias of an unrestricted search, by block length: allocated once, not per search. */
  private readonly zeros = new Map<number, Float32Array>();

  constructor(
    private readonly db: Db,
    private readonly blockRows: number = BLOCK_ROWS,
  ) {}

  private session(op: 'similarity-topk' | 'similarity-q8'): Promise<ort.InferenceSession> {
    let session = this.sessions.get(op);
    if (session === undefined) {
      session = ort.InferenceSession.create(path.join(bundledModelsDir(), 'ops', `${op}.onnx`), { graphOptimizationLevel: 'all', intraOpNumThreads: THREADS });
      this.sessions.set(op, session);
    }
    return session;
  }

  /**
   * A set's vectors in float32, unit length (or `raw`, as stored, for dot products), loaded once
   * (concurrent callers share the load) and again when the set has grown.
   */
  matrix(set: EmbeddingSet, raw = false): Promise<Matrix> {
    return cachedLoad(this.matrices, set, raw, () =>
      loadMatrix(this.db, set, this.blockRows).then((m) => {
        if (!asStored(set, raw)) for (const block of m.blocks) normalizeRows(block, set.dim);
        return m;
      }),
    );
  }

  /** A set's 8-bit copy (cosine, or `raw` dot products), loaded once and again when the set has grown. */
  quantized(set: EmbeddingSet, raw = false): Promise<QuantizedMatrix> {
    return cachedLoad(this.quantizedMatrices, set, raw, () => loadQuantized(this.db, set, asStored(set, raw), this.blockRows));
  }

  private noBias(rows: number): Float32Array {
    let zeros = this.zeros.get(rows);
    if (zeros === undefined) this.zeros.set(rows, (zeros = new Float32Array(rows)));
    return zeros;
  }

  /** A set's rows outside the scope (or unsearchable) masked out, computed once for the last few scopes searched (the row order is the same raw or not). */
  private async mask(set: EmbeddingSet, scope: NeighbourScope): Promise<Mask> {
    const key = `${set.setId}:${set.rows}:${set.kind}:${JSON.stringify(scope, Object.keys(scope).sort())}`;
    const cached = this.masks.get(key);
    if (cached) return cached;
    const matrix = await this.quantized(set);
    const inScope = new Set(itemIdsWithin(this.db, scope, set.kind === 'image' ? 'image' : 'caption'));
    let base = 0;
    const mask = matrix.blocks.map((block) => {
      const m = Float32Array.from(block.bias);
      for (let i = 0; i < block.rows; i++) if (!inScope.has(matrix.ids[base + i]!)) m[i] = -Infinity;
      base += block.rows;
      return m;
    });
    this.masks.set(key, mask);
    if (this.masks.size > MASKS_KEPT) this.masks.delete(this.masks.keys().next().value!);
    return mask;
  }

  /**
   * The k stored vectors most similar to `query` (cosine, or with `raw` the dot product with the
   * vectors as stored), best first, leaving out `exclude` and, with a mask, the rows it masks.
   */
  async search(set: EmbeddingSet, query: Float32Array, k: number, exclude?: number, mask?: Mask, raw = false): Promise<Neighbour[]> {
    const [found] = await this.searchBatch(set, [query], k + (exclude === undefined ? 0 : 1), mask, raw);
    return found!.filter((n) => n.itemId !== exclude).slice(0, k);
  }

  /**
   * The k best rows for each of several queries at once, best first (ties by item id); the
   * same rows and scores whichever path below serves them. Measured
   * at 1.26 M × 512 here: one query through the 8-bit copy takes about 40 ms against 80 ms by a
   * float32 MatMul (whose 2 GiB it reads); blocks of 256 queries by Gemm + TopK do about 130
   * queries/s.
   */
  async searchBatch(set: EmbeddingSet, queries: readonly Float32Array[], k: number, mask?: Mask, raw = false): Promise<Neighbour[][]> {
    const { dim } = set;
    for (const query of queries) if (query.length !== dim) throw new OocError('BAD_ARGUMENT', `a ${query.length}-d query cannot search ${dim}-d embeddings`);
    if (queries.length === 0) return [];
    return queries.length <= FEW_QUERIES ? this.scanQuantized(await this.quantized(set, raw), queries, k, mask) : this.topKBatch(await this.matrix(set, raw), queries, k, mask);
  }

  /**
   * A few queries through the 8-bit copy: per block, ONNX Runtime's MatMulInteger of the query
   * bytes against the block's codes, then one pass in JavaScript that turns each product into
   * bounds on the row's score, keeps the query's k best lower bounds (its floor) and every row
   * whose upper bound reaches the floor so far. Those rows, re-checked against the final floor,
   * are scored exactly on their float32 vectors.
   */
  private async scanQuantized(matrix: QuantizedMatrix, queries: readonly Float32Array[], k: number, mask: Mask | undefined): Promise<Neighbour[][]> {
    const session = await this.session('similarity-q8');
    const { dim } = matrix.set;
    const q = queries.length;
    const quantized = queries.map(quantizeQuery);
    const codes = new Uint8Array(q * dim);
    quantized.forEach((x, j) => codes.set(x.codes, j * dim));
    const tensor = new ort.Tensor('uint8', codes, [q, dim]);
    // Per query: its k best lower bounds, best first, and the rows that may still be among the k best, with their upper bounds.
    const lowest = queries.map(() => new Float64Array(k).fill(-Infinity));
    const contenders = queries.map(() => ({ rows: [] as number[], upper: [] as number[] }));
    let base = 0;
    for (const [b, block] of matrix.blocks.entries()) {
      const n = block.rows;
      const out = await session.run({ queries: tensor, matrix: new ort.Tensor('int8', block.codes, [dim, n]) });
      const products = out.products!.data as Int32Array;
      const { scale, error, norm, sum } = block;
      const bias = mask?.[b] ?? block.bias;
      for (let j = 0; j < q; j++) {
        const { scale: qscale, norm: qnorm, delta: qdelta } = quantized[j]!;
        const best = lowest[j]!;
        const kept = contenders[j]!;
        let floor = best[k - 1]!;
        for (let r = 0, at = j * n; r < n; r++, at++) {
          // The query's bytes are its codes + 128.
          const approx = (products[at]! - 128 * sum[r]!) * scale[r]! * qscale + bias[r]!;
          const err = qnorm * error[r]! + qdelta * norm[r]!;
          if (!(approx + err >= floor) || approx === -Infinity) continue;
          kept.rows.push(base + r);
          kept.upper.push(approx + err);
          const lower = approx - err;
          if (lower <= floor) continue;
          let p = k - 1;
          while (p > 0 && best[p - 1]! < lower) best[p] = best[--p]!;
          best[p] = lower;
          floor = best[k - 1]!;
        }
        // Rows kept before the floor rose and now below it are dropped as the list grows.
        if (kept.rows.length > 8 * k + 1024) prune(kept, floor);
      }
      base += n;
    }
    contenders.forEach((kept, j) => prune(kept, lowest[j]![k - 1]!));
    const vectors = readRows(matrix.set, new Set(contenders.flatMap((c) => c.rows)), matrix.raw);
    return queries.map((query, j) => {
      const scored = contenders[j]!.rows.map((r) => ({ itemId: matrix.ids[r]!, score: score(query, vectors.get(r)!) }));
      return scored.sort(byScore).slice(0, k);
    });
  }

  /** Many queries: per block of the float32 matrix, one Gemm against every query and ONNX Runtime's TopK along each query's row, merged over the blocks. */
  private async topKBatch(matrix: Matrix, queries: readonly Float32Array[], k: number, mask: Mask | undefined): Promise<Neighbour[][]> {
    const session = await this.session('similarity-topk');
    const { dim } = matrix.set;
    const q = queries.length;
    const stacked = new Float32Array(dim * q);
    queries.forEach((query, j) => stacked.set(query, j * dim));
    const tensor = new ort.Tensor('float32', stacked, [q, dim]);
    const found: Neighbour[][] = queries.map(() => []);
    let base = 0;
    for (const [b, block] of matrix.blocks.entries()) {
      const rows = block.length / dim;
      const kb = Math.min(k, rows);
      const out = await session.run({
        queries: tensor,
        matrix: new ort.Tensor('float32', block, [rows, dim]),
        bias: new ort.Tensor('float32', mask?.[b] ?? this.noBias(rows), [1, rows]),
        k: new ort.Tensor('int64', BigInt64Array.of(BigInt(kb)), [1]),
      });
      const scores = out.scores!.data as Float32Array;
      const index = out.rows!.data as BigInt64Array;
      // Masked rows come last, scored -Infinity, when the scope holds fewer than k.
      for (let j = 0; j < q; j++) {
        for (let i = j * kb; i < (j + 1) * kb && scores[i]! > -Infinity; i++) {
          const row = Number(index[i]);
          found[j]!.push({ itemId: matrix.ids[base + row]!, score: score(queries[j]!, block.subarray(row * dim, (row + 1) * dim)) });
        }
      }
      base += rows;
    }
    return found.map((f) => f.sort(byScore).slice(0, k));
  }

  /** A set's current approximate index, opened (memory-mapped) once and again when its files change; null when it has none current. */
  private ann(set: EmbeddingSet): AnnIndex | null {
    const modified = (file: string): number => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    const state = `${set.rows}:${modified(set.file)}:${modified(annFiles(set).meta)}`;
    let cached = this.annIndexes.get(set.setId);
    if (cached?.state !== state) this.annIndexes.set(set.setId, (cached = { state, index: AnnIndex.open(set) }));
    return cached.index;
  }

  /**
   * The k vectors most similar (cosine) to a unit `query`, best first, leaving out `exclude`:
   * through the set's approximate index when it has a current one, unless `exact` is asked for.
   */
  async nearest(set: EmbeddingSet, query: Float32Array, k: number, { exclude, exact = false }: { exclude?: number; exact?: boolean } = {}): Promise<NeighbourResult> {
    const index = exact ? null : this.ann(set);
    if (index === null) return { neighbours: await this.search(set, query, k, exclude), method: 'exact' };
    const wanted = k + (exclude === undefined ? 0 : 1);
    const ids = index
      .shortlist(query, Math.max(GRAPH_MIN, GRAPH_FACTOR * wanted))
      .slice(0, Math.max(RERANK_MIN, RERANK_FACTOR * wanted))
      .filter((id) => id !== exclude);
    const scored: Neighbour[] = [];
    for (const [itemId, vector] of readVectors(this.db, set, ids)) {
      if (!asStored(set, false)) normalizeRows(vector, set.dim);
      scored.push({ itemId, score: score(query, vector) });
    }
    return { neighbours: scored.sort(byScore).slice(0, k), method: 'approximate' };
  }

  /**
   * Neighbours of an item: its `from` vector (image or caption) against the `to` vectors of the
   * same model, e.g. caption → image finds the images that best match the caption. A search
   * within a scope is always exact.
   */
  async ofItem(model: string, itemId: number, from: EmbeddingKind, to: EmbeddingKind, k: number, scope: NeighbourScope = {}, { exact = false }: { exact?: boolean } = {}): Promise<NeighbourResult> {
    const source = requireSet(this.db, model, from);
    const target = requireSet(this.db, model, to);
    const query = readVector(this.db, source, itemId);
    if (query === undefined) throw new OocError('NOT_FOUND', `item ${itemId} has no ${from === 'image' ? 'image' : 'caption'} embedding from ${model}; run ooc embed first`);
    normalizeRows(query, query.length);
    const exclude = from === to ? itemId : undefined;
    if (!Object.values(scope).some((x) => x !== undefined)) return this.nearest(target, query, k, { ...(exclude === undefined ? {} : { exclude }), exact });
    return { neighbours: await this.search(target, query, k, exclude, await this.mask(target, scope)), method: 'exact' };
  }

  async release(): Promise<void> {
    for (const opened of this.sessions.values()) await (await opened.catch(() => undefined))?.release();
    this.sessions.clear();
    this.matrices.clear();
    this.quantizedMatrices.clear();
    this.masks.clear();
    this.zeros.clear();
    this.annIndexes.clear();
  }
}

export function requireSet(db: Db, name: string, kind: EmbeddingKind): EmbeddingSet {
  const set = getSet(db, name, kind);
  if (set === undefined || set.rows === 0) {
    throw new OocError('NOT_FOUND', `no ${kind === 'image' ? 'image' : 'caption'} embeddings from "${name}" in this database; run ooc embed (or import-embeddings) first`);
  }
  return set;
}

/** Whether a set's vectors are searched as stored: a model's are unit length already, and `raw` asks for dot products. */
function asStored(set: EmbeddingSet, raw: boolean): boolean {
  return raw || set.origin !== 'import';
}

/** A load shared by concurrent callers, kept while the set has as many rows, forgotten when it fails. */
function cachedLoad<T>(cache: Map<string, { rows: number; matrix: Promise<T> }>, set: EmbeddingSet, raw: boolean, load: () => Promise<T>): Promise<T> {
  const key = `${set.setId}${asStored(set, raw) ? ':stored' : ''}`;
  const cached = cache.get(key);
  if (cached && cached.rows === set.rows) return cached.matrix;
  const matrix = load();
  matrix.catch(() => cache.delete(key));
  cache.set(key, { rows: set.rows, matrix });
  return matrix;
}

/** Keeps the contenders whose upper bound reaches `floor`. */
function prune(kept: { rows: number[]; upper: number[] }, floor: number): void {
  let w = 0;
  for (let i = 0; i < kept.rows.length; i++) {
    if (kept.upper[i]! < floor) continue;
    kept.rows[w] = kept.rows[i]!;
    kept.upper[w++] = kept.upper[i]!;
  }
  kept.rows.length = w;
  kept.upper.length = w;
}

/**
 * A row's score as every path reports it: the dot product in double precision, rounded to
 * float32, so that the same query gives the same scores and order through either path.
 */
function score(query: Float32Array, row: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < query.length; d++) sum += query[d]! * row[d]!;
  return Math.fround(sum);
}

const byScore = (a: Neighbour, b: Neighbour): number => b.score - a.score || a.itemId - b.itemId;
