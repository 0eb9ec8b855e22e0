import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { PairQuery } from '../../electron/common/pairs.ts';
import { evaluateRun } from '../../electron/node/evaluation/evaluate.ts';
import { importPredictions } from '../../electron/node/evaluation/import-run.ts';
import { FacetIndex } from '../../electron/node/facets.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { matchingCaptionIds, pairsPage } from '../../electron/node/store/pairs.ts';
import { readRun } from '../../electron/node/store/predictions.ts';
import { item, pairRows, tempDir, writeCorpus, writeText } from '../fixtures/corpus.ts';

const SPLIT = 'merged_balanced';

/**
 * Merged / Balanced test: captions 1–6, each with its own image (pristine) and image caption + 20
 * (falsified); val: captions 7–10. Runs are CSV files of caption, image, subset and a label or a
 * probability.
 */
async function withRuns(t: Parameters<typeof tempDir>[0]) {
  const dir = tempDir(t);
  const items = Array.from({ length: 30 }, (_, i) => item(i + 1, `caption number ${i + 1}`));
  const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => pairRows(from + i, from + i + 20)).flat();
  const corpus = writeCorpus(path.join(dir, 'corpus'), items, { [SPLIT]: { test: { annotations: rows(1, 6) }, val: { annotations: rows(7, 10) } } });
  const dbFile = path.join(dir, 'workbench.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  const run = async (name: string, lines: string[], header = 'caption_id,image_id,subset,prediction') => {
    const file = writeText(path.join(dir, `${name}.csv`), `${header}\n${lines.join('\n')}\n`);
    await importPredictions(db, { file, name, split: SPLIT });
  };
  // A: wrong on caption 1's pristine row and caption 2's falsified one; abstains on 3's falsified one.
  const answers: Record<number, [string, string]> = { 1: ['yes', 'yes'], 2: ['no', 'no'], 3: ['no', 'maybe'], 4: ['no', 'yes'], 5: ['no', 'yes'], 6: ['no', 'yes'] };
  await run('A', Object.entries(answers).flatMap(([c, [p, f]]) => [`${c},${c},test,${p}`, `${c},${Number(c) + 20},test,${f}`]));
  // B: wrong on both of caption 2's rows and caption 4's falsified one; says nothing of caption 5.
  const b: Record<number, [string, string]> = { 1: ['no', 'yes'], 2: ['yes', 'no'], 3: ['no', 'yes'], 4: ['no', 'no'], 6: ['no', 'yes'] };
  await run('B', Object.entries(b).flatMap(([c, [p, f]]) => [`${c},${c},test,${p}`, `${c},${Number(c) + 20},test,${f}`]));
  return { db, run };
}

const captions = (db: Parameters<typeof pairsPage>[0], filters: Partial<PairQuery>): number[] => pairsPage(db, { split: SPLIT, subset: 'test', ...filters }).items.map((p) => p.captionId);

test('outcome filters: a run wrong, another right, every run wrong; on the label shown; counted alike by the facets', async (t) => {
  const { db } = await withRuns(t);
  assert.deepEqual(captions(db, { wrong: 'A' }), [1, 2, 3], 'an abstention is wrong');
  assert.deepEqual(captions(db, { wrong: 'B' }), [2, 4]);
  assert.deepEqual(captions(db, { wrong: 'A', right: 'B' }), [1, 3]);
  assert.deepEqual(captions(db, { right: 'B' }), [1, 3, 6], 'caption 5 was not answered: not right');
  assert.deepEqual(captions(db, { wrong: '*' }), [2], 'every run that answered it was wrong');
  assert.deepEqual(captions(db, { wrong: 'A', label: 'falsified' }), [2, 3], "on the falsified row only, caption 1's mistake is not shown");
  assert.deepEqual(captions(db, { wrong: 'nope' }), []);
  assert.deepEqual(matchingCaptionIds(db, { split: SPLIT, subset: 'test', wrong: 'A', right: 'B' }), [1, 3]);

  const facets = new FacetIndex(db);
  const counted = facets.facets({ split: SPLIT, subset: 'test', wrong: 'A', right: 'B' });
  assert.equal(counted.total, 2);
  assert.deepEqual(counted.runs, ['A', 'B']);
  assert.deepEqual(counted.facets.label, [{ value: 'pristine', count: 2 }, { value: 'falsified', count: 2 }]);
  assert.equal(pairsPage(db, { split: SPLIT, subset: 'test', wrong: 'A', right: 'B' }).total, 2);
});

test('a run of probabilities is labelled at its val-chosen threshold, kept with the run: its filter and its evaluation agree', async (t) => {
  const { db, run } = await withRuns(t);
  // Val: pristine rows at 0.6, falsified at 0.7, so the best cut is between them (0.65), not 0.5.
  const val = Array.from({ length: 4 }, (_, i) => [`${i + 7},${i + 7},val,0.6`, `${i + 7},${i + 27},val,0.7`]).flat();
  // Test: captions 1–3 right at 0.65 (0.62 / 0.68); 4–6 have a pristine row at 0.66: wrong.
  const testRows = Array.from({ length: 6 }, (_, i) => [`${i + 1},${i + 1},test,${i < 3 ? 0.62 : 0.66}`, `${i + 1},${i + 21},test,0.68`]).flat();
  await run('C', [...val, ...testRows], 'caption_id,image_id,subset,probability');
  const threshold = readRun(db, 'C')!.threshold!;
  assert.equal(threshold.chosenOn, `${SPLIT}/val`);
  assert.ok(Math.abs(threshold.value - 0.65) < 1e-9, JSON.stringify(threshold));
  assert.deepEqual(captions(db, { wrong: 'C' }), [4, 5, 6]);
  assert.deepEqual(captions(db, { right: 'C' }), [1, 2, 3]);
  const e = evaluateRun(db, 'C', { resamples: 0 });
  assert.deepEqual([e.all, e.pristine, e.falsified], [9 / 12, 3 / 6, 1]);
  assert.deepEqual(e.threshold, threshold);
});
