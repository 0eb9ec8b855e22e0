import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { RunEvaluation } from '../../electron/common/evaluation.ts';
import { createHandlers } from '../../electron/node/api/handlers.ts';
import { compareRuns, evaluateRun } from '../../electron/node/evaluation/evaluate.ts';
import { importPredictions } from '../../electron/node/evaluation/import-run.ts';
import { accuracyWithIntervals, bestThreshold, mcnemar, rocAuc, rocCurve } from '../../electron/node/evaluation/metrics.ts';
import { buildIndex } from '../../electron/node/ingest/indexer.ts';
import { JobCenter } from '../../electron/node/jobs/job-center.ts';
import { openDatabase, type Db } from '../../electron/node/store/db.ts';
import { listRuns, readRun } from '../../electron/node/store/predictions.ts';
import { runCli } from '../fixtures/cli.ts';
import { item, pairRows, tempDir, writeCorpus, writeJson, writeText } from '../fixtures/corpus.ts';

const SUBSPLITS = ['semantics_clip_text_image', 'scene_resnet_place'];

/**
 * Items 1–40. Merged / Balanced test: captions 1–10, each with its own image (pristine) and image
 * caption + 20 swapped in; val: captions 11–20, swapped 31–40. Odd captions come from the BBC and
 * the first sub-split, even ones from the Guardian and the second.
 */
async function indexed(t: Parameters<typeof tempDir>[0]): Promise<{ db: Db; dbFile: string; dir: string }> {
  const dir = tempDir(t);
  const items = Array.from({ length: 40 }, (_, i) => item(i + 1, `caption number ${i + 1}`, (i + 1) % 2 === 1 ? 'bbc' : 'guardian', 'world'));
  const rows = (from: number, to: number, swap: number) => Array.from({ length: to - from + 1 }, (_, i) => pairRows(from + i, from + i + swap, { source_dataset: (from + i) % 2 === 1 ? 0 : 1 })).flat();
  const corpus = writeCorpus(path.join(dir, 'corpus'), items, {
    merged_balanced: {
      test: { annotations: rows(1, 10, 20), source_datasets: SUBSPLITS },
      val: { annotations: rows(11, 20, 20), source_datasets: SUBSPLITS },
    },
  });
  const dbFile = path.join(dir, 'workbench.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await buildIndex(db, { visualnews: corpus.origin, clippings: corpus.clippings });
  return { db, dbFile, dir };
}

test('accuracy, abstentions and the confusion matrix match a case counted by hand', () => {
  // truth:   P  P  P  P  F  F  F  F
  // answer:  P  F  P  ?  F  F  P  ?
  const truth = Uint8Array.from([0, 0, 0, 0, 1, 1, 1, 1]);
  const answer = Int8Array.from([0, 1, 0, -1, 1, 1, 0, -1]);
  const a = accuracyWithIntervals({ truth, answer }, 0, 0);
  assert.deepEqual([a.all.value, a.pristine.value, a.falsified.value], [4 / 8, 2 / 4, 2 / 4]);
  assert.deepEqual([a.all.correct, a.all.n], [4, 8]);
  assert.equal(a.all.ci, null, 'no resamples, no interval');
});

test('the same seed gives the same bootstrap intervals; they hold the estimate', () => {
  const n = 2000;
  const truth = Uint8Array.from({ length: n }, (_, i) => i % 2);
  const answer = Int8Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 - (i % 2) : i % 2));
  const one = accuracyWithIntervals({ truth, answer }, 500, 42);
  const again = accuracyWithIntervals({ truth, answer }, 500, 42);
  const other = accuracyWithIntervals({ truth, answer }, 500, 43);
  assert.deepEqual(one, again);
  assert.notDeepEqual(one.all.ci, other.all.ci);
  for (const k of ['all', 'pristine', 'falsified'] as const) {
    const { value, ci } = one[k];
    assert.ok(ci !== null && ci[0] <= value! && value! <= ci[1] && ci[1] - ci[0] < 0.06, `${k}: ${value} in ${ci}`);
  }
});

