/** Vetting new images: the corpus's perceptual hashes and what a look-up finds. */

export interface HashImagesProgress {
  done: number;
  total: number;
}

export interface HashImagesSummary {
  hashed: number;
  /** Images that could not be hashed, by reason (missing image, corrupt image, …). */
  skipped: Record<string, number>;
  /** Hashed or failed in earlier runs, so not redone. */
  alreadyDone: number;
  seconds: number;
  perSecond: number;
}
