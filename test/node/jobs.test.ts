import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { JobRun } from '../../electron/common/api.ts';
import type { NeighbourItem } from '../../electron/common/models.ts';
import { createHandlers, type Handlers } from '../../electron/node/api/handlers.ts';
import { JobCenter } from '../../electron/node/jobs/job-center.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { claimJob, finishJob } from '../../electron/node/store/jobs.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

/** The image corpus, its database, a job center and the API over them. */
async function imageCorpusApi(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const jobs = new JobCenter(corpus.dbFile);
  const api: Handlers = createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'test', jobs });
  return { dir, corpus, db, jobs, api };
}

/** The newest run of a kind, once it has finished (the center says when: no polling). */
async function settled(jobs: JobCenter, kind: string): Promise<JobRun> {
  const run = jobs.runs().find((r) => r.kind === kind)!;
  return jobs.wait(run.id);
}

test('the UI can index a dataset into an empty database, one run at a time, and see why a run failed', async (t) => {
  const dir = tempDir(t);
  const corpus = writeCorpus(dir, [item(1, 'one'), item(2, 'two')], { merged_balanced: { test: { annotations: pairRows(1, 2) } } });
  const dbFile = path.join(dir, 'ui.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  const jobs = new JobCenter(dbFile);
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test', jobs });
  const pushed: JobRun[][] = [];
  jobs.subscribe((runs) => pushed.push(runs));
  assert.equal((await api['app.info']({})).hasIndex, false);
  assert.equal((await api['index.status']({})).state, 'idle');

  const started = await api['index.start']({ visualnews: corpus.origin, clippings: corpus.clippings });
  assert.equal(started.state, 'running');
  assert.throws(() => api['index.start']({ visualnews: corpus.origin }), { code: 'DATABASE_BUSY' });
  await settled(jobs, 'index');
  const done = await api['index.status']({});
  assert.equal(done.state, 'done');
  assert.equal(done.summary?.stats.pairs, 1);
  assert.equal(pushed.at(-1)?.[0]?.state, 'done', 'every listener was told it finished');
  assert.ok(pushed.some((runs) => runs[0]?.state === 'running'), 'and that it started');
  assert.equal((await api['app.info']({})).hasIndex, true, 'the same connection sees the new index');
  assert.equal((await api['pairs.page']({ split: 'merged_balanced', subset: 'test' })).items.length, 1);

  await api['index.start']({ visualnews: path.join(dir, 'nowhere') });
  await settled(jobs, 'index');
  const failed = await api['index.status']({});
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
  assert.throws(() => api['index.status']({}), { code: 'BAD_ARGUMENT', message: /`ooc index`/ });
});

test('the UI embeds with the default model in a worker, scores the pairs, and finds neighbours in four directions', async (t) => {
  const { corpus, jobs, api } = await imageCorpusApi(t);

  const before = await api['models.get']({});
  const tiny = before.models.find((m) => m.id === 'tiny-random-clip')!;
  assert.equal(tiny.meaningfulScores, false, 'the bundled model says its scores mean nothing');
  assert.equal(before.items, 36);
  assert.deepEqual(before.sets, []);

  assert.equal((await api['embed.start']({ what: 'all' })).state, 'running');
  assert.throws(() => api['embed.start']({ what: 'all' }), { code: 'DATABASE_BUSY' });
  await settled(jobs, 'embed');
  const done = await api['embed.status']({});
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

  // Within a scope: exactly the unrestricted ranking with everything outside the scope left out.
  const everything = (await api['neighbours.get']({ itemId: 102, from: 'caption', to: 'image', model: 'tiny-random-clip', k: 200 })).items;
  const { files } = await api['overview.get']({});
  const file = files[0]!;
  const used = new Set((await api['pairs.page']({ split: file.split, subset: file.subset, limit: 500 })).items.flatMap((p) => [p.pristine?.imageId, p.falsified?.imageId]));
  const source = everything[everything.length - 1]!.source!;
  for (const [within, inScope] of [
    [{ split: file.split, subset: file.subset }, (n: NeighbourItem) => used.has(n.itemId)],
    [{ source }, (n: NeighbourItem) => n.source === source],
    [{ source, split: file.split, subset: file.subset }, (n: NeighbourItem) => n.source === source && used.has(n.itemId)],
  ] as const) {
    const { items } = await api['neighbours.get']({ itemId: 102, from: 'caption', to: 'image', model: 'tiny-random-clip', k: 5, within });
    const expected = everything.filter(inScope).slice(0, 5);
    assert.ok(expected.length > 0 && expected.length < everything.length, JSON.stringify(within));
    assert.deepEqual(items.map((n) => n.itemId), expected.map((n) => n.itemId), JSON.stringify(within));
  }
  assert.deepEqual((await api['neighbours.get']({ itemId: 102, from: 'caption', to: 'image', model: 'tiny-random-clip', within: { topic: 'no such topic' } })).items, []);
  assert.throws(() => api['neighbours.get']({ itemId: 102, model: 'tiny-random-clip', within: { split: file.split } }), { code: 'BAD_ARGUMENT', message: /needs both "split" and "subset"/ });
  await assert.rejects(Promise.resolve().then(() => api['neighbours.get']({ itemId: 102, model: 'tiny-random-clip', within: { split: 'nope', subset: 'test' } })), { code: 'NOT_FOUND', message: /no nope\/test.json was indexed/ });

  await assert.rejects(Promise.resolve().then(() => api['neighbours.get']({ itemId: corpus.missingImageId, from: 'image', to: 'image', model: 'tiny-random-clip' })), { code: 'NOT_FOUND' });
  await assert.rejects(Promise.resolve().then(() => api['neighbours.get']({ itemId: 102, from: 'image', to: 'image', model: 'nope' })), { code: 'NOT_FOUND' });
  const report = await api['models.providers']({ id: 'tiny-random-clip', ep: 'cpu' });
  assert.deepEqual([report.providers.image?.provider, report.providers.text?.provider, report.error], ['cpu', 'cpu', null]);
});

test('every kind of job can be cancelled from the API, and says so; a cancelled job leaves its claim free', async (t) => {
  const { dir, corpus, db, jobs, api } = await imageCorpusApi(t);
  const starts: Record<string, () => unknown> = {
    index: () => api['index.start']({ visualnews: corpus.origin, clippings: corpus.clippings, force: true }),
    embed: () => api['embed.start']({ what: 'all' }),
    export: () => api['export.start']({ dir: path.join(dir, 'out'), selection: { query: { split: 'merged_balanced', subset: 'test' } } }),
    'check-images': () => api['images.check']({}),
  };
  for (const [kind, start] of Object.entries(starts)) {
    await start();
    const run = jobs.runs().find((r) => r.kind === kind && r.state === 'running')!;
    assert.equal(run.cancellable, true);
    await api['jobs.cancel']({ id: run.id });
    const ended = await jobs.wait(run.id);
    assert.equal(ended.state, 'cancelled', `${kind}: ${JSON.stringify(ended.error)}`);
    assert.equal(ended.error?.code, 'CANCELLED');
  }
  assert.deepEqual((await api['jobs.list']({})).runs.map((r) => [r.kind, r.state]), Object.keys(starts).reverse().map((k) => [k, 'cancelled']), 'newest first');
  // Cancelled work is free to be claimed again (and resumed).
  const { job } = claimJob(db, 'index', {});
  finishJob(db, job.id, 'done');
  assert.throws(() => api['jobs.cancel']({ id: 'no-such-run' }), { code: 'NOT_FOUND' });
});

test('two runs in one process cannot claim the same staged build: each claims with its own token', async (t) => {
  const dir = tempDir(t);
  const db = openDatabase(path.join(dir, 'race.db'));
  t.after(() => db.close());
  // Worker threads share the process id: the Dataset view's run and File → Re-index's run.
  const first = claimJob(db, 'index', { visualnews: '/data' }, 'run-a');
  assert.throws(() => claimJob(db, 'index', { visualnews: '/data' }, 'run-b'), { code: 'DATABASE_BUSY', message: /another index job/ });
  assert.equal(claimJob(db, 'index', { visualnews: '/data' }, 'run-a').job.id, first.job.id, 'the same run may claim again (a resume)');
  finishJob(db, first.job.id, 'cancelled');
  const second = claimJob(db, 'index', { visualnews: '/data' }, 'run-b');
  assert.deepEqual([second.job.id, second.resumed], [first.job.id, true], 'once it stopped, the other run resumes it');
});

test('migration 7 keeps the jobs of an older database: an interrupted one is resumed, with a token from then on', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'v6.db');
  const old = openDatabase(file);
  // As version 6 left it: no token column, and an index job whose process died mid-run.
  old.exec('ALTER TABLE jobs DROP COLUMN token');
  old.prepare("INSERT INTO jobs (kind, status, params, checkpoint, pid, started_at, updated_at) VALUES ('index', 'running', '{}', '{\"file\":2}', 999999999, 'then', 'then')").run();
  old.pragma('user_version = 6');
  old.close();
  const db = openDatabase(file);
  t.after(() => db.close());
  const { job, resumed } = claimJob<{ file: number }>(db, 'index', {}, 'run-now');
  assert.deepEqual([resumed, job.checkpoint], [true, { file: 2 }]);
  assert.throws(() => claimJob(db, 'index', {}, 'run-other'), { code: 'DATABASE_BUSY' });
});

