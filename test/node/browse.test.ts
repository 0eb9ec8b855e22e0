import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { pairsPage, pairsUsingItem } from '../../electron/node/store/pairs.ts';
import { searchCaptions, toFtsQuery } from '../../electron/node/store/search.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';

const UNSPACED: Record<number, string> = {
  27: '在北京举行的抗议活动',
  28: 'การประท้วงในกรุงเทพมหานคร',
  29: '東京都でデモが行われた',
  30: '서울에서 시위가 열렸다',
};

async function indexed(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const items = Array.from({ length: 30 }, (_, i) => item(i + 1, i === 3 ? 'Zoë visits Zürich' : (UNSPACED[i + 1] ?? `caption ${i} Korea s president`), i % 2 ? 'bbc' : 'guardian'));
  const annotations = Array.from({ length: 12 }, (_, k) => pairRows(k + 1, k + 15, { source_dataset: k % 2 })).flat();
  const corpus = writeCorpus(dir, items, { merged_balanced: { val: { annotations, source_datasets: ['scene_resnet_place', 'person_sbert_text_text'] } } });
  const db = openDatabase(path.join(dir, 'index.db'));
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  return db;
}

test('pairs come a page at a time in file order, each caption with both images and the swapped image\'s own caption', async (t) => {
  const db = await indexed(t);
  const seen: number[] = [];
  let cursor: string | null = null;
  do {
    const page = pairsPage(db, { split: 'merged_balanced', subset: 'val', cursor, limit: 5 });
    assert.ok(page.items.length <= 5);
    seen.push(...page.items.map((p) => p.captionId));
    cursor = page.next;
  } while (cursor !== null);
  assert.deepEqual(seen, Array.from({ length: 12 }, (_, k) => k + 1));
  const first = pairsPage(db, { split: 'merged_balanced', subset: 'val', limit: 1 }).items[0]!;
  assert.deepEqual(first, {
    pairId: first.pairId,
    split: 'merged_balanced',
    subset: 'val',
    captionId: 1,
    caption: 'caption 0 Korea s president',
    source: 'guardian',
    topic: 'world',
    pristine: { imageId: 1, imagePath: 'guardian/images/0000/001.jpg', similarityScore: 0.9 },
    falsified: { imageId: 15, imagePath: 'guardian/images/0000/015.jpg', similarityScore: 0.5, originalCaption: 'caption 14 Korea s president' },
    sourceDataset: 'scene_resnet_place',
    modelScores: [],
    verdict: null,
    tags: [],
  });
  assert.throws(() => pairsPage(db, { split: 'merged_balanced', subset: 'train' }), { code: 'NOT_FOUND' });
  assert.throws(() => pairsPage(db, { split: 'merged_balanced', subset: 'val', cursor: 'DROP TABLE' }), { code: 'BAD_ARGUMENT' });
});

test('caption search takes any text safely, ignores accents and case, and matches word prefixes', async (t) => {
  const db = await indexed(t);
  assert.deepEqual(searchCaptions(db, 'zurich zoe').map((h) => h.id), [4]);
  assert.deepEqual(searchCaptions(db, 'ZÜR').map((h) => h.id), [4]);
  assert.equal(searchCaptions(db, 'korea president', 100).length, 25);
  for (const hostile of ['"', 'AND OR NOT', 'caption*)(', "'; DROP TABLE items; --", 'NEAR(a b)', '\u0000', '🙂']) {
    assert.doesNotThrow(() => searchCaptions(db, hostile), hostile);
  }
  assert.equal(toFtsQuery('  '), null);
  assert.equal(toFtsQuery('say "hi"'), '"say" "hi"', 'one- and two-letter words match whole');
  assert.equal(toFtsQuery('say "hel'), '"say" "hel"*');
});

