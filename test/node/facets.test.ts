import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { FACETS, type PairQuery } from '../../electron/common/pairs.ts';
import { FacetIndex } from '../../electron/node/facets.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { applyCuration, createCollection } from '../../electron/node/store/curation.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { pairsPage } from '../../electron/node/store/pairs.ts';
import { item, tempDir, writeCorpus } from '../fixtures/corpus.ts';

const SOURCES = ['bbc', 'guardian', 'usa_today'];
const TOPICS = ['world', 'sport', 'arts', 'science'];
const FILE = { split: 'merged_balanced', subset: 'val' };

/** 30 pairs with mixed sources, topics, sub-splits and scores; some lack a pristine or a falsified row, one a score. */
async function indexed(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const items = Array.from({ length: 60 }, (_, i) => item(i + 1, `caption ${i} ${i % 3 ? 'flood' : 'election'} report`, SOURCES[i % 3], TOPICS[i % 4]));
  const annotations = Array.from({ length: 30 }, (_, k) => {
    const id = k + 1;
    const rows = [];
    if (k % 7 !== 3) rows.push({ id, image_id: id, similarity_score: 0.5 + (k % 5) / 10, falsified: false, source_dataset: k % 2 });
    if (k % 11 !== 5) rows.push({ id, image_id: id + 30, similarity_score: k === 8 ? null : (k % 6) / 10, falsified: true, source_dataset: k % 2 });
    return rows;
  }).flat();
  const corpus = writeCorpus(dir, items, { merged_balanced: { val: { annotations, source_datasets: ['scene_resnet_place', 'person_sbert_text_text'] } } });
  const db = openDatabase(path.join(dir, 'index.db'));
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  const key = (captionId: number) => ({ ...FILE, captionId });
  applyCuration(db, [1, 2, 3, 4].map(key), { verdict: 'out-of-context' });
  applyCuration(db, [5, 6].map(key), { verdict: 'consistent' });
  applyCuration(db, [2, 5, 9, 12].map(key), { addTags: ['check'] });
  applyCuration(db, [5, 13].map(key), { addTags: ['blurry'] });
  createCollection(db, 'shortlist');
  applyCuration(db, [1, 5, 13, 20].map(key), { addToCollection: 'shortlist' });
  applyCuration(db, [13].map(key), { note: 'Same photo as in 2019' });
  return db;
}

/** The filter value as the query takes it (a sub-split is its index). */
const valueOf = (facet: string, value: string): unknown => (facet === 'sourceDataset' ? Number(value) : value);

test("each facet value's count is what the pair list counts with that value chosen, the other filters kept", async (t) => {
  const db = await indexed(t);
  const index = new FacetIndex(db);
  const queries: PairQuery[] = [
    FILE,
    { ...FILE, source: 'bbc' },
    { ...FILE, topic: 'sport', label: 'pristine' },
    { ...FILE, q: 'flood', sourceDataset: 1 },
    { ...FILE, minScore: 0.2, maxScore: 0.4 },
    { ...FILE, label: 'pristine', minScore: 0.65 },
    { ...FILE, verdict: 'none', tag: 'check' },
    { ...FILE, verdict: 'out-of-context', collection: 'shortlist' },
    { ...FILE, note: '2019', source: 'guardian' },
    { ...FILE, tag: 'blurry', q: 'elect' },
  ];
  for (const query of queries) {
    const result = index.facets(query);
    assert.equal(result.total, pairsPage(db, query).total, `total under ${JSON.stringify(query)}`);
    for (const facet of FACETS) {
      for (const { value, count } of result.facets[facet]) {
        const chosen = { ...query, [facet]: valueOf(facet, value) };
        assert.equal(count, pairsPage(db, chosen).total, `${facet} = ${value} under ${JSON.stringify(query)}`);
      }
    }
    // A value not listed matches nothing.
    for (const source of SOURCES.filter((s) => !result.facets.source.some((f) => f.value === s))) {
      assert.equal(pairsPage(db, { ...query, source }).total, 0, `unlisted source ${source} under ${JSON.stringify(query)}`);
    }
  }
});

test('the histogram counts, per label, the scores of the pairs passing every filter but the score range', async (t) => {
  const db = await indexed(t);
  const index = new FacetIndex(db);
  const query: PairQuery = { ...FILE, source: 'guardian', minScore: 0.3, label: 'pristine' };
  const { histogram } = index.facets(query);
  assert.ok(histogram);
  assert.equal(histogram.score, 'file similarity');
  assert.equal(histogram.min, 0);
  assert.equal(histogram.max, 0.9);
  const sum = (name: string) => histogram.series.find((s) => s.name === name)!.counts.reduce((a, b) => a + b, 0);
  const withScore = (label: 'pristine' | 'falsified') => pairsPage(db, { ...FILE, source: 'guardian', label, maxScore: 10 }).total;
  assert.equal(sum('pristine'), withScore('pristine'));
  assert.equal(sum('falsified'), withScore('falsified'));
  // The top score lands in the last bin, not past it.
  assert.ok(histogram.series.every((s) => s.counts.length === 40));
});

test("counts follow the analyst's edits at once, and a re-index", async (t) => {
  const db = await indexed(t);
  const index = new FacetIndex(db);
  const verdicts = () => Object.fromEntries(index.facets(FILE).facets.verdict.map((v) => [v.value, v.count]));
  assert.equal(verdicts()['out-of-context'], 4);
  applyCuration(db, [{ ...FILE, captionId: 30 }], { verdict: 'out-of-context' });
  assert.equal(verdicts()['out-of-context'], 5);
  assert.equal(verdicts().none, 30 - 5 - 2);
  assert.throws(() => index.facets({ split: 'merged_balanced', subset: 'train' }), { code: 'NOT_FOUND' });
});
