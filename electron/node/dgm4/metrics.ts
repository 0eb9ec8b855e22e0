import type { Dgm4Metrics } from '../../common/dgm4-metrics.ts';
import { rocAuc, rocCurve } from '../evaluation/metrics.ts';

/**
 * DGM4's metrics, defined as its authors' evaluation code defines them (HAMMER's test.py and
 * tools/multilabel_metrics.py), on plain arrays:
 * - binary: ROC AUC (ties counting half, as scikit-learn's), the EER where the ROC polyline meets
 *   FPR = 1 − TPR, and accuracy with "manipulated" when p > 0.5 (argmax of two logits);
 * - multi-label: per-class average precision (scores sorted descending, the mean of the precision
 *   at each true positive), mAP their mean; a class is predicted when p ≥ 0.5 (logit ≥ 0);
 *   CP, CR are per-class precision and recall averaged (a class never predicted counts 0 of 1),
 *   CF1 = 2·CP·CR/(CP+CR); OP, OR, OF1 the same over all four classes' counts pooled;
 * - image grounding: each sample's IoU of the predicted and true boxes; a sample without a true
 *   box scores 1 when no box (or an all-zero one) is predicted, else 0; IoU50 and IoU75 the share
 *   of samples strictly over 0.5 and 0.75;
 * - text grounding: precision, recall and F1 of the manipulated flag over every word of every
 *   sample (DGM4's code counts BERT sub-word tokens; words are what the metadata marks, and what a
 *   detector's output can be matched to without its tokenizer).
 */

export interface Dgm4Truth {
  /** fake_cls as bits: face_swap 1, face_attribute 2, text_swap 4, text_attribute 8. */
  classes: number;
  box: readonly number[] | null;
  /** Manipulated word indices, and the number of words. */
  textPos: readonly number[];
  words: number;
}

export interface Dgm4Prediction {
  /** The probability that the sample is manipulated. */
  probability: number | null;
  /** A hard answer (1 manipulated, 0 not) when the run gave one. */
  label: number | null;
  /** face_swap, face_attribute, text_swap, text_attribute probabilities. */
  classProbabilities: readonly number[] | null;
  /** [x1, y1, x2, y2] in the image's pixels; null: no box predicted. */
  box: readonly number[] | null;
  /** Per word: 1 (or a probability ≥ 0.5) manipulated. */
  words: readonly number[] | null;
}

/** ROC AUC: the chance a manipulated sample scores above a pristine one, ties half (the evaluation view's). */
export function auc(truth: readonly number[], score: readonly number[]): number | null {
  return rocAuc(Uint8Array.from(truth), Float64Array.from(score));
}

/** The equal error rate: the FPR where the ROC polyline crosses TPR = 1 − FPR. */
export function eer(truth: readonly number[], score: readonly number[]): number | null {
  // Every point of the curve (none thinned out), from (0, 0).
  const points = rocCurve(Uint8Array.from(truth), Float64Array.from(score), Infinity);
  if (points === null) return null;
  for (let i = 1; i < points.length; i++) {
    const { fpr: x0, tpr: y0 } = points[i - 1]!;
    const { fpr: x1, tpr: y1 } = points[i]!;
    // g(x) = 1 − x − tpr(x) goes from positive to ≤ 0 along the curve.
    const g0 = 1 - x0 - y0;
    const g1 = 1 - x1 - y1;
    if (g0 >= 0 && g1 <= 0) {
      if (x1 === x0) return x0;
      const t = g0 / (g0 - g1);
      return x0 + t * (x1 - x0);
    }
  }
  return null;
}

/** Average precision as DGM4's meter computes it: scores descending (ties in sample order), the mean precision at each positive. */
export function averagePrecision(truth: readonly number[], score: readonly number[]): number | null {
  const order = score.map((_, i) => i).sort((a, b) => score[b]! - score[a]! || a - b);
  let [positives, seen, sum] = [0, 0, 0];
  for (const i of order) {
    seen++;
    if (truth[i] === 1) {
      positives++;
      sum += positives / seen;
    }
  }
  return positives === 0 ? null : sum / positives;
}

/** IoU of two [x1, y1, x2, y2] boxes. */
export function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  const union = (a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter;
  return union > 0 ? inter / union : 0;
}

const noBox = (box: readonly number[] | null): boolean => box === null || box.every((v) => Math.abs(v) < 1e-4);
const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
const harmonic = (p: number | null, r: number | null): number | null => (p === null || r === null || p + r === 0 ? null : (2 * p * r) / (p + r));