test('ROC AUC and the ROC curve match scikit-learn on the committed reference cases', () => {
  const reference = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/reference/roc.json'), 'utf8')) as {
    cases: { name: string; truth: number[]; probability: number[]; auc: number; curve: { threshold: number; fpr: number; tpr: number }[] }[];
  };
  for (const c of reference.cases) {
    const truth = Uint8Array.from(c.truth);
    const probability = Float64Array.from(c.probability);
    assert.ok(Math.abs(rocAuc(truth, probability)! - c.auc) < 1e-12, `${c.name}: ${rocAuc(truth, probability)} vs ${c.auc}`);
    const curve = rocCurve(truth, probability, 10_000)!;
    assert.deepEqual(curve[0], { threshold: null, fpr: 0, tpr: 0 });
    assert.equal(curve.length - 1, c.curve.length, c.name);
    c.curve.forEach((point, i) => {
      const ours = curve[i + 1]!;
      assert.ok(ours.threshold === point.threshold && Math.abs(ours.fpr - point.fpr) < 1e-12 && Math.abs(ours.tpr - point.tpr) < 1e-12, `${c.name} point ${i}`);
    });
  }
  assert.equal(rocAuc(Uint8Array.from([1, 1]), Float64Array.from([0.2, 0.9])), null, 'one class only: no AUC');
});

test('the threshold chosen labels the most rows right', () => {
  const truth = Uint8Array.from([0, 0, 0, 1, 1, 1]);
  const probability = Float64Array.from([0.1, 0.3, 0.35, 0.4, 0.8, 0.9]);
  const t = bestThreshold(truth, probability);
  assert.ok(t > 0.35 && t <= 0.4, String(t));
});

/** CMIE's shape, pretty-printed as CMIE publishes it: one field per line. */
function cmieFile(dir: string, rows: Record<string, unknown>[]): string {
  return writeText(path.join(dir, '4o-direct_testSplit.json'), JSON.stringify(rows, null, 4));
}

test("CMIE's GPT-4o file imports against Merged / Balanced test; abstentions, strays, repeats and bad values are counted with their lines", async (t) => {
  const { db, dir } = await indexed(t);
  const rows: Record<string, unknown>[] = [];
  for (let c = 1; c <= 10; c++) {
    rows.push({ image_id: c, article_id: c, falsified: false, prediction: c <= 8 ? 'No' : 'Yes', explanation: `pristine ${c}` });
    rows.push({ image_id: c + 20, article_id: c, falsified: true, prediction: c <= 6 ? 'Yes' : c === 7 ? "I don't know" : 'No', explanation: `falsified ${c}` });
  }
  rows.push({ image_id: 99, article_id: 3, falsified: true, prediction: 'Yes', explanation: 'not a pair of the file' });
  rows.push({ ...rows[0]! });
  rows.push({ image_id: 'abc', article_id: 4, falsified: false, prediction: 'No' });
  rows.push({ image_id: 5, article_id: 5, falsified: true, prediction: 'No' }); // a repeat whose "falsified" also disagrees
  const file = cmieFile(dir, rows);

  const result = await importPredictions(db, { file, name: 'gpt-4o direct' });
  assert.equal(result.run.split, 'merged_balanced', 'the split is found from the rows');
  assert.deepEqual(result.run.mapping, { caption: 'article_id', image: 'image_id', imageBy: 'id', prediction: 'prediction', truth: 'falsified', explanation: 'explanation' });
  assert.deepEqual(result.run.matched, { test: 20, val: 0 });
  assert.deepEqual(result.run.problems, { unmatched: 1, duplicate: 2, unparseable: 1 });
  // Each record starts on the line of its "{": record k (from 0) of this pretty-printed list is on line 2 + 7k (5 fields + 2 braces).
  const lineOf = (record: number): number => 2 + 7 * record;
  const byKind = (kind: string) => result.problems.filter((p) => p.kind === kind).map((p) => p.line);
  assert.deepEqual(byKind('unmatched'), [lineOf(20)]);
  assert.deepEqual(byKind('duplicate'), [lineOf(21), lineOf(21) + 7 + 6]);
  assert.deepEqual(byKind('unparseable'), [lineOf(21) + 7]);
  assert.match(result.problems.find((p) => p.kind === 'unparseable')!.detail, /image id "abc" is not a number/);

  const e = evaluateRun(db, 'gpt-4o direct');
  assert.equal(e.subset, 'test');
  assert.deepEqual([e.rows, e.matched, e.missing, e.unmatched, e.abstained], [20, 20, 0, 1, 1]);
  // Pristine: 8 of 10 right. Falsified: 6 right, 1 abstained, 3 wrong.
  assert.deepEqual([e.all, e.pristine, e.falsified], [14 / 20, 8 / 10, 6 / 10]);
  assert.deepEqual(e.excludingAbstentions, { all: 14 / 19, pristine: 8 / 10, falsified: 6 / 9 });
  assert.deepEqual(e.confusion, { pristine: { pristine: 8, falsified: 2, abstained: 0 }, falsified: { pristine: 3, falsified: 6, abstained: 1 } });
  assert.equal(e.auc, null);
  assert.deepEqual(Object.keys(e.bySubsplit), ['Scene / ResNet Place', 'Semantics / CLIP Text-Image']);
  assert.deepEqual(e.bySource.bbc, { n: 10, all: 7 / 10, pristine: 4 / 5, falsified: 3 / 5 });
  assert.equal(evaluateRun(db, 'gpt-4o direct', { seed: 3 }).accuracy.all.ci?.join(), evaluateRun(db, 'gpt-4o direct', { seed: 3 }).accuracy.all.ci?.join());

  await assert.rejects(importPredictions(db, { file, name: 'gpt-4o direct' }), /a run named "gpt-4o direct" exists/);
  const replaced = await importPredictions(db, { file, name: 'gpt-4o direct', replace: true, subset: 'test' });
  assert.deepEqual(replaced.run.matched, { test: 20 });
  assert.equal(listRuns(db).length, 1);
});

