import assert from 'node:assert/strict';
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SPLITS, SUBSETS } from '../../electron/common/datasets.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { readIndexLog } from '../../electron/node/store/index-log.ts';
import { getItem } from '../../electron/node/store/items.ts';
import { getMetadata } from '../../electron/node/store/metadata.ts';
import { readStats } from '../../electron/node/store/stats.ts';
import { dumpIndex, item, pairRows, tempDir, writeCorpus, writeJson, writeText } from '../fixtures/corpus.ts';

function open(t: Parameters<typeof tempDir>[0], dir = tempDir(t)): Db {
  const db = openDatabase(path.join(dir, 'index.db'));
  t.after(() => db.close());
  return db;
}

/** Every split and subset, four captions each, captions and images drawn from 40 items. */
function fullLayout(): { items: ReturnType<typeof item>[]; splits: Record<string, Record<string, unknown>> } {
  const sources = ['guardian', 'bbc', 'usa_today', 'washington_post'];
  const items = Array.from({ length: 40 }, (_, i) => item(1000 + i * 3, `caption number ${i} about Paris`, sources[i % 4], i % 2 ? 'world' : 'sport'));
  const splits: Record<string, Record<string, unknown>> = {};
  SPLITS.forEach((split, s) => {
    splits[split.folder] = {};
    SUBSETS.forEach((subset, u) => {
      const rows = [0, 1].flatMap((k) => {
        const caption = items[(s * 6 + u * 2 + k) % 40]!.id;
        const image = items[(s * 6 + u * 2 + k + 20) % 40]!.id;
        return pairRows(caption, image, split.folder === 'merged_balanced' ? { source_dataset: k } : {});
      });
      splits[split.folder]![subset] =
        split.folder === 'merged_balanced' ? { annotations: rows, source_datasets: ['semantics_clip_text_image', 'person_sbert_text_text'] } : { annotations: rows };
    });
  });
  return { items, splits };
}

test('indexes every split and subset, joining each caption to its pristine and falsified image', async (t) => {
  const dir = tempDir(t);
  const { items, splits } = fullLayout();
  const corpus = writeCorpus(dir, items, splits);
  writeJson(path.join(corpus.clippings, 'metadata', 'test.json'), { '1000': { entities: { PERSON: ['Ann'] }, timestamp: '2014-01-02', unknown_field: [1, { x: null }] } });
  const db = open(t, dir);
  const summary = await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(summary.upToDate, false);
  const stats = readStats(db);
  assert.equal(stats.items.total, 40);
  assert.deepEqual(stats.items.bySource, { bbc: 10, guardian: 10, usa_today: 10, washington_post: 10 });
  for (const split of SPLITS) {
    for (const subset of SUBSETS) assert.deepEqual(stats.annotations[split.folder]?.[subset], { total: 4, pristine: 2, falsified: 2 }, `${split.folder}/${subset}`);
  }
  assert.equal(stats.pairs, 30);
  assert.deepEqual(stats.skipped, {});
  assert.deepEqual(stats.roots, { visualnews: corpus.origin, clippings: corpus.clippings });

  const pair = db
    .prepare(
      `SELECT p.caption_id, p.pristine_image_id, p.falsified_image_id, p.source_dataset, f.source_datasets, p.source
       FROM pairs p JOIN annotation_files f USING (file_id) WHERE f.split = 'merged_balanced' AND f.subset = 'val' ORDER BY p.pair_id`,
    )
    .all();
  const caption = items[(4 * 6 + 2) % 40]!;
  assert.deepEqual(pair[0], {
    caption_id: caption.id,
    pristine_image_id: caption.id,
    falsified_image_id: items[(4 * 6 + 2 + 20) % 40]!.id,
    source_dataset: 0,
    source_datasets: '["semantics_clip_text_image","person_sbert_text_text"]',
    source: caption.source,
  });
  assert.equal(getItem(db, 1000)?.image_path, 'guardian/images/0000/1000.jpg');
  assert.deepEqual(getMetadata(db, 1000), [{ subset: 'test', value: { entities: { PERSON: ['Ann'] }, timestamp: '2014-01-02', unknown_field: [1, { x: null }] } }]);
  const hits = db.prepare("SELECT rowid FROM items_fts WHERE items_fts MATCH 'paris' ORDER BY rowid").pluck().all();
  assert.equal(hits.length, 40);
});

