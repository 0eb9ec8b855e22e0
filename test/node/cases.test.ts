import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import sharp from 'sharp';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { getItem } from '../../electron/node/store/items.ts';
import { hashImages } from '../../electron/node/vetting/hash-job.ts';
import { caseImagesDir } from '../../electron/node/vetting/case-files.ts';
import { fetchImage } from '../../electron/node/vetting/fetch-image.ts';
import { REPO_ROOT } from '../fixtures/cli.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';
import { photoJpeg } from '../fixtures/photos.ts';

const base64 = (bytes: Buffer): string => bytes.toString('base64');

/** A photo corpus, its open database and the API on it, closed after the test. */
async function caseApi(t: TestContext) {
  const corpus = await writeImageCorpus(tempDir(t), { photos: true });
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  return { corpus, db, api: createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'test' }) };
}

test('a case: images checked and stored once by sha256, vetted with every part of the evidence, pinned, re-worded, deleted with its files', async (t) => {
  const { corpus, db, api } = await caseApi(t);
  await hashImages(db);

  // Warming up loads the models and the hash index (no vectors to load here: not embedded).
  const warmth = await api['cases.warm']({});
  assert.deepEqual([warmth.models >= 1, warmth.matrices, warmth.hashes], [true, 0, 34]);
  const created = await api['cases.create']({ title: '  ', claim: 'Flooding in Valencia last week' });
  assert.match(created.title, /^Case of \d{4}-\d\d-\d\d$/);
  const caseId = created.caseId;
  // A corpus photo, mirrored and re-encoded: vetting must find where it came from.
  const copy = await sharp(readFileSync(path.join(corpus.origin, 'bbc/images/0000/105.jpg'))).flop().jpeg({ quality: 70 }).toBuffer();
  const stranger = await photoJpeg(4242);
  await api['cases.addImage']({ caseId, name: 'from-telegram.jpg', data: base64(copy) });
  await api['cases.addImage']({ caseId, name: 'again.jpg', data: base64(copy) });
  let file = await api['cases.addImage']({ caseId, name: 'other.jpg', data: base64(stranger) });
  assert.deepEqual(
    file.images.map((i) => [i.name, i.format, i.evidence]),
    [
      ['from-telegram.jpg', 'jpeg', null],
      ['other.jpg', 'jpeg', null],
    ],
  );
  assert.deepEqual(readdirSync(caseImagesDir(db)).sort(), file.images.map((i) => i.sha256).sort());
  await assert.rejects(async () => api['cases.addImage']({ caseId, name: 'notes.txt', data: base64(Buffer.from('hello')) }), /notes\.txt is not an image/);
  assert.equal((await api['cases.get']({ caseId })).images.length, 2);

  file = await api['cases.vet']({ caseId });
  const [first, second] = file.images;
  assert.deepEqual(first!.evidence!.nearDuplicates.map((d) => [d.itemId, d.mirrored]), [[105, true]]);
  assert.deepEqual(second!.evidence!.nearDuplicates, []);
  assert.equal(first!.evidence!.scores[0]!.model, 'tiny-random-clip');
  assert.equal(typeof first!.evidence!.scores[0]!.cosine, 'number');
  assert.deepEqual(first!.evidence!.errors, []);
  const preview = await api['cases.preview']({ sha256: first!.sha256, size: 64 });
  assert.match(preview.dataUrl, /^data:image\/jpeg;base64,/);
  await assert.rejects(async () => api['cases.preview']({ sha256: '../../etc/passwd', size: 64 }), /not an image's sha256/);

  file = await api['cases.pin']({ caseId, target: 'item:105', label: 'published by the BBC first' });
  assert.deepEqual(file.pins.map((p) => [p.target, p.label]), [['item:105', 'published by the BBC first']]);
  file = await api['cases.update']({ caseId, notes: 'Reverse search done.', verdict: 'repurposed' });
  assert.equal(file.verdict, 'repurposed');
  assert.ok(file.images.every((i) => i.evidence !== null), 'notes and verdict keep the evidence');
  // The report: one file, every image inside it, no scripts, nothing to fetch; what the user typed escaped.
  await api['cases.update']({ caseId, notes: 'Checked <script>alert(1)</script> & the BBC archive' });
  const report = await api['cases.report']({ caseId });
  assert.match(report.filename, /^Case-of-\d{4}-\d\d-\d\d-report$/);
  assert.ok(report.html.includes('Checked &#60;script&#62;alert(1)&#60;/script&#62; &#38; the BBC archive'));
  assert.ok(!/<script/i.test(report.html), 'no script element');
  assert.ok(!/(src|href)="(?!data:)/i.test(report.html), 'every image is a data URL');
  assert.ok(report.html.includes(first!.sha256) && report.html.includes(second!.sha256));
  assert.match(report.html, /Item 105<\/b> bbc \/ world/);
  assert.match(report.html, /data:image\/jpeg;base64,/);
  const json = JSON.parse(report.json) as { images: { sha256: string; evidence: { nearDuplicates: { itemId: number }[] } }[]; models: { id: string; manifestSha256: string }[] };
  assert.deepEqual(json.images.map((i) => i.sha256), [first!.sha256, second!.sha256]);
  assert.equal(json.images[0]!.evidence.nearDuplicates[0]!.itemId, 105);
  assert.match(json.models.find((m) => m.id === 'tiny-random-clip')!.manifestSha256, /^[0-9a-f]{64}$/);

  file = await api['cases.update']({ caseId, claim: 'Protest in Tbilisi' });
  assert.ok(file.images.every((i) => i.evidence === null), 'a new claim clears the evidence');
  await assert.rejects(async () => api['cases.update']({ caseId, verdict: 'fake' as never }), /must be one of consistent, repurposed, manipulated, inconclusive/);

  // Another case sharing an image keeps its file when the first case goes.
  const other = await api['cases.create']({ title: 'Second look', claim: '' });
  await api['cases.addImage']({ caseId: other.caseId, name: 'same.jpg', data: base64(copy) });
  const { cases } = await api['cases.delete']({ caseId });
  assert.deepEqual(cases.map((c) => c.title), ['Second look']);
  assert.deepEqual(readdirSync(caseImagesDir(db)), [first!.sha256]);
  await api['cases.removeImage']({ caseId: other.caseId, sha256: first!.sha256 });
  assert.deepEqual(readdirSync(caseImagesDir(db)), []);
  await assert.rejects(async () => api['cases.get']({ caseId }), /no case \d+; it may have been deleted/);
});

test('an image of a case whose stored copy is gone gets an error for that part only', async (t) => {
  const { db, api } = await caseApi(t);
  const { caseId } = await api['cases.create']({ title: 'Gone', claim: 'x' });
  const file = await api['cases.addImage']({ caseId, name: 'a.jpg', data: base64(await photoJpeg(1)) });
  (await import('node:fs')).rmSync(path.join(caseImagesDir(db), file.images[0]!.sha256));
  const vetted = await api['cases.vet']({ caseId });
  assert.match(vetted.images[0]!.evidence!.errors[0]!.message, /the stored copy of a\.jpg cannot be read/);
});

test('a case and its images survive the process being killed right after they were acknowledged', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir, { photos: true });
  const script = `
    import { openDatabase } from './electron/node/store/db.ts';
    import { createCase } from './electron/node/store/cases.ts';
    import { addImageToCase } from './electron/node/vetting/case-files.ts';
    import { photoJpeg } from './test/fixtures/photos.ts';
    const db = openDatabase(${JSON.stringify(corpus.dbFile)});
    const id = createCase(db, 'Killed', 'a claim');
    for (let s = 0; s < 3; s++) {
      await addImageToCase(db, id, { bytes: await photoJpeg(s), name: 'photo-' + s + '.jpg' });
      process.stdout.write(s + '\\n');
    }
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the writer exited by itself (${code})`)));
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.trim().split('\n').length >= 3) {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.kill('SIGKILL');
      }
    });
  });
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const api = createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'test' });
  const [summary] = (await api['cases.list']({})).cases;
  assert.equal(summary!.title, 'Killed');
  assert.equal(summary!.images, 3);
  const file = await api['cases.get']({ caseId: summary!.caseId });
  for (const image of file.images) assert.ok(existsSync(path.join(caseImagesDir(db), image.sha256)));
  assert.deepEqual(readdirSync(caseImagesDir(db)).filter((f) => f.endsWith('.tmp')), []);
});

