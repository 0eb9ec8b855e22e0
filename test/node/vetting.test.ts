import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { openDatabase } from '../../electron/node/store/db.ts';
import { hashCounts } from '../../electron/node/store/image-hashes.ts';
import { MetadataWriter } from '../../electron/node/store/metadata.ts';
import { itemDate } from '../../electron/node/item-dates.ts';
import { hashImages } from '../../electron/node/vetting/hash-job.ts';
import { HashIndex } from '../../electron/node/vetting/hash-index.ts';
import { corpusHash, distance, greyImage, mirrored, queryHashes } from '../../electron/node/vetting/phash.ts';
import { DEFAULT_MAX_DISTANCE, MIN_SIMILARITY } from '../../electron/node/vetting/provenance.ts';
import { vet } from '../../electron/node/vetting/vet.ts';
import { percentile } from '../../electron/node/vetting/consistency.ts';
import { ClipModel } from '../../electron/node/inference/clip.ts';
import { runEmbedJob } from '../../electron/node/inference/embed-job.ts';
import { readModel } from '../../electron/node/inference/manifest.ts';
import { NeighbourSearch } from '../../electron/node/inference/neighbours.ts';
import { computePairScores } from '../../electron/node/store/pair-scores.ts';
import { InProcessTasks } from '../../electron/node/jobs/tasks.ts';
import { fileURLToPath } from 'node:url';
import { runCli } from '../fixtures/cli.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';
import { photoJpeg, transform, TRANSFORMATIONS } from '../fixtures/photos.ts';

const TINY = fileURLToPath(new URL('../../models/tiny-random-clip/', import.meta.url));

test('a mirrored photo hashes to the original with its odd-frequency bits flipped, and distance reads it either way', async () => {
  const jpeg = await photoJpeg(3);
  const original = corpusHash(await greyImage(jpeg));
  const flipped = corpusHash(await greyImage(await sharp(jpeg).flop().toBuffer()));
  assert.ok(distance(original, flipped) <= 2, `mirror distance ${distance(original, flipped)}`);
  assert.ok(distance(mirrored(original), flipped) <= 2);
  // Read only as is, most odd bits differ.
  assert.ok(popcountOdd(original.odd ^ flipped.odd) > 24);
});

function popcountOdd(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v >>>= 1) n += v & 1;
  return n;
}

test('every republishing transformation of 40 photos is found, and 40 unrelated photos match none of them', async () => {
  const n = 40;
  const ids = new Int32Array(n);
  const even = new Uint32Array(n);
  const odd = new Uint32Array(n);
  const jpegs: Buffer[] = [];
  for (let s = 0; s < n; s++) {
    const jpeg = await photoJpeg(s, 240 + (s % 4) * 40, 180 + (s % 3) * 30);
    jpegs.push(jpeg);
    const h = corpusHash(await greyImage(jpeg));
    [ids[s], even[s], odd[s]] = [1000 + s, h.even, h.odd];
  }
  const index = new HashIndex(ids, even, odd);
  for (const how of TRANSFORMATIONS) {
    for (let s = 0; s < n; s++) {
      const matches = index.search(queryHashes(await greyImage(await transform(jpegs[s]!, how))), DEFAULT_MAX_DISTANCE);
      assert.equal(matches[0]?.id, 1000 + s, `${how} of photo ${s}: ${JSON.stringify(matches.slice(0, 3))}`);
      assert.equal(matches[0]!.mirrored, how === 'mirror', `${how} of photo ${s} read ${matches[0]!.mirrored ? 'mirrored' : 'as is'}`);
    }
  }
  let unrelated = 0;
  for (let s = n; s < 2 * n; s++) unrelated += index.search(queryHashes(await greyImage(await photoJpeg(s))), DEFAULT_MAX_DISTANCE).length;
  assert.equal(unrelated, 0);
});

test('the multi-index search finds exactly what comparing against every hash finds', () => {
  // Random hashes with planted neighbours at every distance up to the limit.
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0), seed);
  const n = 5000;
  const [ids, even, odd] = [new Int32Array(n), new Uint32Array(n), new Uint32Array(n)];
  const query = { even: random() >>> 1, odd: random() };
  for (let i = 0; i < n; i++) {
    ids[i] = i;
    if (i < 200) {
      // Flip i % 12 random bits of the query (some in the odd word, read mirrored for odd i).
      let [e, o] = [query.even, i % 2 === 1 ? ~query.odd >>> 0 : query.odd];
      for (let k = 0; k < i % 12; k++) {
        const bit = random() % 63;
        if (bit < 31) e ^= 1 << bit;
        else o = (o ^ (1 << (bit - 31))) >>> 0;
      }
      [even[i], odd[i]] = [e >>> 0, o];
    } else [even[i], odd[i]] = [random() >>> 1, random()];
  }
  const index = new HashIndex(ids, even, odd);
  for (const limit of [0, 3, 8, 11]) {
    const expected = [...ids].filter((i) => distance(query, { even: even[i]!, odd: odd[i]! }) <= limit);
    assert.deepEqual(
      index.search([query], limit).map((m) => m.id).sort((a, b) => a - b),
      expected,
      `within ${limit} bits`,
    );
  }
  assert.throws(() => index.search([query], 12), /between 0 and 11/);
});

