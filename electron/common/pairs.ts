/** A caption with its pristine image and the image swapped in for it, as the browser shows it. */
import type { Verdict } from './curation.ts';

export interface PairImage {
  imageId: number;
  imagePath: string | null;
  similarityScore: number | null;
}

export interface PairSummary {
  pairId: number;
  split: string;
  subset: string;
  captionId: number;
  caption: string;
  source: string | null;
  topic: string | null;
  pristine: PairImage | null;
  /** The swapped-in image, with the caption it originally came with. */
  falsified: (PairImage & { originalCaption: string | null }) | null;
  /** For Merged / Balanced: the sub-split the pair came from. */
  sourceDataset: string | null;
  /** Scores under the query's scoreModel (in a page) or under every scored set (in a pair's detail). */
  modelScores: ModelScores[];
  /** The analyst's verdict and tags (see curation.ts). */
  verdict: Verdict | null;
  tags: string[];
}

/** A pair's scores under one set of embeddings (a model's, or NewsCLIPpings' imported ones). */
export interface ModelScores {
  name: string;
  /** Cosine of the caption with the pristine image, and with the falsified one. */
  pristine: number | null;
  falsified: number | null;
  /** Cosine of the caption with the falsified image's own caption. */
  textText: number | null;
}

/** Where the pairs' scores under a set of embeddings stand. */
export interface ScoreRun {
  name: string;
  /** False while a run is under way or was stopped. */
  complete: boolean;
  pairs: number;
  /** Pairs with a text–image score (both vectors present), and with a text–text one. */
  textImage: number;
  textText: number;
  updatedAt: string;
}

export const SCORE_MEASURES = ['text-image', 'text-text'] as const;
export type ScoreMeasure = (typeof SCORE_MEASURES)[number];

export const PAIR_LABELS = ['pristine', 'falsified'] as const;
export type PairLabel = (typeof PAIR_LABELS)[number];

export const PAIR_SORTS = ['file', 'score-desc', 'score-asc'] as const;
/** File order, or by the score (see PairFilters). */
export type PairSort = (typeof PAIR_SORTS)[number];

export type { PairFilters, PairQuery } from './schemas.ts';

export interface PairPage {
  items: PairSummary[];
  next: string | null;
  /** Pairs matching the query over the whole split file; counted for the first page only (null after). */
  total: number | null;
}

export interface CaptionHit {
  id: number;
  caption: string;
  source: string | null;
  topic: string | null;
  /** Pairs in every split file with this caption. */
  pairs: number;
}

/** The sidebar's facets, in its order; each is a PairFilters key. */
export const FACETS = ['label', 'source', 'topic', 'sourceDataset', 'verdict', 'tag', 'collection'] as const;
export type Facet = (typeof FACETS)[number];

/** A facet's value and the pairs that would match with it chosen (the other filters kept). */
export interface FacetCount {
  /** The filter's value as the URL and the query take it ('none' for no verdict; a sub-split's index). */
  value: string;
  count: number;
}

/** Score distribution of the pairs matching every filter but the score range, per label. */
export interface ScoreHistogram {
  /** The score's name as the list shows it ("file similarity", "ViT-B/32 cosine", "… caption–caption"). */
  score: string;
  min: number;
  max: number;
  /** One series per label (text–image scores), or one 'caption–caption' series. */
  series: { name: PairLabel | 'caption–caption'; counts: number[] }[];
}

export interface PairFacets {
  /** Pairs matching every filter (as pairs.page counts them). */
  total: number;
  /** For each facet, every value with a count under the other filters, by count. */
  facets: Record<Facet, FacetCount[]>;
  histogram: ScoreHistogram | null;
  /** The prediction runs of the split, for the outcome filters. */
  runs: string[];
  /** Server-side time, for the benchmark and the status line. */
  ms: number;
}
