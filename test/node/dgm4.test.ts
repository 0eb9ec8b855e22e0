import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createHandlers, dispatch } from '../../electron/node/api/handlers.ts';
import type { Dgm4Grounding } from '../../electron/common/dgm4-metrics.ts';
import { indexDgm4, locateDgm4 } from '../../electron/node/dgm4/index-dgm4.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { dgm4Counts, getDgm4Sample } from '../../electron/node/store/dgm4.ts';
import { readIndexLog } from '../../electron/node/store/index-log.ts';
import { runCli } from '../fixtures/cli.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeBertTokenizer, writeDgm4, type Dgm4Record } from '../fixtures/dgm4.ts';
import { JobCenter } from '../../electron/node/jobs/job-center.ts';
import { preCaption, SubwordUnits } from '../../electron/node/dgm4/subwords.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

const IMG = (name: string): string => `DGM4/manipulation/HFGI/${name}.jpg`;
const ORIGIN = (name: string): string => `DGM4/origin/gardian/${name}.jpg`;

/** Records of every kind, good and bad, with the images the good ones need (200 × 150 each). */
function plantedRecords(): { test: unknown[]; val: unknown[]; images: Record<string, { width: number; height: number; face?: number[] }> } {
  const good: Dgm4Record[] = [
    { id: 100, image: ORIGIN('100'), text: 'Protesters gather in Lisbon square', fake_cls: 'orig', fake_image_box: [], fake_text_pos: [], mtcnn_boxes: [[20, 30, 60, 80]] },
    { id: 101, image: IMG('101-HFGI'), text: 'British citizens wait for the result', fake_cls: 'face_attribute&text_attribute', fake_image_box: [40, 20, 120, 110], fake_text_pos: [0, 3], mtcnn_boxes: [[40, 20, 120, 110], [130, 40, 180, 100]] },
    { id: 102, image: IMG('102-simswap'), text: 'The minister speaks in Paris', fake_cls: 'face_swap', fake_image_box: [10, 10, 60, 70] },
    { id: 999999, image: ORIGIN('999999'), text: 'A caption whose words were swapped', fake_cls: 'text_swap', fake_image_box: [], fake_text_pos: [1, 2, 5] },
  ];
  const bad: unknown[] = [
    'just a string',
    { id: -4, image: ORIGIN('100'), text: 'x', fake_cls: 'orig' },
    { id: 103, image: ORIGIN('100'), text: 'x', fake_cls: 'deepfake' },
    { id: 104, image: ORIGIN('100'), text: 'x', fake_cls: 'face_swap&face_swap' },
    { id: 105, image: IMG('101-HFGI'), text: 'a face off the edge', fake_cls: 'face_swap', fake_image_box: [150, 100, 260, 140] },
    { id: 106, image: ORIGIN('100'), text: 'three words here', fake_cls: 'text_attribute', fake_text_pos: [3] },
    { id: 107, image: ORIGIN('gone'), text: 'no file', fake_cls: 'orig' },
    { id: 108, image: '../../outside.jpg', text: 'escapes', fake_cls: 'orig' },
    { id: 109, image: IMG('101-HFGI'), text: 'inside out', fake_cls: 'face_swap', fake_image_box: [50, 50, 40, 60] },
    { id: 100, image: ORIGIN('100'), text: 'Protesters gather in Lisbon square', fake_cls: 'orig' },
    { id: 110, image: ORIGIN('link'), text: 'a link out of the folder', fake_cls: 'orig' },
  ];
  const images = Object.fromEntries([ORIGIN('100'), IMG('101-HFGI'), IMG('102-simswap'), ORIGIN('999999')].map((p) => [p, { width: 200, height: 150 }]));
  return { test: [...good, ...bad], val: [good[0]!], images };
}