test('hash-images hashes the corpus once, records unreadable images, and vet finds a cropped mirrored copy with the pairs that use it', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir, { photos: true });
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const first = await hashImages(db);
  assert.equal(first.hashed, 34);
  assert.deepEqual(first.skipped, { 'missing image': 1, 'corrupt image': 1 });
  const again = await hashImages(db);
  assert.equal(again.hashed, 0);
  assert.equal(again.alreadyDone, 36);
  assert.deepEqual(hashCounts(db), { items: 36, hashed: 34, failed: 2 });

  // Item 114's image: pristine in Merged / Balanced val, swapped in for caption 100 nowhere here but used by pairs.
  const original = readFileSync(path.join(corpus.origin, 'usa_today/images/0000/114.jpg'));
  const copy = path.join(dir, 'copy.webp');
  writeFileSync(copy, await sharp(original).flop().extract({ left: 6, top: 0, width: 110, height: 74 }).resize(220).webp().toBuffer());
  const result = await vet(db, { images: [{ file: copy }], caption: '  Flooding in Valencia last week ' });
  assert.equal(result.caption, 'Flooding in Valencia last week');
  const [found] = result.images;
  assert.equal(found!.image.format, 'webp');
  assert.equal(found!.image.width, 220);
  assert.match(found!.image.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    found!.nearDuplicates.map((d) => d.itemId),
    [114],
  );
  const [match] = found!.nearDuplicates;
  assert.equal(match!.mirrored, true);
  assert.ok(match!.similarity! >= MIN_SIMILARITY, `similarity ${match!.similarity}`);
  assert.equal(match!.caption, 'Protesters gather in Osaka square number 14');
  assert.deepEqual(
    match!.pairs.map((p) => `${p.split}/${p.subset} ${p.role} ${p.captionId}`),
    ['merged_balanced/val pristine 114'],
  );
  assert.deepEqual(found!.hashSearch!.corpus, { items: 36, hashed: 34, failed: 2 });

  // An unrelated photo finds nothing.
  const stranger = path.join(dir, 'stranger.jpg');
  writeFileSync(stranger, await photoJpeg(999));
  const none = await vet(db, { images: [{ file: stranger }] });
  assert.deepEqual(none.images[0]!.nearDuplicates, []);
});

test('vet refuses bad images by name before searching, and a plain image is not searched', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir, { photos: true });
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const file = (name: string, bytes: Buffer | string) => {
    const f = path.join(dir, name);
    writeFileSync(f, bytes);
    return f;
  };
  const good = file('good.jpg', await photoJpeg(5));
  const cases: [string, RegExp][] = [
    [file('empty.jpg', Buffer.alloc(0)), /empty\.jpg is empty \(0 bytes\)/],
    [file('notes.jpg', 'these are not pixels'), /notes\.jpg is not an image/],
    [file('cut.jpg', (await photoJpeg(6)).subarray(0, 2000)), /cut\.jpg is damaged or cut short/],
    [file('phone.heic', Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(40)])), /phone\.heic is a HEIC image, which this build's decoder cannot read/],
    [path.join(dir, 'nowhere.jpg'), /no such file: .*nowhere\.jpg/],
  ];
  // A PNG header claiming 30,000 × 30,000 pixels: refused from its header, never decoded.
  const bomb = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } }).png().toBuffer();
  bomb.writeUInt32BE(30_000, 16);
  bomb.writeUInt32BE(30_000, 20);
  bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)), 29);
  cases.push([file('bomb.png', bomb), /bomb\.png says it is 30000 × 30000 pixels \(900 megapixels\); images over 100 megapixels are refused before decoding/]);
  for (const [bad, message] of cases) {
    await assert.rejects(vet(db, { images: [{ file: good }, { file: bad }] }), message);
  }
  // AVIF decodes here (HEIC does not): it is read, not refused.
  const avif = await vet(db, { images: [{ file: file('photo.avif', await sharp(await photoJpeg(5)).avif().toBuffer()) }] });
  assert.equal(avif.images[0]!.image.format, 'avif');
  assert.equal(avif.images[0]!.hashSearch!.plain, false);
  const plain = await vet(db, { images: [{ bytes: await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } }).png().toBuffer(), name: 'pasted.png' }] });
  assert.equal(plain.images[0]!.hashSearch!.plain, true);
  assert.deepEqual(plain.images[0]!.nearDuplicates, []);
});

