import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { once } from 'node:events';
import sharp from 'sharp';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { handleInterrupts } from '../../electron/node/cli/interrupt.ts';
import { exportPairs, type ExportRequest } from '../../electron/node/export/write.ts';
import { thumbnailFor } from '../../electron/node/images/thumbnails.ts';
import { ClipModel } from '../../electron/node/inference/clip.ts';
import { readModel } from '../../electron/node/inference/manifest.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { resolveMedia } from '../../electron/node/server/media.ts';
import { startServer } from '../../electron/node/server/http-server.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { readIndexLog } from '../../electron/node/store/index-log.ts';
import { getItem } from '../../electron/node/store/items.ts';
import { REPO_ROOT, runCli } from '../fixtures/cli.ts';
import { item, pairRows, tempDir, writeCorpus, writeJson, writeText } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

/** Nothing the user made is deleted or replaced by a command of ours; no file outside the dataset is ever read. */

const MERGED_TEST = { split: 'merged_balanced', subset: 'test' };
const EXPORT: Omit<ExportRequest, 'dir' | 'selection'> = { formats: ['newsclippings', 'jsonl', 'csv'], images: false, articles: false, overwrite: true, version: 'test' };

async function indexed(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  return { dir, corpus, db };
}

test('export --force refuses every target that is, holds or lies inside the database, its side files, the dataset or the app data', async (t) => {
  const { dir, corpus, db } = await indexed(t);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  mkdirSync(`${corpus.dbFile}.vectors`);
  mkdirSync(path.join(dir, 'thumbnails'));
  writeFileSync(`${corpus.dbFile}-wal`, '');
  mkdirSync(path.join(dir, 'elsewhere'));
  symlinkSync(corpus.origin, path.join(dir, 'elsewhere', 'link-to-origin'));
  const env = { ...process.env, OOC_HOME: home };
  const targets: [string, RegExp][] = [
    [dir, /contains the database/],
    [corpus.dbFile, /is the database/],
    [`${corpus.dbFile}-wal`, /write-ahead log/],
    [`${corpus.dbFile}.vectors`, /embeddings folder/],
    [path.join(dir, 'thumbnails'), /thumbnail cache/],
    [`${corpus.dbFile}.heads`, /trained heads folder/],
    [path.join(`${corpus.dbFile}.cases`, 'sub'), /investigation cases' images/],
    [corpus.origin, /is the VisualNews dataset folder/],
    [path.join(corpus.origin, 'guardian'), /lies inside the VisualNews dataset folder/],
    [path.dirname(corpus.origin), /contains the VisualNews dataset folder/],
    [path.join(corpus.clippings, 'data', 'new'), /lies inside the NewsCLIPpings dataset folder/],
    [path.join(dir, 'elsewhere', 'link-to-origin', 'x'), /lies inside the VisualNews dataset folder/],
    [path.join(corpus.origin, '..', 'origin'), /is the VisualNews dataset folder/],
    [path.join(home, 'exports', 'mine'), /app's data folder/],
  ];
  const before = readdirSync(corpus.origin).sort();
  for (const [target, why] of targets) {
    const previous = process.env.OOC_HOME;
    process.env.OOC_HOME = home;
    try {
      await assert.rejects(exportPairs(db, { ...EXPORT, dir: target, selection: { query: MERGED_TEST } }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'BAD_ARGUMENT', target);
        assert.match(err.message, why, target);
        return true;
      });
    } finally {
      if (previous === undefined) delete process.env.OOC_HOME;
      else process.env.OOC_HOME = previous;
    }
  }
  assert.deepEqual(readdirSync(corpus.origin).sort(), before, 'the dataset is untouched');

  // The reported case, from the command line: --out names the folder holding the database.
  db.close();
  const cli = await runCli(['export', '--split', 'merged_balanced', '--subset', 'test', '--db', corpus.dbFile, '--out', dir, '--force'], env);
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /refusing to export to .*: it contains the database/);
  assert.ok(existsSync(corpus.dbFile), 'the database is still there');
  const images = await runCli(['export', '--split', 'merged_balanced', '--subset', 'test', '--db', corpus.dbFile, '--out', corpus.origin, '--force', '--images'], env);
  assert.equal(images.code, 2, images.stderr);
  assert.ok(existsSync(path.join(corpus.origin, 'data.json')), "VisualNews' data.json is still there");
});

