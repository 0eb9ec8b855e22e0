import type { PredictionRun, RunComparison, RunEvaluation, RunThreshold } from '../../common/evaluation.ts';
import { splitDisplayName } from '../../common/datasets.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { fileFor } from '../store/pairs.ts';
import { hasUnlabelledRows, pairsOfFile, requireRun, rowKey, runRows, setRunThreshold } from '../store/predictions.ts';
import { ABSTAINED, accuracyWithIntervals, bestThreshold, byGroup, confusion, excludingAbstentions, mcnemar, probabilityHistogram, rocAuc, rocCurve } from './metrics.ts';

export interface EvaluateOptions {
  /** The split file's subset (default: test when the run has it, else the subset it has most rows of). */
  subset?: string;
  /** Bootstrap resamples for the 95% intervals (default 1,000; 0 for none). */
  resamples?: number;
  seed?: number;
}

interface FilePairs {
  rows: number;
  subSplits: string[];
  /** By rowKey(caption, image). */
  byRow: Map<number, { truth: 0 | 1; source: string | null; topic: string | null; subSplit: number | null }>;
}

function filePairs(db: Db, split: string, subset: string): FilePairs {
  let file: ReturnType<typeof fileFor>;
  try {
    file = fileFor(db, split, subset);
  } catch {
    throw new OocError('NOT_FOUND', `the split file ${split}/${subset} is not indexed (any more): re-index it to evaluate this run`);
  }
  const byRow: FilePairs['byRow'] = new Map();
  for (const [caption, pristine, falsified, source, topic, subSplit] of pairsOfFile(db, file, true)) {
    if (pristine !== null) byRow.set(rowKey(caption, pristine), { truth: 0, source, topic, subSplit });
    if (falsified !== null) byRow.set(rowKey(caption, falsified), { truth: 1, source, topic, subSplit });
  }
  return { rows: file.rows, subSplits: file.source_datasets === null ? [] : (JSON.parse(file.source_datasets) as string[]), byRow: byRow };
}

/** A subset's rows of the run joined to the split file's truth (rows whose pair changed on a re-index are counted apart). */
function joined(db: Db, runId: number, subset: string, file: FilePairs) {
  const truth: number[] = [];
  const answer: (number | null)[] = [];
  const probability: number[] = [];
  const source: (string | null)[] = [];
  const topic: (string | null)[] = [];
  const subSplit: (string | null)[] = [];
  const keys: number[] = [];
  let stale = 0;
  for (const [caption, image, given, p] of runRows(db, runId, subset)) {
    const key = rowKey(caption, image);
    const pair = file.byRow.get(key);
    if (pair === undefined) {
      stale++;
      continue;
    }
    keys.push(key);
    truth.push(pair.truth);
    answer.push(given);
    probability.push(p ?? Number.NaN);
    source.push(pair.source);
    topic.push(pair.topic);
    subSplit.push(pair.subSplit === null ? null : splitDisplayName(file.subSplits[pair.subSplit] ?? String(pair.subSplit)));
  }
  return { keys, truth: Uint8Array.from(truth), answer, probability: Float64Array.from(probability), source, topic, subSplit, stale };
}

/**
 * The probability from which a run's unlabelled rows count as falsified: the one that labels its
 * val rows best (0.5 when it has none), worked out once and kept with the run, so that its
 * evaluation on any subset, the browser's outcome filters and its exports label rows alike.
 */
export function runThreshold(db: Db, run: PredictionRun & { id: number }): RunThreshold | null {
  if (run.threshold !== undefined) return run.threshold;
  let threshold: RunThreshold | null = null;
  if (hasUnlabelledRows(db, run.id)) {
    const val = (run.matched.val ?? 0) > 0 ? joined(db, run.id, 'val', filePairs(db, run.split, 'val')) : null;
    threshold = val !== null && val.probability.some((p) => !Number.isNaN(p)) ? { value: bestThreshold(val.truth, val.probability), chosenOn: `${run.split}/val` } : { value: 0.5, chosenOn: 'default (no val rows with probabilities)' };
  }
  try {
    setRunThreshold(db, run.id, threshold);
  } catch {
    // A read-only database works it out each time.
  }
  return threshold;
}

/** A run's rows of one subset with their truth and final answers (labels from probabilities where the run gave only those). */
function answered(db: Db, name: string, subsetAsked: string | undefined) {
  const run = requireRun(db, name);
  const subsets = Object.entries(run.matched).filter(([, n]) => n > 0);
  const subset = subsetAsked ?? (run.matched.test ? 'test' : subsets.sort((a, b) => b[1] - a[1])[0]?.[0]);
  if (subset === undefined || !(subset in run.matched)) {
    throw new OocError('BAD_ARGUMENT', `run "${name}" has no rows of ${run.split}/${subsetAsked ?? '?'} (it has ${subsets.map(([s, n]) => `${s}: ${n}`).join(', ') || 'none'})`);
  }
  const file = filePairs(db, run.split, subset);
  const rows = joined(db, run.id, subset, file);
  const threshold = rows.answer.some((a) => a === null) ? runThreshold(db, run) : null;
  const answer = Int8Array.from(rows.answer, (a, i) => a ?? (Number.isNaN(rows.probability[i]!) ? ABSTAINED : rows.probability[i]! >= threshold!.value ? 1 : 0));
  return { run, subset, file, rows, answer, threshold };
}