test('probabilities in a CSV: AUC, and labels at the threshold chosen on the run’s own val rows', async (t) => {
  const { db, dir } = await indexed(t);
  // Val rows: falsified ones score 0.6–0.7, pristine 0.2–0.55, so the best threshold lies between 0.55 and 0.6.
  // Test rows: every falsified row 0.58 (right only with a threshold under it), pristine 0.3.
  const lines = ['caption_id,image_id,p_falsified'];
  for (let c = 11; c <= 20; c++) lines.push(`${c},${c},${(0.2 + (c - 11) * 0.035).toFixed(3)}`, `${c},${c + 20},${(0.6 + (c - 11) * 0.01).toFixed(3)}`);
  for (let c = 1; c <= 10; c++) lines.push(`${c},${c},0.3`, `${c},${c + 20},0.58`);
  lines.push('3,23,not-a-number', '"4",24,1.7');
  const file = writeText(path.join(dir, 'scores.csv'), `${lines.join('\r\n')}\r\n`);

  const result = await importPredictions(db, { file, name: 'clip-head' });
  assert.deepEqual(result.run.matched, { test: 20, val: 20 });
  assert.deepEqual(result.run.problems, { unparseable: 2 });
  assert.deepEqual(result.problems.map((p) => [p.line, p.detail]), [
    [42, 'probability "not-a-number" is not a number'],
    [43, 'probability 1.7 is outside 0–1'],
  ]);
  const e = evaluateRun(db, 'clip-head');
  assert.equal(e.auc, 1);
  assert.ok(e.threshold !== null && e.threshold.value > 0.55 && e.threshold.value < 0.58, JSON.stringify(e.threshold));
  assert.equal(e.threshold.chosenOn, 'merged_balanced/val');
  assert.equal(e.all, 1);
  // One threshold labels the run everywhere, val included (at 0.5, the pristine row scoring 0.515 would be wrong).
  const val = evaluateRun(db, 'clip-head', { subset: 'val' });
  assert.deepEqual(val.threshold, e.threshold);
  assert.equal(val.pristine, 1);
  // Scores per label on [0, 1] in 40 bins: test's pristine rows all at 0.3 (bin 12), falsified at 0.58 (bin 23).
  assert.deepEqual([e.histogram!.min, e.histogram!.max, e.histogram!.pristine.length], [0, 1, 40]);
  assert.equal(e.histogram!.pristine[12], 10);
  assert.equal(e.histogram!.falsified[23], 10);
  assert.equal(e.histogram!.falsified.reduce((a, b) => a + b, 0), 10);

  // Compared with a run of labels only: the curve is drawn for the run with probabilities, on the rows both answered.
  const labels = Array.from({ length: 10 }, (_, i) => [
    { article_id: i + 1, image_id: i + 1, prediction: 'No' },
    { article_id: i + 1, image_id: i + 21, prediction: 'Yes' },
  ]).flat();
  await importPredictions(db, { file: writeJson(path.join(dir, 'labels.json'), labels), name: 'labels' });
  const c = compareRuns(db, ['clip-head', 'labels']);
  assert.deepEqual(c.runs.map((r) => [r.run, r.auc, r.roc === null]), [['clip-head', 1, false], ['labels', null, true]]);
  assert.deepEqual(c.runs[0]!.roc!.at(-1), { threshold: 0.3, fpr: 1, tpr: 1 });
});

