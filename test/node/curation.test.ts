import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { pairsPage } from '../../electron/node/store/pairs.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VAL = { split: 'merged_balanced', subset: 'val' };

async function indexed(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const items = Array.from({ length: 30 }, (_, i) => item(i + 1, `caption ${i} about Korea`, i % 2 ? 'bbc' : 'guardian'));
  const annotations = Array.from({ length: 12 }, (_, k) => pairRows(k + 1, k + 15)).flat();
  const corpus = writeCorpus(dir, items, { merged_balanced: { val: { annotations } } });
  const dbFile = path.join(dir, 'index.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  return { db, dbFile, corpus };
}

const captions = (page: { items: { captionId: number }[] }) => page.items.map((p) => p.captionId);

test('verdicts, tags and collections are set on pairs or on everything a filter matches, filter the browser, and undo in order', async (t) => {
  const { db, dbFile, corpus } = await indexed(t);
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });

  await api['curation.apply']({ target: { ...VAL, captionIds: [1, 2] }, change: { verdict: 'consistent', note: 'same event, same day' } });
  await api['curation.apply']({ target: { ...VAL, captionIds: [3] }, change: { verdict: 'unsolvable', addTags: ['hard case', 'Zoë'], addToCollection: 'human eval' } });
  // Everything from the BBC (even caption ids) gets a tag: a bulk edit by filter.
  const bulk = await api['curation.apply']({ target: { query: { ...VAL, source: 'bbc' } }, change: { addTags: ['bbc'] } });
  assert.equal(bulk.pairs, 6);
  assert.equal(bulk.undo, 'tag bbc on 6 pairs');

  assert.deepEqual(captions(pairsPage(db, { ...VAL, verdict: 'consistent' })), [1, 2]);
  assert.deepEqual(captions(pairsPage(db, { ...VAL, verdict: 'none' })), [4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(captions(pairsPage(db, { ...VAL, tag: 'bbc', verdict: 'consistent' })), [2]);
  assert.deepEqual(captions(pairsPage(db, { ...VAL, note: '' })), [1, 2], 'pairs with a note');
  assert.deepEqual(captions(pairsPage(db, { ...VAL, note: 'SAME Event' })), [1, 2], 'notes containing words, case ignored');
  assert.deepEqual(captions(pairsPage(db, { ...VAL, note: 'other day' })), []);
  assert.deepEqual(captions(pairsPage(db, { ...VAL, collection: 'human eval' })), [3]);
  const three = pairsPage(db, { ...VAL, collection: 'human eval' }).items[0]!;
  assert.equal(three.verdict, 'unsolvable');
  assert.deepEqual(three.tags, ['Zoë', 'hard case']);
  assert.deepEqual(await api['curation.get']({ ...VAL, captionId: 1 }), { verdict: 'consistent', note: 'same event, same day', tags: [], collections: [], undo: 'tag bbc on 6 pairs' });
  assert.deepEqual((await api['collections.list']({})).collections.map((c) => [c.name, c.pairs]), [['human eval', 1]]);
  assert.deepEqual((await api['tags.list']({})).tags, [{ tag: 'Zoë', pairs: 1 }, { tag: 'bbc', pairs: 6 }, { tag: 'hard case', pairs: 1 }]);

  // Undo walks back one edit at a time, restoring exactly what was there.
  assert.equal((await api['curation.undo']({})).undone, 'tag bbc on 6 pairs');
  assert.deepEqual(captions(pairsPage(db, { ...VAL, tag: 'bbc' })), []);
  assert.equal((await api['curation.undo']({})).undone, 'verdict unsolvable, tag hard case, Zoë, add to human eval on 1 pair');
  assert.deepEqual(await api['curation.get']({ ...VAL, captionId: 3 }), { verdict: null, note: null, tags: [], collections: [], undo: 'verdict consistent, note on 2 pairs' });
  await api['curation.apply']({ target: { ...VAL, captionIds: [1] }, change: { verdict: null } });
  assert.equal((await api['curation.get']({ ...VAL, captionId: 1 })).note, 'same event, same day', 'clearing the verdict keeps the note');
  await api['curation.undo']({});
  assert.equal((await api['curation.get']({ ...VAL, captionId: 1 })).verdict, 'consistent');

  // Keyed by caption, not pair id: a new index keeps them.
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings, force: true });
  assert.deepEqual(captions(pairsPage(db, { ...VAL, verdict: 'consistent' })), [1, 2]);
});

test('bad edits are refused with the reason and change nothing', async (t) => {
  const { db, dbFile } = await indexed(t);
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });
  const apply = (input: unknown) => Promise.resolve().then(() => api['curation.apply'](input));
  await assert.rejects(apply({ target: { ...VAL, captionIds: [1, 999] }, change: { verdict: 'consistent' } }), { code: 'NOT_FOUND', message: /caption 999/ });
  await assert.rejects(apply({ target: { ...VAL, captionIds: [1] }, change: { verdict: 'fake' } }), { code: 'BAD_ARGUMENT', message: /out-of-context/ });
  await assert.rejects(apply({ target: { ...VAL, captionIds: [1] }, change: { addTags: ['ok', 'bad\u0007bell'] } }), { code: 'BAD_ARGUMENT', message: /printable/ });
  await assert.rejects(apply({ target: { query: { ...VAL, source: 'nobody' } }, change: { verdict: 'ambiguous' } }), { message: /no pair matches/ });
  await assert.rejects(apply({ target: { split: 'merged_balanced', subset: 'train', captionIds: [1] }, change: {} }), { code: 'NOT_FOUND' });
  assert.deepEqual((await api['tags.list']({})).tags, []);
  assert.equal((await api['curation.undo']({})).undone, null);
});

test('an acknowledged edit survives the process being killed', async (t) => {
  const { db, dbFile } = await indexed(t);
  db.close();
  const script = `
    import { openDatabase } from './electron/node/store/db.ts';
    import { applyCuration } from './electron/node/store/curation.ts';
    const db = openDatabase(${JSON.stringify(dbFile)});
    for (let id = 1; id <= 12; id++) {
      applyCuration(db, [{ split: 'merged_balanced', subset: 'val', captionId: id }], { verdict: 'out-of-context', addTags: ['seen'] });
      process.stdout.write(id + '\\n');
    }
    setInterval(() => {}, 1000);`;
  // node itself (not the tsx wrapper), so the process killed is the one writing.
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged = await new Promise<number>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the writer exited by itself (${code})`)));
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.trim().split('\n');
      if (lines.length >= 7) {
        child.kill('SIGKILL');
        resolve(Number(lines.at(-1)));
      }
    });
  });
  await new Promise((resolve) => child.on('exit', resolve));
  const reopened = openDatabase(dbFile);
  t.after(() => reopened.close());
  const marked = captions(pairsPage(reopened, { ...VAL, verdict: 'out-of-context' }));
  assert.ok(marked.length >= acknowledged, `${marked.length} verdicts on disk, ${acknowledged} acknowledged`);
  assert.deepEqual(marked, Array.from({ length: marked.length }, (_, i) => i + 1));
  assert.equal(pairsPage(reopened, { ...VAL, tag: 'seen' }).total, marked.length);
});