test('DGM4 metadata indexed beside VisualNews: every field, linked by id, every unusable record counted by reason; unchanged files not read again', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(path.join(dir, 'vn'));
  const records = plantedRecords();
  const root = await writeDgm4(path.join(dir, 'data'), { test: records.test, val: records.val }, records.images);
  symlinkSync(corpus.dbFile, path.join(root, ORIGIN('link')));
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());

  const summary = await indexDgm4(db, { folder: root });
  assert.equal(summary.upToDate, false);
  assert.deepEqual(summary.splits, [
    { split: 'test', samples: 4, byClass: { 'face_attribute&text_attribute': 1, face_swap: 1, orig: 1, text_swap: 1 } },
    { split: 'val', samples: 1, byClass: { orig: 1 } },
  ]);
  assert.equal(summary.linked, 4, 'ids 100, 101, 102 are VisualNews items (twice 100); 999999 is not');
  assert.deepEqual(summary.skipped, { bad_box: 1, bad_id: 1, bad_image_path: 1, box_outside_image: 1, duplicate_sample: 1, missing_image: 1, not_an_object: 1, token_past_text: 1, unknown_class: 2, unreadable_image: 1 });
  const log = readIndexLog(db, 'dgm4_');
  const detail = (reason: string): string => log.find((e) => e.reason === reason)!.samples[0]!.detail;
  assert.match(detail('box_outside_image'), /sample 105: fake_image_box \[150, 100, 260, 140\] does not fit the 200 × 150 image DGM4\/manipulation\/HFGI\/101-HFGI\.jpg/);
  assert.match(detail('token_past_text'), /sample 106: fake_text_pos has 3, but the text has 3 words/);
  assert.match(detail('unreadable_image'), /sample 110: .*outside the DGM4 folder/);
  assert.match(detail('missing_image'), /sample 107: DGM4\/origin\/gardian\/gone\.jpg is not there/);

  const sample = getDgm4Sample(db, 'test', 1)!;
  assert.deepEqual(sample, {
    split: 'test',
    position: 1,
    id: 101,
    image: IMG('101-HFGI'),
    text: 'British citizens wait for the result',
    fakeCls: 'face_attribute&text_attribute',
    classes: ['face_attribute', 'text_attribute'],
    source: 'HFGI',
    box: [40, 20, 120, 110],
    textPos: [0, 3],
    faceBoxes: [[40, 20, 120, 110], [130, 40, 180, 100]],
    width: 200,
    height: 150,
    inVisualNews: true,
    verdict: null,
  });
  assert.equal(getDgm4Sample(db, 'test', 3)!.inVisualNews, false);
  assert.deepEqual(getDgm4Sample(db, 'test', 0)!.box, null);

  // The same files again: nothing read; --force reads them again to the same result.
  assert.equal((await indexDgm4(db, { folder: root })).upToDate, true);
  const again = await indexDgm4(db, { folder: path.join(root, 'DGM4'), force: true });
  assert.deepEqual([again.upToDate, again.splits, again.skipped], [false, summary.splits, summary.skipped]);
});

test('a DGM4 index interrupted mid-file continues where it stopped, and ends as an uninterrupted one does', async (t) => {
  const dir = tempDir(t);
  const image = ORIGIN('shared');
  // Enough records for several batches of the streaming reader (4 MiB each).
  const records = Array.from({ length: 30_000 }, (_, i) => ({ id: i, image, text: `Caption number ${i} with a few more words to make it longer than it needs to be for the test`, fake_cls: i % 3 === 0 ? 'orig' : 'text_swap', fake_image_box: [], fake_text_pos: i % 3 === 0 ? [] : [1] }));
  const root = await writeDgm4(dir, { train: records }, { [image]: { width: 64, height: 64 } });
  const db = openDatabase(path.join(dir, 'w.db'));
  t.after(() => db.close());
  const controller = new AbortController();
  await assert.rejects(
    indexDgm4(db, { folder: root, signal: controller.signal, onProgress: (p) => p.phase === 'dgm4' && p.records > 0 && controller.abort() }),
    { code: 'CANCELLED' },
  );
  assert.deepEqual(dgm4Counts(db), [], 'nothing is published until every file is read');
  const resumed = await indexDgm4(db, { folder: root });
  assert.equal(resumed.resumed, true);
  assert.deepEqual(resumed.splits, [{ split: 'train', samples: 30_000, byClass: { orig: 10_000, text_swap: 20_000 } }]);
  assert.deepEqual(resumed.skipped, {});
});