test("SNIFFER's shape: ids inside text, images by VisualNews path, answers as sentences", async (t) => {
  const { db, dir } = await indexed(t);
  const rows = [
    { idx: '1-real', caption: 'caption number 1', img_path: 'bbc/images/0000/001.jpg', answer: 'No, the image and caption are consistent.', label: 'real' },
    { idx: '1-fake', caption: 'caption number 1', img_path: './bbc/images/0000/021.jpg', answer: 'Yes, the image is wrongly used in a different news context.', label: 'fake' },
    { idx: '2-fake', caption: 'caption number 2', img_path: '/VisualNews/origin/guardian/images/0000/022.jpg', answer: 'Yes. Inconsistent people.', label: 'real' },
    { idx: '3-fake', caption: 'caption number 3', img_path: 'bbc/images/9999/999.jpg', answer: 'Yes', label: 'fake' },
  ];
  const file = writeJson(path.join(dir, 'sniffer.json'), rows);
  const result = await importPredictions(db, { file, name: 'sniffer' });
  assert.deepEqual(result.run.mapping, { caption: 'idx', image: 'img_path', imageBy: 'path', prediction: 'answer', truth: 'label' });
  assert.deepEqual(result.run.matched, { test: 3, val: 0 });
  assert.deepEqual(result.run.problems, { unparseable: 1, 'truth-disagrees': 1 });
  assert.match(result.problems.find((p) => p.kind === 'unparseable')!.detail, /"bbc\/images\/9999\/999.jpg" is not an indexed image path/);
  assert.match(result.problems.find((p) => p.kind === 'truth-disagrees')!.detail, /the file says pristine, the split file test says falsified \(caption 2, image 22\)/);
  assert.equal(evaluateRun(db, 'sniffer').all, 1);
});

test('our own pairs.jsonl with a prediction column: rows go to the subset they name; bad lines are listed', async (t) => {
  const { db, dir } = await indexed(t);
  const lines = [
    JSON.stringify({ id: 11, image_id: 11, falsified: false, split: 'merged_balanced', subset: 'val', prediction: 0 }),
    JSON.stringify({ id: 11, image_id: 31, falsified: true, split: 'merged_balanced', subset: 'val', prediction: 1 }),
    '{"id": 12, "image_id": 12, "prediction": ',
    JSON.stringify({ id: 12, image_id: 12, subset: 'test', prediction: 0 }),
    '',
    JSON.stringify([1, 2]),
  ];
  const file = writeText(path.join(dir, 'pairs.jsonl'), `${lines.join('\n')}\n`);
  const result = await importPredictions(db, { file, name: 'mine' });
  assert.equal(result.run.mapping.subset, 'subset');
  assert.deepEqual(result.run.matched, { test: 0, val: 2 });
  assert.deepEqual(result.problems.map((p) => [p.kind, p.line]), [['unparseable', 3], ['unparseable', 6], ['unmatched', 4]]);
  assert.equal(evaluateRun(db, 'mine').subset, 'val', 'the subset it has rows of');
});