test('--force replaces only an unchanged previous export; an empty folder is used; anything else is refused', async (t) => {
  const { dir, db } = await indexed(t);
  const selection = { query: MERGED_TEST };
  const mine = path.join(dir, 'my-notes');
  mkdirSync(mine);
  writeFileSync(path.join(mine, 'notes.txt'), 'months of work');
  await assert.rejects(exportPairs(db, { ...EXPORT, dir: mine, selection }), /no export manifest\.json, so it is not a previous export/);
  assert.equal(readFileSync(path.join(mine, 'notes.txt'), 'utf8'), 'months of work');

  const empty = path.join(dir, 'picked-empty');
  mkdirSync(empty);
  const summary = await exportPairs(db, { ...EXPORT, overwrite: false, dir: empty, selection });
  assert.equal(summary.pairs, 12);
  assert.ok(existsSync(path.join(empty, 'manifest.json')), 'an empty folder (as a folder picker makes) takes the export');

  await assert.rejects(exportPairs(db, { ...EXPORT, overwrite: false, dir: empty, selection }), /already exists \(a previous export\).*--force/);
  await exportPairs(db, { ...EXPORT, dir: empty, selection });
  writeFileSync(path.join(empty, 'news_clippings', 'my-analysis.ipynb'), '{}');
  await assert.rejects(exportPairs(db, { ...EXPORT, dir: empty, selection }), /it holds news_clippings\/my-analysis\.ipynb, which the export did not write/);
  assert.ok(existsSync(path.join(empty, 'news_clippings', 'my-analysis.ipynb')));

  const forged = path.join(dir, 'forged');
  mkdirSync(forged);
  writeJson(path.join(forged, 'manifest.json'), { app: 'something-else', files: [] });
  await assert.rejects(exportPairs(db, { ...EXPORT, dir: forged, selection }), /was not written by an OOC Workbench export/);
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

test('an export cleans up after exports whose process died, restoring a previous export set aside, and says so', async (t) => {
  const { dir, db } = await indexed(t);
  const selection = { query: MERGED_TEST };
  const target = path.join(dir, 'out');
  await exportPairs(db, { ...EXPORT, dir: target, selection });
  const pid = await deadPid();
  // A killed build, and a killed replace that had already moved the previous export aside.
  const half = path.join(dir, `.out.partial-${pid}-0badc0de`);
  mkdirSync(path.join(half, 'news_clippings'), { recursive: true });
  writeFileSync(path.join(half, 'pairs.jsonl'), 'x'.repeat(10_000));
  const other = path.join(dir, 'other');
  const setAside = path.join(dir, `.other.partial-${pid}-00c0ffee.old`);
  cpSync(target, setAside, { recursive: true });
  const alive = path.join(dir, `.out.partial-${process.pid}-0000beef`);
  mkdirSync(alive);
  const notOurs = path.join(dir, '.out.partial-cafe');
  mkdirSync(notOurs);

  const summary = await exportPairs(db, { ...EXPORT, dir: target, selection });
  assert.deepEqual(summary.cleaned.sort(), [`removed ${half} (left by an interrupted export)`, `restored ${other} (an interrupted export had set it aside)`].sort());
  assert.ok(!existsSync(half));
  assert.ok(existsSync(path.join(other, 'manifest.json')), 'the previous export is back in its place');
  assert.ok(existsSync(alive), "a running export's folder is left alone");
  assert.ok(existsSync(notOurs), 'a folder without our name pattern is left alone');
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('.partial-')).sort(), ['.out.partial-cafe', path.basename(alive)].sort());
});

