import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { CandidateList, Strategy } from '../../electron/common/candidates.ts';
import { createHandlers, dispatch } from '../../electron/node/api/handlers.ts';
import { candidatesFor, pickAdversarial } from '../../electron/node/candidates/candidates.ts';
import { exportPairs } from '../../electron/node/export/write.ts';
import { balance, generateSplit, mergeSplits } from '../../electron/node/candidates/generate.ts';
import { customSplitPairs, writeCustomSplit } from '../../electron/node/store/custom-splits.ts';
import { entityKey, itemEntities, metadataEntities, nerEntities, sharedEntities } from '../../electron/node/candidates/entities.ts';
import { NeighbourSearch } from '../../electron/node/inference/neighbours.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { ensureSet, VectorWriter, type EmbeddingKind } from '../../electron/node/store/vectors.ts';
import { runCli } from '../fixtures/cli.ts';
import { item, pairRows, tempDir, writeCorpus, writeJson } from '../fixtures/corpus.ts';

const DIM = 8;
const CAPTIONS: Record<number, string> = {
  1: 'Chancellor Angela Merkel speaks in Berlin',
  2: 'Angela Merkel visits a factory in Hamburg',
  3: 'Chancellor Merkel meets farmers in Bavaria',
  4: 'A storm hits the coast of Florida',
  5: 'Crowds gather in Berlin for a concert',
  6: 'Flooding in a small village',
  7: 'A quiet harbour at dawn',
  8: 'Boats moored in a calm bay',
  9: 'Snow covers a mountain pass',
};
const DATES: Record<number, string> = { 1: '2019-01-01T10:00:00Z', 2: '2019-03-02T08:00:00Z', 3: '2019-01-10T08:00:00Z', 4: '2018-01-01T00:00:00Z', 5: '2018-06-01T00:00:00Z', 6: '2017-05-01T00:00:00Z', 8: '2016-02-01T00:00:00Z' };

/** A vector whose cosine with e0 is `c` (the rest on axis `axis`), scaled by `norm`. */
function planted(c: number, axis: number, norm = 1): Float32Array {
  const v = new Float32Array(DIM);
  v[0] = c * norm;
  v[axis] = Math.sqrt(1 - c * c) * norm;
  return v;
}

/**
 * Nine items with known entities (the offline NER's) and dates (metadata timestamps), and planted
 * embeddings: CLIP (caption 1 is e0; each image at a chosen cosine from it), SBERT-WK (captions at
 * chosen cosines from caption 1) and Places365 (vectors of different lengths, so a dot product and
 * a cosine rank them differently).
 */
async function corpus(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const items = Object.entries(CAPTIONS).map(([id, caption]) => item(Number(id), caption));
  const layout = writeCorpus(path.join(dir, 'corpus'), items, {
    semantics_clip_text_image: { test: { annotations: pairRows(1, 4) } },
    person_sbert_text_text: { test: { annotations: pairRows(1, 2) } },
  });
  writeJson(path.join(layout.clippings, 'metadata', 'test.json'), Object.fromEntries(Object.entries(DATES).map(([id, timestamp]) => [id, { timestamp, topic: 'world' }])));
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await buildIndex(db, { visualnews: layout.origin, clippings: layout.clippings });
  const write = (name: string, kind: EmbeddingKind, vectors: Record<number, Float32Array>) => {
    const writer = new VectorWriter(db, ensureSet(db, name, kind, DIM, 'import'));
    const ids = Object.keys(vectors).map(Number);
    const matrix = new Float32Array(ids.length * DIM);
    ids.forEach((id, i) => matrix.set(vectors[id]!, i * DIM));
    writer.append(ids, matrix);
    writer.close();
  };
  // CTI_p = 0.5; images ranked 5 (0.9), 4 (0.7), 2 (0.6), 1 (0.5), 3 (0.4), then the rest.
  write('newsclippings-clip', 'text', { 1: planted(1, 1), 2: planted(0.2, 2), 3: planted(0.1, 3), 4: planted(0.3, 4), 5: planted(0.95, 5), 6: planted(0.92, 6), 7: planted(0, 7), 8: planted(0, 1), 9: planted(0, 2) });
  write('newsclippings-clip', 'image', { 1: planted(0.5, 1), 2: planted(0.6, 2), 3: planted(0.4, 3), 4: planted(0.7, 4), 5: planted(0.9, 5), 6: planted(0.1, 6), 7: planted(0.05, 7), 8: planted(0.02, 1), 9: planted(0.01, 2) });
  // Captions sharing a person with caption 1: 3 (0.3) before 2 (0.8), lowest first.
  write('newsclippings-sbert_wk', 'text', { 1: planted(1, 1), 2: planted(0.8, 2), 3: planted(0.3, 3), 5: planted(0.9, 4) });
  // Scene, from item 4's image (e0): by dot product 6 (2.0), 8 (0.9), 7 (0.8); by cosine it would be 6, 7, 8.
  // Person's Places365 check: 1 and 2 at 0.5 (pass), 1 and 3 at 0.95 (fail).
  const on = (entries: [number, number][], norm = 1): Float32Array => {
    const v = new Float32Array(DIM);
    for (const [axis, x] of entries) v[axis] = x * norm;
    return v;
  };
  const places = {
    4: on([[0, 1]]),
    6: on([[0, 1]], 2),
    7: on([[0, 0.8], [2, 0.6]]),
    8: on([[0, 0.6], [3, 0.8]], 1.5),
    9: on([[0, 0.1], [4, Math.sqrt(0.99)]]),
    1: on([[5, 1]]),
    2: on([[5, 0.5], [6, Math.sqrt(0.75)]]),
    3: on([[5, 0.95], [7, Math.sqrt(1 - 0.95 ** 2)]]),
  };
  write('newsclippings-places365', 'image', places);
  return { db, dbFile };
}

