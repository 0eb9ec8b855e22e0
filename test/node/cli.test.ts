import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SPLITS, SUBSETS } from '../../electron/common/datasets.ts';
import { item, pairRows, tempDir, writeCorpus } from '../fixtures/corpus.ts';
import { runCli } from '../fixtures/cli.ts';

const COMMANDS = ['index', 'stats', 'check-images', 'thumbnail', 'demo', 'predictions', 'evaluate'];

test('--help works for the program and every command', async () => {
  const top = await runCli(['--help']);
  assert.equal(top.code, 0);
  for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`\\b${c}\\b`));
  for (const c of COMMANDS) {
    const r = await runCli([c, '--help']);
    assert.equal(r.code, 0, c);
    assert.match(r.stdout, new RegExp(`usage: ooc ${c}`), c);
  }
});

test('usage errors exit with 2 and a one-line reason; failures with 1', async (t) => {
  const home = tempDir(t);
  const cases: [string[], number, RegExp][] = [
    [[], 2, /usage: npm run ooc/],
    [['frobnicate'], 2, /^ooc: unknown command "frobnicate"/],
    [['index'], 2, /^ooc: missing --visualnews/],
    [['index', '--visualnews'], 2, /^ooc: .*--visualnews/],
    [['stats', '--colour'], 2, /^ooc: Unknown option '--colour'/],
    [['index', '--visualnews', path.join(home, 'missing')], 1, /^ooc: .*missing does not exist\n$/],
    [['stats', '--db', path.join(home, 'empty.db')], 1, /^ooc: this database holds no index yet/],
    [['thumbnail', '--id', 'abc'], 2, /^ooc: --id must be an item id/],
  ];
  for (const [args, code, pattern] of cases) {
    const r = await runCli(args, { OOC_HOME: home });
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(code === 2 && args.length === 0 ? r.stdout : r.stderr, pattern, args.join(' '));
    if (code !== 0 && args.length > 0) assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});

test('index then stats --json prints the documented object; the default database is in the app-data folder', async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, 'home');
  const items = [item(1, 'one', 'bbc'), item(2, 'two', 'guardian'), item(3, 'three', 'guardian'), { id: 'x', caption: 'bad' }];
  const corpus = writeCorpus(dir, items, { merged_balanced: { test: { annotations: [...pairRows(1, 2), ...pairRows(3, 1)], source_datasets: ['a'] } } });
  const indexed = await runCli(['index', '--visualnews', corpus.origin, '--clippings', corpus.clippings], { OOC_HOME: home });
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.match(indexed.stdout, /items: 3 \(bbc 1, guardian 2\)/);
  assert.ok(existsSync(path.join(home, 'workbench.db')));
  const again = await runCli(['index', '--visualnews', corpus.origin, '--clippings', corpus.clippings], { OOC_HOME: home });
  assert.match(again.stdout, /Index is up to date.*nothing to do/);
  const stats = await runCli(['stats', '--json'], { OOC_HOME: home });
  assert.equal(stats.code, 0, stats.stderr);
  const parsed = JSON.parse(stats.stdout) as Record<string, unknown>;
  assert.deepEqual(parsed.items, { total: 3, bySource: { bbc: 1, guardian: 2 }, byTopic: { world: 3 }, emptyCaptions: 0 });
  assert.deepEqual(parsed.annotations, { merged_balanced: { test: { total: 4, pristine: 2, falsified: 2 } } });
  assert.deepEqual(parsed.skipped, { bad_id: 1 });
});

test('the bundled demo dataset indexes cleanly: four sources, every split and subset, its planted image faults found', async (t) => {
  const dir = tempDir(t);
  const dbFile = path.join(dir, 'demo.db');
  const demo = await runCli(['demo', '--db', dbFile]);
  assert.equal(demo.code, 0, demo.stderr);
  assert.match(demo.stdout, /images checked: corrupt 1, missing 1, ok 238/);
  const stats = JSON.parse((await runCli(['stats', '--db', dbFile, '--json'])).stdout) as {
    items: { total: number; bySource: Record<string, number> };
    annotations: Record<string, Record<string, { total: number; pristine: number; falsified: number }>>;
    skipped: Record<string, number>;
    notes: Record<string, number>;
    metadata: number;
  };
  assert.ok(stats.items.total >= 200);
  assert.deepEqual(Object.keys(stats.items.bySource).sort(), ['bbc', 'guardian', 'usa_today', 'washington_post']);
  for (const split of SPLITS) {
    for (const subset of SUBSETS) {
      const c = stats.annotations[split.folder]?.[subset];
      assert.ok(c && c.total > 0 && c.pristine === c.falsified, `${split.folder}/${subset}`);
    }
  }
  assert.deepEqual(stats.skipped, {});
  assert.deepEqual(stats.notes, { empty_caption: 1 });
  assert.equal(stats.metadata, stats.items.total);
});
