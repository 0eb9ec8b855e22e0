import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OocError } from '../../electron/common/errors.ts';
import { ClipModel } from '../../electron/node/inference/clip.ts';
import { runEmbedJob } from '../../electron/node/inference/embed-job.ts';
import { readModel } from '../../electron/node/inference/manifest.ts';
import { NeighbourSearch } from '../../electron/node/inference/neighbours.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { readStats } from '../../electron/node/store/stats.ts';
import { ensureSet, getSet, loadMatrix, VectorWriter } from '../../electron/node/store/vectors.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

const TINY = fileURLToPath(new URL('../../models/tiny-random-clip/', import.meta.url));

test('embed stores a vector per image and caption, counts missing and corrupt images, and resumes after a cancel', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const model = await readModel(TINY);

  // One run cancelled after its first batch, then resumed …
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const clip = new ClipModel(model, 'cpu');
  t.after(() => clip.release());
  const controller = new AbortController();
  await assert.rejects(
    runEmbedJob(db, clip, { what: 'images', batchSize: 8 }, { signal: controller.signal, onProgress: (p) => p.done >= 8 && controller.abort() }),
    (err: unknown) => err instanceof OocError && err.code === 'CANCELLED',
  );
  assert.equal(getSet(db, model.manifest.id, 'image')!.rows, 8);
  const resumed = await runEmbedJob(db, clip, { what: 'all', batchSize: 8 });
  const images = resumed.kinds.find((k) => k.kind === 'image')!;
  assert.equal(images.alreadyDone, 8);
  assert.deepEqual(images.skipped, { 'missing image': 1, 'corrupt image': 1 });
  assert.equal(images.embedded, 36 - 8 - 2);
  assert.equal(resumed.kinds.find((k) => k.kind === 'text')!.embedded, 36);
  assert.deepEqual(readStats(db).embeddings, { 'tiny-random-clip:image': 34, 'tiny-random-clip:text': 36 });

  // … holds the same vectors as one uninterrupted run on a copy of the index.
  const other = tempDir(t);
  const fresh = await writeImageCorpus(other);
  const db2 = openDatabase(fresh.dbFile);
  t.after(() => db2.close());
  await runEmbedJob(db2, clip, { what: 'images', batchSize: 32 });
  const byId = async (d: typeof db) => {
    const m = await loadMatrix(d, getSet(d, model.manifest.id, 'image')!);
    const out = new Map<number, number[]>();
    m.ids.forEach((id, row) => out.set(id, Array.from(m.blocks[0]!.subarray(row * 32, row * 32 + 32))));
    return out;
  };
  const a = await byId(db);
  const b = await byId(db2);
  assert.equal(a.size, b.size);
  for (const [id, v] of a) {
    const w = b.get(id)!;
    assert.ok(v.every((x, i) => Math.abs(x - w[i]!) < 1e-5), `item ${id}`);
  }

  // A second run has nothing to do and says why.
  const again = await runEmbedJob(db, clip, { what: 'images' });
  assert.deepEqual([again.kinds[0]!.embedded, again.kinds[0]!.alreadyDone, again.kinds[0]!.failedBefore], [0, 34, 2]);
});

test('embedding one split embeds only the items its pairs use', async (t) => {
  const corpus = await writeImageCorpus(tempDir(t));
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const clip = new ClipModel(await readModel(TINY), 'cpu');
  t.after(() => clip.release());
  const summary = await runEmbedJob(db, clip, { what: 'captions', split: 'semantics_clip_text_text', subset: 'val' });
  // Five pairs: captions 120–124 and their falsified images 100–104 (whose captions count for text–text).
  assert.equal(summary.kinds[0]!.embedded, 10);
});

test('neighbours equal a brute-force scan, best first, across blocks, without the item itself', async (t) => {
  const dir = tempDir(t);
  const db = openDatabase(path.join(dir, 'w.db'));
  t.after(() => db.close());
  const dim = 16;
  const rows = 5000;
  const set = ensureSet(db, 'random', 'image', dim, 'import');
  const writer = new VectorWriter(db, set);
  let seed = 7;
  const random = () => {
    const x = Math.sin(seed++) * 43758.5453;
    return x - Math.floor(x) - 0.5;
  };
  const vectors = Float32Array.from({ length: rows * dim }, random);
  const ids = Array.from({ length: rows }, (_, i) => 1000 + i * 3);
  writer.append(ids, vectors);
  writer.close();

  // Imported vectors are not unit length: neighbours rank them by cosine.
  const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const search = new NeighbourSearch(db, 1024);
  t.after(() => search.release());
  const query = vectors.slice(0, dim);
  const found = await search.search(getSet(db, 'random', 'image')!, query.map((x) => x / norm(query)), 10, ids[0]);
  const brute = ids
    .map((id, r) => {
      const v = vectors.subarray(r * dim, (r + 1) * dim);
      return { id, score: v.reduce((s, x, i) => s + x * query[i]!, 0) / (norm(v) * norm(query)) };
    })
    .filter((n) => n.id !== ids[0])
    .sort((x, y) => y.score - x.score)
    .slice(0, 10);
  assert.deepEqual(found.map((n) => n.itemId), brute.map((n) => n.id));
  for (const [i, n] of found.entries()) assert.ok(Math.abs(n.score - brute[i]!.score) < 1e-5);
  await assert.rejects(search.ofItem('random', 999999, 'image', 'image', 5), /has no image embedding/);
  assert.ok(readFileSync(getSet(db, 'random', 'image')!.file).length === rows * dim * 4);
});