test('ooc index --dgm4: where DGM4 is found, the summary, and a clear error for a folder without it', async (t) => {
  const dir = tempDir(t);
  const records = plantedRecords();
  const root = await writeDgm4(dir, { test: records.test }, records.images);
  assert.deepEqual(await locateDgm4(path.join(root, 'DGM4', 'metadata')), { root, metadataDir: path.join(root, 'DGM4', 'metadata') });
  const db = path.join(dir, 'w.db');
  const out = await runCli(['index', '--dgm4', root, '--db', db]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Indexed DGM4 from .* in \d+\.\d s\./);
  assert.match(out.stdout, /test: 4 samples \(/);
  assert.match(out.stdout, /0 of 4 samples have their VisualNews item indexed/);
  assert.match(out.stdout, /Skipped records: .*1 box outside image/);
  const missing = await runCli(['index', '--dgm4', path.join(dir, 'DGM4', 'manipulation'), '--db', db]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no DGM4\/metadata\/ folder in .*manipulation: give the folder that holds DGM4\//);
});

test("DGM4's token report: real texts against manipulated ones, in the API and ooc token-report --dgm4", async (t) => {
  const dir = tempDir(t);
  const image = ORIGIN('shared');
  const records: Dgm4Record[] = [];
  // Real texts (pristine, and a face manipulated with its text intact) talk about the council; manipulated ones about a scandal.
  for (let i = 0; i < 60; i++) records.push({ id: i, image, text: `the council met on day ${i}`, fake_cls: i % 2 === 0 ? 'orig' : 'face_swap', fake_image_box: i % 2 === 0 ? [] : [1, 1, 10, 10] });
  for (let i = 60; i < 100; i++) records.push({ id: i, image, text: `the scandal grew on day ${i}`, fake_cls: i % 2 === 0 ? 'text_swap' : 'face_attribute&text_attribute', fake_image_box: i % 2 === 0 ? [] : [1, 1, 10, 10], fake_text_pos: [1] });
  const root = await writeDgm4(dir, { test: records }, { [image]: { width: 64, height: 64 } });
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await indexDgm4(db, { folder: root });
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });
  const report = await api['evaluation.tokens']({ dataset: 'dgm4', split: 'test', text: 'caption', minCount: 5, top: 40 });
  assert.deepEqual(report.groupNames, ['real', 'manipulated']);
  assert.deepEqual([report.groups.pristine.rows, report.groups.falsified.rows], [60, 40]);
  assert.deepEqual(report.pristineWords.slice(0, 2).map((w) => [w.token, w.pristine, w.falsified]).sort(), [['council', 60, 0], ['met', 60, 0]]);
  assert.deepEqual(report.falsifiedWords.slice(0, 2).map((w) => [w.token, w.pristine, w.falsified]).sort(), [['grew', 0, 40], ['scandal', 0, 40]]);
  assert.ok(!report.pristineWords.concat(report.falsifiedWords).some((w) => w.token === 'the' && Math.abs(w.z) >= report.criticalZ), '"the" is in every text: not significant');
  await assert.rejects(async () => api['evaluation.tokens']({ dataset: 'dgm4', split: 'train', text: 'caption', minCount: 5, top: 40 }), /DGM4 has no indexed train file \(it has test\)/);

  const out = await runCli(['token-report', '--dgm4', '--split', 'test', '--db', dbFile]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /DGM4 test, texts: 60 real rows \(\d+ words\), 40 manipulated rows/);
  assert.match(out.stdout, /leaning manipulated\n\s+word\s+real\s+manipulated/);
});

test('a DGM4 selection exported in DGM4\'s format: a whole split byte for byte, a filtered one re-indexable, never over an existing file', async (t) => {
  const dir = tempDir(t);
  const image = ORIGIN('shared');
  const records: Dgm4Record[] = [
    { id: 1, image, text: 'Café "Central" reopens — 北京', fake_cls: 'orig', fake_image_box: [], fake_text_pos: [], mtcnn_boxes: [] },
    { id: 2, image, text: 'The minister resigns', fake_cls: 'face_swap&text_swap', fake_image_box: [1, 2, 30, 40], fake_text_pos: [1], mtcnn_boxes: [[1, 2, 30, 40]] },
    { id: 3, image, text: 'A quiet day', fake_cls: 'text_attribute', fake_image_box: [], fake_text_pos: [2] },
  ];
  const root = await writeDgm4(path.join(dir, 'data'), { test: records }, { [image]: { width: 64, height: 64 } });
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await indexDgm4(db, { folder: root });

  const whole = path.join(dir, 'test.json');
  const out = await runCli(['export-dgm4', '--split', 'test', '--out', whole, '--db', dbFile]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Wrote 3 DGM4 records to /);
  assert.ok(readFileSync(whole).equals(readFileSync(path.join(root, 'DGM4', 'metadata', 'test.json'))), 'the same bytes as the metadata file');

  const again = await runCli(['export-dgm4', '--split', 'test', '--out', whole, '--db', dbFile]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /test\.json exists: give a new file name/);

  // The text manipulations only, indexed again as a split of their own.
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });
  const texts = await api['dgm4.export']({ split: 'test', kind: 'text' });
  assert.equal(texts.records, 2);
  const second = await writeDgm4(path.join(dir, 'again'), { text: texts.json }, { [image]: { width: 64, height: 64 } });
  const other = openDatabase(path.join(dir, 'other.db'));
  t.after(() => other.close());
  const summary = await indexDgm4(other, { folder: second });
  assert.deepEqual(summary.splits, [{ split: 'text', samples: 2, byClass: { 'face_swap&text_swap': 1, text_attribute: 1 } }]);
  assert.deepEqual(summary.skipped, {});
});

