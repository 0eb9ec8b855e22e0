/** What analysts record about pairs: a verdict, tags, a note, and the collections a pair is in. */

export const VERDICTS = ['out-of-context', 'consistent', 'ambiguous', 'unsolvable'] as const;
/**
 * About the pair's falsified match: confirmed out of context, in fact consistent with the
 * caption, ambiguous, or not decidable from the image and caption alone.
 */
export type Verdict = (typeof VERDICTS)[number];

/**
 * A pair as curation knows it: a caption in one split file. Stable across re-indexing (pair ids
 * are not), and what NewsCLIPpings itself keys a match by.
 */
export interface PairKey {
  split: string;
  subset: string;
  captionId: number;
}

/** One edit, applied to one or many pairs; fields left out are left alone (schemas.ts). */
export type { CurationChange } from './schemas.ts';

export interface PairCuration {
  verdict: Verdict | null;
  note: string | null;
  tags: string[];
  collections: string[];
}

export interface Collection {
  name: string;
  pairs: number;
  createdAt: string;
}

export interface CurationResult {
  /** Pairs the change was applied to. */
  pairs: number;
  /** What `curation.undo` would undo now, if anything. */
  undo: string | null;
}