test('ooc hash-images and ooc vet: the evidence as text and as JSON, and usage errors', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir, { photos: true });
  const unhashed = await runCli(['vet', '--image', path.join(corpus.origin, 'guardian/images/0000/100.jpg'), '--db', corpus.dbFile]);
  assert.equal(unhashed.code, 0, unhashed.stderr);
  assert.match(unhashed.stdout, /not searched — the corpus has no hashes yet \(run ooc hash-images\)/);

  const hashed = await runCli(['hash-images', '--db', corpus.dbFile]);
  assert.equal(hashed.code, 0, hashed.stderr);
  assert.match(hashed.stdout, /Hashed 34 images .*; skipped: 1 missing image, 1 corrupt image\./);

  // NewsCLIPpings metadata dates the earlier appearance (a Unix time here).
  const db = openDatabase(corpus.dbFile);
  new MetadataWriter(db, '').add('test', 100, { entities: [], article: { timestamp: 1388664000 } });
  db.close();
  const json = path.join(dir, 'evidence.json');
  const out = await runCli(['vet', '--image', path.join(corpus.origin, 'guardian/images/0000/100.jpg'), '--caption', 'Protest in Lisbon', '--json', json, '--db', corpus.dbFile]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Claim: "Protest in Lisbon"/);
  assert.match(out.stdout, /- item 100 \(published 2014-01-02 · 0 bits apart · pixels 1\.00\) guardian \/ politics: "Protesters gather in Lisbon square number 0"/);
  assert.match(out.stdout, /merged_balanced\/test pair \d+: its own caption/);
  const written = JSON.parse(readFileSync(json, 'utf8')) as { images: { image: { sha256: string; format: string }; nearDuplicates: { itemId: number; distance: number }[] }[] };
  assert.equal(written.images[0]!.image.format, 'jpeg');
  assert.deepEqual(written.images[0]!.nearDuplicates.map((d) => [d.itemId, d.distance]), [[100, 0]]);

  const report = path.join(dir, 'report.html');
  const reported = await runCli(['vet', '--image', path.join(corpus.origin, 'guardian/images/0000/100.jpg'), '--caption', 'Protest <in> Lisbon', '--report', report, '--db', corpus.dbFile]);
  assert.equal(reported.code, 0, reported.stderr);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /<h1>Vetting of 100\.jpg<\/h1>/);
  assert.match(html, /“Protest &#60;in&#62; Lisbon”/);
  assert.match(html, /<img src="data:image\/jpeg;base64,/);

  const missing = await runCli(['vet', '--db', corpus.dbFile]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing --image/);
  const far = await runCli(['vet', '--image', json, '--max-distance', '30', '--db', corpus.dbFile]);
  assert.match(far.stderr, /--max-distance must be a whole number from 0 to 11, got "30"/);
});

test('percentile: the share of scores below, ties counted half', () => {
  const sorted = Float64Array.from([0.1, 0.2, 0.2, 0.3]);
  assert.equal(percentile(sorted, 0.05), 0);
  assert.equal(percentile(sorted, 0.2), 50);
  assert.equal(percentile(sorted, 0.25), 75);
  assert.equal(percentile(sorted, 0.9), 100);
  assert.equal(percentile(new Float64Array(0), 0.5), 0);
});

