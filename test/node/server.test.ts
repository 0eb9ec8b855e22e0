import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { startServer, type RunningServer } from '../../electron/node/server/http-server.ts';
import { firstScreenBlock } from '../../electron/node/server/first-screen.ts';
import { bundleRenderer, rendererHtml } from '../../electron/node/server/renderer-bundle.ts';
import { contentSecurityPolicy } from '../../electron/common/csp.ts';
import { FIRST_SCREEN_ID, pageQuery, parseViewState, queryOf, type FirstScreenAnswer } from '../../electron/common/view-state.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus, type ImageCorpus } from '../fixtures/image-corpus.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A raw HTTP request, so tests can send what a browser would not (a foreign Host header). */
function request(server: RunningServer, pathname: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: pathname, method: init.method ?? 'GET', headers: { host: `127.0.0.1:${server.port}`, ...init.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

async function serving(t: Parameters<typeof tempDir>[0]): Promise<{ server: RunningServer; corpus: ImageCorpus; cookie: string; api: (method: string, input: unknown) => Promise<Reply> }> {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const db = openDatabase(corpus.dbFile);
  const server = await startServer({
    db,
    handlers: createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'test' }),
    renderer: { files: { 'app.js': 'console.log(1)', 'app.css': 'body{}', 'chunk-AbC123.js': 'export const x = 1;' } },
    thumbnailDir: path.join(dir, 'thumbs'),
  });
  t.after(async () => {
    await server.close();
    db.close();
  });
  const cookie = `ooc_token=${server.token}`;
  const api = (method: string, input: unknown): Promise<Reply> =>
    request(server, `/api/${method}`, { method: 'POST', headers: { cookie, 'x-ooc-request': '1', 'content-type': 'application/json' }, body: JSON.stringify(input) });
  return { server, corpus, cookie, api };
}

const json = (r: Reply): { ok: boolean; value?: unknown; error?: { code: string; message: string } } => JSON.parse(r.body.toString('utf8'));

