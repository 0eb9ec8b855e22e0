import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { OocError } from '../../electron/common/errors.ts';
import { annStatus, buildAnnIndex } from '../../electron/node/inference/ann.ts';
import { NeighbourSearch } from '../../electron/node/inference/neighbours.ts';
import { quantizeBlock } from '../../electron/node/inference/quantized.ts';
import { mulberry32 } from '../../electron/node/random.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { annFiles, deleteSet, ensureSet, getSet, quantizedFile, VectorWriter, type EmbeddingSet } from '../../electron/node/store/vectors.ts';
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
    // 7-bit codes: a u8 query byte times two of them cannot overflow 16 bits (ONNX Runtime on AVX2 without VNNI).
    assert.equal(Math.max(...Array.from({ length: DIM }, (_, d) => Math.abs(block.codes[d * rows + r]!))), 63);
  }
});

/** Rows around 40 topics (as embeddings cluster), the topic of row r being r % 40. */
function topical(rows: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const topics = Array.from({ length: 40 }, () => Float32Array.from({ length: DIM }, gauss));
  const v = new Float32Array(rows * DIM);
  for (let r = 0; r < rows; r++) for (let d = 0; d < DIM; d++) v[r * DIM + d] = topics[r % 40]![d]! + 0.6 * gauss();
  return v;
}

test('the approximate index: built as a job that cancels and continues, its shortlist scored exactly gives exact search\'s neighbours, stale or damaged it is not used', async (t) => {
  const dir = tempDir(t);
  const db = openDatabase(path.join(dir, 'w.db'));
  t.after(() => db.close());
  const rows = 4000;
  const ids = Array.from({ length: rows }, (_, i) => 1 + i);
  const vectors = topical(rows, 7);
  vectors[9 * DIM] = Number.POSITIVE_INFINITY;
  let set = store(db, 'topical', ids, vectors);
  const search = new NeighbourSearch(db, 1000);
  t.after(() => search.release());
  const queries = Array.from({ length: 20 }, (_, i) => unit(vectors.slice((i * 131 + 1) * DIM, (i * 131 + 2) * DIM)));
  assert.equal(annStatus(set).state, 'none');
  assert.equal((await search.nearest(set, queries[0]!, 10)).method, 'exact');

  // Cancelled after the first chunk: the build is saved, and the next run continues from there.
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    buildAnnIndex(db, set, { chunkRows: 1500, signal: controller.signal, onProgress: (p) => (seen.push(p.done), p.done >= 1500 && controller.abort()) }),
    (err: OocError) => err.code === 'CANCELLED' && /at 1500 of 4000 rows/.test(err.message),
  );
  assert.deepEqual({ ...annStatus(set), builtAt: null, seconds: 0 }, { state: 'partial', rows: 1500, setRows: 4000, builtAt: null, seconds: 0 });
  assert.equal((await search.nearest(set, queries[0]!, 10)).method, 'exact', 'a partial index is not searched');
  const built = await buildAnnIndex(db, set, { chunkRows: 1500 });
  assert.deepEqual({ rows: built.rows, added: built.added, skipped: built.skipped, resumedAt: built.resumedAt }, { rows: 4000, added: 2500, skipped: 0, resumedAt: 1500 });
  assert.equal(annStatus(set).state, 'current');
  assert.ok(!existsSync(annFiles(set).partialIndex), 'the partial build is removed once whole');
  assert.equal((await buildAnnIndex(db, set)).added, 0, 'a current index is left as it is');

  // Approximate results are exact search's (recall@k over 20 queries), with the same exact scores.
  for (const k of [10, 50]) {
    let hits = 0;
    for (const [j, query] of queries.entries()) {
      const approximate = await search.nearest(set, query, k);
      const exact = await search.nearest(set, query, k, { exact: true });
      assert.equal(approximate.method, 'approximate');
      assert.equal(exact.method, 'exact');
      assertTopK(exact.neighbours, brute(ids, vectors, query), k, `exact, query ${j}`);
      const exactScore = new Map(brute(ids, vectors, query).map((n) => [n.id, n.score]));
      for (const n of approximate.neighbours) assert.ok(Math.abs(n.score - exactScore.get(n.itemId)!) <= 1e-6, 'approximate scores are exact');
      const truth = new Set(exact.neighbours.map((n) => n.itemId));
      hits += approximate.neighbours.filter((n) => truth.has(n.itemId)).length;
      assert.ok(!approximate.neighbours.some((n) => n.itemId === 10), 'the row with an infinite value is not indexed');
    }
    assert.ok(hits / (k * queries.length) >= 0.99, `recall@${k} ${hits / (k * queries.length)}`);
  }
  // An item is not its own neighbour; a scope is searched exactly.
  const own = await search.ofItem('topical', 2, 'image', 'image', 5);
  assert.equal(own.method, 'approximate');
  assert.ok(!own.neighbours.some((n) => n.itemId === 2));
  assert.equal((await search.ofItem('topical', 2, 'image', 'image', 5, {}, { exact: true })).method, 'exact');

  // A damaged graph is not used (and not a crash): searches are exact.
  const graph = readFileSync(annFiles(set).index);
  writeFileSync(annFiles(set).index, graph.subarray(0, graph.length >> 1));
  const fresh = new NeighbourSearch(db, 1000);
  t.after(() => fresh.release());
  assert.equal((await fresh.nearest(set, queries[0]!, 10)).method, 'exact');
  writeFileSync(annFiles(set).index, graph);

  // The set grows: the index is stale and searches are exact until it is built again.
  const more = topical(200, 8);
  const writer = new VectorWriter(db, set);
  writer.append(Array.from({ length: 200 }, (_, i) => 5000 + i), more);
  writer.close();
  set = getSet(db, 'topical', 'image')!;
  assert.equal(annStatus(set).state, 'stale');
  assert.equal((await search.nearest(set, queries[0]!, 10)).method, 'exact');
  // A saved partial build that cannot be read is dropped and the build starts over.
  const stop = new AbortController();
  await assert.rejects(buildAnnIndex(db, set, { chunkRows: 1500, signal: stop.signal, onProgress: (p) => p.done > 0 && stop.abort() }), /cancelled at 1500/);
  writeFileSync(annFiles(set).partialIndex, 'not a graph');
  assert.equal((await buildAnnIndex(db, set)).resumedAt, null);
  assert.equal((await search.nearest(set, queries[0]!, 10)).method, 'approximate');

  deleteSet(db, set);
  for (const file of Object.values(annFiles(set))) assert.ok(!existsSync(file), `${file} removed with the set`);
});
