import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { readStats } from '../../electron/node/store/stats.ts';
import { dumpIndex, tempDir } from '../fixtures/corpus.ts';
import { runCli, startCli } from '../fixtures/cli.ts';
import { writeSyntheticCorpus } from '../fixtures/synthetic.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const SPLIT_ROWS = { merged_balanced: { train: 3000, val: 400, test: 400 }, scene_resnet_place: { test: 2000 } };

async function cleanBuild(dir: string, corpus: { origin: string; clippings: string }): Promise<Record<string, string>> {
  const db = openDatabase(path.join(dir, 'clean.db'));
  try {
    await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
    return dumpIndex(db);
  } finally {
    db.close();
  }
}

test('an index cancelled at any point and run again equals an uninterrupted one', async (t) => {
  const dir = tempDir(t);
  // ~12 MB of data.json: several committed batches of 4 MB each.
  const corpus = writeSyntheticCorpus(dir, { items: 40_000, seed: 11, splitRows: SPLIT_ROWS });
  const expected = await cleanBuild(dir, corpus);
  for (const stopAfter of [1, 2, 5]) {
    const db = openDatabase(path.join(dir, `cancel-${stopAfter}.db`));
    const controller = new AbortController();
    let events = 0;
    await assert.rejects(
      buildIndex(db, {
        visualnews: corpus.origin,
        clippings: corpus.clippings,
        signal: controller.signal,
        onProgress: () => {
          if (++events === stopAfter) controller.abort();
        },
      }),
      { code: 'CANCELLED' },
    );
    assert.throws(() => readStats(db), { code: 'INDEX_MISSING' }, 'nothing is published before the build completes');
    const resumed = await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
    assert.equal(resumed.resumed, true);
    assert.deepEqual(dumpIndex(db), expected, `stopped after ${stopAfter} progress events`);
    db.close();
  }
});

test('an indexer killed mid-way (SIGKILL) continues where it stopped and ends with the same index', async (t) => {
  const dir = tempDir(t);
  const corpus = writeSyntheticCorpus(dir, { items: 150_000, seed: 12, splitRows: SPLIT_ROWS });
  const expected = await cleanBuild(dir, corpus);
  const dbFile = path.join(dir, 'killed.db');
  const args = ['index', '--visualnews', corpus.origin, '--clippings', corpus.clippings, '--db', dbFile];
  const child = startCli(args);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Wait until a batch is committed with its checkpoint, then kill the indexing process (the
  // job row names it; `tsx` runs it as a child of the process we started) without warning.
  let pid: number | undefined;
  while (pid === undefined) {
    await sleep(20);
    try {
      const probe = new Database(dbFile, { readonly: true, fileMustExist: true });
      const job = probe.prepare("SELECT pid, checkpoint FROM jobs WHERE status = 'running'").get() as { pid: number; checkpoint: string | null } | undefined;
      probe.close();
      if (job?.checkpoint) pid = job.pid;
    } catch {
      // not created yet
    }
  }
  process.kill(pid, 'SIGKILL');
  child.kill('SIGKILL');
  await exited;
  while (isAlive(pid)) await sleep(20);
  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /continued an interrupted run/);
  const db = openDatabase(dbFile);
  assert.deepEqual(dumpIndex(db), expected);
  db.close();
});