test("a detector's DGM4 outputs imported as a run: matched by id and image, every field read, problems by line, DGM4's metrics per class, in the CLI", async (t) => {
  const dir = tempDir(t);
  const image = (n: number) => `DGM4/manipulation/HFGI/${n}.jpg`;
  const records: Dgm4Record[] = [
    { id: 1, image: image(1), text: 'a real caption here', fake_cls: 'orig', fake_image_box: [] },
    { id: 2, image: image(2), text: 'the face was changed', fake_cls: 'face_attribute', fake_image_box: [10, 10, 50, 50] },
    { id: 3, image: image(3), text: 'the words were swapped in', fake_cls: 'text_swap', fake_image_box: [], fake_text_pos: [2] },
    { id: 4, image: image(4), text: 'both were edited today', fake_cls: 'face_swap&text_attribute', fake_image_box: [0, 0, 40, 40], fake_text_pos: [3] },
    { id: 4, image: image(5), text: 'an id used twice', fake_cls: 'orig', fake_image_box: [] },
  ];
  const images = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [image(n), { width: 100, height: 100 }]));
  const root = await writeDgm4(path.join(dir, 'data'), { test: records }, images);
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await indexDgm4(db, { folder: root });

  // HAMMER-style output: probabilities, class probabilities, boxes as normalised centre and size, word flags.
  const predictions = [
    { id: 1, image: image(1), prob: 0.1, class_probs: [0.1, 0.1, 0.1, 0.1], pred_box: [0, 0, 0, 0], token_probs: [0, 0, 0, 0] },
    { id: 2, image: image(2), prob: 0.8, class_probs: { face_swap: 0.2, face_attribute: 0.9, text_swap: 0.1, text_attribute: 0.1 }, pred_box: [0.3, 0.3, 0.4, 0.4], token_probs: [0, 0, 0, 0] },
    { id: 3, image: image(3), prob: 0.4, class_probs: [0.1, 0.1, 0.7, 0.1], pred_box: [], token_probs: [0, 0, 0.9, 0, 0] },
    { id: 4, image: image(4), prob: 0.9, class_probs: [0.8, 0.1, 0.1, 0.6], pred_box: [0.2, 0.2, 0.4, 0.4], token_probs: [0, 0, 0.7, 0.8] },
    { id: 4, prob: 0.5 },
    { id: 77, prob: 0.5 },
    { id: 2, image: image(2), prob: 0.3 },
    { id: 1, image: image(1), prob: 2 },
  ];
  const file = path.join(dir, 'hammer.jsonl');
  writeFileSync(file, `${predictions.map((p) => JSON.stringify(p)).join('\n')}\nnot json\n`);
  const out = await runCli(['dgm4-predictions', 'import', file, '--name', 'hammer', '--split', 'test', '--box-format', 'cxcywh-normalized', '--db', dbFile]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /Imported "hammer": 4 of 9 rows matched to DGM4 test \(fields: id ← id, image ← image, probability ← prob, classes ← class_probs, box ← pred_box, words ← token_probs\)/);
  assert.match(out.stdout, /line 5: sample 4 appears 2 times in test: give its image to say which/);
  assert.match(out.stdout, /line 6: sample 77 is not in DGM4 test/);
  assert.match(out.stdout, /line 7: sample 2 \(DGM4\/manipulation\/HFGI\/2\.jpg\) again/);
  assert.match(out.stdout, /line 9: malformed JSON/);

  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });
  const [evaluation] = (await api['dgm4.evaluate']({ runs: ['hammer'] })).runs;
  assert.deepEqual([evaluation!.answered, evaluation!.splitSamples], [4, 5]);
  const m = evaluation!.overall;
  // Binary: 1 pristine (0.1) below all three manipulated: AUC 1; sample 3 (0.4) is called pristine.
  assert.deepEqual(m.binary, { auc: 1, eer: 0, acc: 0.75 });
  // Boxes: sample 1 none and none predicted (1); sample 2 [10,10,50,50] against [10,10,50,50] (1); sample 3 none, [] predicted (1); sample 4 [0,0,40,40] against [0,0,40,40] (1).
  assert.deepEqual(m.image, { iouMean: 1, iou50: 1, iou75: 1 });
  // Words: sample 3 word 2 right; sample 4 word 3 right, word 2 a false alarm.
  assert.deepEqual(m.text, { precision: 2 / 3, recall: 1, f1: 0.8 });
  assert.deepEqual(Object.keys(evaluation!.byClass).sort(), ['face_attribute', 'face_swap&text_attribute', 'orig', 'text_swap']);
  assert.equal(evaluation!.byClass.text_swap!.binary.acc, 0);

  const shown = await runCli(['dgm4-evaluate', '--run', 'hammer', '--db', dbFile]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /AUC\s+EER\s+ACC\s+mAP\s+CF1\s+OF1\s+IoUmean\s+IoU50\s+IoU75\s+P\s+R\s+F1/);
  assert.match(shown.stdout, /hammer\s+100\.00\s+0\.00\s+75\.00/);
  assert.match(shown.stdout, /4 of 5 samples answered; per class:/);
  const again = await runCli(['dgm4-predictions', 'import', file, '--name', 'hammer', '--split', 'test', '--db', dbFile]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /a run named "hammer" exists; replace it/);
});

