/** Prediction runs and their metrics: shared by the store, the CLI, the API and the Evaluation view. */

/** How a predictions file is read. */
export const PREDICTION_FORMATS = ['json', 'jsonl', 'csv'] as const;
export type PredictionFormat = (typeof PREDICTION_FORMATS)[number];
/** Where a run's rows came from: a predictions file of a format, or a head trained here. */
export type RunOrigin = PredictionFormat | 'head';

/**
 * Which field of a predictions file holds what. The caption is found by its id (a number, or
 * text that starts with one, as SNIFFER's "1549888-fake"); the image by its id or by its
 * VisualNews path. At least one of prediction and probability is set.
 */
export interface PredictionMapping {
  caption: string;
  image: string;
  imageBy: 'id' | 'path';
  /** A label: yes/no, 1/0, true/false, falsified/pristine, fake/real; any other text is an abstention. */
  prediction?: string;
  /** The probability that the pair is falsified, 0 to 1. */
  probability?: string;
  /** The file's own idea of the truth (e.g. CMIE's "falsified"): compared, never used. */
  truth?: string;
  explanation?: string;
  /** The split file's subset (train, val, test) a row belongs to, when the file says. */
  subset?: string;
}

/** A predictions file to import or preview, and how to read it where the field names are not recognised. */
export interface PredictionsSource {
  file: string;
  /** The NewsCLIPpings split; found from the rows when not given. */
  split?: string;
  /** Match against this subset only (otherwise each row against every subset of the split). */
  subset?: string;
  fields?: Partial<Record<'caption' | 'image' | 'prediction' | 'probability' | 'truth', string>>;
}

