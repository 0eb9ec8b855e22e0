/** Vetting new images: the corpus's perceptual hashes and what a look-up finds; cases. */

/** The largest image the UI can paste, drop or pick (the CLI reads files up to 200 MB). */
export const MAX_UPLOAD_BYTES = 40 * 1024 * 1024;
/** The API calls that carry an image, base64 in their JSON body, and may be that large. */
export const UPLOAD_BODY_LIMITS: Record<string, number> = { 'cases.addImage': Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) + (1 << 20) };
/** Fetching an image from a web address: the whole download, redirects included, within this. */
export const FETCH_TIMEOUT_MS = 20_000;

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

/** A pair of the corpus that uses a near-duplicate's image. */
export interface ImageUse {
  pairId: number;
  split: string;
  subset: string;
  /** As the caption's own image, or swapped in for another caption (falsified). */
  role: 'pristine' | 'swapped in';
  captionId: number;
  caption: string;
}

/** An indexed image that is the same photo as the new one. */
export interface NearDuplicate {
  itemId: number;
  /** Bits of the 63-bit perceptual hash that differ (0: the same photo, near enough). */
  distance: number;
  /** The pixels' correlation with the corpus image (1: identical), or null where it could not be read. */
  similarity: number | null;
  /** The new image is a mirror image of it. */
  mirrored: boolean;
  /** Why the match is shown unconfirmed, if it is. */
  note: string | null;
  caption: string;
  source: string | null;
  topic: string | null;
  /** When the corpus item was published, from NewsCLIPpings' metadata when indexed (and which field said so). */
  published: { date: string; from: string } | null;
  imagePath: string | null;
  pairs: ImageUse[];
}

/** How close a near-duplicate is and when it was published, in words: "published 2014-03-02 · 3 bits apart · pixels 0.97 · mirrored". */
export function appearanceFacts(d: NearDuplicate): string {
  return [
    ...(d.published === null ? [] : [`published ${d.published.date}`]),
    `${d.distance} bits apart`,
    d.similarity === null ? 'not confirmed by pixels' : `pixels ${d.similarity.toFixed(2)}`,
    ...(d.mirrored ? ['mirrored'] : []),
  ].join(' · ');
}

/** How the corpus was searched for near-duplicates. */
export interface HashSearch {
  /** The image is nearly one colour, so it was not searched: any plain image would match it. */
  plain: boolean;
  /** Corpus images within the hash distance, before the pixel check. */
  candidates: number;
  /** Candidates whose pixels did not match. */
  rejected: number;
  maxDistance: number;
  minSimilarity: number;
  /** How much of the corpus was searched: the items, those with a hash, those that could not be hashed. */
  corpus: { items: number; hashed: number; failed: number };
  /** The hash search alone. */
  searchMs: number;
  seconds: number;
}

/** What the file of a new image is. */
export interface NewImageInfo {
  /** The file's name (no folders). */
  name: string;
  sha256: string;
  bytes: number;
  /** As displayed: after the EXIF orientation. */
  width: number;
  height: number;
  /** The real format, by its first bytes. */
  format: string;
}

/** A corpus item found near the new image or the claim. */
export interface NeighbourHit {
  itemId: number;
  /** Cosine similarity. */
  score: number;
  caption: string;
  source: string | null;
  topic: string | null;
}

/** Where a score falls among a split file's pair scores under the same model. */
export interface ScorePlace {
  split: string;
  subset: string;
  /** Pairs with a pristine / swapped-in score. */
  pristinePairs: number;
  falsifiedPairs: number;
  /** Percent of the file's pristine (falsified) pairs that score lower (ties count half). */
  percentilePristine: number;
  percentileFalsified: number;
}

/** The new image and the claim under one installed model. */
export interface ModelEvidence {
  model: string;
  /** Random weights: every number below is noise. */
  randomWeights: boolean;
  /** Image–claim cosine similarity (null without a claim). */
  cosine: number | null;
  /** Null without a claim, or where the corpus pairs have no scores under this model (say why in `note`). */
  place: ScorePlace | null;
  /** Trained heads on this model's embeddings: the probability that the pair is falsified. */
  heads: { head: string; probability: number; falsified: boolean }[];
  neighbours: {
    /** Corpus images nearest the new image. */
    images: NeighbourHit[];
    /** Corpus captions nearest the claim. */
    captions: NeighbourHit[];
    /** Corpus images nearest the claim. */
    claimImages: NeighbourHit[];
  };
  /** Why a part is missing (no embeddings, no pair scores …). */
  notes: string[];
}