test('overview.log lists each skipped record with its example, and after the image check each failed status with its items', async (t) => {
  const { corpus, jobs, api } = await imageCorpusApi(t);
  const before = await api['overview.log']({});
  const byReason = Object.fromEntries(before.entries.map((e) => [e.reason, e]));
  assert.equal(byReason.duplicate_id?.n, 1);
  assert.equal(path.basename(byReason.duplicate_id!.file), 'data.json');
  assert.match(byReason.duplicate_id!.samples[0]!.detail, /id 100 appears again/);
  assert.equal(byReason.bad_id?.n, 1);
  assert.equal(typeof byReason.bad_id!.samples[0]!.offset, 'number', 'the example says where the record is');
  assert.deepEqual(before.images, [], 'nothing checked yet');

  await api['images.check']({});
  assert.equal((await settled(jobs, 'check-images')).state, 'done');
  const after = await api['overview.log']({});
  const byStatus = Object.fromEntries(after.images.map((p) => [p.status, p]));
  assert.deepEqual(Object.keys(byStatus).sort(), ['corrupt', 'missing']);
  assert.deepEqual(byStatus.missing!.examples.map((x) => x.itemId), [corpus.missingImageId]);
  assert.deepEqual(byStatus.corrupt!.examples.map((x) => x.itemId), [corpus.corruptImageId]);
  assert.match(byStatus.missing!.examples[0]!.detail ?? '', /not found/);
});