test('words inside Chinese, Japanese, Korean and Thai captions are found, though those scripts put no spaces between words', async (t) => {
  const db = await indexed(t);
  const found = (q: string): number[] => searchCaptions(db, q).map((h) => h.id);
  assert.deepEqual(found('北京'), [27]);
  assert.deepEqual(found('抗议'), [27]);
  assert.deepEqual(found('北京 抗议'), [27], 'every word required');
  assert.deepEqual(found('京北'), [], 'characters in order, not just present');
  assert.deepEqual(found('กรุงเทพ'), [28]);
  assert.deepEqual(found('デモ'), [29]);
  assert.deepEqual(found('東京'), [29]);
  assert.deepEqual(found('서울'), [30]);
  assert.equal(toFtsQuery('北京 prot'), '"北  京" "prot"*');
});

test('an index built before CJK search is upgraded in place: its unspaced captions are indexed again when the database opens', async (t) => {
  const dir = tempDir(t);
  const items = [item(1, '在北京举行的抗议活动'), item(2, 'Protest in Beijing'), item(3, 'ภาพการประท้วง')];
  const corpus = writeCorpus(dir, items, { merged_balanced: { val: { annotations: pairRows(1, 2).concat(pairRows(3, 2)) } } });
  const file = path.join(dir, 'old.db');
  const db = openDatabase(file);
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.deepEqual(pairsPage(db, { split: 'merged_balanced', subset: 'val', q: '北京' }).items.map((p) => p.captionId), [1], 'the pair browser searches the same way');
  // As version 5 indexed them: each run of characters a single token.
  for (const table of ['items_fts', 'pairs_fts']) {
    const rows = table === 'items_fts' ? items.map((i) => [i.id, i.caption] as const) : (db.prepare('SELECT p.pair_id, i.caption FROM pairs p JOIN items i ON i.id = p.caption_id').raw().all() as [number, string][]);
    for (const [rowid, caption] of rows) {
      db.prepare(`INSERT INTO ${table} (${table}, rowid, caption) VALUES ('delete', ?, ?)`).run(rowid, ooc(db, caption));
      db.prepare(`INSERT INTO ${table} (rowid, caption) VALUES (?, ?)`).run(rowid, caption);
    }
  }
  // And as version 5's schema was: no job tokens or prediction runs yet.
  db.exec('ALTER TABLE jobs DROP COLUMN token; DROP TABLE prediction_problems; DROP TABLE predictions; DROP TABLE prediction_runs;');
  db.pragma('user_version = 5');
  assert.deepEqual(searchCaptions(db, '北京').map((h) => h.id), [], 'the old index cannot find it');
  db.close();
  const upgraded = openDatabase(file);
  t.after(() => upgraded.close());
  assert.deepEqual(searchCaptions(upgraded, '北京').map((h) => h.id), [1]);
  assert.deepEqual(searchCaptions(upgraded, 'ประท้วง').map((h) => h.id), [3]);
  assert.deepEqual(searchCaptions(upgraded, 'beijing').map((h) => h.id), [2], 'other captions untouched');
  assert.equal(pairsPage(upgraded, { split: 'merged_balanced', subset: 'val', q: 'ประท้วง' }).total, 1);
});

function ooc(db: ReturnType<typeof openDatabase>, caption: string): string {
  return db.prepare('SELECT ooc_search_text(?)').pluck().get(caption) as string;
}

