import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { selectPairs } from '../../electron/node/export/selection.ts';
import { diskFull, exportPairs, type ExportRequest } from '../../electron/node/export/write.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { applyCuration } from '../../electron/node/store/curation.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

const MERGED_TEST = { split: 'merged_balanced', subset: 'test' };
const FULL: Omit<ExportRequest, 'dir' | 'selection'> = { formats: ['newsclippings', 'jsonl', 'csv'], images: true, articles: true, overwrite: false, version: 'test' };

async function corpus(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const made = await writeImageCorpus(dir);
  const db = openDatabase(made.dbFile);
  t.after(() => db.close());
  return { dir, db, made };
}

/** Every file under a folder, by relative path, with its bytes. */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set(path.relative(dir, full), readFileSync(full));
    }
  };
  walk(dir);
  return out;
}

function splitFile(db: Db, split: string, subset: string) {
  const file = db.prepare('SELECT file_id FROM annotation_files WHERE split = ? AND subset = ?').pluck().get(split, subset);
  return db.prepare('SELECT id, image_id, similarity_score, falsified, source_dataset FROM annotations WHERE file_id = ? ORDER BY row').all(file);
}

test('an export indexes back to the same pairs, labels, scores and order, with images, data.json, JSONL, CSV and a manifest', async (t) => {
  const { dir, db, made } = await corpus(t);
  applyCuration(db, [{ ...MERGED_TEST, captionId: 100 }], { verdict: 'consistent', addTags: ['a, "quoted" tag'], note: 'line one\nline two' });
  mkdirSync(path.join(made.origin, 'guardian', 'articles'), { recursive: true });
  writeFileSync(path.join(made.origin, 'guardian', 'articles', '100.txt'), 'The article of item 100.');
  const out = path.join(dir, 'export');
  const summary = await exportPairs(db, { ...FULL, dir: out, selection: { query: MERGED_TEST } });
  assert.equal(summary.pairs, 12);
  assert.equal(summary.rows, 24);
  assert.deepEqual(summary.missing, { images: 1, articles: 23 }, 'one image is missing in the corpus; of the 24 items, only one has its article');
  assert.equal(readFileSync(path.join(out, 'visual_news', 'origin', 'guardian', 'articles', '100.txt'), 'utf8'), 'The article of item 100.');

  const original = JSON.parse(readFileSync(path.join(dir, 'news_clippings', 'data', 'merged_balanced', 'test.json'), 'utf8'));
  const exported = JSON.parse(readFileSync(path.join(out, 'news_clippings', 'data', 'merged_balanced', 'test.json'), 'utf8'));
  assert.deepEqual(exported, original, 'the same rows, fields, types and order as the original file');
  assert.deepEqual(Object.keys(exported.annotations[1]), ['id', 'image_id', 'similarity_score', 'source_dataset', 'falsified']);

  const again = openDatabase(path.join(dir, 'again.db'));
  t.after(() => again.close());
  await buildIndex(again, { visualnews: path.join(out, 'visual_news', 'origin'), clippings: path.join(out, 'news_clippings') });
  assert.deepEqual(splitFile(again, 'merged_balanced', 'test'), splitFile(db, 'merged_balanced', 'test'));
  assert.equal((again.prepare('SELECT count(*) FROM index_log WHERE kind = ?').pluck().get('skip') as number), 0, 'nothing in the export is skipped on indexing');

  const jsonl = readFileSync(path.join(out, 'pairs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(jsonl.length, 24);
  assert.deepEqual({ ...jsonl[0], image_path: undefined }, {
    id: 100, image_id: 100, falsified: false, similarity_score: 0.9, split: 'merged_balanced', subset: 'test', sub_split: 'semantics_clip_text_text',
    caption: 'Protesters gather in Lisbon square number 0', image_caption: 'Protesters gather in Lisbon square number 0', source: 'guardian', topic: 'politics',
    verdict: 'consistent', tags: ['a, "quoted" tag'], note: 'line one\nline two', image_path: undefined,
  });
  assert.ok(existsSync(path.join(out, jsonl[0].image_path)), 'image paths are relative to the export and point at the copies');
  const csv = readFileSync(path.join(out, 'pairs.csv'), 'utf8');
  assert.match(csv, /^id,image_id,falsified,similarity_score,split,subset,sub_split,caption,image_caption,source,topic,verdict,tags,note,image_path\r\n/);
  assert.ok(csv.includes('"a, ""quoted"" tag"') && csv.includes('"line one\nline two"'));
  assert.equal(csv.trim().split('\r\n').length, 25);

  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.counts.pairs, 12);
  for (const f of manifest.files) {
    const { createHash } = await import('node:crypto');
    assert.equal(createHash('sha256').update(readFileSync(path.join(out, f.path))).digest('hex'), f.sha256, f.path);
  }
  for (const [name, bytes] of tree(out)) {
    if (!/\.(json|jsonl|csv)$/.test(name)) continue;
    assert.ok(!bytes.toString('utf8').includes(dir), `${name} names no absolute path`);
  }
});

test('the same seed gives the same files, byte for byte; strata are exact; pairs stay whole', async (t) => {
  const { dir, db, made } = await corpus(t);
  const sample = { query: MERGED_TEST, sample: { perStratum: 3, strata: ['subsplit', 'label'] as ('subsplit' | 'label')[], seed: 7 } };
  const { preview } = selectPairs(db, sample);
  assert.deepEqual(preview.strata.map((s) => [s.values.subsplit, s.available, s.chosen, s.pristineRows, s.falsifiedRows]), [
    ['scene_resnet_place', 6, 3, 3, 3],
    ['semantics_clip_text_text', 6, 3, 3, 3],
  ]);
  await exportPairs(db, { ...FULL, images: false, articles: false, dir: path.join(dir, 'a'), selection: sample });
  await exportPairs(db, { ...FULL, images: false, articles: false, dir: path.join(dir, 'b'), selection: sample });
  const [a, b] = [tree(path.join(dir, 'a')), tree(path.join(dir, 'b'))];
  assert.deepEqual([...a.keys()], [...b.keys()]);
  for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} differs`);
  const other = selectPairs(db, { ...sample, sample: { ...sample.sample, seed: 8 } });
  assert.notDeepEqual(other.pairs.map((p) => p.captionId), selectPairs(db, sample).pairs.map((p) => p.captionId), 'another seed, another sample');

  const rows = JSON.parse(readFileSync(path.join(dir, 'a', 'news_clippings', 'data', 'merged_balanced', 'test.json'), 'utf8')).annotations;
  assert.equal(rows.length, 12);
  // Without the images, the image paths lead into the VisualNews folder, and the manifest says so.
  const lines = readFileSync(path.join(dir, 'a', 'pairs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { image_path: string | null });
  const paths = lines.map((l) => l.image_path!);
  assert.ok(paths.every((p) => !p.startsWith('visual_news/')), 'not paths into the export, which has no images');
  assert.ok(paths.filter((p) => existsSync(path.join(made.origin, p))).length >= paths.length - 2, 'paths inside the VisualNews folder (one image is missing, one corrupt)');
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'a', 'manifest.json'), 'utf8')).image_paths, 'relative to the VisualNews origin folder (images not copied)');
  for (let i = 0; i < rows.length; i += 2) {
    assert.deepEqual([rows[i].falsified, rows[i + 1].falsified, rows[i].id], [false, true, rows[i + 1].id], 'pristine then falsified, same caption');
  }
});

test('a collection across split files exports each file; an existing folder is kept unless replacing is asked for', async (t) => {
  const { dir, db } = await corpus(t);
  applyCuration(db, [{ ...MERGED_TEST, captionId: 101 }, { split: 'semantics_clip_text_text', subset: 'val', captionId: 121 }], { addToCollection: 'picked' });
  const out = path.join(dir, 'picked');
  writeFileSync(path.join(dir, 'marker'), '');
  await exportPairs(db, { ...FULL, images: false, articles: false, dir: out, selection: { collection: 'picked' } });
  assert.ok(existsSync(path.join(out, 'news_clippings', 'data', 'merged_balanced', 'test.json')));
  const textText = JSON.parse(readFileSync(path.join(out, 'news_clippings', 'data', 'semantics_clip_text_text', 'val.json'), 'utf8'));
  assert.deepEqual(textText.annotations.map((r: { id: number }) => r.id), [121, 121]);
  assert.equal(textText.source_datasets, undefined);

  await assert.rejects(exportPairs(db, { ...FULL, dir: out, selection: { collection: 'picked' } }), { code: 'BAD_ARGUMENT', message: /already exists/ });
  await assert.rejects(exportPairs(db, { ...FULL, dir: path.join(dir, 'none'), selection: { collection: 'nope' } }), { code: 'NOT_FOUND' });
  await assert.rejects(exportPairs(db, { ...FULL, dir: path.join(dir, 'none'), selection: { query: { ...MERGED_TEST, source: 'nobody' } } }), /nothing to export/);
  assert.equal(existsSync(path.join(dir, 'none')), false);
  const replaced = await exportPairs(db, { ...FULL, images: false, articles: false, overwrite: true, dir: out, selection: { query: { ...MERGED_TEST, source: 'bbc' } } });
  assert.equal(replaced.pairs, 3);
  assert.equal(existsSync(path.join(out, 'news_clippings', 'data', 'semantics_clip_text_text')), false, 'the old export is gone, not merged');
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('partial')), [], 'no temporary folder left behind');
});

test('a full disk is told apart from a missing source: the export stops with DISK_FULL, naming where', () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.deepEqual([diskFull(full, '/exports/a')?.code, diskFull(full, '/exports/a')?.message], ['DISK_FULL', 'the disk holding /exports/a is full (or over its quota), so nothing was written there; free some space and export again']);
  assert.equal(diskFull(Object.assign(new Error('gone'), { code: 'ENOENT' }), '/exports/a'), null, 'a missing source is a counted skip, not this');
});
