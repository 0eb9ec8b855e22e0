/** A caption with its pristine image and the image swapped in for it, as the browser shows it. */

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
}

export interface PairFilters {
  /** Words the caption must contain (the last one as a prefix). */
  q?: string;
  source?: string;
  topic?: string;
  /** Merged / Balanced: index into the split file's source_datasets. */
  sourceDataset?: number;
  /** Range of the falsified image's similarity_score. */
  minScore?: number;
  maxScore?: number;
}

export const PAIR_SORTS = ['file', 'score-desc', 'score-asc'] as const;
/** File order, or by the falsified image's similarity_score. */
export type PairSort = (typeof PAIR_SORTS)[number];

export interface PairQuery extends PairFilters {
  split: string;
  subset: string;
  sort?: PairSort;
  /** Opaque cursor from the previous page's `next`. */
  cursor?: string | null;
  limit?: number;
}

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
}