test('filters narrow the pairs and their total; score sorts page correctly through equal scores', async (t) => {
  const db = await indexed(t);
  const base = { split: 'merged_balanced', subset: 'val' };
  const all = (q: Record<string, unknown>): number[] => {
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page = pairsPage(db, { ...base, ...q, cursor, limit: 2 });
      ids.push(...page.items.map((p) => p.captionId));
      cursor = page.next;
    } while (cursor !== null);
    return ids;
  };
  assert.deepEqual(all({ source: 'bbc' }), [2, 4, 6, 8, 10, 12]);
  assert.equal(pairsPage(db, { ...base, source: 'bbc' }).total, 6);
  assert.deepEqual(all({ sourceDataset: 1, source: 'guardian' }), []);
  assert.deepEqual(all({ sourceDataset: 0 }), [1, 3, 5, 7, 9, 11]);
  assert.deepEqual(all({ q: 'zurich' }), [4]);
  assert.equal(pairsPage(db, { ...base, q: 'zurich' }).total, 1);
  assert.deepEqual(all({ q: 'korea pres', source: 'bbc' }), [2, 6, 8, 10, 12]);
  assert.deepEqual(all({ q: 'korea', sort: 'score-desc', sourceDataset: 1 }), [12, 10, 8, 6, 2]);
  const second = pairsPage(db, { ...base, q: 'caption', limit: 2 });
  assert.equal(second.total, 11);
  assert.equal(pairsPage(db, { ...base, q: 'caption', limit: 2, cursor: second.next }).total, null, 'later pages are not counted again');
  // All falsified scores are equal here: ties follow the sort's direction in file order.
  assert.deepEqual(all({ sort: 'score-asc' }), Array.from({ length: 12 }, (_, k) => k + 1));
  assert.deepEqual(all({ sort: 'score-desc' }), Array.from({ length: 12 }, (_, k) => 12 - k));
  assert.deepEqual(all({ minScore: 0.6 }), []);
  assert.deepEqual(all({ maxScore: 0.5, topic: 'world' }).length, 12);
});

test('the label filter keeps pairs with that row, and scores then mean that row\'s score', async (t) => {
  const dir = tempDir(t);
  const row = (id: number, image: number, score: number, falsified: boolean): Record<string, unknown> => ({ id, image_id: image, similarity_score: score, falsified });
  const corpus = writeCorpus(dir, Array.from({ length: 6 }, (_, i) => item(i + 1, `caption ${i + 1}`)), {
    scene_resnet_place: {
      test: {
        annotations: [row(1, 1, 0.7, false), row(1, 4, 0.2, true), row(2, 2, 0.9, false), row(2, 5, 0.6, true), row(3, 3, 0.8, false), row(6, 1, 0.4, true)],
      },
    },
  });
  const db = openDatabase(path.join(dir, 'index.db'));
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  const ids = (q: Record<string, unknown>): number[] => pairsPage(db, { split: 'scene_resnet_place', subset: 'test', ...q }).items.map((p) => p.captionId);
  assert.deepEqual(ids({}), [1, 2, 3, 6]);
  assert.deepEqual(ids({ label: 'pristine' }), [1, 2, 3]);
  assert.deepEqual(ids({ label: 'falsified' }), [1, 2, 6]);
  assert.deepEqual(ids({ label: 'pristine', sort: 'score-desc' }), [2, 3, 1]);
  assert.deepEqual(ids({ sort: 'score-desc' }), [2, 6, 1, 3], 'without a label: the falsified row\'s score, pairs without one last');
  assert.deepEqual(ids({ label: 'pristine', minScore: 0.75 }), [2, 3]);
  assert.deepEqual(ids({ maxScore: 0.5 }), [1, 6]);
  assert.equal(pairsPage(db, { split: 'scene_resnet_place', subset: 'test', label: 'falsified' }).total, 3);
});

test("an item's page lists every pair that uses its caption or its image, by split file and role; the search counts its pairs", async (t) => {
  const db = await indexed(t);
  const uses = (id: number) => pairsUsingItem(db, id).map((u) => `${u.pair.split}/${u.pair.subset} ${u.role} caption ${u.pair.captionId}`);
  assert.deepEqual(uses(1), ['merged_balanced/val caption caption 1', 'merged_balanced/val pristine image caption 1']);
  assert.deepEqual(uses(15), ['merged_balanced/val falsified image caption 1']);
  assert.deepEqual(uses(29), []);
  assert.deepEqual(searchCaptions(db, 'caption 0 Korea').map((h) => [h.id, h.pairs]), [[1, 1]]);
});
