import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { evaluateRun } from '../../electron/node/evaluation/evaluate.ts';
import { readSplitData } from '../../electron/node/heads/data.ts';
import { listHeads, requireHead } from '../../electron/node/heads/store.ts';
import { trainHeadJob } from '../../electron/node/heads/train-job.ts';
import { trainHead } from '../../electron/node/heads/train.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { JobCenter } from '../../electron/node/jobs/job-center.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { readRun } from '../../electron/node/store/predictions.ts';
import { ensureSet, VectorWriter } from '../../electron/node/store/vectors.ts';
import { mulberry32, shuffle as shuffled } from '../../electron/node/random.ts';
import { plantedPairs } from '../fixtures/embeddings.ts';
import { runCli } from '../fixtures/cli.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';

const DIM = 32;
const SPLIT = 'semantics_clip_text_image';

/**
 * An index whose train, val and test files are planted pairs (ids from 1, then val's, then
 * test's), with the set "planted" holding every item's image and caption vector. `signal` is how
 * far a caption leans to its own image; `missing` items have no caption vector.
 */
async function plantedIndex(t: Parameters<typeof tempDir>[0], { signal, sizes = { train: 1500, val: 300, test: 300 }, missing = [] as number[] }: { signal: number; sizes?: Record<'train' | 'val' | 'test', number>; missing?: number[] }): Promise<{ db: Db; dbFile: string }> {
  const dir = tempDir(t);
  const items = [];
  const splits: Record<string, { annotations: Record<string, unknown>[] }> = {};
  const vectors: { image: Float32Array; text: Float32Array }[] = [];
  let next = 1;
  for (const [seed, subset] of (['train', 'val', 'test'] as const).entries()) {
    const planted = plantedPairs({ pairs: sizes[subset], dim: DIM, signal, seed: seed + 1 });
    const first = next;
    const annotations = [];
    for (let p = 0; p < sizes[subset]; p++) {
      const id = first + p;
      items.push(item(id, `caption ${id}`, id % 2 ? 'bbc' : 'guardian'));
      vectors[id] = { image: planted.images.slice(p * DIM, (p + 1) * DIM), text: planted.texts.slice(p * DIM, (p + 1) * DIM) };
      annotations.push(...pairRows(id, first + planted.rows.image[2 * p + 1]!));
    }
    splits[subset] = { annotations };
    next += sizes[subset];
  }
  const corpus = writeCorpus(path.join(dir, 'corpus'), items, { [SPLIT]: splits });
  const dbFile = path.join(dir, 'workbench.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  for (const kind of ['image', 'text'] as const) {
    const writer = new VectorWriter(db, ensureSet(db, 'planted', kind, DIM, 'import'));
    const ids = items.map((i) => i.id).filter((id) => kind === 'image' || !missing.includes(id));
    const matrix = new Float32Array(ids.length * DIM);
    ids.forEach((id, k) => matrix.set(vectors[id]![kind], k * DIM));
    writer.append(ids, matrix);
    writer.close();
  }
  return { db, dbFile };
}

test('a logistic-regression head on planted separable pairs passes 0.95 on test, and is saved as a model ONNX Runtime runs', async (t) => {
  const { db } = await plantedIndex(t, { signal: 0.6 });
  const head = await trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'logreg', name: 'clip-logreg', seed: 3 });
  assert.equal(head.rows.train.rows, 3000);
  assert.ok(head.valAccuracy > 0.95, `val accuracy ${head.valAccuracy}`);
  const evaluation = evaluateRun(db, 'clip-logreg', { resamples: 0 });
  assert.equal(evaluation.subset, 'test');
  assert.equal(evaluation.matched, 600);
  assert.ok(evaluation.all! > 0.95, `test accuracy ${evaluation.all}`);
  assert.ok(evaluation.auc! > 0.98);
  assert.equal(evaluation.threshold?.chosenOn, `${SPLIT}/val`);

  // The saved model, run by ONNX Runtime on one test pair, gives the run's probability for it.
  const data = readSplitData(db, 'planted', SPLIT);
  const session = await ort.InferenceSession.create(readFileSync(head.model));
  const dim = data.dim;
  const k = 5;
  const row = (m: Float32Array, r: number) => new ort.Tensor('float32', m.slice(r * dim, (r + 1) * dim), [1, dim]);
  const out = await session.run({ image_embeds: row(data.images, data.test.image[k]!), text_embeds: row(data.texts, data.test.text[k]!) });
  const stored = db.prepare('SELECT probability FROM predictions WHERE run_id = ? AND caption_id = ? AND image_id = ?').pluck().get(readRun(db, 'clip-logreg')!.id, data.test.captionId[k], data.test.imageId[k]) as number;
  assert.ok(Math.abs((out.falsified_probability!.data as Float32Array)[0]! - stored) < 1e-6);
  await session.release();

  // The same seed trains the same head.
  const again = await trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'logreg', name: 'clip-logreg-again', seed: 3 });
  assert.deepEqual(again.curve.map((e) => e.valLoss), head.curve.map((e) => e.valLoss));
});

