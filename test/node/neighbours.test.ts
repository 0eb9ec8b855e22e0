import assert from 'node:assert/strict';
import { existsSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { NeighbourSearch } from '../../electron/node/inference/neighbours.ts';
import { quantizeBlock } from '../../electron/node/inference/quantized.ts';
import { mulberry32 } from '../../electron/node/random.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { deleteSet, ensureSet, getSet, quantizedFile, VectorWriter, type EmbeddingSet } from '../../electron/node/store/vectors.ts';
import { tempDir } from '../fixtures/corpus.ts';

const DIM = 24;

function store(db: Db, name: string, ids: number[], vectors: Float32Array): EmbeddingSet {
  const writer = new VectorWriter(db, ensureSet(db, name, 'image', DIM, 'import'));
  writer.append(ids, vectors);
  writer.close();
  return getSet(db, name, 'image')!;
}

/** Every row's score by brute force in double precision, best first: cosine, or the dot product when raw. */
function brute(ids: number[], vectors: Float32Array, query: Float32Array, raw = false, keep: (id: number) => boolean = () => true): Array<{ id: number; score: number }> {
  const length = (v: ArrayLike<number>) => (raw ? 1 : Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0)));
  return ids
    .map((id, r) => {
      const v = vectors.subarray(r * DIM, (r + 1) * DIM);
      return { id, score: v.reduce((s, x, i) => s + x * query[i]!, 0) / (length(v) * length(query)) };
    })
    .filter((n) => Number.isFinite(n.score) && keep(n.id))
    .sort((a, b) => b.score - a.score || a.id - b.id);
}

/**
 * `found` is the exact top k: as many rows, no row twice, and the i-th scores what brute force's
 * i-th does (to float32 rounding, the only way two rows may swap places).
 */
function assertTopK(found: Array<{ itemId: number; score: number }>, truth: Array<{ id: number; score: number }>, k: number, what: string): void {
  const scoreOf = new Map(truth.map((n) => [n.id, n.score]));
  assert.equal(found.length, Math.min(k, truth.length), what);
  assert.equal(new Set(found.map((n) => n.itemId)).size, found.length, what);
  found.forEach((n, i) => {
    const tolerance = 1e-6 * Math.max(1, Math.abs(truth[i]!.score));
    assert.ok(Math.abs(scoreOf.get(n.itemId)! - truth[i]!.score) <= tolerance, `${what}: rank ${i} is ${n.itemId} (${scoreOf.get(n.itemId)}), brute force has ${truth[i]!.id} (${truth[i]!.score})`);
    assert.ok(Math.abs(n.score - truth[i]!.score) <= tolerance, `${what}: score at rank ${i}`);
  });
}

/** Cosine searches take unit-length queries. */
const unit = (v: Float32Array): Float32Array => v.map((x) => x / Math.sqrt(v.reduce((s, y) => s + y * y, 0)));

/**
 * Rows crowded around a few centres (scores a few 1e-4 apart, below what 8 bits tell apart),
 * so the 8-bit bounds overlap for hundreds of rows and the exact re-rank decides.
 */
function crowded(rows: number, seed: number, magnitude = 1): Float32Array {
  const random = mulberry32(seed);
  const centres = Array.from({ length: 3 }, () => Float32Array.from({ length: DIM }, () => random() - 0.5));
  const v = new Float32Array(rows * DIM);
  for (let r = 0; r < rows; r++) for (let d = 0; d < DIM; d++) v[r * DIM + d] = magnitude * (centres[r % 3]![d]! + (random() - 0.5) * 2e-3 * (r % 5));
  return v;
}

test('search through the 8-bit copy returns exactly what brute force does: crowded rows, cosine and raw dot products, few queries and batches, several blocks', async (t) => {
  const db = openDatabase(path.join(tempDir(t), 'w.db'));
  t.after(() => db.close());
  const rows = 3000;
  const ids = Array.from({ length: rows }, (_, i) => 10 + i * 2);
  const vectors = crowded(rows, 1);
  const set = store(db, 'crowded', ids, vectors);
  // Blocks of 700 rows: five blocks, the last one short.
  const search = new NeighbourSearch(db, 700);
  t.after(() => search.release());
  const queries = Array.from({ length: 12 }, (_, i) => unit(vectors.slice(i * 97 * DIM, (i * 97 + 1) * DIM)));
  for (const k of [1, 10, 200]) {
    for (const batch of [queries.slice(0, 1), queries.slice(0, 3), queries]) {
      const found = await search.searchBatch(set, batch, k);
      found.forEach((f, j) => assertTopK(f, brute(ids, vectors, batch[j]!), k, `k=${k}, ${batch.length} queries, query ${j}`));
    }
  }
  // Scores are the cosines.
  const [best] = await search.searchBatch(set, [queries[1]!], 1);
  assert.ok(Math.abs(best![0]!.score - 1) < 1e-6);

  // Raw dot products on large values (Places365-like features), through both paths.
  const places = crowded(rows, 2, 40);
  const raw = store(db, 'places', ids, places);
  for (const batch of [queries.slice(0, 2), queries]) {
    const found = await search.searchBatch(raw, batch, 25, undefined, true);
    found.forEach((f, j) => assertTopK(f, brute(ids, places, batch[j]!, true), 25, `raw, ${batch.length} queries, query ${j}`));
  }
});