const close = (a: number | null, b: number): boolean => a !== null && Math.abs(a - b) < 1e-5;
const ranking = (list: CandidateList) => list.candidates.map((c) => c.imageId);

test('each strategy ranks as the paper says, every constraint gives its verdict and reason, and Algorithm 1 picks as a hand computation does', async (t) => {
  const { db } = await corpus(t);
  const search = new NeighbourSearch(db);
  t.after(() => search.release());

  const cti = await candidatesFor(db, search, { captionId: 1, strategy: 'clip_text_image', k: 5 });
  assert.ok(close(cti.ctiP, 0.5), `CTI_p ${cti.ctiP}`);
  assert.deepEqual(ranking(cti), [5, 4, 2, 1, 3]);
  assert.deepEqual(cti.inputs, { clip: 'newsclippings-clip' });
  assert.deepEqual(cti.entities, { from: 'ner', entities: [{ text: 'Angela Merkel', kind: 'PERSON' }, { text: 'Berlin', kind: 'PLACE' }] });
  const [five, four, two, own, three] = cti.candidates;
  assert.deepEqual(five!.constraints.no_shared_entities, { pass: false, reason: "shares entity 'Berlin'" });
  assert.deepEqual(five!.constraints.days_apart, { pass: true, reason: '214 days apart' });
  assert.deepEqual(four!.constraints, {
    different_item: { pass: true, reason: 'item 4' },
    days_apart: { pass: true, reason: '365 days apart' },
    no_shared_entities: { pass: true, reason: 'no shared entity (offline NER, an approximation of spaCy + REL)' },
  });
  assert.equal(two!.constraints.no_shared_entities!.pass, false);
  assert.deepEqual(own!.constraints.different_item, { pass: false, reason: "the caption's own image" });
  assert.deepEqual(three!.constraints.days_apart, { pass: false, reason: '9 days apart' });
  assert.ok(close(four!.ctiF, 0.7));
  // 5 fails (Berlin); 4 passes with CTI_f 0.7 ≥ CTI_p 0.5.
  assert.deepEqual(cti.candidates.filter((c) => c.picked).map((c) => c.imageId), [4]);
  assert.equal(cti.pick, 'at-or-above');
  assert.deepEqual(cti.datasetMatches, [{ split: 'semantics_clip_text_image', subset: 'test', imageId: 4, rank: 2 }, { split: 'person_sbert_text_text', subset: 'test', imageId: 2, rank: 3 }].sort((a, b) => a.split.localeCompare(b.split)));

  // Caption → captions: the images of the captions most like it (its own left out).
  const ctt = await candidatesFor(db, search, { captionId: 1, strategy: 'clip_text_text', k: 3 });
  assert.deepEqual(ranking(ctt), [5, 6, 4]);
  assert.ok(close(ctt.candidates[0]!.score, 0.95));

  // Person: captions sharing "Merkel", lowest SBERT-WK similarity first; 3 is 9 days away and its scene too alike.
  const person = await candidatesFor(db, search, { captionId: 1, strategy: 'person_sbert', k: 10 });
  assert.deepEqual(ranking(person), [3, 2]);
  assert.deepEqual(person.inputs, { clip: 'newsclippings-clip', sbert: 'newsclippings-sbert_wk', places: 'newsclippings-places365' });
  assert.deepEqual(person.candidates[0]!.constraints.shares_person, { pass: true, reason: "shares PERSON 'Angela Merkel'" });
  assert.deepEqual(person.candidates[0]!.constraints.places_below_0_9, { pass: false, reason: 'Places365 similarity 0.95' });
  assert.deepEqual(person.candidates[1]!.constraints.places_below_0_9, { pass: true, reason: 'Places365 similarity 0.50' });
  assert.deepEqual(person.candidates.filter((c) => c.picked).map((c) => c.imageId), [2]);
  assert.deepEqual(person.datasetMatches.find((m) => m.split === 'person_sbert_text_text')?.rank, 2);

  // Scene: from item 4's image, by the dot product of the vectors as stored; 6, 7 and 8 have no person.
  const scene = await candidatesFor(db, search, { captionId: 4, strategy: 'scene_resnet', k: 3 });
  assert.deepEqual(ranking(scene), [6, 8, 7]);
  assert.ok(close(scene.candidates[0]!.score, 2));
  assert.deepEqual(scene.candidates[0]!.constraints.no_person, { pass: true, reason: 'no PERSON in either caption' });
  assert.deepEqual(scene.candidates[2]!.constraints.days_apart, { pass: null, reason: 'no date for item 7' });
  const sceneOfPerson = await candidatesFor(db, search, { captionId: 1, strategy: 'scene_resnet' });
  assert.match(sceneOfPerson.missing!, /the caption names 'Angela Merkel': the Scene strategy takes only captions without PERSON entities/);
});