export const PROBLEM_KINDS = ['unparseable', 'unmatched', 'duplicate', 'truth-disagrees'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** A row of a predictions file that was not used as it stands, by its line (1-based). */
export interface RunProblem {
  kind: ProblemKind;
  line: number;
  detail: string;
}

export interface PredictionRun {
  name: string;
  /** The NewsCLIPpings split its rows were matched against. */
  split: string;
  /** The predictions file, or a head's model. */
  file: string;
  format: RunOrigin;
  mapping: PredictionMapping;
  importedAt: string;
  /** Rows read from the file. */
  rows: number;
  /** Rows matched to a split file's pair, per subset. */
  matched: Record<string, number>;
  /** Rows not used, per kind (truth-disagrees rows are used: the split file is the truth). */
  problems: Partial<Record<ProblemKind, number>>;
  hasProbabilities: boolean;
  /**
   * Where rows have a probability but no label: the probability from which they count as
   * falsified, chosen on the run's val rows (0.5 without), worked out once (absent: not yet).
   */
  threshold?: RunThreshold | null;
}

export interface RunThreshold {
  value: number;
  chosenOn: string;
}

/** What an import read, matched and stored (a dry run stores nothing; a preview reads the first rows only). */
export interface ImportResult {
  /** For a preview, its counts are those of the first rows. */
  run: PredictionRun;
  /** The first examples of each problem, by line. */
  problems: RunProblem[];
  /** The first rows as read and as understood. */
  preview: { line: number; fields: Record<string, unknown>; understood: string }[];
  stored: boolean;
}

/** How far an import has read. */
export interface ImportProgress {
  rows: number;
}

/** An accuracy with its 95% bootstrap confidence interval (null when there are no rows). */
export interface Accuracy {
  value: number | null;
  correct: number;
  n: number;
  ci: [number, number] | null;
}

export interface AccuracyTriple {
  all: Accuracy;
  pristine: Accuracy;
  falsified: Accuracy;
}

/** Rows by truth (pristine / falsified) and answer. */
export interface Confusion {
  pristine: { pristine: number; falsified: number; abstained: number };
  falsified: { pristine: number; falsified: number; abstained: number };
}

/** A point of the ROC curve: rows with a probability at or above `threshold` labelled falsified (null: none are). */
export interface RocPoint {
  threshold: number | null;
  fpr: number;
  tpr: number;
}

/** Rows with a probability counted in equal bins over [min, max], by truth. */
export interface ProbabilityHistogram {
  min: number;
  max: number;
  pristine: number[];
  falsified: number[];
}

export interface GroupMetrics {
  n: number;
  all: number | null;
  pristine: number | null;
  falsified: number | null;
}

export interface RunEvaluation {
  run: string;
  split: string;
  subset: string;
  /** Rows of the split file (pristine and falsified). */
  rows: number;
  /** Rows of the run matched to that file's pairs. */
  matched: number;
  /** Rows of the file the run has no answer for. */
  missing: number;
  /** Rows of the predictions file not matched to any pair of the split (for every subset). */
  unmatched: number;
  abstained: number;
  /** matched / rows. */
  coverage: number;
  /** Accuracy over the matched rows, abstentions counted as wrong, as the paper reports it. */
  all: number | null;
  pristine: number | null;
  falsified: number | null;
  /** The same with 95% bootstrap intervals, and the seed and resamples they came from. */
  accuracy: AccuracyTriple;
  excludingAbstentions: { all: number | null; pristine: number | null; falsified: number | null };
  confusion: Confusion;
  /** With probabilities: ROC AUC (abstentions and rows without one left out), the curve, and the threshold used for labels. */
  auc: number | null;
  roc: RocPoint[] | null;
  histogram: ProbabilityHistogram | null;
  threshold: RunThreshold | null;
  bySubsplit: Record<string, GroupMetrics>;
  bySource: Record<string, GroupMetrics>;
  byTopic: Record<string, GroupMetrics>;
  bootstrap: { resamples: number; seed: number };
}

/** Runs compared on the rows every one of them answered (see compareRuns). */
export interface RunComparison {
  split: string;
  subset: string;
  rows: number;
  pristineRows: number;
  /** Each run on those rows; AUC and the ROC curve where it gave probabilities for them. */
  runs: { run: string; answered: number; accuracy: number | null; onlyRight: number; auc: number | null; roc: RocPoint[] | null }[];
  allRight: number;
  allWrong: number;
  /** The share of rows some run gets right: what picking the right run per pair would reach. */
  oracle: number | null;
  /** For each two runs: rows only A gets right, only B, and McNemar's test of that difference. */
  mcnemar: { a: string; b: string; onlyA: number; onlyB: number; statistic: number | null; p: number; exact: boolean }[];
}

/** One run's answer for one row of a pair (by its image): 1 falsified, 0 pristine, -1 abstained, null (a probability only). */
export interface PairPrediction {
  run: string;
  imageId: number;
  answer: number | null;
  probability: number | null;
  explanation: string | null;
}

/** Which texts a token report compares: the rows' captions, or the original captions of the rows' images. */
export const TOKEN_REPORT_TEXTS = ['caption', 'image-caption'] as const;
export type TokenReportText = (typeof TOKEN_REPORT_TEXTS)[number];

export interface TokenReportOptions {
  /** NewsCLIPpings' split files (default), or DGM4's real against manipulated texts. */
  dataset?: 'newsclippings' | 'dgm4';
  /** A NewsCLIPpings split folder, or a DGM4 split (train, val, test). */
  split: string;
  /** Default: test when indexed, else the first subset. */
  subset?: string;
  text?: TokenReportText;
  /** Words seen fewer times in both groups together are not tested (default 5). */
  minCount?: number;
  /** Words listed per side (default 40). */
  top?: number;
  /** The prior's size α0 in tokens (default: a tenth of the pooled token count). */
  prior?: number;
}

/** A word's counts in the two groups, its log-odds ratio (positive: leans pristine), z and two-sided p. */
export interface TokenScore {
  token: string;
  pristine: number;
  falsified: number;
  logOdds: number;
  z: number;
  p: number;
}

export interface TokenReport {
  dataset: 'newsclippings' | 'dgm4';
  split: string;
  /** The NewsCLIPpings subset ("" for DGM4). */
  subset: string;
  text: TokenReportText;
  /** What the two groups are called: pristine and falsified rows, or DGM4's real and manipulated texts. */
  groupNames: [string, string];
  /** Rows, their tokens, and rows whose text is not indexed (or empty). Named for NewsCLIPpings; for DGM4 pristine is real, falsified manipulated. */
  groups: Record<'pristine' | 'falsified', { rows: number; tokens: number; withoutText: number }>;
  /** The two groups hold the same texts as often: no word can differ. */
  identical: boolean;
  vocabulary: number;
  /** Words seen at least minCount times, the ones tested. */
  tested: number;
  minCount: number;
  prior: number;
  /** |z| at which a word is significant at 5% after a Bonferroni correction over the words tested. */
  criticalZ: number;
  significant: number;
  pristineWords: TokenScore[];
  falsifiedWords: TokenScore[];
}