/**
 * The paper's table for a run on one split file: All / Pristine / Falsified accuracy over the
 * matched rows (abstentions counted wrong) with seeded 95% bootstrap intervals, the same without
 * abstentions, coverage of the file, the confusion matrix, per sub-split, source and topic; with
 * probabilities, ROC AUC and the curve, and labels from a threshold chosen on the run's val rows
 * (0.5 when it has none). The truth always comes from the indexed split file.
 */
export function evaluateRun(db: Db, name: string, options: EvaluateOptions = {}): RunEvaluation {
  const { run, subset, file, rows, answer, threshold } = answered(db, name, options.subset);
  const answers = { truth: rows.truth, answer };
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const accuracy = accuracyWithIntervals(answers, resamples, seed);
  const matched = rows.truth.length;
  const hasProbabilities = rows.probability.some((p) => !Number.isNaN(p));
  return {
    run: run.name,
    split: run.split,
    subset,
    rows: file.rows,
    matched,
    missing: Math.max(0, file.rows - matched),
    unmatched: (run.problems.unmatched ?? 0) + rows.stale,
    abstained: answer.reduce((n, a) => n + (a === ABSTAINED ? 1 : 0), 0),
    coverage: file.rows === 0 ? 0 : matched / file.rows,
    all: accuracy.all.value,
    pristine: accuracy.pristine.value,
    falsified: accuracy.falsified.value,
    accuracy,
    excludingAbstentions: excludingAbstentions(answers),
    confusion: confusion(answers),
    auc: hasProbabilities ? rocAuc(rows.truth, rows.probability) : null,
    roc: hasProbabilities ? rocCurve(rows.truth, rows.probability) : null,
    histogram: probabilityHistogram(rows.truth, rows.probability),
    threshold,
    bySubsplit: byGroup(answers, rows.subSplit),
    bySource: byGroup(answers, rows.source),
    byTopic: byGroup(answers, rows.topic),
    bootstrap: { resamples, seed },
  };
}

/**
 * Two or more runs on the rows they all answered: each one's accuracy there, how their right
 * answers overlap (all right, all wrong, only one right; the oracle: any right), and for each
 * two McNemar's test of whether they err on the same rows as often.
 */
export function compareRuns(db: Db, names: readonly string[], subsetAsked?: string): RunComparison {
  if (names.length < 2 || new Set(names).size !== names.length) throw new OocError('BAD_ARGUMENT', 'name two or more different runs to compare');
  const runs = names.map((name) => answered(db, name, subsetAsked));
  const { split, subset } = { split: runs[0]!.run.split, subset: runs[0]!.subset };
  for (const r of runs) if (r.run.split !== split || r.subset !== subset) throw new OocError('BAD_ARGUMENT', `runs compare on one split file: "${r.run.name}" is on ${r.run.split}/${r.subset}, "${runs[0]!.run.name}" on ${split}/${subset}`);
  // Each run's right answers by row; the rows every run answered.
  const right = runs.map((r) => new Map(r.rows.keys.map((key, i) => [key, r.answer[i] === r.rows.truth[i]])));
  const truthOf = new Map(runs[0]!.rows.keys.map((key, i) => [key, runs[0]!.rows.truth[i]!]));
  const common = runs[0]!.rows.keys.filter((key) => right.every((m) => m.has(key)));
  const commonTruth = Uint8Array.from(common, (key) => truthOf.get(key)!);
  const correct = runs.map(() => 0);
  const only = runs.map(() => 0);
  let all = 0;
  let none = 0;
  const pairs = new Map<string, { b: number; c: number }>();
  for (const key of common) {
    const r = right.map((m) => m.get(key)!);
    const n = r.filter(Boolean).length;
    r.forEach((x, i) => x && correct[i]!++);
    if (n === r.length) all++;
    else if (n === 0) none++;
    else if (n === 1) only[r.indexOf(true)]!++;
    for (let i = 0; i < r.length; i++) {
      for (let j = i + 1; j < r.length; j++) {
        const k = `${i},${j}`;
        const cell = pairs.get(k) ?? { b: 0, c: 0 };
        if (r[i] && !r[j]) cell.b++;
        if (!r[i] && r[j]) cell.c++;
        pairs.set(k, cell);
      }
    }
  }
  const rows = common.length;
  return {
    split,
    subset,
    rows,
    pristineRows: commonTruth.length - commonTruth.reduce((n, t) => n + t, 0),
    runs: runs.map((r, i) => {
      const at = new Map(r.rows.keys.map((key, k) => [key, r.rows.probability[k]!]));
      const probability = Float64Array.from(common, (key) => at.get(key)!);
      return { run: r.run.name, answered: r.rows.keys.length, accuracy: rows === 0 ? null : correct[i]! / rows, onlyRight: only[i]!, auc: rocAuc(commonTruth, probability), roc: rocCurve(commonTruth, probability) };
    }),
    allRight: all,
    allWrong: none,
    oracle: rows === 0 ? null : (rows - none) / rows,
    mcnemar: [...pairs].map(([k, { b, c }]) => {
      const [i, j] = k.split(',').map(Number) as [number, number];
      return { a: runs[i]!.run.name, b: runs[j]!.run.name, onlyA: b, onlyB: c, ...mcnemar(b, c) };
    }),
  };
}