test('bad records in data.json are skipped and counted with reasons; empty captions are kept and flagged', async (t) => {
  const dir = tempDir(t);
  const origin = path.join(dir, 'origin');
  writeText(
    path.join(origin, 'data.json'),
    `[${[
      JSON.stringify(item(1, 'Candace Pickens and her son Zachaeus', 'washington_post', 'law_crime')),
      JSON.stringify({ ...item(2, ''), image_path: 'guardian/images/0001/002.jpg' }),
      JSON.stringify({ ...item(3, 'Korea s president'), image_path: '../../etc/passwd' }),
      JSON.stringify(item(1, 'a second record with id 1')),
      JSON.stringify({ id: '4', caption: 'id is a string' }),
      JSON.stringify({ id: -5, caption: 'negative id' }),
      JSON.stringify({ id: 6, caption: null }),
      '{"id": 7, "caption": "trailing comma",}',
      '"just a string"',
      JSON.stringify({ id: 8, caption: 'Zoë in 北京 📷', source: 17 }),
      JSON.stringify({ ...item(9, 'a lone \ud800 surrogate and a \u0000 NUL'), topic: 'x\u0000' }),
    ].join(', ')}]`,
  );
  const db = open(t, dir);
  await buildIndex(db, { visualnews: origin });
  const stats = readStats(db);
  assert.equal(stats.items.total, 5);
  assert.equal(stats.items.emptyCaptions, 1);
  assert.deepEqual(stats.skipped, { bad_caption: 1, bad_id: 2, duplicate_id: 1, malformed_json: 1, not_an_object: 1 });
  assert.deepEqual(stats.notes, { bad_source: 1, empty_caption: 1, image_path_outside_root: 1, missing_article_path: 1, missing_image_path: 1, repaired_text: 1 });
  assert.equal(getItem(db, 1)?.caption, 'Candace Pickens and her son Zachaeus');
  assert.equal(getItem(db, 2)?.caption, '');
  assert.equal(getItem(db, 3)?.image_path, null);
  assert.equal(getItem(db, 8)?.caption, 'Zoë in 北京 📷');
  assert.equal(getItem(db, 9)?.caption, 'a lone \ufffd surrogate and a \ufffd NUL');
  const log = readIndexLog(db);
  const duplicate = log.find((e) => e.reason === 'duplicate_id');
  assert.deepEqual(duplicate?.samples, [{ record: 3, offset: duplicate?.samples[0]?.offset, detail: 'id 1 appears again; the first record with it is kept' }]);
  assert.match(log.find((e) => e.reason === 'malformed_json')!.samples[0]!.detail, /JSON/);
});

test('data.json may be given as the file itself or as a dict keyed by id', async (t) => {
  const dir = tempDir(t);
  const file = writeJson(path.join(dir, 'origin', 'data.json'), { '39136': { caption: 'Candace Pickens', source: 'washington_post', topic: 'law_crime', image_path: './washington_post/images/0376/501.jpg' } });
  const db = open(t, dir);
  await buildIndex(db, { visualnews: file });
  assert.equal(getItem(db, 39136)?.image_path, 'washington_post/images/0376/501.jpg');
});