test('the server listens on 127.0.0.1 only and lets nobody in without the token', async (t) => {
  const { server, cookie } = await serving(t);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  assert.equal((await request(server, '/')).status, 401);
  assert.equal((await request(server, '/?token=wrong')).status, 401);
  assert.equal((await request(server, '/api/app.info', { method: 'POST', headers: { 'x-ooc-request': '1' } })).status, 401);
  assert.equal((await request(server, '/media/thumb/100')).status, 401);

  const login = await request(server, `/?token=${server.token}&split=merged_balanced`);
  assert.equal(login.status, 303);
  assert.equal(login.headers.location, '/?split=merged_balanced', 'the token leaves the address bar, the view state stays');
  assert.match(String(login.headers['set-cookie']), /ooc_token=[\w-]+; HttpOnly; SameSite=Strict; Path=\//);

  const home = await request(server, '/', { headers: { cookie } });
  assert.equal(home.status, 200);
  assert.match(String(home.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  assert.match(home.body.toString(), /<script type="module" src="\/assets\/app\.js">/);
  assert.equal((await request(server, '/', { headers: { authorization: `Bearer ${server.token}` } })).status, 200);
});

/** The answers in a page's first-screen block, by method. */
function sentAnswers(html: string): Map<string, FirstScreenAnswer> {
  const block = new RegExp(`<script type="application/json" id="${FIRST_SCREEN_ID}">([^<]*)</script>`).exec(html);
  assert.ok(block, 'the page holds the first screen\'s answers');
  return new Map((JSON.parse(block[1]!) as FirstScreenAnswer[]).map((a) => [a.method, a]));
}

test('the page comes with the answers its first screen needs, the same as the API gives, and only for what that view shows', async (t) => {
  const { server, cookie, api } = await serving(t);
  const search = '?split=merged_balanced&subset=test&q=nairobi&sort=file';
  const sent = sentAnswers((await request(server, `/${search}`, { headers: { cookie } })).body.toString('utf8'));
  assert.deepEqual([...sent.keys()].sort(), ['app.info', 'overview.get', 'pairs.page']);
  const page = pageQuery(queryOf(parseViewState(search)));
  // The input is the JSON text the renderer would send for this URL, so that it takes the answer.
  assert.equal(sent.get('pairs.page')!.input, JSON.stringify(page));
  for (const [method, input] of [['app.info', {}], ['overview.get', {}], ['pairs.page', page]] as const) {
    assert.deepEqual(sent.get(method)!.value, json(await api(method, input)).value, method);
  }
  assert.ok(((sent.get('pairs.page')!.value as { total: number }).total) > 0);
  // Another view asks for no pairs; a split file the index lacks is an error, left for the renderer to ask and show.
  assert.deepEqual([...sentAnswers((await request(server, '/?view=items', { headers: { cookie } })).body.toString('utf8')).keys()].sort(), ['app.info', 'overview.get']);
  assert.deepEqual([...sentAnswers((await request(server, '/?split=nope&subset=test', { headers: { cookie } })).body.toString('utf8')).keys()].sort(), ['app.info', 'overview.get']);
  // A HEAD request gets the headers alone.
  const head = await request(server, '/', { method: 'HEAD', headers: { cookie } });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('the page carries its icon, so the browser does not ask the server for /favicon.ico at each change of the address (each keystroke of a search)', async () => {
  const html = rendererHtml(await bundleRenderer());
  const icon = /<link rel="icon" href="data:image\/svg\+xml;base64,([\w+/=]+)">/.exec(html)?.[1];
  assert.ok(icon, 'an icon in the page itself');
  assert.equal(Buffer.from(icon, 'base64').toString('utf8'), readFileSync(new URL('../../resources/packaging/icon.svg', import.meta.url), 'utf8'), "the app's icon");
  assert.match(contentSecurityPolicy(), /img-src [^;]*data:/, "which the page's policy lets it show");
});

test('text in the first-screen answers cannot end their block or start a script', () => {
  const hostile = '</script><script>alert(1)</script><!-- ';
  const html = firstScreenBlock([{ method: 'app.info', input: '{}', value: { caption: hostile } }]);
  assert.equal(html.match(/<\/script>/g)?.length, 1, 'only the block\'s own end tag');
  assert.deepEqual(sentAnswers(html).get('app.info')!.value, { caption: hostile });
});

test('the bundle, chunks too, is served by exact name, kept by the browser and revalidated: unchanged, it answers 304 with no body', async (t) => {
  const { server, cookie } = await serving(t);
  const first = await request(server, '/assets/app.js', { headers: { cookie } });
  assert.equal(first.status, 200);
  assert.equal(first.body.toString(), 'console.log(1)');
  assert.equal(first.headers['cache-control'], 'no-cache');
  const etag = String(first.headers.etag);
  assert.match(etag, /^"[\w-]{27}"$/);
  const again = await request(server, '/assets/app.js', { headers: { cookie, 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  const css = await request(server, '/assets/app.css', { headers: { cookie, 'if-none-match': etag } });
  assert.equal(css.status, 200, "another file's tag does not match");
  assert.equal((await request(server, '/assets/app.js', { headers: { 'if-none-match': etag } })).status, 401, 'not without the token');
  const chunk = await request(server, '/assets/chunk-AbC123.js', { headers: { cookie } });
  assert.deepEqual([chunk.status, chunk.headers['content-type'], chunk.body.toString()], [200, 'text/javascript; charset=utf-8', 'export const x = 1;']);
  assert.equal((await request(server, '/assets/chunk-other.js', { headers: { cookie } })).status, 404, 'only the files of the bundle');
});

test('requests naming another host (DNS rebinding) or lacking the API header are refused', async (t) => {
  const { server, cookie } = await serving(t);
  assert.equal((await request(server, '/', { headers: { cookie, host: 'evil.example:80' } })).status, 421);
  assert.equal((await request(server, `/?token=${server.token}`, { headers: { host: `attacker.test:${server.port}` } })).status, 421);
  assert.equal((await request(server, '/api/app.info', { method: 'POST', headers: { cookie } })).status, 405);
  assert.equal((await request(server, '/api/app.info', { headers: { cookie, 'x-ooc-request': '1' } })).status, 405);
});

test('the API answers results and clear errors for bad input', async (t) => {
  const { api } = await serving(t);
  const info = json(await api('app.info', {}));
  assert.equal((info.value as { hasIndex: boolean }).hasIndex, true);
  const page = json(await api('pairs.page', { split: 'merged_balanced', subset: 'test', limit: 5 }));
  assert.equal((page.value as { items: unknown[]; total: number }).items.length, 5);
  assert.equal((page.value as { total: number }).total, 12);
  assert.deepEqual(json(await api('pairs.page', { subset: 'test' })).error, { code: 'BAD_ARGUMENT', message: '"split" is required' });
  assert.equal(json(await api('pairs.page', { split: 'merged_balanced', subset: 'test', limit: '5' })).error?.code, 'BAD_ARGUMENT');
  assert.equal(json(await api('pairs.page', { split: 'merged_balanced', subset: 'test', sort: 'random' })).error?.code, 'BAD_ARGUMENT');
  assert.equal(json(await api('pairs.page', { split: 'nope', subset: 'test' })).error?.code, 'NOT_FOUND');
  assert.equal(json(await api('pairs.detail', { pairId: 99999 })).error?.code, 'NOT_FOUND');
  assert.equal(json(await api('no.such.method', {})).error?.code, 'BAD_ARGUMENT');
  assert.equal(json(await api('%E0%A4%A', {})).error?.code, 'BAD_ARGUMENT');
  assert.equal(json(await api('pairs.page', [])).error?.code, 'BAD_ARGUMENT');
});

test('images are served by item id with their real type; missing, corrupt and escaping files are explained', async (t) => {
  const { server, corpus, cookie, api } = await serving(t);
  const get = (p: string): Promise<Reply> => request(server, p, { headers: { cookie } });
  const thumb = await get('/media/thumb/100?size=128');
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers['content-type'], 'image/jpeg');
  assert.deepEqual([...thumb.body.subarray(0, 3)], [0xff, 0xd8, 0xff]);
  assert.equal((await get(`/media/image/${corpus.gifNamedJpgId}`)).headers['content-type'], 'image/gif');
  const missing = await get(`/media/image/${corpus.missingImageId}`);
  assert.equal(missing.status, 404);
  assert.equal(json(missing).error?.code, 'IMAGE_MISSING');
  assert.equal((await get(`/media/thumb/${corpus.corruptImageId}`)).status, 422);
  const problems = (json(await api('images.problems', { ids: [corpus.missingImageId, corpus.corruptImageId, 100, 999] })).value as { problems: Record<string, string | null> }).problems;
  assert.match(problems[corpus.missingImageId]!, /^missing: file not found/);
  assert.match(problems[corpus.corruptImageId]!, /^corrupt: truncated JPEG/);
  assert.equal(problems[100], null);
  assert.equal(problems[999], 'no item 999 in the index');
  assert.equal(json(await api('images.problems', { ids: Array.from({ length: 201 }, (_, i) => i) })).error?.code, 'BAD_ARGUMENT');
  assert.equal((await get('/media/image/..%2F..%2Fetc%2Fpasswd')).status, 404);

  // Even a tampered database cannot make the server read outside the dataset folder.
  const db = openDatabase(corpus.dbFile);
  db.prepare("UPDATE items SET image_path = '../../../../etc/passwd' WHERE id = 100").run();
  db.close();
  const escaped = await get('/media/image/100');
  assert.equal(escaped.status, 403);
  assert.equal(json(escaped).error?.code, 'PATH_OUTSIDE_ROOT');
});
