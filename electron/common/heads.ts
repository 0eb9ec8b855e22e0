/**
 * Classifier heads trained on a pair's embeddings (the paper's CLIP baselines, and the unimodal
 * heads that check a split for bias): shared by the trainer, the CLI, the API and the views.
 */

/** cosine: zero-shot, a threshold on the image–caption cosine; logreg and mlp: trained. */
export const HEAD_KINDS = ['cosine', 'logreg', 'mlp'] as const;
export type HeadKind = (typeof HEAD_KINDS)[number];

/** What a head sees: both embeddings, or only one (the unimodal-bias check). */
export const HEAD_INPUTS = ['both', 'image', 'text'] as const;
export type HeadInputs = (typeof HEAD_INPUTS)[number];

export interface TrainHeadOptions {
  /** The embedding set: a model id, or an imported set's name (it needs image and caption vectors). */
  set: string;
  /** The NewsCLIPpings split folder: trained on its train file, stopped early on val, run on val and test. */
  split: string;
  kind: HeadKind;
  inputs?: HeadInputs;
  seed?: number;
  /** The head's name, also the name of the prediction run it makes. */
  name: string;
  /** MLP hidden units (default 256). */
  hidden?: number;
  maxEpochs?: number;
  /** Replace a head (and run) of the same name. */
  replace?: boolean;
}

/** One pass over the training rows and the check on val after it. */
export interface EpochReport {
  epoch: number;
  trainLoss: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
  seconds: number;
}

export interface TrainHeadProgress {
  phase: 'reading' | 'training' | 'scoring';
  epoch: number;
  maxEpochs: number;
  step: number;
  steps: number;
  /** Epochs done so far. */
  curve: EpochReport[];
}

/** Rows of a split file used, and left out for want of a vector. */
export interface SubsetRows {
  rows: number;
  withoutVectors: number;
}

/** A trained head as saved: what it is, what it was trained on, how training went. */
export interface HeadInfo {
  name: string;
  kind: HeadKind;
  inputs: HeadInputs;
  set: string;
  split: string;
  dim: number;
  hidden: number;
  seed: number;
  trainedAt: string;
  rows: Record<'train' | 'val' | 'test', SubsetRows>;
  curve: EpochReport[];
  /** The epoch whose weights were kept (lowest val loss). */
  bestEpoch: number;
  valAccuracy: number;
  /** The probability threshold chosen on val, and the val accuracy it gives. */
  threshold: number;
  seconds: number;
  /** The ONNX model, absolute. */
  model: string;
}

export interface ScoreRequest {
  head: string;
  imageId: number;
  captionId: number;
}

export interface HeadScore {
  head: string;
  probability: number;
  /** Against the head's val-chosen threshold. */
  falsified: boolean;
}

/** How far training has got (an upper bound on epochs: it may stop early), and in words. */
export function trainingProgress(p: TrainHeadProgress): { fraction: number; note: string } {
  if (p.phase === 'reading') return { fraction: 0, note: 'reading the split and its vectors' };
  if (p.phase === 'scoring') return { fraction: 1, note: 'scoring val and test' };
  const last = p.curve.at(-1);
  const fraction = p.maxEpochs > 0 ? (p.epoch - 1 + p.step / Math.max(1, p.steps)) / p.maxEpochs : 0;
  return { fraction, note: `epoch ${p.epoch} of at most ${p.maxEpochs}${last ? `; val accuracy ${(last.valAccuracy * 100).toFixed(2)}% after epoch ${last.epoch}` : ''}` };
}