test('missing inputs are named, unknown captions refused, and the CLI prints and writes the JSON the issue specifies', async (t) => {
  const dir = tempDir(t);
  const layout = writeCorpus(path.join(dir, 'corpus'), [item(1, 'Chancellor Angela Merkel speaks in Berlin'), item(2, 'A quiet harbour')]);
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await buildIndex(db, { visualnews: layout.origin, clippings: layout.clippings });
  const search = new NeighbourSearch(db);
  t.after(() => search.release());
  for (const [strategy, missing] of [['clip_text_image', /no CLIP embeddings of both images and captions/], ['person_sbert', /no SBERT-WK caption embeddings/], ['scene_resnet', /no Places365 ResNet-50 image embeddings/]] as const) {
    const list = await candidatesFor(db, search, { captionId: 1, strategy });
    assert.match(list.missing!, missing);
    assert.deepEqual(list.candidates, []);
  }
  await assert.rejects(candidatesFor(db, search, { captionId: 99, strategy: 'clip_text_image' }), /no item 99 in the index/);
  await assert.rejects(candidatesFor(db, search, { text: '  ', strategy: 'clip_text_image' }), /give a caption: an item id, or its text/);
  await assert.rejects(candidatesFor(db, search, { captionId: 1, strategy: 'clip_text_image', model: 'nope' }), /no image and caption embeddings named "nope"/);

  const { db: planted, dbFile: full } = await corpus(t);
  // A typed caption: its entities by the NER; CLIP needs the model that made the set, which no installed model did here.
  const api = createHandlers({ db: planted, databaseFile: full, demo: false, version: 'test' });
  const typed = (await api['candidates.get']({ text: 'Angela Merkel visits Paris', k: 5, strategies: ['clip_text_image', 'person_sbert', 'scene_resnet'] })).lists;
  assert.deepEqual(typed.map((l) => [l.captionId, l.caption, l.ctiP, l.pristineImageId]), [[null, 'Angela Merkel visits Paris', null, null], [null, 'Angela Merkel visits Paris', null, null], [null, 'Angela Merkel visits Paris', null, null]]);
  assert.deepEqual(typed[0]!.entities.entities.map((e) => e.text), ['Angela Merkel', 'Paris']);
  assert.match(typed[0]!.missing!, /a typed caption is encoded by the model that made the "newsclippings-clip" embeddings, and it cannot be loaded/);
  assert.match(typed[1]!.missing!, /SBERT-WK vectors exist for the corpus's captions only/);
  assert.match(typed[2]!.missing!, /a typed caption has no image of its own/);
  await assert.rejects(Promise.resolve().then(() => api['candidates.get']({ captionId: 1, text: 'both' })), /its item id, or its text \(not both\)/);
  const out = await runCli(['candidates', '--caption-id', '1', '--strategy', 'clip_text_image', '-k', '5', '--db', full]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /CLIP Text-Image for caption 1/);
  assert.match(out.stdout, /Algorithm 1 picks image 4 \(CTI_f at or above CTI_p\)/);
  assert.match(out.stdout, /semantics_clip_text_image\/test chose image 4: rank 2/);
  assert.match(out.stdout, /✗ no_shared_entities \(shares entity 'Berlin'\)/);
  const json = await runCli(['candidates', '--caption-id', '1', '--strategy', 'clip_text_image', '-k', '5', '--json', '-', '--db', full]);
  const parsed = JSON.parse(json.stdout) as CandidateList;
  assert.deepEqual(Object.keys(parsed).filter((k) => ['captionId', 'pristineImageId', 'ctiP', 'strategy', 'candidates', 'datasetMatches'].includes(k)).length, 6);
  assert.deepEqual(Object.keys(parsed.candidates[0]!).sort(), ['caption', 'constraints', 'ctiF', 'imageId', 'picked', 'score', 'source']);
  const bad = await runCli(['candidates', '--caption-id', '1', '--strategy', 'nearest', '--db', full]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--strategy must be one of clip_text_image, clip_text_text, person_sbert, scene_resnet, got "nearest"/);
});

test("entities: NewsCLIPpings metadata read tolerantly (spaCy tuples, REL lists, {text, label} objects), the offline NER's, and what two captions share", () => {
  assert.deepEqual(metadataEntities({ spacy_ents: [['Angela Merkel', 'PERSON'], ['Monday', 'DATE'], ['Berlin', 'GPE']], rel: [[0, 13, 'Angela Merkel', 'Angela_Merkel', 0.9, 0.99, 'PER']] }), [
    { text: 'Angela Merkel', kind: 'PERSON' },
    { text: 'Berlin', kind: 'PLACE' },
  ]);
  assert.deepEqual(metadataEntities({ article: { entities: [{ text: 'UN', label: 'ORG' }, { text: '3', label: 'CARDINAL' }] }, persons: ['Ban Ki-moon'] }), [
    { text: 'UN', kind: 'ORG' },
    { text: 'Ban Ki-moon', kind: 'PERSON' },
  ]);
  assert.equal(metadataEntities({ timestamp: 1, topic: 'world' }), null, 'no entity field: the NER is used instead');
  assert.deepEqual(metadataEntities({ ner: [] }), [], 'an empty list: metadata says there are none');
  assert.deepEqual(nerEntities("President Barack Obama's speech in Chicago"), [{ text: 'Barack Obama', kind: 'PERSON' }, { text: 'Chicago', kind: 'PLACE' }]);
  assert.equal(entityKey(' “Merkel’s” '), 'merkel');
  const a = [{ text: 'Angela Merkel', kind: 'PERSON' as const }, { text: 'Berlin', kind: 'PLACE' as const }];
  assert.deepEqual(sharedEntities(a, [{ text: 'Merkel', kind: 'PERSON' }]), [a[0]]);
  assert.deepEqual(sharedEntities(a, [{ text: 'Markus Merkel', kind: 'PERSON' }]), [], 'two full names with one surname are two people');
  assert.deepEqual(sharedEntities(a, [{ text: 'berlin', kind: 'PLACE' }]), [a[1]]);
});

test("ooc entities computes every caption's entities ahead, metadata's where indexed, and a second run has nothing left to do", async (t) => {
  const dir = tempDir(t);
  const layout = writeCorpus(path.join(dir, 'corpus'), [item(1, 'Chancellor Angela Merkel speaks in Berlin'), item(2, 'A quiet harbour'), item(3, 'Boats in a bay')]);
  writeJson(path.join(layout.clippings, 'metadata', 'test.json'), { 3: { ner: [['Kiel', 'GPE']] } });
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  await buildIndex(db, { visualnews: layout.origin, clippings: layout.clippings });
  db.close();
  const first = await runCli(['entities', '--db', dbFile, '--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual({ ...(JSON.parse(first.stdout) as Record<string, unknown>), seconds: 0 }, { computed: 3, fromMetadata: 1, captions: 3, seconds: 0 });
  const second = await runCli(['entities', '--db', dbFile, '--json']);
  assert.equal((JSON.parse(second.stdout) as { computed: number }).computed, 0);
  const again = openDatabase(dbFile);
  t.after(() => again.close());
  assert.deepEqual(itemEntities(again, 3, 'Boats in a bay'), { from: 'metadata', entities: [{ text: 'Kiel', kind: 'PLACE' }] });
});

test('Algorithm 1 by hand: the best-ranked passing candidate at or above CTI_p, else the best below; an unknown date does not block', () => {
  const c = (imageId: number, ctiF: number, pass: boolean | null = true) => ({ imageId, score: 0, ctiF, constraints: { days_apart: { pass, reason: '' } }, picked: false, caption: null, source: null });
  let list = [c(1, 0.9, false), c(2, 0.2), c(3, 0.6, null), c(4, 0.7)];
  assert.equal(pickAdversarial(list, 0.5), 'at-or-above');
  assert.deepEqual(list.filter((x) => x.picked).map((x) => x.imageId), [3]);
  list = [c(1, 0.9, false), c(2, 0.2), c(3, 0.1)];
  assert.equal(pickAdversarial(list, 0.5), 'below');
  assert.deepEqual(list.filter((x) => x.picked).map((x) => x.imageId), [2]);
  assert.equal(pickAdversarial([c(1, 0.9, false)], 0.5), null);
  assert.equal(pickAdversarial([c(1, 0.9)], null), null);
});

test('a custom split: candidates accepted into it are browsed, searched and exported like a paper split file, kept through a new index, and deleted only when asked', async (t) => {
  const { db, dbFile } = await corpus(t);
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });
  const accept = (captionId: number, imageId: number, score: number, strategy: 'clip_text_image' | 'person_sbert' = 'clip_text_image') => api['custom.accept']({ name: 'swaps', subset: 'test', captionId, imageId, strategy, score, ctiP: 0.5 });

  await accept(1, 5, 0.9);
  await accept(4, 6, 0.3, 'person_sbert');
  // A second pick for caption 1 replaces the first in its place: a split file holds a caption once.
  const { split } = await accept(1, 4, 0.7);
  assert.deepEqual(split, { name: 'swaps', folder: 'custom_swaps', subsets: { test: 2 }, strategies: ['semantics_clip_text_image', 'person_sbert_text_text'], createdAt: split.createdAt });
  const overview = await api['overview.get']({});
  assert.deepEqual(overview.splits.at(-1), { folder: 'custom_swaps', name: 'Custom / swaps', retrieval: 'candidates accepted by the analyst (semantics_clip_text_image, person_sbert_text_text)' });
  assert.ok(overview.files.some((f) => f.split === 'custom_swaps' && f.subset === 'test' && f.pairs === 2));

  const page = await api['pairs.page']({ split: 'custom_swaps', subset: 'test', sort: 'file', limit: 10 });
  assert.deepEqual(page.items.map((p) => [p.captionId, p.pristine?.imageId, p.falsified?.imageId]), [[1, 1, 4], [4, 4, 6]]);
  assert.equal(page.total, 2);
  // The caption search finds the new pairs, and nothing of the pick replaced.
  const found = await api['pairs.page']({ split: 'custom_swaps', subset: 'test', sort: 'file', limit: 10, q: 'merkel' });
  assert.deepEqual(found.items.map((p) => p.falsified?.imageId), [4]);
  // Curated like any pair.
  await api['curation.apply']({ target: { split: 'custom_swaps', subset: 'test', captionIds: [1] }, change: { verdict: 'out-of-context' } });
  const facets = await api['pairs.facets']({ split: 'custom_swaps', subset: 'test' });
  assert.ok(facets.facets.verdict.some((v) => v.value === 'out-of-context' && v.count === 1), JSON.stringify(facets.facets.verdict));

  // Exported in NewsCLIPpings' format: the strategy's score on the falsified row, source_dataset naming the strategy.
  const out = path.join(path.dirname(dbFile), 'export');
  await exportPairs(db, { formats: ['newsclippings'], images: false, articles: false, overwrite: false, version: 'test', dir: out, selection: { query: { split: 'custom_swaps', subset: 'test' } } });
  const written = JSON.parse(readFileSync(path.join(out, 'news_clippings', 'data', 'custom_swaps', 'test.json'), 'utf8')) as { annotations: Record<string, unknown>[]; source_datasets: string[] };
  assert.deepEqual(written.source_datasets, ['semantics_clip_text_image', 'person_sbert_text_text']);
  assert.deepEqual(written.annotations, [
    { id: 1, image_id: 1, similarity_score: 0.5, source_dataset: 0, falsified: false },
    { id: 1, image_id: 4, similarity_score: 0.7, source_dataset: 0, falsified: true },
    { id: 4, image_id: 4, similarity_score: 0.5, source_dataset: 1, falsified: false },
    { id: 4, image_id: 6, similarity_score: 0.3, source_dataset: 1, falsified: true },
  ]);

  // A new index build replaces the index tables: the custom split is written again beside them, its curation kept.
  const root = path.dirname(dbFile);
  await buildIndex(db, { visualnews: path.join(root, 'corpus', 'visual_news', 'origin'), clippings: path.join(root, 'corpus', 'news_clippings'), force: true });
  const again = await api['pairs.page']({ split: 'custom_swaps', subset: 'test', sort: 'file', limit: 10 });
  assert.deepEqual(again.items.map((p) => [p.captionId, p.falsified?.imageId, p.verdict]), [[1, 4, 'out-of-context'], [4, 6, null]]);

  await assert.rejects(Promise.resolve().then(() => api['custom.accept']({ name: 'swaps', subset: 'test', captionId: 2, imageId: 2, strategy: 'clip_text_image', score: 1, ctiP: null })), /image 2 is the caption's own/);
  await assert.rejects(Promise.resolve().then(() => dispatchOrThrow(api, 'custom.accept', { name: '../x', captionId: 2, imageId: 3, strategy: 'clip_text_image', score: 1, ctiP: null })), /"name" must be 1 to 60 letters, digits, - or _/);
  await api['custom.remove']({ name: 'swaps', subset: 'test', captionId: 4 });
  assert.equal((await api['pairs.page']({ split: 'custom_swaps', subset: 'test', sort: 'file', limit: 10 })).total, 1);
  assert.deepEqual((await api['custom.delete']({ name: 'swaps' })).splits, []);
  assert.ok(!(await api['overview.get']({})).files.some((f) => f.split === 'custom_swaps'));
  assert.deepEqual((await api['pairs.page']({ split: 'semantics_clip_text_image', subset: 'test', sort: 'file', limit: 10, q: 'merkel' })).items.map((p) => p.captionId), [1], 'the paper split files are untouched');
});

async function dispatchOrThrow(api: ReturnType<typeof createHandlers>, method: string, input: unknown): Promise<unknown> {
  const result = await dispatch(api, method, input);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

test('the 50/50 filtering by hand: the larger case loses its samples with the largest CTI_p − CTI_f', () => {
  const p = (captionId: number, ctiP: number, ctiF: number) => ({ captionId, position: captionId, outcome: ctiF >= ctiP ? 'at-or-above' : 'below', imageId: 100 + captionId, score: 0, ctiP, ctiF });
  // Below: gaps 0.4 (1), 0.1 (2), 0.3 (3); at or above: one (4). Two of the below go: 1 and 3.
  const picks = [p(1, 0.5, 0.1), p(2, 0.5, 0.4), p(3, 0.5, 0.2), p(4, 0.3, 0.6), { ...p(5, 0.5, 0.5), outcome: 'no_candidate', imageId: null, ctiF: null }];
  const { kept, dropped } = balance(picks, 0);
  assert.deepEqual(kept.map((k) => k.captionId), [2, 4]);
  assert.equal(dropped, 2);
});

test('generate-split: Algorithm 1 over a split file matches the one-caption pick, is resumable, gives the same file for the same settings, and its export indexes back to the same pairs', async (t) => {
  const { db, dbFile } = await corpus(t);
  const search = new NeighbourSearch(db);
  t.after(() => search.release());
  // Captions 1..9 (every item), CLIP Text-Image, no balancing: caption 1 gets image 4, as candidatesFor picks it.
  const full = await generateSplit(db, search, { name: 'all-cti', strategy: 'clip_text_image', balance: false });
  assert.equal(full.captions, 9);
  const oneCaption = await candidatesFor(db, search, { captionId: 1, strategy: 'clip_text_image', k: 100 });
  const page = await createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' })['pairs.page']({ split: 'custom_all-cti', subset: 'test', sort: 'file', limit: 20 });
  assert.equal(page.items.find((p) => p.captionId === 1)?.falsified?.imageId, oneCaption.candidates.find((c) => c.picked)?.imageId);
  assert.equal(full.kept, full.picked.atOrAbove + full.picked.below);

  // Interrupted after its first block of two captions, then run again: the same picks as in one go.
  const controller = new AbortController();
  await assert.rejects(generateSplit(db, search, { name: 'resumed', strategy: 'clip_text_image', balance: false, blockSize: 2, signal: controller.signal, onProgress: (p) => p.phase === 'ranking' && controller.abort() }));
  const resumed = await generateSplit(db, search, { name: 'resumed', strategy: 'clip_text_image', balance: false, blockSize: 2 });
  assert.equal(resumed.ranked, 7, 'the two captions of the first block were not ranked again');
  const exported = async (name: string): Promise<string> => {
    const out = path.join(path.dirname(dbFile), `export-${name}`);
    await exportPairs(db, { formats: ['newsclippings'], images: false, articles: false, overwrite: false, version: 'test', dir: out, selection: { query: { split: `custom_${name}`, subset: 'test' } } });
    return readFileSync(path.join(out, 'news_clippings', 'data', `custom_${name}`, 'test.json'), 'utf8');
  };
  assert.equal((await exported('resumed')).replaceAll('custom_resumed', ''), (await exported('all-cti')).replaceAll('custom_all-cti', ''), 'an interrupted run ends as an uninterrupted one');

  // Balanced, twice with the same settings: byte-identical files, half of them from each case.
  await generateSplit(db, search, { name: 'bal-a', strategy: 'clip_text_image', seed: 7 });
  const b = await generateSplit(db, search, { name: 'bal-b', strategy: 'clip_text_image', seed: 7 });
  assert.equal(b.kept, 2 * Math.min(b.picked.atOrAbove, b.picked.below));
  const fileA = await exported('bal-a');
  assert.equal(fileA, await exported('bal-b'));

  // The export, indexed as a split file by the indexer every loader's data goes through, gives the same pairs.
  const dir = tempDir(t);
  const items = Object.entries(CAPTIONS).map(([id, caption]) => item(Number(id), caption));
  const layout = writeCorpus(path.join(dir, 'corpus'), items, { merged_balanced: { test: JSON.parse(fileA) as unknown } });
  const again = openDatabase(path.join(dir, 'again.db'));
  t.after(() => again.close());
  await buildIndex(again, { visualnews: layout.origin, clippings: layout.clippings });
  const pairsOf = async (d: typeof db, split: string) => (await createHandlers({ db: d, databaseFile: '', demo: false, version: 'test' })['pairs.page']({ split, subset: 'test', sort: 'file', limit: 50 })).items.map((p) => [p.captionId, p.falsified?.imageId]);
  assert.deepEqual(await pairsOf(again, 'merged_balanced'), await pairsOf(db, 'custom_bal-a'));

  // Names are checked; an existing custom split is never overwritten.
  await assert.rejects(generateSplit(db, search, { name: 'bal-a', strategy: 'clip_text_image' }), /a custom split named "bal-a" exists/);
  await assert.rejects(generateSplit(db, search, { name: 'x', strategy: 'clip_text_image', from: 'merged_balanced' }), /--from is <split>\/<subset>/);
  const cli = await runCli(['generate-split', '--name', 'from-cli', '--strategy', 'person_sbert', '--from', 'person_sbert_text_text/test', '--no-balance', '--db', dbFile]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /custom_from-cli\/test: 1 pairs \(Person \/ SBERT-WK Text-Text, CLIP embeddings newsclippings-clip\) from 1 captions/);
});

test('merge-splits: equal parts of each source, captions and images disjoint across them, the same seed the same split', async (t) => {
  const { db, dbFile } = await corpus(t);
  const pair = (captionId: number, imageId: number, strategy: Strategy) => ({ captionId, imageId, strategy, score: 0.5, ctiP: 0.3 });
  writeCustomSplit(db, 'a', 'test', [pair(1, 4, 'clip_text_image'), pair(2, 5, 'clip_text_image'), pair(3, 6, 'clip_text_image'), pair(7, 8, 'clip_text_image')]);
  writeCustomSplit(db, 'b', 'test', [pair(1, 7, 'person_sbert'), pair(8, 9, 'person_sbert'), pair(6, 2, 'person_sbert'), pair(9, 3, 'person_sbert')]);
  const merged = mergeSplits(db, 'ab', ['a', 'b'], 'test', 3);
  const pairs = customSplitPairs(db, 'ab', 'test');
  assert.equal(pairs.length, 2 * merged.perSource);
  assert.ok(merged.perSource >= 1);
  assert.equal(pairs.filter((p) => p.strategy === 'clip_text_image').length, pairs.filter((p) => p.strategy === 'person_sbert').length);
  const seen = pairs.flatMap((p) => [p.captionId, p.imageId]);
  assert.equal(new Set(seen).size, seen.length, `captions and images disjoint: ${JSON.stringify(pairs)}`);
  mergeSplits(db, 'ab-again', ['a', 'b'], 'test', 3);
  assert.deepEqual(customSplitPairs(db, 'ab-again', 'test'), pairs);

  writeCustomSplit(db, 'c', 'test', [pair(1, 4, 'clip_text_image')]);
  writeCustomSplit(db, 'd', 'test', [pair(1, 5, 'scene_resnet')]);
  assert.throws(() => mergeSplits(db, 'cd', ['c', 'd'], 'test'), /no disjoint pairs are left/);
  const cli = await runCli(['merge-splits', '--name', 'ab-cli', '--from', 'custom_a,b', '--seed', '3', '--db', dbFile]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, new RegExp(`custom_ab-cli/test: ${merged.perSource} pairs from each of 2 splits`));
});

test('Person ranks every caption that names the person, however many: the lowest SBERT-WK similarity is found past the first 500 matches, and a namesake is not a shared person', async (t) => {
  const dir = tempDir(t);
  const count = 700;
  const captions = new Map<number, string>([[1, 'Angela Merkel speaks in Berlin']]);
  for (let id = 2; id <= count; id++) captions.set(id, `Angela Merkel meets delegation ${id}`);
  captions.set(650, 'Markus Merkel opens a bakery');
  const layout = writeCorpus(path.join(dir, 'corpus'), [...captions].map(([id, caption]) => item(id, caption)));
  const db = openDatabase(path.join(dir, 'w.db'));
  t.after(() => db.close());
  await buildIndex(db, { visualnews: layout.origin, clippings: layout.clippings });
  // Similarity to caption 1 falls with the id; the namesake (650) is the least similar of all.
  const writer = new VectorWriter(db, ensureSet(db, 'newsclippings-sbert_wk', 'text', DIM, 'import'));
  const ids = [...captions.keys()];
  const matrix = new Float32Array(ids.length * DIM);
  ids.forEach((id, i) => matrix.set(id === 1 ? planted(1, 1) : planted(id === 650 ? -0.5 : 0.9 - id / 1000, 2), i * DIM));
  writer.append(ids, matrix);
  writer.close();
  const search = new NeighbourSearch(db);
  t.after(() => search.release());
  const person = await candidatesFor(db, search, { captionId: 1, strategy: 'person_sbert', k: 3 });
  assert.equal(person.missing, null);
  assert.deepEqual(ranking(person), [700, 699, 698]);
  assert.ok(close(person.candidates[0]!.score, 0.2));
});
