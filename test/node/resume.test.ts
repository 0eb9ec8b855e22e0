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

async function cleanBuild(dir: string, corpus: { origin: string; clippings: string }, onPhase?: (phase: string) => void): Promise<Record<string, string>> {
  const db = openDatabase(path.join(dir, 'clean.db'));
  try {
    await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings, ...(onPhase ? { onProgress: (p) => onPhase(p.phase) } : {}) });
    return dumpIndex(db);
  } finally {
    db.close();
  }
}

// A regression that stops a resume from finishing fails here instead of hanging the run.
test('an index cancelled in any phase and run again equals an uninterrupted one', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  // ~12 MB of data.json and ~8 MB of metadata: several committed batches of 4 MB each.
  const corpus = writeSyntheticCorpus(dir, { items: 40_000, seed: 11, splitRows: SPLIT_ROWS, metadataSubsets: ['test'] });
  const phases: string[] = [];
  const expected = await cleanBuild(dir, corpus, (phase) => phases.push(phase));
  const stopPoints = ['items', 'annotations', 'metadata'].map((phase) => phases.indexOf(phase) + 1);
  stopPoints.push(phases.lastIndexOf('items') + 1, phases.lastIndexOf('metadata') + 1);
  assert.ok(stopPoints.every((n) => n > 0), `every phase reports progress: ${phases.join(',')}`);
  for (const stopAfter of stopPoints) {
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
    assert.deepEqual(dumpIndex(db), expected, `stopped after progress event ${stopAfter} (${phases[stopAfter - 1]})`);
    db.close();
  }
});

/** Waits until the running index job has committed a batch past `afterOffset`; returns its process and offset. */
async function waitForCheckpoint(dbFile: string, afterOffset: number): Promise<{ pid: number; offset: number }> {
  for (;;) {
    await sleep(20);
    try {
      const probe = new Database(dbFile, { readonly: true, fileMustExist: true });
      const job = probe.prepare("SELECT pid, checkpoint FROM jobs WHERE status = 'running'").get() as { pid: number; checkpoint: string | null } | undefined;
      probe.close();
      const offset = job?.checkpoint ? (JSON.parse(job.checkpoint) as { offset: number }).offset : -1;
      if (job && offset > afterOffset) return { pid: job.pid, offset };
    } catch {
      // not created yet
    }
  }
}

test('an indexer stopped with Ctrl-C, then killed (SIGKILL), continues each time and ends with the same index', { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const corpus = writeSyntheticCorpus(dir, { items: 150_000, seed: 12, splitRows: SPLIT_ROWS });
  const expected = await cleanBuild(dir, corpus);
  const dbFile = path.join(dir, 'interrupted.db');
  const args = ['index', '--visualnews', corpus.origin, '--clippings', corpus.clippings, '--db', dbFile];

  // Ctrl-C: the job stops after its current batch and says so. (`tsx` runs the indexer as a
  // child of the process we start; the job row names the indexing process itself.)
  const interrupted = runCli(args);
  const first = await waitForCheckpoint(dbFile, -1);
  process.kill(first.pid, 'SIGINT');
  const result = await interrupted;
  assert.equal(result.code, 1);
  assert.match(result.stderr, /Stopping indexing after the current step/);
  assert.match(result.stderr, /indexing was cancelled; run it again to continue/);

  // SIGKILL: no warning, no cleanup.
  const killed = startCli(args);
  const exited = new Promise((resolve) => killed.on('exit', resolve));
  const second = await waitForCheckpoint(dbFile, first.offset);
  process.kill(second.pid, 'SIGKILL');
  killed.kill('SIGKILL');
  await exited;
  while (isAlive(second.pid)) await sleep(20);

  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /continued an interrupted run/);
  const db = openDatabase(dbFile);
  assert.deepEqual(dumpIndex(db), expected);
  db.close();
});