test('an image fetched from a web address: followed through redirects, kept with its address; loops, time-outs, huge bodies, pages and other schemes refused by name', async (t) => {
  const photo = await photoJpeg(8);
  const server = http.createServer((req, res) => {
    const route = req.url ?? '/';
    if (route === '/photo.jpg') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(photo); // a lying Content-Type: the bytes decide
    if (route === '/short-link') return void res.writeHead(302, { location: '/photo.jpg' }).end();
    if (route.startsWith('/loop')) return void res.writeHead(301, { location: `/loop${route.length}` }).end();
    if (route === '/page') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><script>alert(1)</script></html>');
    if (route === '/huge') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      const chunk = Buffer.alloc(1 << 20, 0xff);
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
      return;
    }
    if (route === '/slow') return; // never answers
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fetched = await fetchImage(`${base}/short-link`);
  assert.equal(fetched.name, 'photo.jpg');
  assert.equal(fetched.url, `${base}/photo.jpg`);
  assert.deepEqual(fetched.bytes, photo);
  await assert.rejects(fetchImage(`${base}/loop`), /redirects more than 5 times \(a loop\?\)/);
  await assert.rejects(fetchImage(`${base}/slow`, { timeoutMs: 300 }), /did not answer within 0\.3 s/);
  await assert.rejects(fetchImage(`${base}/huge`, { maxBytes: 3 << 20 }), /is over 3 MB; larger images are refused/);
  await assert.rejects(fetchImage(`${base}/missing.jpg`), /answered 404/);
  await assert.rejects(fetchImage('file:///etc/passwd'), /only http and https addresses are fetched, not file/);
  await assert.rejects(fetchImage('not a url'), /not a web address/);

  const { api } = await caseApi(t);
  const { caseId } = await api['cases.create']({ title: 'From the web', claim: '' });
  const file = await api['cases.addUrl']({ caseId, url: `${base}/short-link` });
  assert.deepEqual(file.images.map((i) => [i.name, i.source, i.format]), [['photo.jpg', `${base}/photo.jpg`, 'jpeg']]);
  await assert.rejects(async () => api['cases.addUrl']({ caseId, url: `${base}/page` }), /page is not an image/);
  assert.equal((await api['cases.get']({ caseId })).images.length, 1);
});

test("a case's place: checked, stored, and measured against the GPS in its images", async (t) => {
  const { api } = await caseApi(t);
  const { caseId } = await api['cases.create']({ title: 'Where', claim: 'Flooding in Valencia' });
  await assert.rejects(async () => api['cases.update']({ caseId, place: 'Valencia' }), /must be "<latitude>, <longitude>" in degrees/);
  await assert.rejects(async () => api['cases.update']({ caseId, place: '95, 10' }), /must be "<latitude>, <longitude>"/);
  const gps = await sharp(await photoJpeg(30)).withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '39/1 28/1 12/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 22/1 36/1' } }).jpeg().toBuffer();
  await api['cases.addImage']({ caseId, name: 'gps.jpg', data: base64(gps) });
  await api['cases.vet']({ caseId });
  let file = await api['cases.update']({ caseId, place: '39.4699, -0.3763' });
  assert.deepEqual(file.place, { latitude: 39.4699, longitude: -0.3763 });
  assert.equal(file.images[0]!.evidence, null, 'a new place clears the evidence');
  file = await api['cases.vet']({ caseId });
  assert.ok(file.images[0]!.evidence!.forensics!.metadata!.distanceKm! < 0.1);
  file = await api['cases.update']({ caseId, place: '' });
  assert.equal(file.place, null);
});

