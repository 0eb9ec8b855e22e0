/** Saliency maps: which image regions and which caption words drive an image–caption score. */

export const SALIENCY_METHODS = ['chefer', 'occlusion', 'rise', 'lime', 'words'] as const;
/**
 * chefer: gradient-weighted attention relevance (Chefer, Gur & Wolf 2021) from the model's own
 * relevance graph, over its patches and caption tokens (models exported with one);
 * occlusion: grey out each cell of a grid and measure the score's drop; rise: average many random
 * masks weighted by the score each leaves (Petsiuk et al. 2018); lime: a weighted linear
 * surrogate of the score over random subsets of SLIC superpixels and of words, its coefficients
 * the map and the word scores (Ribeiro et al. 2016; `masks` samples); words: delete each caption word
 * and measure the drop, with no image map. All need forward passes only, so they work for any
 * image–text model. Every method also scores the caption's words by deletion.
 */
export type SaliencyMethod = (typeof SALIENCY_METHODS)[number];

export const COLORMAPS = ['jet', 'viridis', 'inferno', 'gray'] as const;
export type Colormap = (typeof COLORMAPS)[number];

export interface SaliencyParams {
  /** Cells per side of the occlusion grid, and of RISE's masks before upsampling. */
  grid: number;
  /** RISE: how many masks, the chance a cell is kept, and the generator's seed. */
  masks: number;
  keep: number;
  seed: number;
}

export const DEFAULT_SALIENCY_PARAMS: SaliencyParams = { grid: 7, masks: 500, keep: 0.5, seed: 0 };

/** A map over the model's input crop (the centre square of the image), row-major, top-left first. */
export interface SaliencyGrid {
  width: number;
  height: number;
  values: number[];
}

export interface TokenScore {
  text: string;
  /** How much the score drops without this word (negative: it rises). */
  score: number;
}

/**
 * Faithfulness: cells removed from most to least relevant (and in a seeded random order), the
 * score after each step, and the area under each curve (mean score over the steps, lower is a
 * more faithful map).
 */
export interface DeletionCurve {
  fractions: number[];
  scores: number[];
  randomScores: number[];
  auc: number;
  randomAuc: number;
}

/** How an image and a caption match under a model, region by region and word by word. */
export interface Explanation {
  method: SaliencyMethod;
  model: string;
  params: SaliencyParams;
  /** The cosine similarity of the whole image and caption. */
  score: number;
  /** Null for word deletion, which scores the caption's words only. */
  map: SaliencyGrid | null;
  tokens: TokenScore[];
  /** Null when it was not asked for. */
  deletion: DeletionCurve | null;
  /** False when the model has random weights: the map then means nothing. */
  meaningful: boolean;
  seconds: number;
  cached: boolean;
}

/** An explanation of a corpus caption against a corpus image. */
export interface SaliencyResult extends Explanation {
  imageId: number;
  captionId: number;
}
