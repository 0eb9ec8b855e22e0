import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { boxInView, mapAgainstBox, RESOLUTION, wordPrecision } from '../../electron/node/dgm4/grounding.ts';
import { auc, averagePrecision, dgm4Metrics, eer, iou, type Dgm4Prediction, type Dgm4Truth } from '../../electron/node/dgm4/metrics.ts';

interface Reference {
  samples: (Dgm4Truth & { pred: Omit<Dgm4Prediction, 'label'> })[];
  metrics: Record<string, Record<string, number | number[]>> & { sklearnAp: number[] };
}

/** What bench/python/dgm4_metrics.py computed with scikit-learn and numpy, as DGM4's test.py does, on 300 generated samples. */
const reference = JSON.parse(readFileSync(new URL('../fixtures/dgm4-metrics-reference.json', import.meta.url), 'utf8')) as Reference;

function close(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) return (expected as unknown[]).forEach((e, i) => close((actual as unknown[])[i], e, `${path}[${i}]`));
  if (typeof expected === 'object' && expected !== null) return Object.entries(expected).forEach(([k, e]) => close((actual as Record<string, unknown>)[k], e, `${path}.${k}`));
  assert.ok(typeof actual === 'number' && Math.abs(actual - (expected as number)) < 1e-9, `${path}: ${String(actual)} against scikit-learn's ${String(expected)}`);
}

test("every DGM4 metric matches scikit-learn / numpy computing DGM4's definitions on the same 300 samples", () => {
  const truth = reference.samples.map(({ classes, box, textPos, words }) => ({ classes, box, textPos, words }));
  const predicted = reference.samples.map((s) => ({ ...s.pred, label: null }));
  const m = dgm4Metrics(truth, predicted);
  const { sklearnAp, ...expected } = reference.metrics;
  close(m, expected, 'metrics');
  // With continuous scores (no ties) DGM4's average precision is scikit-learn's.
  sklearnAp.forEach((ap, k) => close(averagePrecision(truth.map((t) => (t.classes >> k) & 1), predicted.map((p) => p.classProbabilities![k]!)), ap, `AP of class ${k}`));
});

test('the metrics on examples worked by hand', () => {
  // AUC: 3 of 4 manipulated-above-pristine orderings, one tie counting half.
  assert.equal(auc([1, 0, 1, 0], [0.9, 0.4, 0.4, 0.1]), 0.875);
  assert.equal(auc([1, 1], [0.2, 0.3]), null);
  // ROC (0,0) → (0,.5) → (.5,1) → (1,1): TPR = .5 + x on the middle segment meets 1 − x at x = 1/4.
  assert.ok(Math.abs(eer([1, 1, 0, 0], [0.9, 0.6, 0.6, 0.1])! - 1 / 4) < 1e-12);
  // Scores descending: positive, negative, positive → (1/1 + 2/3) / 2.
  assert.ok(Math.abs(averagePrecision([1, 0, 1], [0.9, 0.8, 0.1])! - 5 / 6) < 1e-12);
  assert.equal(iou([0, 0, 10, 10], [5, 0, 15, 10]), 50 / 150);
  const truth: Dgm4Truth[] = [
    { classes: 0, box: null, textPos: [], words: 3 },
    { classes: 1, box: [0, 0, 10, 10], textPos: [], words: 2 },
    { classes: 4, box: null, textPos: [1], words: 2 },
  ];
  const predicted: Dgm4Prediction[] = [
    { probability: 0.2, label: null, classProbabilities: [0.1, 0.1, 0.1, 0.1], box: [0, 0, 0, 0], words: [0, 0, 0] },
    { probability: 0.7, label: null, classProbabilities: [0.9, 0.2, 0.1, 0.1], box: [0, 0, 10, 5], words: [0, 1] },
    { probability: 0.5, label: null, classProbabilities: [0.1, 0.1, 0.6, 0.1], box: [1, 1, 5, 5], words: [0, 0.9] },
  ];
  const m = dgm4Metrics(truth, predicted);
  // 0.5 is not above 0.5: the third is called pristine, wrongly.
  assert.equal(m.binary.acc, 2 / 3);
  // IoU: 1 (no box, none predicted), 0.5, 0 (a box where there is none).
  assert.deepEqual(m.image, { iouMean: 0.5, iou50: 1 / 3, iou75: 1 / 3 });
  // Words: one right (sample 3, word 1), one false alarm (sample 2, word 1), none missed.
  assert.deepEqual(m.text, { precision: 0.5, recall: 1, f1: 2 / 3 });
  // Classes: face_swap and text_swap predicted right once each; face_attribute and text_attribute never true and never predicted.
  assert.equal(m.multiLabel!.op, 2 / 4);
  assert.equal(m.multiLabel!.cr, null, 'recall of a class with no true sample is undefined');
});

test('saliency against a box: a map planted inside it always points there, random maps as often as the box covers the view; words by precision at k', () => {
  // A 200 × 100 image: the model sees its centred 100 × 100 square (x 50–150).
  assert.deepEqual(boxInView([75, 25, 125, 75], 200, 100), [16, 16, 48, 48]);
  assert.equal(boxInView([0, 0, 40, 100], 200, 100), null, 'outside the view');
  const box = boxInView([75, 25, 125, 75], 200, 100)!;
  const planted = { width: 7, height: 7, values: Array.from({ length: 49 }, (_, i) => (i === 3 * 7 + 3 ? 1 : 0)) };
  const { hit, iou: topIou } = mapAgainstBox(planted, box, 5);
  assert.equal(hit, true);
  // Its top 5% (205 of 64 × 64 cells) lies inside the box's 32 × 32: IoU 205 / 1024.
  assert.ok(Math.abs(topIou - 205 / 1024) < 1e-12, `IoU ${topIou}`);
  const off = { width: 7, height: 7, values: Array.from({ length: 49 }, (_, i) => (i === 0 ? 1 : 0)) };
  assert.equal(mapAgainstBox(off, box, 10).hit, false);
  // Uniform random maps hit the box about as often as it covers the view (a quarter here).
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  let hits = 0;
  for (let k = 0; k < 2000; k++) hits += mapAgainstBox({ width: RESOLUTION, height: RESOLUTION, values: Array.from({ length: RESOLUTION ** 2 }, random) }, box, 10).hit ? 1 : 0;
  assert.ok(Math.abs(hits / 2000 - 0.25) < 0.05, `random maps point into the box ${hits / 2000} of the time`);
  // Words: the two highest are words 1 and 3; words 1 and 2 were manipulated.
  assert.equal(wordPrecision([{ text: 'a', score: 0.1 }, { text: 'b', score: 0.9 }, { text: 'c', score: 0.2 }, { text: 'd', score: 0.5 }], [1, 2]), 0.5);
  assert.equal(wordPrecision([{ text: 'a', score: 0.1 }], []), null);
});