test('SIGTERM stops an export like Ctrl-C: the job is cancelled and its temporary folder removed', async (t) => {
  const { dir, db } = await indexed(t);
  const controller = new AbortController();
  const stop = handleInterrupts(controller, 'exporting');
  t.after(stop);
  process.emit('SIGTERM', 'SIGTERM');
  assert.equal(controller.signal.aborted, true);
  const target = path.join(dir, 'cancelled');
  await assert.rejects(exportPairs(db, { ...EXPORT, dir: target, selection: { query: MERGED_TEST }, signal: controller.signal }), { code: 'CANCELLED' });
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('cancelled')), [], 'neither the target nor a partial folder is left');
});

test("an export's data.json holds the source's records byte for byte, ./ paths and unknown fields included", async (t) => {
  const dir = tempDir(t);
  const items = [
    { ...item(1, 'A caption with "quotes" and 北京'), extra_field: { kept: true } },
    { id: 2, caption: 'Second', topic: 'world', source: 'bbc', image_path: 'bbc/images/0000/002.jpg', article_path: '.\\bbc\\articles\\2.txt' },
    item(3, 'Third'),
    item(4, 'Fourth'),
  ];
  const text = `[\n  ${items.map((r) => JSON.stringify(r, null, 1)).join(',\n  ')}\n]\n`;
  const corpus = writeCorpus(dir, [], { merged_balanced: { test: { annotations: [...pairRows(1, 2), ...pairRows(3, 4)] } } });
  writeText(path.join(corpus.origin, 'data.json'), text);
  const db = openDatabase(path.join(dir, 'index.db'));
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  const out = path.join(dir, 'out');
  await exportPairs(db, { ...EXPORT, dir: out, selection: { query: MERGED_TEST } });
  const exported = readFileSync(path.join(out, 'visual_news', 'origin', 'data.json'), 'utf8');
  const sourceRecords = items.map((r) => JSON.stringify(r, null, 1));
  assert.equal(exported, `[${sourceRecords.join(', ')}]\n`);
  assert.equal(JSON.parse(exported)[0].image_path, './guardian/images/0000/001.jpg', 'the leading ./ stays');

  // data.json changed since indexing: the records are written from the index, in VisualNews' ./ form.
  writeText(path.join(corpus.origin, 'data.json'), `${text} `);
  await exportPairs(db, { ...EXPORT, dir: out, selection: { query: MERGED_TEST } });
  const rewritten = JSON.parse(readFileSync(path.join(out, 'visual_news', 'origin', 'data.json'), 'utf8')) as { image_path: string; article_path: string }[];
  assert.deepEqual(rewritten.map((r) => r.image_path), ['./guardian/images/0000/001.jpg', './bbc/images/0000/002.jpg', './guardian/images/0000/003.jpg', './guardian/images/0000/004.jpg']);
});

