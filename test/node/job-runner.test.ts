import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobStatus } from '../../electron/common/api.ts';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { JobRunner } from '../../electron/node/api/job-runner.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

async function settled<S extends JobStatus<unknown, unknown>>(poll: () => S | Promise<S>): Promise<S> {
  for (;;) {
    const status = await poll();
    if (status.state !== 'running') return status;
    await sleep(20);
  }
}

test('the UI can index a dataset into an empty database, one run at a time, and see why a run failed', async (t) => {
  const dir = tempDir(t);
  const corpus = writeCorpus(dir, [item(1, 'one'), item(2, 'two')], { merged_balanced: { test: { annotations: pairRows(1, 2) } } });
  const dbFile = path.join(dir, 'ui.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test', indexer: new JobRunner('index', dbFile), embedder: new JobRunner('embed', dbFile) });
  assert.equal((await api['app.info']({})).hasIndex, false);
  assert.equal((await api['index.status']({})).state, 'idle');

  const started = await api['index.start']({ visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(started.state, 'running');
  assert.throws(() => api['index.start']({ visualnews: corpus.origin }), { code: 'DATABASE_BUSY' });
  const done = await settled(() => api['index.status']({}));
  assert.equal(done.state, 'done');
  assert.equal(done.summary?.stats.pairs, 1);
  assert.equal((await api['app.info']({})).hasIndex, true, 'the same connection sees the new index');
  assert.equal((await api['pairs.page']({ split: 'merged_balanced', subset: 'test' })).items.length, 1);

  await api['index.start']({ visualnews: path.join(dir, 'nowhere') });
  const failed = await settled(() => api['index.status']({}));
  assert.equal(failed.state, 'failed');
  assert.match(failed.error?.message ?? '', /nowhere does not exist/);
  assert.equal((await api['pairs.page']({ split: 'merged_balanced', subset: 'test' })).items.length, 1, 'the last good index is still there');
  assert.throws(() => api['index.start']({}), { code: 'BAD_ARGUMENT', message: /"visualnews" is required/ });
});

test('without an indexer (a read-only context), index calls are refused clearly', async (t) => {
  const dir = tempDir(t);
  const db = openDatabase(path.join(dir, 'x.db'));
  t.after(() => db.close());
  const api = createHandlers({ db, databaseFile: 'x.db', demo: false, version: 'test' });
  assert.throws(() => api['index.status']({}), { code: 'BAD_ARGUMENT', message: /use `ooc index`/ });
});

test('the UI embeds with the default model in a worker, scores the pairs, and finds neighbours in four directions', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const api = createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'test', embedder: new JobRunner('embed', corpus.dbFile) });

  const before = await api['models.get']({});
  const tiny = before.models.find((m) => m.id === 'tiny-random-clip')!;
  assert.equal(tiny.meaningfulScores, false, 'the bundled model says its scores mean nothing');
  assert.equal(before.items, 36);
  assert.deepEqual(before.sets, []);

  assert.equal((await api['embed.start']({ what: 'all' })).state, 'running');
  assert.throws(() => api['embed.start']({ what: 'all' }), { code: 'DATABASE_BUSY' });
  const done = await settled(() => api['embed.status']({}));
  assert.equal(done.state, 'done', JSON.stringify(done.error));
  assert.equal(done.summary!.embed.model, 'tiny-random-clip');
  assert.equal(done.summary!.embed.providers.image?.provider, 'cpu');
  assert.equal(done.summary!.scores?.pairs, 21);

  const after = await api['models.get']({});
  assert.deepEqual(after.sets.map((x) => [x.name, x.kind, x.rows]), [['tiny-random-clip', 'image', 34], ['tiny-random-clip', 'text', 36]]);
  assert.equal(after.scores[0]?.complete, true);
  assert.equal((await api['overview.get']({})).scores[0]?.name, 'tiny-random-clip');

  for (const [from, to] of [['image', 'image'], ['caption', 'caption'], ['caption', 'image'], ['image', 'caption']] as const) {
    const { items } = await api['neighbours.get']({ itemId: 102, from, to, model: 'tiny-random-clip', k: 5 });
    assert.equal(items.length, 5, `${from} → ${to}`);
    assert.ok(items.every((n, i) => i === 0 || items[i - 1]!.score >= n.score), 'best first');
    if (from === to) assert.ok(!items.some((n) => n.itemId === 102), 'an item does not find itself');
    else assert.ok((await api['neighbours.get']({ itemId: 102, from, to, model: 'tiny-random-clip', k: 40 })).items.some((n) => n.itemId === 102), 'its own other side is a candidate');
    assert.ok(items.every((n) => n.caption !== null));
  }
  await assert.rejects(Promise.resolve().then(() => api['neighbours.get']({ itemId: corpus.missingImageId, from: 'image', to: 'image', model: 'tiny-random-clip' })), { code: 'NOT_FOUND' });
  await assert.rejects(Promise.resolve().then(() => api['neighbours.get']({ itemId: 102, from: 'image', to: 'image', model: 'nope' })), { code: 'NOT_FOUND' });
  const report = await api['models.providers']({ id: 'tiny-random-clip', ep: 'cpu' });
  assert.deepEqual([report.providers.image?.provider, report.providers.text?.provider, report.error], ['cpu', 'cpu', null]);
});