test("text grounding over word pieces, as DGM4's authors count it: HAMMER's text cleaning, a BERT tokenizer's pieces, flags per piece or per word; imported as a job", async (t) => {
  const dir = tempDir(t);
  const image = (n: number) => `DGM4/manipulation/HFGI/${n}.jpg`;
  const records: Dgm4Record[] = [
    // Cleaned: "merkels unbelievable visit to berlin mitte"; pieces merkel ##s | un ##believ ##able | visit | to | berlin | mit ##te.
    { id: 1, image: image(1), text: "Merkel's unbelievable visit to Berlin-Mitte", fake_cls: 'text_attribute', fake_image_box: [], fake_text_pos: [1] },
    // "the a&b deal $5": the BERT pre-tokenizer splits a & b and $ 5, so word 3 of the file ("$5") names the piece "b" — HAMMER's own quirk, kept.
    { id: 2, image: image(2), text: 'The A&B deal $5', fake_cls: 'text_swap', fake_image_box: [], fake_text_pos: [3] },
    { id: 3, image: image(3), text: 'three plain words', fake_cls: 'orig', fake_image_box: [] },
  ];
  const images = Object.fromEntries([1, 2, 3].map((n) => [image(n), { width: 100, height: 100 }]));
  const root = await writeDgm4(path.join(dir, 'data'), { test: records }, images);
  const tokenizer = writeBertTokenizer(path.join(dir, 'bert', 'tokenizer.json'), ['merkel', '##s', 'un', '##believ', '##able', 'visit', 'to', 'berlin', 'mit', '##te', 'the', 'a', '&', 'b', 'deal', '$', '5', 'three', 'plain', 'words']);

  const units = await SubwordUnits.load(tokenizer);
  assert.equal(preCaption("Merkel's unbelievable visit to Berlin-Mitte", 50), 'merkels unbelievable visit to berlin mitte');
  assert.equal(preCaption('  "Quoted" (words)  here!  ', 2), 'quoted words');
  assert.deepEqual(units.wordIds(records[0]!.text), [0, 0, 1, 1, 1, 2, 3, 4, 5, 5]);
  assert.deepEqual(units.wordIds(records[1]!.text), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(units.wordIds(Array.from({ length: 300 }, () => 'unbelievable').join(' ')).length, 126, 'at most 126 pieces, as BERT with max_length 128');
  await assert.rejects(SubwordUnits.load(path.join(dir, 'data', 'DGM4', 'metadata', 'test.json')), /test\.json: not a tokenizer\.json/);

  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await indexDgm4(db, { folder: root });
  const predictions = [
    // Per piece (HAMMER's logits_tok): pieces 2 and 3 right, piece 0 a false alarm, piece 4 missed.
    { id: 1, image: image(1), token_probs: [0.9, 0, 0.8, 0.7, 0.2, 0, 0, 0, 0, 0] },
    // Per word of the file (4 words, 7 pieces): word 3 spread over the pieces whose word id is 3.
    { id: 2, image: image(2), words: [0, 0, 0, 1] },
    // Neither 3 words nor 3 pieces.
    { id: 3, image: image(3), words: [0, 0] },
  ];
  const file = path.join(dir, 'pieces.json');
  writeFileSync(file, `[\n${predictions.map((p) => JSON.stringify(p)).join(',\n')}\n]\n`);
  const jobs = new JobCenter(dbFile);
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test', jobs });
  await assert.rejects(Promise.resolve().then(() => api['dgm4.import']({ file, name: 'x', split: 'test', boxFormat: 'xyxy', replace: false, tokenizer: 'bert/tokenizer.json' })), /give files as full paths, got "bert\/tokenizer\.json"/);
  const started = await api['dgm4.import']({ file, name: 'pieces', split: 'test', boxFormat: 'xyxy', replace: false, tokenizer });
  assert.equal(started.kind, 'import-dgm4-run');
  const done = await jobs.wait(started.id);
  assert.equal(done.state, 'done', JSON.stringify(done.error));
  const { run, problems } = done.summary as { run: { matched: number; subwords: unknown }; problems: { line: number; detail: string }[] };
  assert.equal(run.matched, 2);
  assert.deepEqual(run.subwords, { tokenizer, maxWords: 50 });
  assert.equal(problems[0]!.line, 4);
  assert.match(problems[0]!.detail, /sample 3: words has 2 values, but the text has 3 words \(split on spaces\) and 3 word pieces/);

  const [pieces] = (await api['dgm4.evaluate']({ runs: ['pieces'] })).runs;
  // TP 2 + 1, FP 1, FN 1 over pieces.
  assert.deepEqual(pieces!.overall.text, { precision: 0.75, recall: 0.75, f1: 0.75 });
  assert.deepEqual(pieces!.subwords, { tokenizer, maxWords: 50 });

  // The same file without a tokenizer: the per-piece row does not fit the words.
  const words = await runCli(['dgm4-predictions', 'import', file, '--name', 'words', '--split', 'test', '--db', dbFile]);
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stdout, /line 2: sample 1: token_probs has 10 values, but the text has 5 words \(split on spaces\)\n/);
  const shown = await runCli(['dgm4-evaluate', '--run', 'pieces', '--run', 'words', '--db', dbFile]);
  assert.match(shown.stdout, /text grounding \(word pieces or words\)/);
  const wrong = await runCli(['dgm4-predictions', 'import', file, '--name', 'w2', '--split', 'test', '--max-words', '10', '--db', dbFile]);
  assert.match(wrong.stderr, /--max-words goes with --tokenizer/);
});