test('symlinks that leave the dataset folder are flagged when indexing and refused at every read', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const outsideDir = path.join(dir, 'private');
  mkdirSync(outsideDir);
  const secretImage = path.join(outsideDir, 'secret.jpg');
  await sharp({ create: { width: 40, height: 40, channels: 3, background: { r: 9, g: 9, b: 9 } } }).jpeg().toFile(secretImage);
  writeFileSync(path.join(outsideDir, 'secret.txt'), 'private text');
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());

  // After indexing: an image and an article are replaced by links to files outside the root.
  const victim = getItem(db, 100)!;
  const imageFile = path.join(corpus.origin, victim.image_path!);
  unlinkSync(imageFile);
  symlinkSync(secretImage, imageFile);
  const articleFile = path.join(corpus.origin, victim.article_path!);
  mkdirSync(path.dirname(articleFile), { recursive: true });
  symlinkSync(path.join(outsideDir, 'secret.txt'), articleFile);

  const media = await resolveMedia(db, path.join(dir, 'thumbs'), { kind: 'image', id: 100, size: 256 });
  assert.equal(media.status, 403);
  const thumb = await resolveMedia(db, path.join(dir, 'thumbs'), { kind: 'thumb', id: 100, size: 256 });
  assert.equal(thumb.status, 403);
  await assert.rejects(thumbnailFor(db, path.join(dir, 'thumbs'), 100), { code: 'PATH_OUTSIDE_ROOT' });
  const handlers = createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'test' });
  await assert.rejects(Promise.resolve().then(() => handlers['items.article']({ id: 100 })), { code: 'PATH_OUTSIDE_ROOT' });
  const summary = await exportPairs(db, { ...EXPORT, images: true, articles: true, dir: path.join(dir, 'out'), selection: { query: MERGED_TEST } });
  assert.ok(!existsSync(path.join(dir, 'out', 'visual_news', 'origin', victim.image_path!)), 'the linked file is not copied');
  assert.ok(summary.missing.images >= 2, 'counted as not copied');

  // A folder inside the root that is a link to one outside, and a linked file: flagged at index time.
  const linkedFolder = path.join(corpus.origin, 'bbc', 'images', 'linked');
  symlinkSync(outsideDir, linkedFolder);
  const data = JSON.parse(readFileSync(path.join(corpus.origin, 'data.json'), 'utf8')) as { id: number; image_path: string }[];
  data[1]!.image_path = './bbc/images/linked/secret.jpg';
  writeJson(path.join(corpus.origin, 'data.json'), data);
  const again = openDatabase(path.join(dir, 'again.db'));
  t.after(() => again.close());
  await buildIndex(again, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(getItem(again, data[0]!.id)!.image_path, null);
  assert.equal(getItem(again, data[1]!.id)!.image_path, null);
  assert.equal(getItem(again, data[2]!.id)!.image_path, data[2]!.image_path.slice(2), 'ordinary files are kept');
  const flagged = readIndexLog(again).find((e) => e.reason === 'image_path_outside_root');
  assert.equal(flagged?.n, 2);
});

