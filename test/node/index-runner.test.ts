import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IndexStatus } from '../../electron/common/api.ts';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { IndexRunner } from '../../electron/node/api/index-runner.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';

async function settled(poll: () => IndexStatus | Promise<IndexStatus>): Promise<IndexStatus> {
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
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test', indexer: new IndexRunner(dbFile) });
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
