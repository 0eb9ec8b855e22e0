import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { downloadFile } from '../../electron/node/inference/download.ts';
import { tempDir } from '../fixtures/corpus.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Behaviour {
  /** Cut the connection after this many bytes on the next request. */
  cutAfter?: number;
  /** Answer 200 with the whole file even when a range is asked for. */
  ignoreRange?: boolean;
  etag?: string;
  status?: number;
}

/** A file server outside our code, as a model host is: Range and If-Range as HTTP says, plus planted faults. */
async function host(t: TestContext, body: Buffer, behaviour: Behaviour): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const etag = behaviour.etag ?? sha(body);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.headers.range ?? 'whole');
    if (behaviour.status) {
      res.writeHead(behaviour.status).end('nope');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const partial = range !== null && !behaviour.ignoreRange && (ifRange === undefined || ifRange === `"${etag}"`);
    const start = partial ? Number(range[1]) : 0;
    if (start >= body.length && partial) {
      res.writeHead(416).end();
      return;
    }
    const slice = body.subarray(start);
    res.writeHead(partial ? 206 : 200, { 'content-length': slice.length, etag: `"${etag}"`, ...(partial ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) });
    if (behaviour.cutAfter !== undefined) {
      const cut = behaviour.cutAfter;
      delete behaviour.cutAfter;
      res.write(slice.subarray(0, cut), () => res.destroy());
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.bin`, requests };
}

test('a broken-off download continues from where it stopped and is checked before it is put in place', async (t) => {
  const body = randomBytes(300_000);
  const { url, requests } = await host(t, body, { cutAfter: 100_000 });
  const dest = path.join(tempDir(t), 'models', 'model.bin');
  await assert.rejects(downloadFile(url, dest, { sha256: sha(body) }), { code: 'NETWORK', message: /broke off|ended early/ });
  assert.equal(existsSync(dest), false, 'nothing half-done where the model belongs');
  assert.ok(readFileSync(`${dest}.part`).length >= 100_000);

  const seen: number[] = [];
  const done = await downloadFile(url, dest, { sha256: sha(body), onProgress: (n) => seen.push(n) });
  assert.ok(done.resumedFrom >= 100_000);
  assert.match(requests[1]!, /^bytes=\d+-$/);
  assert.equal(done.verified, 'sha256');
  assert.deepEqual(readFileSync(dest), body);
  assert.equal(existsSync(`${dest}.part`), false);
  assert.equal(seen.at(-1), body.length);

  const again = await downloadFile(url, dest, { sha256: sha(body) });
  assert.equal(again.cached, true);
  assert.equal(requests.length, 2, 'a file already in place is not fetched again');
});

test('the wrong content is discarded, whether the sha256 was given or came as the ETag', async (t) => {
  const body = randomBytes(50_000);
  const dir = tempDir(t);
  const given = await host(t, body, {});
  await assert.rejects(downloadFile(given.url, path.join(dir, 'a.bin'), { sha256: 'ab'.repeat(32) }), { code: 'BAD_INPUT_FILE', message: /not the expected abab/ });
  assert.equal(existsSync(path.join(dir, 'a.bin')), false);
  assert.equal(existsSync(path.join(dir, 'a.bin.part')), false);

  const byEtag = await host(t, body, {});
  assert.equal((await downloadFile(byEtag.url, path.join(dir, 'b.bin'))).verified, 'etag');
  const lying = await host(t, body, { etag: 'cd'.repeat(32) });
  await assert.rejects(downloadFile(lying.url, path.join(dir, 'c.bin')), { code: 'BAD_INPUT_FILE' });
  const plain = await host(t, body, { etag: 'v1' });
  assert.equal((await downloadFile(plain.url, path.join(dir, 'd.bin'))).verified, 'unverified');
});

test('a server that ignores the range sends the whole file again, and an HTTP error is reported as such', async (t) => {
  const body = randomBytes(80_000);
  const dir = tempDir(t);
  const { url } = await host(t, body, { cutAfter: 30_000, ignoreRange: true });
  await assert.rejects(downloadFile(url, path.join(dir, 'm.bin')));
  const done = await downloadFile(url, path.join(dir, 'm.bin'), { sha256: sha(body) });
  assert.equal(done.resumedFrom, 0);
  assert.deepEqual(readFileSync(path.join(dir, 'm.bin')), body);

  const missing = await host(t, body, { status: 404 });
  await assert.rejects(downloadFile(missing.url, path.join(dir, 'x.bin')), { code: 'NETWORK', message: /HTTP 404/ });
  await assert.rejects(downloadFile('http://127.0.0.1:9/none', path.join(dir, 'y.bin')), { code: 'NETWORK', message: /cannot reach 127\.0\.0\.1:9/ });
});