test('one deeply nested or oversized record is a counted skip; the rest of data.json and the split file are indexed', async (t) => {
  const dir = tempDir(t);
  const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
  const items = [item(1, 'one'), item(2, 'two'), item(3, 'three'), item(4, 'four')];
  const corpus = writeCorpus(dir, [], {});
  const records = items.map((r) => JSON.stringify(r));
  records.splice(2, 0, `{"id": 99, "caption": ${deep}}`);
  writeText(path.join(corpus.origin, 'data.json'), `[${records.join(', ')}]`);
  const rows = [...pairRows(1, 2), ...pairRows(3, 4)].map((r) => JSON.stringify(r));
  rows.splice(1, 0, `{"id": 1, "image_id": ${deep}, "falsified": true}`);
  writeText(path.join(corpus.clippings, 'data', 'merged_balanced', 'test.json'), `{"annotations": [${rows.join(', ')}]}`);
  const db = openDatabase(path.join(dir, 'index.db'));
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(db.prepare('SELECT count(*) FROM items').pluck().get(), 4);
  assert.equal(db.prepare('SELECT count(*) FROM pairs').pluck().get(), 2);
  const deepSkips = readIndexLog(db).filter((e) => e.reason === 'record_too_deep');
  assert.deepEqual(deepSkips.map((e) => [path.basename(e.file), e.n]).sort(), [['data.json', 1], ['test.json', 1]]);

  // The CLI says the same, exit 0.
  const cli = await runCli(['index', '--visualnews', corpus.origin, '--clippings', corpus.clippings, '--db', path.join(dir, 'cli.db')]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.doesNotMatch(cli.stderr, /call stack/);
});

test('model files that do not match their manifest are refused, naming the file; absurd manifest numbers are refused at once', async (t) => {
  const dir = tempDir(t);
  const tiny = path.join(REPO_ROOT, 'models', 'tiny-random-clip');
  const copy = (name: string, change: (m: Record<string, unknown>) => void): string => {
    const target = path.join(dir, name);
    cpSync(tiny, target, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(target, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    change(manifest);
    writeJson(path.join(target, 'manifest.json'), manifest);
    return target;
  };
  const previous = process.env.OOC_HOME;
  process.env.OOC_HOME = path.join(dir, 'home');
  t.after(() => (previous === undefined ? delete process.env.OOC_HOME : (process.env.OOC_HOME = previous)));

  const zeroed = copy('zeroed', (m) => ((m.image as { sha256: string }).sha256 = '0'.repeat(64)));
  const clip = new ClipModel(await readModel(zeroed), 'cpu');
  t.after(() => clip.release());
  await assert.rejects(clip.encodeImages(new Float32Array(3 * 32 * 32), 1), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'BAD_INPUT_FILE');
    assert.match(err.message, new RegExp(`model file ${path.join(zeroed, 'image.onnx').replace(/[/\\.]/g, '\\$&')} does not match its manifest`));
    return true;
  });
  assert.equal((await clip.encodeTexts(['text still checks out'])).length, 32, 'the text encoder, whose file is intact, still runs');

  await assert.rejects(readModel(copy('huge', (m) => (m.embeddingSize = 1e12))), /"embeddingSize" must be an integer from 1 to 16384, got 1000000000000/);
  await assert.rejects(readModel(copy('nan', (m) => ((m.preprocess as { std: number[] }).std = [0, 1, 1]))), /std above 0/);

  const wrongSize = new ClipModel(await readModel(copy('wrong-size', (m) => (m.embeddingSize = 16))), 'cpu');
  t.after(() => wrongSize.release());
  await assert.rejects(wrongSize.encodeTexts(['a caption']), /returned float32 \[1, 32\], but the manifest says \[1, 16\]/);

  // From the command line, as reported: embed with the zeroed model fails, exit 1, naming the file.
  const corpus = await writeImageCorpus(path.join(dir, 'corpus'));
  const cli = await runCli(['embed', '--model', zeroed, '--what', 'images', '--db', corpus.dbFile, '--ep', 'cpu'], { OOC_HOME: path.join(dir, 'home') });
  assert.equal(cli.code, 1, cli.stdout);
  assert.match(cli.stderr, /image\.onnx does not match its manifest/);
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  assert.equal(db.prepare('SELECT count(*) FROM embedding_rows').pluck().get(), 0, 'nothing was embedded');
});

test('database errors name the file and say what to do; a database on read-only media is browsed and exported read-only', async (t) => {
  const { dir, corpus, db } = await indexed(t);
  db.close();
  // Locked: another program holds a write lock.
  const holder = spawn(process.execPath, ['-e', `const D=require(${JSON.stringify(path.join(REPO_ROOT, 'node_modules', 'better-sqlite3'))});const d=new D(${JSON.stringify(corpus.dbFile)});d.pragma('locking_mode=EXCLUSIVE');d.exec('BEGIN EXCLUSIVE');d.exec('CREATE TABLE IF NOT EXISTS held_lock (x)');console.log('locked');setInterval(()=>{},1000)`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => holder.kill());
  await once(holder.stdout!, 'data');
  const locked = await runCli(['stats', '--db', corpus.dbFile], { OOC_BUSY_TIMEOUT_MS: '50' });
  holder.kill();
  await once(holder, 'exit');
  assert.equal(locked.code, 1);
  assert.match(locked.stderr, new RegExp(`the database ${corpus.dbFile.replace(/[/\\.]/g, '\\$&')} is locked by another program.*try again`));

  // Damaged: pages overwritten in the middle of the file.
  const damaged = path.join(dir, 'damaged.db');
  cpSync(corpus.dbFile, damaged);
  const bytes = readFileSync(damaged);
  bytes.fill(0x5a, 8192, bytes.length - 4096);
  writeFileSync(damaged, bytes);
  const broken = await runCli(['stats', '--db', damaged]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /damaged\.db is (damaged|not an OOC Workbench database)/);
  assert.match(broken.stderr, /backup|move the file aside/);

  // Read-only media: a read-only bind mount in a private mount namespace.
  const probe = spawnSync('unshare', ['-rm', 'true']);
  if (probe.status !== 0) {
    t.skip(`unshare -rm is not available here (${probe.stderr?.toString().trim() || probe.error?.message}), so no read-only mount can be made`);
    return;
  }
  const media = path.join(dir, 'media');
  mkdirSync(media);
  cpSync(corpus.dbFile, path.join(media, 'ro.db'));
  const out = path.join(dir, 'exported');
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const cli = path.join(REPO_ROOT, 'electron', 'cli.ts');
  const script = [
    `mount --bind ${media} ${media}`,
    `mount -o remount,bind,ro ${media}`,
    `${tsx} ${cli} stats --json --db ${media}/ro.db > ${dir}/stats.json`,
    `${tsx} ${cli} export --split merged_balanced --subset test --db ${media}/ro.db --out ${out}`,
    `${tsx} ${cli} thumbnail --id 100 --db ${media}/ro.db > ${dir}/thumbnail.txt`,
  ].join(' && ');
  const run = spawnSync('unshare', ['-rm', 'sh', '-c', script], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, OOC_HOME: path.join(dir, 'home') } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /ro\.db cannot be written .* opened read-only: curation, indexing and embedding are unavailable/);
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8')).pairs > 0, true);
  assert.ok(existsSync(path.join(out, 'manifest.json')));
  const thumbnail = readFileSync(path.join(dir, 'thumbnail.txt'), 'utf8').trim();
  assert.ok(thumbnail.startsWith(path.join(dir, 'home', 'thumbnails')), `thumbnails go to the app-data folder when the database's folder is read-only: ${thumbnail}`);
  assert.ok(existsSync(thumbnail));
  rmSync(out, { recursive: true });
});

test('browser mode cuts off a request whose headers or body never arrive', async (t) => {
  const { corpus, db } = await indexed(t);
  const server = await startServer({ db, handlers: createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'test' }), renderer: { files: {} }, thumbnailDir: path.join(corpus.origin, '..', 'thumbs') });
  t.after(() => server.close());
  const head = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;
  /** Sends raw bytes; resolves with what came back once the server answers (or closes). */
  const talk = async (text: string): Promise<string> => {
    const socket = net.connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write(text);
    const [reply] = (await Promise.race([once(socket, 'data'), once(socket, 'close').then(() => [Buffer.alloc(0)])])) as [Buffer];
    socket.destroy();
    return reply.toString();
  };
  const host = `Host: 127.0.0.1:${server.port}`;
  const declared = await talk(head(['POST /api/app.info HTTP/1.1', host, `Cookie: ooc_token=${server.token}`, 'X-OOC-Request: 1', 'Content-Length: 99999999999']));
  assert.match(declared, /^HTTP\/1\.1 400/, 'a body declared over the limit is refused at once');
  assert.match(declared, /too large/);
  const [stalled, slowHeaders] = await Promise.all([
    talk(head(['POST /api/app.info HTTP/1.1', host, `Cookie: ooc_token=${server.token}`, 'X-OOC-Request: 1', 'Content-Length: 100'])),
    talk(`GET / HTTP/1.1\r\n${host}\r\n`),
  ]);
  assert.match(stalled, /^HTTP\/1\.1 408/, 'a body that never comes times out');
  assert.match(slowHeaders, /^HTTP\/1\.1 408/, 'headers that never end time out');
});