test('an MLP head and the zero-shot cosine separate planted pairs; a text-only head cannot beat chance', async (t) => {
  const { db } = await plantedIndex(t, { signal: 0.6 });
  await trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'mlp', hidden: 16, name: 'mlp', seed: 1 });
  await trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'cosine', name: 'zero-shot' });
  // Every caption has a pristine and a falsified row: a head that sees only the caption gives both one probability.
  await trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'logreg', inputs: 'text', name: 'text-only', maxEpochs: 3 });
  const mlp = evaluateRun(db, 'mlp', { resamples: 0 });
  assert.ok(mlp.all! > 0.95, `mlp: ${mlp.all} ${JSON.stringify(requireHead(db, 'mlp').curve)}`);
  const cosine = evaluateRun(db, 'zero-shot', { resamples: 0 });
  assert.ok(cosine.all! > 0.95, `cosine: ${cosine.all}`);
  assert.ok(requireHead(db, 'zero-shot').threshold > 0 && requireHead(db, 'zero-shot').threshold < 0.5, 'p = (1 − cos)/2: the planted cut is at a positive cosine');
  assert.equal(evaluateRun(db, 'text-only', { resamples: 0 }).all, 0.5);
  assert.deepEqual(listHeads(db).map((h) => h.name).sort(), ['mlp', 'text-only', 'zero-shot']);
});

test('on shuffled labels a head learns nothing: about 0.5 on held-out pairs (labels shuffled too)', async () => {
  const dim = 64;
  const train = plantedPairs({ pairs: 4000, dim, signal: 0.6, seed: 1 });
  const val = plantedPairs({ pairs: 1000, dim, signal: 0.6, seed: 2 });
  const images = new Float32Array([...train.images, ...val.images]);
  const texts = new Float32Array([...train.texts, ...val.texts]);
  const random = mulberry32(7);
  const shuffle = (labels: Uint8Array) => Uint8Array.from(shuffled([...labels], random));
  const valRows = { image: val.rows.image.map((r) => r + 4000), text: val.rows.text.map((r) => r + 4000), label: val.rows.label };
  const shape = { kind: 'logreg', inputs: 'both', dim, hidden: 0 } as const;
  const honest = await trainHead({ dim, images, texts, train: train.rows, val: valRows }, { shape, seed: 1, maxEpochs: 5 });
  const noise = await trainHead({ dim, images, texts, train: { ...train.rows, label: shuffle(train.rows.label) }, val: { ...valRows, label: shuffle(valRows.label) } }, { shape, seed: 1, maxEpochs: 5 });
  const best = (h: typeof honest) => h.curve[h.bestEpoch - 1]!.valAccuracy;
  assert.ok(best(honest) > 0.95, `honest labels: ${best(honest)}`);
  assert.ok(Math.abs(best(noise) - 0.5) < 0.05, `shuffled labels: ${best(noise)}`);
});

