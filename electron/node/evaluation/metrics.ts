import type { Accuracy, AccuracyTriple, Confusion, GroupMetrics, ProbabilityHistogram, RocPoint } from '../../common/evaluation.ts';
import { mulberry32 } from '../random.ts';

/**
 * The paper's metrics on a run's rows, as typed arrays: `truth` 1 for a falsified row and 0 for
 * a pristine one; `answer` 1 (falsified), 0 (pristine) or -1 (abstained: counted as wrong, as the
 * paper counts a non-answer, and left out of the "excluding abstentions" figures).
 */
export interface Answers {
  truth: Uint8Array;
  answer: Int8Array;
}

export const ABSTAINED = -1;

/** Per row: truth × 2 + (answered correctly ? 1 : 0), so a resample is counted with 4 counters. */
function codes({ truth, answer }: Answers): Uint8Array {
  const out = new Uint8Array(truth.length);
  for (let i = 0; i < truth.length; i++) out[i] = truth[i]! * 2 + (answer[i] === truth[i] ? 1 : 0);
  return out;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

function accuracies(counts: ArrayLike<number>): [number | null, number | null, number | null] {
  const [pw, pr, fw, fr] = [counts[0]!, counts[1]!, counts[2]!, counts[3]!];
  return [ratio(pr + fr, pw + pr + fw + fr), ratio(pr, pw + pr), ratio(fr, fw + fr)];
}

/** The percentile interval of sorted bootstrap values (95%: the 2.5th and 97.5th). */
function interval(values: number[]): [number, number] | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const at = (q: number): number => values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))]!;
  return [at(0.025), at(0.975)];
}

/**
 * All / Pristine / Falsified accuracy with 95% percentile-bootstrap intervals: `resamples` draws
 * of the rows with replacement from a seeded generator, so the same seed gives the same intervals.
 */
export function accuracyWithIntervals(answers: Answers, resamples: number, seed: number): AccuracyTriple {
  const code = codes(answers);
  const n = code.length;
  const counts = new Float64Array(4);
  for (let i = 0; i < n; i++) counts[code[i]!]!++;
  const [all, pristine, falsified] = accuracies(counts);
  const drawn: [number[], number[], number[]] = [[], [], []];
  const random = mulberry32(seed);
  const c = new Float64Array(4);
  for (let r = 0; r < resamples && n > 0; r++) {
    c.fill(0);
    for (let i = 0; i < n; i++) c[code[Math.floor(random() * n)]!]!++;
    accuracies(c).forEach((value, k) => value !== null && drawn[k]!.push(value));
  }
  const make = (value: number | null, correct: number, total: number, k: number): Accuracy => ({ value, correct, n: total, ci: value === null ? null : interval(drawn[k]!) });
  return {
    all: make(all, counts[1]! + counts[3]!, n, 0),
    pristine: make(pristine, counts[1]!, counts[0]! + counts[1]!, 1),
    falsified: make(falsified, counts[3]!, counts[2]! + counts[3]!, 2),
  };
}

/** Accuracy on the rows that got an answer. */
export function excludingAbstentions({ truth, answer }: Answers): { all: number | null; pristine: number | null; falsified: number | null } {
  const counts = new Float64Array(4);
  for (let i = 0; i < truth.length; i++) if (answer[i] !== ABSTAINED) counts[truth[i]! * 2 + (answer[i] === truth[i] ? 1 : 0)]!++;
  const [all, pristine, falsified] = accuracies(counts);
  return { all, pristine, falsified };
}

export function confusion({ truth, answer }: Answers): Confusion {
  const out: Confusion = { pristine: { pristine: 0, falsified: 0, abstained: 0 }, falsified: { pristine: 0, falsified: 0, abstained: 0 } };
  for (let i = 0; i < truth.length; i++) {
    const row = truth[i] === 1 ? out.falsified : out.pristine;
    if (answer[i] === ABSTAINED) row.abstained++;
    else if (answer[i] === 1) row.falsified++;
    else row.pristine++;
  }
  return out;
}

/** All / Pristine / Falsified accuracy of the rows in each group (a source, a topic, a sub-split). */
export function byGroup(answers: Answers, group: readonly (string | null)[]): Record<string, GroupMetrics> {
  const counts = new Map<string, Float64Array>();
  const code = codes(answers);
  for (let i = 0; i < code.length; i++) {
    const key = group[i] ?? '(none)';
    let c = counts.get(key);
    if (c === undefined) counts.set(key, (c = new Float64Array(4)));
    c[code[i]!]!++;
  }
  const out: Record<string, GroupMetrics> = {};
  for (const [key, c] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
    const [all, pristine, falsified] = accuracies(c);
    out[key] = { n: c[0]! + c[1]! + c[2]! + c[3]!, all, pristine, falsified };
  }
  return out;
}