test('under an embedded model, vet places the image–claim cosine among the split file\'s pairs and lists the nearest corpus items', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir, { photos: true });
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const clip = new ClipModel(await readModel(TINY), 'cpu');
  t.after(() => clip.release());
  const search = new NeighbourSearch(db);
  t.after(() => search.release());
  const image = path.join(corpus.origin, 'guardian/images/0000/100.jpg');
  const claim = 'Protesters gather in Lisbon square number 0';

  // Before embedding, the cosine is there but nothing to place it among or search.
  const bare = await vet(db, { images: [{ file: image }], caption: claim }, { clips: [clip], search });
  const [before] = bare.images[0]!.scores;
  assert.equal(before!.model, 'tiny-random-clip');
  assert.equal(before!.randomWeights, true);
  assert.equal(typeof before!.cosine, 'number');
  assert.equal(before!.place, null);
  assert.match(before!.notes.join('\n'), /have no scores under tiny-random-clip: embed the corpus/);
  assert.match(before!.notes.join('\n'), /no image embeddings under tiny-random-clip/);

  await runEmbedJob(db, clip, { what: 'all' });
  await computePairScores(db, 'tiny-random-clip');
  // Warming up now holds both of the model's matrices.
  const tasks = new InProcessTasks(db);
  t.after(() => tasks.close());
  const warmth = await tasks.run('vetWarm', {});
  assert.ok(warmth.matrices >= 2, `${warmth.matrices} matrices`);
  const result = await vet(db, { images: [{ file: image }], caption: claim }, { clips: [clip], search });
  assert.deepEqual(result.reference, { split: 'merged_balanced', subset: 'test' });
  const [m] = result.images[0]!.scores;
  // The same image and its own caption: the cosine is the stored pristine score of pair 100.
  const stored = db.prepare("SELECT s.pristine FROM pair_scores s JOIN pairs p USING (pair_id) JOIN annotation_files f USING (file_id) WHERE s.name = 'tiny-random-clip' AND f.split = 'merged_balanced' AND f.subset = 'test' AND p.caption_id = 100").pluck().get() as number;
  assert.ok(Math.abs(m!.cosine! - stored) < 1e-5, `cosine ${m!.cosine} vs stored ${stored}`);
  const { pristine, falsified } = db
    .prepare("SELECT count(s.pristine) AS pristine, count(s.falsified) AS falsified FROM pair_scores s JOIN annotation_files f USING (file_id) WHERE s.name = 'tiny-random-clip' AND f.split = 'merged_balanced' AND f.subset = 'test'")
    .get() as { pristine: number; falsified: number };
  assert.equal(m!.place!.pristinePairs, pristine);
  assert.equal(m!.place!.falsifiedPairs, falsified);
  const { below, atMost } = db
    .prepare("SELECT count(s.pristine < @x OR NULL) AS below, count(s.pristine <= @x OR NULL) AS atMost FROM pair_scores s JOIN annotation_files f USING (file_id) WHERE s.name = 'tiny-random-clip' AND f.split = 'merged_balanced' AND f.subset = 'test'")
    .get({ x: m!.cosine! }) as { below: number; atMost: number };
  assert.equal(m!.place!.percentilePristine, (100 * (below + atMost)) / 2 / pristine);
  assert.equal(m!.neighbours.images[0]!.itemId, 100);
  assert.ok(m!.neighbours.images[0]!.score > 0.999);
  assert.equal(m!.neighbours.captions[0]!.itemId, 100);
  assert.equal(m!.neighbours.claimImages.length, 10);
  assert.deepEqual(m!.notes, []);

  await assert.rejects(vet(db, { images: [{ file: image }], split: 'person_sbert_text_text' }, { clips: [clip], search }), /no person_sbert_text_text\/test\.json was indexed/);
});

/** A JPEG with an EXIF block (APP1) holding only IFD1's thumbnail, or the bytes given as the block. */
function withExifBlock(jpeg: Buffer, tiff: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const header = Buffer.from([0xff, 0xe1, 0, 0]);
  header.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, body, jpeg.subarray(2)]);
}

function thumbnailTiff(thumb: Buffer): Buffer {
  const t = Buffer.alloc(44);
  t.write('II*\0', 0, 'latin1');
  t.writeUInt32LE(8, 4); // IFD0 at 8: no entries, IFD1 next at 14
  t.writeUInt16LE(0, 8);
  t.writeUInt32LE(14, 10);
  t.writeUInt16LE(2, 14);
  for (const [k, [tag, value]] of [[0x0201, 44], [0x0202, thumb.length]].entries()) {
    const at = 16 + k * 12;
    t.writeUInt16LE(tag!, at);
    t.writeUInt16LE(4, at + 2); // LONG
    t.writeUInt32LE(1, at + 4);
    t.writeUInt32LE(value!, at + 8);
  }
  t.writeUInt32LE(0, 40);
  return Buffer.concat([t, thumb]);
}