/** Every metric over the given samples (truth and prediction side by side); a part is null where no sample has its inputs. */
export function dgm4Metrics(truth: readonly Dgm4Truth[], predicted: readonly Dgm4Prediction[]): Dgm4Metrics {
  const n = truth.length;
  // Binary: from the probability where there is one, else the label.
  const fake = truth.map((t) => (t.classes === 0 ? 0 : 1));
  const withProbability = predicted.flatMap((p, i) => (p.probability === null ? [] : [i]));
  const binaryTruth = withProbability.map((i) => fake[i]!);
  const binaryScore = withProbability.map((i) => predicted[i]!.probability!);
  const answered = predicted.flatMap((p, i) => (p.label !== null || p.probability !== null ? [i] : []));
  const said = (p: Dgm4Prediction): number => p.label ?? (p.probability! > 0.5 ? 1 : 0);
  const binary = {
    auc: auc(binaryTruth, binaryScore),
    eer: eer(binaryTruth, binaryScore),
    acc: ratio(answered.filter((i) => said(predicted[i]!) === fake[i]).length, answered.length),
  };

  const withClasses = predicted.flatMap((p, i) => (p.classProbabilities === null ? [] : [i]));
  let multiLabel: Dgm4Metrics['multiLabel'] = null;
  if (withClasses.length > 0) {
    const aps: (number | null)[] = [];
    const [nc, np, ng] = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]];
    for (let k = 0; k < 4; k++) {
      const t = withClasses.map((i) => (truth[i]!.classes >> k) & 1);
      const s = withClasses.map((i) => predicted[i]!.classProbabilities![k]!);
      aps.push(averagePrecision(t, s));
      for (let j = 0; j < t.length; j++) {
        const on = s[j]! >= 0.5 ? 1 : 0;
        ng[k]! += t[j]!;
        np[k]! += on;
        nc[k]! += on * t[j]!;
      }
    }
    const defined = aps.filter((a): a is number => a !== null);
    const per = (k: number) => ({ p: nc[k]! / Math.max(1, np[k]!), r: ratio(nc[k]!, ng[k]!) });
    const cp = [0, 1, 2, 3].reduce((s, k) => s + per(k).p, 0) / 4;
    const recalls = [0, 1, 2, 3].map((k) => per(k).r);
    const cr = recalls.every((r) => r !== null) ? recalls.reduce((s, r) => s + r!, 0) / 4 : null;
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    // As DGM4's code: a class never predicted counts as one prediction, in CP and in OP alike.
    const op = sum(nc) / sum(np.map((x) => Math.max(1, x)));
    const or = ratio(sum(nc), sum(ng));
    multiLabel = {
      map: defined.length === 4 ? sum(defined) / 4 : null,
      cp,
      cr,
      cf1: harmonic(cp, cr),
      op,
      or,
      of1: harmonic(op, or),
      f1: [0, 1, 2, 3].map((k) => harmonic(ratio(nc[k]!, np[k]!), per(k).r)),
    };
  }

  // Grounding is scored on every sample once the run predicts boxes at all: no box is a prediction too.
  let image: Dgm4Metrics['image'] = null;
  if (predicted.some((p) => p.box !== null)) {
    const ious = truth.map((t, i) => {
      const p = predicted[i]!.box;
      if (noBox(t.box)) return noBox(p) ? 1 : 0;
      return noBox(p) ? 0 : iou(p!, t.box!);
    });
    image = { iouMean: ious.reduce((s, x) => s + x, 0) / n, iou50: ious.filter((x) => x > 0.5).length / n, iou75: ious.filter((x) => x > 0.75).length / n };
  }

  const withWords = predicted.flatMap((p, i) => (p.words === null ? [] : [i]));
  let text: Dgm4Metrics['text'] = null;
  if (withWords.length > 0) {
    let [tp, fp, fn] = [0, 0, 0];
    for (const i of withWords) {
      const marked = new Set(truth[i]!.textPos);
      const flags = predicted[i]!.words!;
      for (let w = 0; w < truth[i]!.words; w++) {
        const on = (flags[w] ?? 0) >= 0.5;
        if (on && marked.has(w)) tp++;
        else if (on) fp++;
        else if (marked.has(w)) fn++;
      }
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    text = { precision, recall, f1: harmonic(precision, recall) };
  }
  return { samples: n, binary, multiLabel, image, text };
}
