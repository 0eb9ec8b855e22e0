import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
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