test('bad annotation files and rows are reported by file and reason; the rest is indexed', async (t) => {
  const dir = tempDir(t);
  const items = [item(1, 'one'), item(2, 'two'), item(3, 'three'), item(4, 'four')];
  const corpus = writeCorpus(dir, items, {
    merged_balanced: {
      test: { annotations: [...pairRows(1, 2), ...pairRows(3, 99), ...pairRows(77, 1), { id: 4, image_id: 4, falsified: 'no' }, { id: 4, image_id: 1.5, falsified: true }] },
      val: { rows: pairRows(1, 2) },
      train: pairRows(2, 3),
    },
  });
  writeText(path.join(corpus.clippings, 'data', 'scene_resnet_place', 'test.json'), '<html>not found</html>');
  writeJson(path.join(corpus.clippings, 'data', 'my_new_split', 'test.json'), { annotations: [] });
  writeJson(path.join(corpus.clippings, 'data', 'merged_balanced', 'test_backup.json'), { annotations: [] });
  const db = open(t, dir);
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  const stats = readStats(db);
  assert.deepEqual(stats.annotations, {
    merged_balanced: { test: { total: 3, pristine: 2, falsified: 1 }, train: { total: 2, pristine: 1, falsified: 1 } },
  });
  assert.deepEqual(stats.skipped, { bad_falsified: 1, bad_image_id: 1, unknown_caption_id: 2, unknown_image_id: 1, unreadable_file: 2 });
  assert.deepEqual(stats.notes, { bare_annotation_list: 1, pristine_without_falsified: 1, unknown_file: 1, unknown_folder: 1 });
  const unreadable = readIndexLog(db).filter((e) => e.reason === 'unreadable_file');
  assert.deepEqual(
    unreadable.map((e) => path.relative(corpus.clippings, e.file)),
    ['data/merged_balanced/val.json', 'data/scene_resnet_place/test.json'],
  );
  assert.match(unreadable[0]!.samples[0]!.detail, /val\.json: no "annotations" list at the top level \(found keys "rows"\)/);
  assert.match(unreadable[1]!.samples[0]!.detail, /test\.json: expected a JSON array or object/);
});

/** The full layout, indexed once. */
async function indexedFullLayout(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const { items, splits } = fullLayout();
  const corpus = writeCorpus(dir, items, splits);
  const db = open(t, dir);
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  return { items, corpus, db, before: dumpIndex(db) };
}

test('a second run on unchanged inputs does no work and says so; a changed file is picked up', async (t) => {
  const { items, corpus, db, before } = await indexedFullLayout(t);
  const generation = db.prepare("SELECT value FROM meta WHERE key = 'index_generation'").pluck().get();
  const dataJson = path.join(corpus.origin, 'data.json');
  utimesSync(dataJson, new Date(), new Date(Date.now() + 60_000)); // touched, same content
  const again = await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(again.upToDate, true);
  assert.deepEqual(dumpIndex(db), before);
  assert.equal(db.prepare("SELECT value FROM meta WHERE key = 'index_generation'").pluck().get(), generation);

  writeJson(dataJson, [...items, item(5000, 'a new caption')]);
  const changed = await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(changed.upToDate, false);
  assert.equal(readStats(db).items.total, 41);
  rmSync(path.join(corpus.clippings, 'data', 'person_sbert_text_text'), { recursive: true });
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(readStats(db).annotations.person_sbert_text_text, undefined);
});

test('a failed run leaves the last good index usable', async (t) => {
  const { corpus, db, before } = await indexedFullLayout(t);
  writeFileSync(path.join(corpus.origin, 'data.json'), 'Not JSON: the download was replaced by an error page');
  await assert.rejects(buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings }), {
    code: 'BAD_INPUT_FILE',
    message: /data\.json: expected a JSON array or object at the top level \(at byte 0\)/,
  });
  assert.deepEqual(dumpIndex(db), before);
  assert.equal(readStats(db).items.total, 40);
  assert.equal(db.prepare("SELECT status FROM jobs ORDER BY id DESC LIMIT 1").pluck().get(), 'failed');
});

test('an index from another format is reported and rebuilt, not misread', async (t) => {
  const { corpus, db, before } = await indexedFullLayout(t);
  db.prepare("UPDATE meta SET value = '1' WHERE key = 'index_format'").run();
  assert.throws(() => readStats(db), { code: 'INDEX_MISSING', message: /built by another version \(index format 1/ });
  const rebuilt = await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(rebuilt.upToDate, false);
  assert.deepEqual(dumpIndex(db), before);
});

test('missing inputs give a clear error', async (t) => {
  const dir = tempDir(t);
  const db = open(t, dir);
  await assert.rejects(buildIndex(db, { visualnews: path.join(dir, 'nope') }), { code: 'BAD_INPUT_FILE', message: /nope does not exist/ });
  await assert.rejects(buildIndex(db, { visualnews: dir }), { code: 'BAD_INPUT_FILE', message: /no data\.json in/ });
  const corpus = writeCorpus(path.join(dir, 'c'), [item(1, 'x')]);
  await assert.rejects(buildIndex(db, { visualnews: corpus.origin, clippings: corpus.origin }), { code: 'BAD_INPUT_FILE', message: /no NewsCLIPpings data in/ });
});