/** Rows with a probability, ordered by it, highest first. */
function byProbability(truth: Uint8Array, probability: Float64Array): number[] {
  const order: number[] = [];
  for (let i = 0; i < probability.length; i++) if (!Number.isNaN(probability[i]!)) order.push(i);
  return order.sort((a, b) => probability[b]! - probability[a]!);
}

/**
 * ROC AUC of the probability that a row is falsified (rows without one left out): the chance
 * that a falsified row scores above a pristine one, ties counting half (Mann–Whitney). Null when
 * either class is absent.
 */
export function rocAuc(truth: Uint8Array, probability: Float64Array): number | null {
  const order = byProbability(truth, probability).reverse();
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && probability[order[j + 1]!] === probability[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (truth[order[k]!] === 1) {
      positives++;
      rankSum += rank;
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The ROC curve at each distinct probability (at most `maxPoints`, evenly thinned, ends kept). */
export function rocCurve(truth: Uint8Array, probability: Float64Array, maxPoints = 400): RocPoint[] | null {
  const order = byProbability(truth, probability);
  let positives = 0;
  for (const i of order) positives += truth[i]!;
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const points: RocPoint[] = [{ threshold: null, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (truth[order[i]!] === 1) tp++;
    else fp++;
    const p = probability[order[i]!]!;
    if (i + 1 < order.length && probability[order[i + 1]!] === p) continue;
    points.push({ threshold: p, fpr: fp / negatives, tpr: tp / positives });
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, k) => points[Math.round(k * step)]!);
}

/**
 * Rows with a probability in `bins` equal bins by truth, over [0, 1] when every probability lies
 * there (else over their own range), the top bin closed. Null when no row has one.
 */
export function probabilityHistogram(truth: Uint8Array, probability: Float64Array, bins = 40): ProbabilityHistogram | null {
  let [lo, hi] = [Infinity, -Infinity];
  for (const p of probability) if (!Number.isNaN(p)) [lo, hi] = [Math.min(lo, p), Math.max(hi, p)];
  if (lo > hi) return null;
  const [min, max] = lo >= 0 && hi <= 1 ? [0, 1] : [lo, hi === lo ? lo + 1 : hi];
  const counts = [new Array<number>(bins).fill(0), new Array<number>(bins).fill(0)] as const;
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i]!;
    if (!Number.isNaN(p)) counts[truth[i]!]![Math.min(bins - 1, Math.floor(((p - min) / (max - min)) * bins))]!++;
  }
  return { min, max, pristine: counts[0], falsified: counts[1] };
}

/**
 * The threshold that labels the most rows right (falsified at or above it), set midway between
 * two neighbouring probabilities; 0.5 when there is nothing to choose from.
 */
export function bestThreshold(truth: Uint8Array, probability: Float64Array): number {
  const order = byProbability(truth, probability);
  if (order.length === 0) return 0.5;
  let positives = 0;
  for (const i of order) positives += truth[i]!;
  // Labelling none falsified: every pristine row is right.
  let correct = order.length - positives;
  let best = correct;
  let threshold = probability[order[0]!]! + 1e-9;
  for (let i = 0; i < order.length; i++) {
    correct += truth[order[i]!] === 1 ? 1 : -1;
    const p = probability[order[i]!]!;
    const next = i + 1 < order.length ? probability[order[i + 1]!]! : null;
    if (next === p) continue;
    if (correct > best) {
      best = correct;
      threshold = next === null ? p : (p + next) / 2;
    }
  }
  return threshold;
}

/** The complementary error function, to 1.2e-7 (Numerical Recipes' Chebyshev fit). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * McNemar's test on the rows where two runs disagree: `b` only the first right, `c` only the
 * second. Two-sided p: exact (binomial, p = 1/2) below 25 discordant rows, else the
 * continuity-corrected chi-square with one degree of freedom.
 */
export function mcnemar(b: number, c: number): { statistic: number | null; p: number; exact: boolean } {
  const n = b + c;
  if (n === 0) return { statistic: null, p: 1, exact: true };
  if (n < 25) {
    let tail = 0;
    let term = 0.5 ** n; // C(n, 0) / 2^n
    for (let k = 0; k <= Math.min(b, c); k++) {
      tail += term;
      term *= (n - k) / (k + 1);
    }
    return { statistic: null, p: Math.min(1, 2 * tail), exact: true };
  }
  const statistic = (Math.abs(b - c) - 1) ** 2 / n;
  return { statistic, p: erfc(Math.sqrt(statistic / 2)), exact: false };
}
