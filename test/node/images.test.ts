import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { checkImages } from '../../electron/node/images/check-job.ts';
import { inspectImage } from '../../electron/node/images/inspect.ts';
import { thumbnailFor } from '../../electron/node/images/thumbnails.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { getImageCheck } from '../../electron/node/store/image-checks.ts';
import { readStats } from '../../electron/node/store/stats.ts';
import { item, tempDir, writeCorpus } from '../fixtures/corpus.ts';

const red = { width: 40, height: 20, channels: 3 as const, background: '#d02020' };

async function writeImage(file: string, make: (s: sharp.Sharp) => sharp.Sharp): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  await make(sharp({ create: red })).toFile(file);
  return file;
}

test('images are recognised by their bytes, not their names, and damage is named', async (t) => {
  const dir = tempDir(t);
  const jpeg = await writeImage(path.join(dir, 'a.jpg'), (s) => s.jpeg());
  const gifAsJpg = await writeImage(path.join(dir, 'b.jpg'), (s) => s.gif());
  const png = await writeImage(path.join(dir, 'c.png'), (s) => s.png());
  const truncated = await writeImage(path.join(dir, 'd.jpg'), (s) => s.jpeg());
  truncateSync(truncated, Math.floor(statSync(truncated).size / 2));
  const empty = path.join(dir, 'e.jpg');
  writeFileSync(empty, '');
  const html = path.join(dir, 'f.jpg');
  writeFileSync(html, '<html><body>404 Not Found</body></html>');

  assert.deepEqual(await inspectImage(jpeg), { status: 'ok', format: 'jpeg', width: 40, height: 20, bytes: statSync(jpeg).size, detail: null });
  assert.deepEqual(await inspectImage(gifAsJpg), { status: 'ok', format: 'gif', width: 40, height: 20, bytes: statSync(gifAsJpg).size, detail: 'GIF data in a file named .jpg' });
  assert.equal((await inspectImage(png)).format, 'png');
  assert.deepEqual(await inspectImage(truncated), { status: 'corrupt', format: 'jpeg', width: null, height: null, bytes: statSync(truncated).size, detail: 'truncated JPEG: no end marker' });
  assert.equal((await inspectImage(empty)).detail, 'empty file');
  assert.match((await inspectImage(html)).detail!, /not an image: starts with "<html><b"/);
  assert.equal((await inspectImage(path.join(dir, 'nope.jpg'))).status, 'missing');
});

async function corpusWithImages(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const items = [item(1, 'ok jpeg'), item(2, 'a gif named jpg'), item(3, 'missing'), item(4, 'truncated'), { ...item(5, 'rotated'), source: 'bbc' }, item(6, 'cmyk')];
  const corpus = writeCorpus(dir, items);
  const at = (i: number): string => path.join(corpus.origin, items[i]!.image_path!);
  await writeImage(at(0), (s) => s.jpeg());
  await writeImage(at(1), (s) => s.gif());
  await writeImage(at(3), (s) => s.jpeg());
  truncateSync(at(3), 100);
  await writeImage(at(4), (s) => s.jpeg().withMetadata({ orientation: 6 })); // stored 40×20, shown 20×40
  await writeImage(at(5), (s) => s.toColourspace('cmyk').jpeg());
  const db = openDatabase(path.join(dir, 'index.db'));
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin });
  return { dir, db, corpus };
}

test('the image check job stores a status per item and resumes after cancellation', async (t) => {
  const { db } = await corpusWithImages(t);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(checkImages(db, { signal: controller.signal }), { code: 'CANCELLED' });
  const summary = await checkImages(db, { concurrency: 2 });
  assert.equal(summary.checked, 6);
  assert.deepEqual(readStats(db).imageChecks, { corrupt: 1, missing: 1, ok: 4 });
  assert.equal(getImageCheck(db, 2)?.detail, 'GIF data in a file named .jpg');
  assert.equal(getImageCheck(db, 3)?.status, 'missing');
  assert.equal((await checkImages(db)).checked, 0, 'a second run has nothing new to check');
  assert.equal((await checkImages(db, { recheck: true })).checked, 6);
});

test('thumbnails apply EXIF rotation, convert CMYK, take the first GIF frame, and are cached', async (t) => {
  const { dir, db } = await corpusWithImages(t);
  const cache = path.join(dir, 'thumbs');
  const rotated = await sharp(await thumbnailFor(db, cache, 5, 128)).metadata();
  assert.deepEqual([rotated.width, rotated.height], [20, 40]);
  const cmyk = await sharp(await thumbnailFor(db, cache, 6, 128)).metadata();
  assert.equal(cmyk.space, 'srgb');
  assert.equal(cmyk.channels, 3);
  const gif = await thumbnailFor(db, cache, 2, 128);
  assert.equal((await sharp(gif).metadata()).format, 'jpeg');
  const first = await thumbnailFor(db, cache, 1, 256);
  const before = statSync(first).mtimeMs;
  const [again, concurrent] = await Promise.all([thumbnailFor(db, cache, 1, 256), thumbnailFor(db, cache, 1, 256)]);
  assert.equal(again, first);
  assert.equal(concurrent, first);
  assert.equal(statSync(first).mtimeMs, before, 'served from the cache');
  assert.deepEqual([...readFileSync(first).subarray(0, 3)], [0xff, 0xd8, 0xff]);
});

test('thumbnails of missing, corrupt or unknown items give clear errors', async (t) => {
  const { dir, db } = await corpusWithImages(t);
  const cache = path.join(dir, 'thumbs');
  await assert.rejects(thumbnailFor(db, cache, 3), { code: 'IMAGE_MISSING', message: /item 3 is missing: guardian\/images\/0000\/003\.jpg/ });
  await assert.rejects(thumbnailFor(db, cache, 4), { code: 'IMAGE_CORRUPT', message: /item 4 cannot be decoded/ });
  await assert.rejects(thumbnailFor(db, cache, 999), { code: 'NOT_FOUND' });
  await assert.rejects(thumbnailFor(db, cache, 1, 300), { code: 'BAD_ARGUMENT' });
});