test('ooc saliency-grounding explains manipulated samples with each method and scores them beside random maps, per class', async (t) => {
  const dir = tempDir(t);
  const image = (n: number) => `DGM4/manipulation/HFGI/${n}.jpg`;
  const records: Dgm4Record[] = [
    { id: 1, image: image(1), text: 'an untouched caption', fake_cls: 'orig', fake_image_box: [] },
    { id: 2, image: image(2), text: 'the face was changed', fake_cls: 'face_attribute', fake_image_box: [20, 20, 60, 60] },
    { id: 3, image: image(3), text: 'both were edited today', fake_cls: 'face_swap&text_attribute', fake_image_box: [10, 30, 50, 70], fake_text_pos: [3] },
  ];
  const images = Object.fromEntries([1, 2, 3].map((n) => [image(n), { width: 96, height: 80, ...(n === 1 ? {} : { face: records[n - 1]!.fake_image_box! }) }]));
  const root = await writeDgm4(path.join(dir, 'data'), { test: records }, images);
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  await indexDgm4(db, { folder: root });
  db.close();
  const json = path.join(dir, 'grounding.json');
  const out = await runCli(['saliency-grounding', '--split', 'test', '--method', 'occlusion,words', '--json', json, '--db', dbFile]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /2 manipulated samples under tiny-random-clip \(RANDOM WEIGHTS: the maps mean nothing\)/);
  const result = JSON.parse(readFileSync(json, 'utf8')) as Dgm4Grounding;
  assert.deepEqual(result.methods.map((m) => m.method), ['occlusion', 'words', 'random']);
  const occlusion = result.methods[0]!.overall;
  assert.deepEqual([occlusion.imageSamples, occlusion.textSamples], [2, 1]);
  assert.ok(occlusion.pointing !== null && occlusion.pointing >= 0 && occlusion.pointing <= 1);
  // Word deletion draws no map: only its words are scored.
  assert.deepEqual([result.methods[1]!.overall.imageSamples, result.methods[1]!.overall.textSamples], [0, 1]);
  assert.deepEqual(Object.keys(result.methods[2]!.byClass).sort(), ['face_attribute', 'face_swap&text_attribute']);
  const bad = await runCli(['saliency-grounding', '--split', 'test', '--method', 'gradcam', '--db', dbFile]);
  assert.match(bad.stderr, /unknown method gradcam \(methods: chefer, occlusion, rise, lime, words\)/);
});