export interface JpegQuality {
  /** libjpeg's quality (1–100) that best explains the luminance table. */
  quality: number;
  /** Each DQT table, in the zig-zag order the file stores it. */
  tables: { id: number; values: number[] }[];
}

/** What the file says about itself. */
export interface Forensics {
  /** The real format (first bytes) against the file name's extension. */
  format: { real: string; extension: string | null; matches: boolean };
  /** Null when the file has no EXIF, XMP or IPTC block (or it could not be read: metadataError). */
  metadata: {
    captured: string | null;
    modified: string | null;
    camera: string | null;
    software: string | null;
    orientation: string | null;
    gps: { latitude: number; longitude: number; altitude: number | null } | null;
    /** From the place the analyst gave, when given and the file has GPS. */
    distanceKm: number | null;
    /** Every field read, by block (ifd0, exif, gps, xmp, iptc). */
    fields: Record<string, Record<string, string>>;
  } | null;
  metadataError: string | null;
  /** The EXIF thumbnail, and whether it shows another picture than the image (hash bits apart). */
  thumbnail: { dataUrl: string; width: number; height: number; distance: number; differs: boolean } | null;
  jpeg: JpegQuality | null;
  /** Error level analysis: the difference from a re-save at quality 90, amplified (PNG data URL). */
  ela: { dataUrl: string; maxDifference: number } | null;
}

/** The evidence on one new image. */
export interface VetImageResult {
  image: NewImageInfo;
  /** Earlier appearances in the corpus, nearest first. */
  nearDuplicates: NearDuplicate[];
  /** Null where the search failed (see errors). */
  hashSearch: HashSearch | null;
  /** Consistency and neighbours under each installed model. */
  scores: ModelEvidence[];
  /** Null where it failed (see errors). */
  forensics: Forensics | null;
  /** The parts that failed, each with why; the others stand. */
  errors: { part: string; message: string }[];
}

/** What `vet` finds for a claim and its images. */
export interface VetResult {
  caption: string | null;
  /** The split file the scores are placed in. */
  reference: { split: string; subset: string } | null;
  images: VetImageResult[];
}

/** A place typed as "<latitude>, <longitude>" in degrees, or null when it is not one. */
export function parsePlace(text: string): { latitude: number; longitude: number } | null {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (m === null) return null;
  const [latitude, longitude] = [Number(m[1]), Number(m[2])];
  return Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : null;
}

export const CASE_VERDICTS = ['consistent', 'repurposed', 'manipulated', 'inconclusive'] as const;
export type CaseVerdict = (typeof CASE_VERDICTS)[number];

export interface CaseSummary {
  caseId: number;
  title: string;
  claim: string;
  verdict: CaseVerdict | null;
  images: number;
  createdAt: string;
  updatedAt: string;
}

/** An image of a case: what its file is, and its evidence once computed. */
export interface CaseImage extends NewImageInfo {
  addedAt: string;
  /** The web address it was fetched from, if it was. */
  source: string | null;
  /** Null until the case is vetted (again after the claim changed). */
  evidence: VetImageResult | null;
  evidenceAt: string | null;
}

/** Evidence the analyst kept: an item or a pair of the corpus, with why. */
export interface CasePin {
  pinId: number;
  /** "item:<id>" or "pair:<id>". */
  target: string;
  label: string;
  createdAt: string;
}

export interface CaseFile extends Omit<CaseSummary, 'images'> {
  notes: string;
  /** Where the claim says the photo was taken: GPS in the images is measured from it. */
  place: { latitude: number; longitude: number } | null;
  images: CaseImage[];
  pins: CasePin[];
}

/** What vetting found loaded, or loaded, ahead of the first case (cases.warm). */
export interface VetWarmth {
  models: number;
  /** Neighbour matrices (a model's image or caption vectors) in memory. */
  matrices: number;
  /** Corpus hashes in the near-duplicate index. */
  hashes: number;
  seconds: number;
}

export interface VetProgress {
  /** Images done of the case's images. */
  done: number;
  total: number;
  /** The image being worked on. */
  image: string | null;
}
