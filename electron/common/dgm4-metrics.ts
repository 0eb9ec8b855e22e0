/** DGM4's twelve metrics of a detector, overall and per class (electron/node/dgm4/metrics.ts). */
export interface Dgm4Metrics {
  /** Samples with the truth and a prediction (the rest of the split is not counted). */
  samples: number;
  /** Manipulated or not: ROC AUC and equal error rate of the probability, accuracy at 0.5 (or of the label). */
  binary: { auc: number | null; eer: number | null; acc: number | null };
  /** The four classes: mean average precision, per-class and overall F1 at 0.5 (with their precision and recall). */
  multiLabel: { map: number | null; cp: number | null; cr: number | null; cf1: number | null; op: number | null; or: number | null; of1: number | null; f1: (number | null)[] } | null;
  /** The face box: mean IoU, and the share of samples over 0.5 and 0.75 (a sample without a true box scores 1 when none is predicted). */
  image: { iouMean: number; iou50: number; iou75: number } | null;
  /** Manipulated words (or word pieces, for a run imported with a tokenizer), counted over every one of every sample: precision, recall, F1. */
  text: { precision: number | null; recall: number | null; f1: number | null } | null;
}

export interface Dgm4Evaluation {
  run: string;
  split: string;
  /** Samples of the split, and those the run answered. */
  splitSamples: number;
  answered: number;
  /** Text grounding's units: word pieces of this tokenizer (the run's), or null: words. */
  subwords: Dgm4Run['subwords'];
  overall: Dgm4Metrics;
  /** The same metrics on each fake_cls's samples (AUC and EER need both classes, so they are null here). */
  byClass: Record<string, Dgm4Metrics>;
}

/** A detector's predictions on a DGM4 split, imported as a named run. */
export interface Dgm4Run {
  name: string;
  /** The DGM4 split its rows were matched against. */
  split: string;
  file: string;
  format: string;
  /** Which field of the file gave what (id, image, probability, label, classes, box, words). */
  fields: Record<string, string>;
  importedAt: string;
  rows: number;
  matched: number;
  /** Rows not used, per kind. */
  problems: Record<string, number>;
  /** Text grounding over word pieces, as DGM4's authors count it (the tokenizer file and HAMMER's max_words), or null: over words. */
  subwords: { tokenizer: string; maxWords: number } | null;
}

/** Two or more runs side by side, each on the samples it answered. */
export interface Dgm4Comparison {
  split: string;
  runs: Dgm4Evaluation[];
}

/** How well one saliency method's maps and word scores point at DGM4's manipulations. */
export interface GroundingScores {
  /** Samples with a manipulated face whose box lies (partly) in the model's view, and those with manipulated words. */
  imageSamples: number;
  textSamples: number;
  /** Share of maps whose maximum falls inside the face box. */
  pointing: number | null;
  /** Mean IoU of the map's top `topPercent`% of the view with the box. */
  topIou: number | null;
  /** Mean precision at k of the words scored highest, k the number of manipulated words. */
  wordPrecision: number | null;
}

export interface Dgm4Grounding {
  split: string;
  model: string;
  /** Random weights: the maps mean nothing (the random baseline is what they should then match). */
  randomWeights: boolean;
  topPercent: number;
  samples: number;
  /** Samples left out, by reason (image unreadable …). */
  skipped: Record<string, number>;
  /** Per method (and "random", uniform random maps and word scores from the seed): overall and per class. */
  methods: { method: string; overall: GroundingScores; byClass: Record<string, GroundingScores> }[];
  seconds: number;
}