test('rows without vectors are counted and left out; names, sets and splits that do not exist are refused clearly', async (t) => {
  const { db, dbFile } = await plantedIndex(t, { signal: 0.6, sizes: { train: 200, val: 50, test: 50 }, missing: [1, 2, 3] });
  const head = await trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'cosine', name: 'cos' });
  assert.deepEqual(head.rows.train, { rows: 394, withoutVectors: 6 });
  await assert.rejects(trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'cosine', name: 'cos' }), /a head or prediction run named "cos" exists/);
  await assert.rejects(trainHeadJob(db, { set: 'nope', split: SPLIT, kind: 'logreg', name: 'x' }), /embeddings "nope" have no image vectors \(sets with both: planted\)/);
  await assert.rejects(trainHeadJob(db, { set: 'planted', split: 'merged_balanced', kind: 'logreg', name: 'x' }), /no merged_balanced\/train.json was indexed/);
  await assert.rejects(trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'logreg', name: '../escape' }), /a head's name is its folder's/);
  await assert.rejects(trainHeadJob(db, { set: 'planted', split: SPLIT, kind: 'cosine', inputs: 'image', name: 'y' }), /needs both/);
  assert.equal(existsSync(path.join(path.dirname(dbFile), 'escape')), false);
  db.close();

  const cli = await runCli(['train-head', '--db', dbFile, '--set', 'planted', '--split', SPLIT, '--kind', 'logreg', '--name', 'cli-head', '--epochs', '2']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /Trained cli-head: logreg on image and caption, set planted/);
  assert.match(cli.stdout, /rows: train 394 \(\+6 without vectors\), val 100, test 100/);
  const list = await runCli(['train-head', 'list', '--db', dbFile, '--json']);
  assert.deepEqual((JSON.parse(list.stdout) as { name: string }[]).map((h) => h.name), ['cos', 'cli-head']);
  const bad = await runCli(['train-head', '--db', dbFile, '--set', 'planted', '--split', SPLIT, '--kind', 'svm', '--name', 'z']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--kind must be one of cosine, logreg, mlp, got "svm"/);
});

test('through the API: training runs as a job in a worker; the head is listed, scores a pair as its run did, and can be deleted', async (t) => {
  const { db, dbFile } = await plantedIndex(t, { signal: 0.6, sizes: { train: 400, val: 100, test: 100 } });
  const jobs = new JobCenter(dbFile);
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test', jobs });
  assert.deepEqual(await api['heads.list']({}), { heads: [], sets: ['planted'] });
  await assert.rejects(Promise.resolve().then(() => api['heads.train']({ set: 'planted', split: SPLIT, kind: 'logreg', name: 'a/b' })), /"name" must be letters, digits/);
  const started = await api['heads.train']({ set: 'planted', split: SPLIT, kind: 'logreg', name: 'api-head', seed: 2 });
  assert.equal(started.kind, 'train-head');
  assert.equal(started.title, `Train logreg head "api-head" on ${SPLIT}`);
  const done = await jobs.wait(started.id);
  assert.equal(done.state, 'done', JSON.stringify(done.error));
  assert.equal((done.summary as { name: string }).name, 'api-head');
  const { heads } = await api['heads.list']({});
  assert.deepEqual(heads.map((h) => [h.name, h.kind, h.inputs]), [['api-head', 'logreg', 'both']]);

  const [caption, image, probability] = db.prepare("SELECT caption_id, image_id, probability FROM predictions WHERE subset = 'test' LIMIT 1").raw().get() as [number, number, number];
  const score = await api['heads.score']({ head: 'api-head', imageId: image, captionId: caption });
  assert.ok(Math.abs(score.probability - probability) < 1e-6);
  assert.equal(score.falsified, probability >= heads[0]!.threshold);
  await assert.rejects(Promise.resolve().then(() => api['heads.score']({ head: 'api-head', imageId: 999_999, captionId: caption })), /embeddings "planted" have no vector for image 999999/);
  await assert.rejects(Promise.resolve().then(() => api['heads.score']({ head: 'nope', imageId: image, captionId: caption })), /no head named "nope" \(heads: api-head\)/);

  assert.deepEqual((await api['heads.delete']({ name: 'api-head' })).heads, []);
  assert.ok(readRun(db, 'api-head') !== null, 'the run it made stays');
});