test('DGM4 samples curated like pairs: a verdict, note and tags per sample, filtered and counted by verdict, set on a whole selection, undone', async (t) => {
  const dir = tempDir(t);
  const image = ORIGIN('shared');
  const records: Dgm4Record[] = [1, 2, 3, 4].map((id) => ({ id, image, text: `caption ${id}`, fake_cls: id % 2 === 0 ? 'text_swap' : 'orig', fake_image_box: [], ...(id % 2 === 0 ? { fake_text_pos: [1] } : {}) }));
  const root = await writeDgm4(path.join(dir, 'data'), { test: records }, { [image]: { width: 64, height: 64 } });
  const dbFile = path.join(dir, 'w.db');
  const db = openDatabase(dbFile);
  t.after(() => db.close());
  await indexDgm4(db, { folder: root });
  const api = createHandlers({ db, databaseFile: dbFile, demo: false, version: 'test' });

  const one = await api['dgm4.curate']({ target: { split: 'test', ids: [2] }, change: { verdict: 'out-of-context', note: 'the swapped word is a name', addTags: ['names'] } });
  assert.equal(one.undo, 'verdict confirmed manipulated, note, tag names on 1 DGM4 sample');
  const curation = await api['dgm4.curation']({ split: 'test', id: 2 });
  assert.deepEqual([curation.verdict, curation.note, curation.tags], ['out-of-context', 'the swapped word is a name', ['names']]);
  let page = await api['dgm4.page']({ split: 'test', offset: 0, limit: 10 });
  assert.deepEqual(page.verdicts, { none: 3, 'out-of-context': 1 });
  assert.deepEqual(page.samples.map((s) => s.verdict), [null, 'out-of-context', null, null]);
  page = await api['dgm4.page']({ split: 'test', verdict: 'none', offset: 0, limit: 10 });
  assert.deepEqual(page.samples.map((s) => s.id), [1, 3, 4]);

  // Every text-manipulated sample shown, at once; then undone.
  const bulk = await api['dgm4.curate']({ target: { selection: { split: 'test', kind: 'text' } }, change: { verdict: 'ambiguous' } });
  assert.equal(bulk.pairs, 2);
  assert.equal(bulk.undo, 'verdict ambiguous on 2 DGM4 samples');
  assert.deepEqual((await api['dgm4.page']({ split: 'test', offset: 0, limit: 10 })).verdicts, { none: 2, ambiguous: 2 });
  await api['curation.undo']({});
  assert.deepEqual((await api['dgm4.page']({ split: 'test', offset: 0, limit: 10 })).verdicts, { none: 3, 'out-of-context': 1 });

  await assert.rejects(async () => api['dgm4.curate']({ target: { split: 'test', ids: [2, 99] }, change: { verdict: 'consistent' } }), /DGM4 test has no sample 99/);
  await assert.rejects(async () => dispatchOrThrow(api, 'dgm4.curate', { target: { split: 'test', ids: [2] }, change: { addToCollection: 'x' } }), /collections hold NewsCLIPpings pairs, not DGM4 samples/);
});

/** A call through the API's input checking, as the UI makes it. */
async function dispatchOrThrow(api: ReturnType<typeof createHandlers>, method: string, input: unknown): Promise<unknown> {
  const result = await dispatch(api, method, input);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