test('search skips rows with NaN values, stays exact within a scope smaller than k, and keeps its 8-bit copy beside the set until the set changes', async (t) => {
  const dir = tempDir(t);
  const db = openDatabase(path.join(dir, 'w.db'));
  t.after(() => db.close());
  const rows = 1500;
  const ids = Array.from({ length: rows }, (_, i) => 1 + i);
  const vectors = crowded(rows, 3);
  vectors[5 * DIM + 3] = Number.NaN;
  vectors[6 * DIM] = Number.POSITIVE_INFINITY;
  const set = store(db, 'odd', ids, vectors);
  const query = unit(vectors.slice(0, DIM));
  const search = new NeighbourSearch(db, 512);
  const found = await search.search(set, query, 40);
  assertTopK(found, brute(ids, vectors, query), 40, 'NaN rows');
  assert.ok(!found.some((n) => n.itemId === 6 || n.itemId === 7));

  // Only 4 rows in scope: every one of them, nothing else.
  const scope = new Set([3, 300, 900, 1400]);
  const mask = (await search.quantized(set)).blocks.map((block, b) => Float32Array.from({ length: block.rows }, (_, i) => (scope.has(ids[b * 512 + i]!) ? 0 : -Infinity)));
  const scoped = await search.search(set, query, 10, undefined, mask);
  assertTopK(scoped, brute(ids, vectors, query, false, (id) => scope.has(id)), 10, 'scope');
  assert.equal(scoped.length, 4);
  await search.release();

  // The copy was cached; a new search (a new start) reads it and finds the same.
  const file = quantizedFile(set, false);
  assert.ok(existsSync(file));
  const modified = statSync(file).mtimeMs;
  const again = new NeighbourSearch(db, 512);
  assert.deepEqual(await again.search(set, query, 40), found);
  assert.equal(statSync(file).mtimeMs, modified);
  await again.release();

  // A torn or foreign cache is made again, never trusted.
  for (const damage of [() => truncateSync(file, 100), () => writeFileSync(file, 'not a cache')]) {
    damage();
    const fresh = new NeighbourSearch(db, 512);
    assert.deepEqual(await fresh.search(set, query, 40), found);
    await fresh.release();
    assert.ok(statSync(file).size > 1000);
  }

  // The set grows: the copy is made again and the new rows are found.
  const more = crowded(10, 3);
  const grown = store(db, 'odd', [5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009], more);
  const all = new Float32Array([...vectors, ...more]);
  const allIds = [...ids, 5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009];
  const later = new NeighbourSearch(db, 512);
  t.after(() => later.release());
  assertTopK(await later.search(grown, query, 40), brute(allIds, all, query), 40, 'grown');

  deleteSet(db, grown);
  assert.ok(!existsSync(file));
  assert.ok(!existsSync(grown.file));
});

test('an 8-bit block bounds every score: the true dot product lies within the stated error of the rounded one', () => {
  const random = mulberry32(9);
  const rows = 200;
  const values = Float32Array.from({ length: rows * DIM }, () => (random() - 0.5) * (random() < 0.1 ? 50 : 1));
  const block = quantizeBlock(values, DIM, false);
  for (let r = 0; r < rows; r++) {
    const v = values.subarray(r * DIM, (r + 1) * DIM);
    const length = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    let error = 0;
    for (let d = 0; d < DIM; d++) error += (v[d]! / length - block.codes[d * rows + r]! * block.scale[r]!) ** 2;
    assert.ok(Math.sqrt(error) <= block.error[r]!, `row ${r}`);
    assert.ok(Math.max(...Array.from({ length: DIM }, (_, d) => Math.abs(block.codes[d * rows + r]!))) === 127);
  }
});