test('file forensics: planted EXIF dates, camera, software and GPS (with the distance from a place), the real format against the name, JPEG quality, error levels, and an embedded thumbnail of another picture', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir, { photos: true });
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const photo = await sharp(await photoJpeg(21, 320, 240))
    .jpeg({ quality: 75 })
    .withExif({
      IFD0: { Make: 'Canon', Model: 'EOS 5D', Software: 'Adobe Photoshop 24.0', DateTime: '2023:10:01 12:00:00' },
      IFD2: { DateTimeOriginal: '2019:05:04 09:30:00' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 28/1 12/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 22/1 36/1' },
    })
    .toBuffer();
  const named = path.join(dir, 'valencia.png'); // a JPEG under a .png name
  writeFileSync(named, photo);
  const valencia = { latitude: 39.4699, longitude: -0.3763 };
  const madrid = { latitude: 40.4168, longitude: -3.7038 };
  const [near] = (await vet(db, { images: [{ file: named }], place: valencia })).images;
  const f = near!.forensics!;
  assert.deepEqual(f.format, { real: 'jpeg', extension: 'png', matches: false });
  assert.equal(f.metadata!.captured, '2019:05:04 09:30:00');
  assert.equal(f.metadata!.modified, '2023:10:01 12:00:00');
  assert.equal(f.metadata!.camera, 'Canon EOS 5D');
  assert.equal(f.metadata!.software, 'Adobe Photoshop 24.0');
  assert.ok(Math.abs(f.metadata!.gps!.latitude - 39.47) < 1e-9 && Math.abs(f.metadata!.gps!.longitude + 0.376667) < 1e-6);
  assert.ok(f.metadata!.distanceKm! < 0.1, `${f.metadata!.distanceKm} km from Valencia`);
  const [far] = (await vet(db, { images: [{ file: named }], place: madrid })).images;
  assert.ok(Math.abs(far!.forensics!.metadata!.distanceKm! - 301) < 5, `${far!.forensics!.metadata!.distanceKm} km from Madrid`);
  assert.equal(f.jpeg!.quality, 75);
  assert.equal(f.jpeg!.tables.length, 2);
  assert.match(f.ela!.dataUrl, /^data:image\/png;base64,/);
  assert.equal(f.thumbnail, null);

  // An EXIF thumbnail of the same photo passes; one of another photo is flagged.
  const base = await photoJpeg(22, 320, 240);
  const same = await sharp(base).resize(160, 120).jpeg({ quality: 60 }).toBuffer();
  const other = await sharp(await photoJpeg(23, 320, 240)).resize(160, 120).jpeg({ quality: 60 }).toBuffer();
  const [kept] = (await vet(db, { images: [{ bytes: withExifBlock(base, thumbnailTiff(same)), name: 'kept.jpg' }] })).images;
  assert.equal(kept!.forensics!.thumbnail!.width, 160);
  assert.equal(kept!.forensics!.thumbnail!.differs, false);
  const [edited] = (await vet(db, { images: [{ bytes: withExifBlock(base, thumbnailTiff(other)), name: 'edited.jpg' }] })).images;
  assert.equal(edited!.forensics!.thumbnail!.differs, true);

  // A damaged EXIF block: said so, and the rest of the evidence is still there.
  const [damaged] = (await vet(db, { images: [{ bytes: withExifBlock(base, Buffer.from('II*\0\xff\xff\xff\x7fgarbage', 'latin1')), name: 'damaged.jpg' }] })).images;
  assert.equal(damaged!.forensics!.format.real, 'jpeg');
  assert.equal(damaged!.forensics!.jpeg!.quality, 90);
  assert.match(damaged!.forensics!.metadataError!, /the metadata block is damaged \(IFD0 offset points to outside of file\.\)/);
  assert.equal(damaged!.forensics!.metadata, null);
  assert.match(damaged!.forensics!.ela!.dataUrl, /^data:image\/png/);
  assert.deepEqual(damaged!.errors, []);
});

test("an item's publication date is read from whatever date field its metadata has, and nothing is made up", async (t) => {
  const corpus = await writeImageCorpus(tempDir(t));
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const metadata = new MetadataWriter(db, '');
  metadata.add('test', 100, { timestamp: '2014-01-02T10:00:00Z' });
  metadata.add('test', 101, { published_date: 'Thu, 02 Jan 2014 23:30:00 GMT', location: 'Kyiv' });
  metadata.add('test', 102, { article: { pub_time: 1388664000000 } });
  metadata.add('test', 103, { timestamp: 'unknown', created: '2014-01-02', time_zone: 3 });
  metadata.add('test', 104, { entities: { DATE: ['last week'] } });
  assert.deepEqual(itemDate(db, 100), { date: '2014-01-02', from: 'metadata (test): timestamp' });
  assert.deepEqual(itemDate(db, 101), { date: '2014-01-02', from: 'metadata (test): published_date' });
  assert.deepEqual(itemDate(db, 102), { date: '2014-01-02', from: 'metadata (test): article.pub_time' });
  // Not a date, a field whose name does not say date, a number that is no time: none.
  assert.equal(itemDate(db, 103), null);
  assert.equal(itemDate(db, 104), null);
  assert.equal(itemDate(db, 105), null);
});