test('bad predictions files get a clear error naming the file, and nothing is stored', async (t) => {
  const { db, dir } = await indexed(t);
  const cases: [string, string | Buffer, RegExp][] = [
    ['empty.json', '', /empty\.json: the file is empty/],
    ['object.json', '{"predictions": [{"id": 1}]}', /object\.json: a JSON object; expected a list of predictions/],
    ['binary.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), /binary\.csv: a binary file/],
    ['nofields.json', JSON.stringify([{ foo: 1, bar: 2 }]), /nofields\.json: no caption id field .*fields: foo, bar/],
    ['nolabel.csv', 'id,image_id,comment\n1,1,ok\n', /nolabel\.csv: no prediction or probability field/],
    ['oneword.csv', 'hello\nworld\n', /oneword\.csv: not a table/],
    ['strangers.json', JSON.stringify([{ id: 900, image_id: 901, prediction: 'Yes' }]), /none of the first 1 readable rows is a pair of any indexed split file/],
  ];
  for (const [name, content, pattern] of cases) {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    await assert.rejects(importPredictions(db, { file, name }), pattern, name);
  }
  await assert.rejects(importPredictions(db, { file: path.join(dir, 'missing.json'), name: 'x' }), /missing\.json: no such file/);
  await assert.rejects(importPredictions(db, { file: path.join(dir, 'strangers.json'), name: 'x', split: 'merged_balanced', subset: 'train' }), /no indexed split file merged_balanced\/train \(indexed: merged_balanced\/test, merged_balanced\/val\)/);
  assert.equal(listRuns(db).length, 0);
  assert.equal(readRun(db, 'x'), null);

  // A file cut short keeps the rows before the cut; the cut one is listed.
  const cut = writeText(path.join(dir, 'cut.json'), '[{"id": 1, "image_id": 1, "prediction": "No"},\n {"id": 2, "ima');
  const result = await importPredictions(db, { file: cut, name: 'cut' });
  assert.deepEqual(result.run.matched, { test: 1, val: 0 });
  assert.deepEqual(result.problems.map((p) => [p.kind, p.line]), [['unparseable', 2]]);
  assert.match(result.problems[0]!.detail, /truncated|end of/i);
});

test('the CLI imports a run, previews without storing, and writes the evaluation JSON', async (t) => {
  const { db, dbFile, dir } = await indexed(t);
  db.close();
  const rows = Array.from({ length: 10 }, (_, i) => [
    { image_id: i + 1, article_id: i + 1, falsified: false, prediction: 'No' },
    { image_id: i + 21, article_id: i + 1, falsified: true, prediction: i < 5 ? 'Yes' : 'No' },
  ]).flat();
  const file = cmieFile(dir, rows);
  const dry = await runCli(['predictions', 'import', file, '--name', 'run-a', '--dry-run', '--db', dbFile]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /Would import \(dry run: nothing stored\)/);
  assert.match(dry.stdout, /caption id ← article_id, image id ← image_id, label ← prediction, compared with ← falsified/);
  const none = await runCli(['predictions', 'list', '--db', dbFile]);
  assert.match(none.stdout, /No prediction runs yet/);

  const imported = await runCli(['predictions', 'import', file, '--name', 'run-a', '--db', dbFile]);
  assert.equal(imported.code, 0, imported.stderr);
  const out = path.join(dir, 'eval.json');
  const evaluated = await runCli(['evaluate', '--run', 'run-a', '--split', 'merged_balanced', '--subset', 'test', '--json', out, '--db', dbFile]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /All\s+75\.00/);
  const json = JSON.parse(readFileSync(out, 'utf8')) as RunEvaluation;
  for (const key of ['run', 'split', 'subset', 'rows', 'matched', 'unmatched', 'abstained', 'all', 'pristine', 'falsified', 'excludingAbstentions', 'auc', 'bySubsplit', 'bySource']) assert.ok(key in json, key);
  assert.deepEqual([json.run, json.split, json.subset, json.all, json.pristine, json.falsified], ['run-a', 'merged_balanced', 'test', 0.75, 1, 0.5]);

  const other = rows.map((r) => ({ ...r, prediction: r.falsified ? 'Yes' : 'No' }));
  assert.equal((await runCli(['predictions', 'import', writeJson(path.join(dir, 'other.json'), other), '--name', 'run-b', '--replace', '--db', dbFile])).code, 0);
  const compared = await runCli(['evaluate', '--run', 'run-a', '--run', 'run-b', '--db', dbFile]);
  assert.equal(compared.code, 0, compared.stderr);
  assert.match(compared.stdout, /2 runs on Merged \/ Balanced test: the 20 rows every run answered/);
  assert.match(compared.stdout, /McNemar run-a vs run-b: only run-a right 0, only run-b right 5, p = 0\.0625 \(exact\)/);

  const wrongSplit = await runCli(['evaluate', '--run', 'run-a', '--split', 'scene_resnet_place', '--db', dbFile]);
  assert.equal(wrongSplit.code, 2);
  assert.match(wrongSplit.stderr, /run "run-a" was imported for merged_balanced, not scene_resnet_place/);
  const unknown = await runCli(['evaluate', '--run', 'nope', '--db', dbFile]);
  assert.match(unknown.stderr, /no prediction run named "nope" \(runs: run-a, run-b\)/);
});

test('through the API: a preview reads the first rows only, the import runs as a job, the evaluation comes from the task runner', async (t) => {
  const { db, dbFile, dir } = await indexed(t);
  const jobs = new JobCenter(dbFile);
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test', jobs });
  const rows = Array.from({ length: 10 }, (_, i) => [
    { image_id: i + 1, article_id: i + 1, falsified: false, prediction: 'No' },
    { image_id: i + 21, article_id: i + 1, falsified: true, prediction: i < 8 ? 'Yes' : 'maybe' },
  ]).flat();
  const file = cmieFile(dir, rows);

  await assert.rejects(Promise.resolve().then(() => api['predictions.preview']({ file: 'relative.json' })), /give the predictions file as a full path/);
  const preview = await api['predictions.preview']({ file });
  assert.equal(preview.stored, false);
  assert.equal(preview.run.split, 'merged_balanced');
  assert.deepEqual(preview.preview.slice(0, 2).map((p) => [p.line, p.understood]), [[2, 'caption 1, image 1: pristine'], [8, 'caption 1, image 21: falsified']]);
  assert.deepEqual((await api['predictions.list']({})).runs, []);

  const started = await api['predictions.import']({ file, name: 'api run' });
  assert.equal(started.kind, 'import-predictions');
  const done = await jobs.wait(started.id);
  assert.equal(done.state, 'done', JSON.stringify(done.error));
  assert.deepEqual((done.summary as { run: { matched: Record<string, number> } }).run.matched, { test: 20, val: 0 });
  assert.deepEqual((await api['predictions.list']({})).runs.map((r) => r.name), ['api run']);

  const e = await api['evaluation.get']({ run: 'api run', seed: 5 });
  assert.deepEqual([e.all, e.abstained, e.excludingAbstentions.falsified], [18 / 20, 2, 1]);
  assert.deepEqual(e.bootstrap, { resamples: 1000, seed: 5 });
  await assert.rejects(Promise.resolve().then(() => api['evaluation.get']({ run: 'api run', resamples: -1 })), /"resamples" must be from 0 to 10000/);
  await assert.rejects(Promise.resolve().then(() => api['evaluation.get']({ run: 'nope' })), /no prediction run named "nope"/);
  assert.deepEqual((await api['predictions.delete']({ name: 'api run' })).runs, []);
});

test("McNemar's test matches SciPy: exact below 25 discordant rows, chi-square with continuity correction above", () => {
  // scipy.stats.binomtest(2, 12, 0.5).pvalue, chi2.sf(9.025, 1), chi2.sf((|40 - 25| - 1)² / 65, 1)
  assert.ok(Math.abs(mcnemar(10, 2).p - 0.03857421875) < 1e-12);
  assert.equal(mcnemar(10, 2).exact, true);
  const big = mcnemar(30, 10);
  assert.ok(Math.abs(big.statistic! - 9.025) < 1e-12 && Math.abs(big.p - 0.002663119259138558) < 1e-6, JSON.stringify(big));
  assert.ok(Math.abs(mcnemar(40, 25).p - 0.08247788747320971) < 1e-6);
  assert.deepEqual(mcnemar(0, 0), { statistic: null, p: 1, exact: true });
});

test('two runs compared on the rows both answered: the overlap, the oracle and McNemar', async (t) => {
  const { db, dir } = await indexed(t);
  // Run A: right on every pristine row, wrong on falsified rows of captions 1–4.
  // Run B: right on every falsified row, wrong on pristine rows of captions 1–2; no row for caption 10.
  const a = Array.from({ length: 10 }, (_, i) => [
    { article_id: i + 1, image_id: i + 1, prediction: 'No' },
    { article_id: i + 1, image_id: i + 21, prediction: i < 4 ? 'No' : 'Yes' },
  ]).flat();
  const b = Array.from({ length: 9 }, (_, i) => [
    { article_id: i + 1, image_id: i + 1, prediction: i < 2 ? 'Yes' : 'No' },
    { article_id: i + 1, image_id: i + 21, prediction: 'Yes' },
  ]).flat();
  await importPredictions(db, { file: writeJson(path.join(dir, 'a.json'), a), name: 'A' });
  await importPredictions(db, { file: writeJson(path.join(dir, 'b.json'), b), name: 'B' });
  const c = compareRuns(db, ['A', 'B']);
  assert.deepEqual([c.subset, c.rows, c.pristineRows], ['test', 18, 9]);
  assert.deepEqual(c.runs, [
    { run: 'A', answered: 20, accuracy: 14 / 18, onlyRight: 2, auc: null, roc: null },
    { run: 'B', answered: 18, accuracy: 16 / 18, onlyRight: 4, auc: null, roc: null },
  ]);
  assert.deepEqual([c.allRight, c.allWrong, c.oracle], [12, 0, 1]);
  assert.deepEqual(c.mcnemar, [{ a: 'A', b: 'B', onlyA: 2, onlyB: 4, ...mcnemar(2, 4) }]);
  assert.throws(() => compareRuns(db, ['A']), /name two or more different runs/);
  assert.throws(() => compareRuns(db, ['A', 'nope']), /no prediction run named "nope"/);
});
