/**
 * Out-of-context candidates for a caption, built the way NewsCLIPpings built its splits (paper,
 * section 3): rank the other images by a strategy, check the constraints, pick by CLIP
 * adversarial filtering (electron/node/candidates/).
 */

export const STRATEGIES = ['clip_text_image', 'clip_text_text', 'person_sbert', 'scene_resnet'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** The paper's names, and the split folder each strategy built. */
export const STRATEGY_INFO: Record<Strategy, { name: string; folder: string; ranking: string }> = {
  clip_text_image: { name: 'CLIP Text-Image', folder: 'semantics_clip_text_image', ranking: 'caption against each image, CLIP cosine, highest first' },
  clip_text_text: { name: 'CLIP Text-Text', folder: 'semantics_clip_text_text', ranking: "caption against each image's own caption, CLIP cosine, highest first" },
  person_sbert: { name: 'Person / SBERT-WK Text-Text', folder: 'person_sbert_text_text', ranking: 'captions sharing a PERSON entity, SBERT-WK cosine, lowest first' },
  scene_resnet: { name: 'Scene / ResNet Place', folder: 'scene_resnet_place', ranking: 'the pristine image against each image, Places365 ResNet-50 dot product, highest first' },
};

export type EntityKind = 'PERSON' | 'PLACE' | 'ORG' | 'OTHER';

export interface Entity {
  text: string;
  kind: EntityKind;
}

/** A caption's named entities, and where they came from. */
export interface CaptionEntities {
  entities: Entity[];
  /** NewsCLIPpings' metadata (spaCy + REL), or the offline NER library run on the caption (an approximation of them). */
  from: 'metadata' | 'ner';
}

/** A constraint's verdict on a candidate: pass, fail, or null where it cannot be told (no dates known). */
export interface ConstraintVerdict {
  pass: boolean | null;
  reason: string;
}

export interface Candidate {
  imageId: number;
  /** The strategy's score (its ranking's similarity). */
  score: number;
  /** CLIP text–image similarity of the caption and this image (CTI_f), under the CLIP set used. */
  ctiF: number | null;
  constraints: Record<string, ConstraintVerdict>;
  /** The candidate Algorithm 1 picks. */
  picked: boolean;
  /** The candidate item's own caption and source, to judge it by. */
  caption: string | null;
  source: string | null;
}

export interface DatasetMatch {
  split: string;
  subset: string;
  /** The falsified image the split file chose for this caption. */
  imageId: number;
  /** Its 1-based place in this strategy's ranking, or null when it is not among the candidates retrieved. */
  rank: number | null;
}

export interface CandidateList {
  /** The caption's item id, or null for a caption typed in. */
  captionId: number | null;
  caption: string;
  pristineImageId: number | null;
  /** CLIP text–image similarity of the caption and its own image (CTI_p). */
  ctiP: number | null;
  strategy: Strategy;
  /** The sets each input came from ("clip" → a model id …), so a result says what it was computed with. */
  inputs: Record<string, string>;
  /** Why the strategy could not run (an input missing), named; candidates are then empty. */
  missing: string | null;
  /** The query caption's entities. */
  entities: CaptionEntities;
  candidates: Candidate[];
  /** Which case the pick is: a candidate CLIP scores at least as high as the pristine image, or the best below it. */
  pick: 'at-or-above' | 'below' | null;
  datasetMatches: DatasetMatch[];
  seconds: number;
}

/** A split file the analyst makes from accepted candidates, browsed and exported like the paper's. */
export interface CustomSplit {
  name: string;
  /** Its split folder in the pair browser and exports: "custom_<name>". */
  folder: string;
  /** Pairs per subset. */
  subsets: Record<string, number>;
  /** The strategies its pairs came from (its files' source_datasets, as Merged / Balanced has them). */
  strategies: string[];
  createdAt: string;
}

/** A custom split's name: letters, digits, - and _ (it names a folder). */
export const CUSTOM_SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$/;
export const CUSTOM_PREFIX = 'custom_';

/** How far a split's generation has got (candidates/generate.ts). */
export interface GenerateProgress {
  phase: 'loading' | 'ranking' | 'writing';
  done: number;
  total: number;
}

/** What a generated split picked, dropped and wrote. */
export interface GenerateSummary {
  split: CustomSplit;
  subset: string;
  strategy: Strategy;
  /** The CLIP embeddings that scored the picks (and ranked the CLIP strategies). */
  clip: string;
  captions: number;
  /** Captions picked in each of Algorithm 1's cases, and those without a pick by reason. */
  picked: { atOrAbove: number; below: number };
  unpicked: Record<string, number>;
  /** Pairs kept after the 50/50 filtering, and dropped by it. */
  kept: number;
  dropped: number;
  /** Captions ranked in this run (the rest were picked by an interrupted one). */
  ranked: number;
  seconds: number;
  captionsPerSecond: number;
}