test("a case image explained against the claim: the corpus pair's own map for the same image and words, kept with the case, redone for a new claim, in the report", async (t) => {
  const { corpus, db, api } = await caseApi(t);
  const item = getItem(db, 102)!;
  const corpusImage = readFileSync(path.join(corpus.origin, item.image_path!));
  const caption = item.caption;
  const { caseId } = await api['cases.create']({ title: 'Saliency', claim: '' });
  const { images } = await api['cases.addImage']({ caseId, name: 'copy.jpg', data: base64(corpusImage) });
  const sha256 = images[0]!.sha256;
  await assert.rejects(async () => api['cases.explain']({ caseId, sha256, method: 'occlusion', colormap: 'jet' }), /type the claimed caption first/);
  await api['cases.update']({ caseId, claim: caption });

  // The same bytes and words as corpus pair 102's: the same score and map as the pair detail's.
  const pair = await api['saliency.explain']({ imageId: 102, captionId: 102, method: 'occlusion', colormap: 'jet' });
  const first = await api['cases.explain']({ caseId, sha256, method: 'occlusion', colormap: 'jet' });
  assert.equal(first.cached, false);
  assert.ok(Math.abs(first.score - pair.score) < 1e-6);
  assert.deepEqual(first.map!.values.map((v) => v.toFixed(5)), pair.map!.values.map((v) => v.toFixed(5)));
  assert.deepEqual(first.tokens.map((w) => w.text), caption.split(' '));
  assert.match(first.heatmap!, /^data:image\/png;base64,/);
  assert.equal((await api['cases.explain']({ caseId, sha256, method: 'occlusion', colormap: 'viridis' })).cached, true);
  for (const method of ['chefer', 'rise', 'words'] as const) {
    const r = await api['cases.explain']({ caseId, sha256, method, colormap: 'jet', masks: 16 });
    assert.equal(r.method, method);
    assert.equal(r.map === null, method === 'words');
  }
  const png = await api['cases.saliencyPng']({ caseId, sha256, method: 'occlusion', colormap: 'jet', opacity: 0.5 });
  assert.deepEqual(await sharp(Buffer.from(png.png.split(',')[1]!, 'base64')).metadata().then((m) => [m.format, m.width]), ['png', 448]);
  await assert.rejects(async () => api['cases.saliencyPng']({ caseId, sha256, method: 'words', colormap: 'jet', opacity: 0.5 }), /draws no image map/);
  await assert.rejects(async () => api['cases.explain']({ caseId, sha256: 'f'.repeat(64), method: 'occlusion', colormap: 'jet' }), /has no image f{12}/);

  // The report shows each map with its words; the JSON keeps the maps.
  const report = await api['cases.report']({ caseId });
  assert.match(report.html, /Saliency against the claim/);
  assert.equal(report.html.match(/alt="(occlusion|chefer|rise) saliency map"/g)?.length, 3);
  const json = JSON.parse(report.json) as { images: { saliency: { method: string }[] }[] };
  assert.deepEqual(json.images[0]!.saliency.map((s) => s.method).sort(), ['chefer', 'occlusion', 'rise', 'words']);

  // A new claim is a new question: nothing reused, nothing reported from the old one.
  await api['cases.update']({ caseId, claim: 'A different claim entirely' });
  assert.equal((await api['cases.explain']({ caseId, sha256, method: 'occlusion', colormap: 'jet' })).cached, false);
  assert.equal(JSON.parse((await api['cases.report']({ caseId })).json).images[0].saliency.length, 1);
  // Removing the image removes its maps.
  await api['cases.removeImage']({ caseId, sha256 });
  assert.equal(db.prepare('SELECT count(*) FROM case_saliency').pluck().get(), 0);
});
