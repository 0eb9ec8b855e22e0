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

export interface PairQuery {
  split: string;
  subset: string;
  /** Opaque cursor from the previous page's `next`. */
  cursor?: string | null;
  limit?: number;
}

export interface PairPage {
  items: PairSummary[];
  next: string | null;
}

export interface CaptionHit {
  id: number;
  caption: string;
  source: string | null;
  topic: string | null;
}
