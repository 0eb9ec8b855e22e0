/**
 * DGM4 (Shao et al., CVPR 2023): news image–text pairs built on VisualNews in which faces and
 * words were manipulated, with where. `metadata/<split>.json` is one JSON list of records
 * {id, image, text, fake_cls, fake_image_box, fake_text_pos, mtcnn_boxes}.
 */

import type { Verdict } from './curation.ts';

/** Curation keys a DGM4 sample as split "dgm4", subset its split, caption id its id. */
export const DGM4_CURATION = 'dgm4';

/** What a verdict says of a DGM4 sample (the values are the pair browser's). */
export const DGM4_VERDICT_NAMES: Record<Verdict, string> = { 'out-of-context': 'confirmed manipulated', consistent: 'looks genuine', ambiguous: 'ambiguous', unsolvable: 'unsolvable' };

/** The four manipulations, in the order DGM4's multi-label head uses them. */
export const DGM4_CLASSES = ['face_swap', 'face_attribute', 'text_swap', 'text_attribute'] as const;
export type Dgm4Class = (typeof DGM4_CLASSES)[number];

/** Manipulations of the image (with a box) and of the text (with word positions). */
export const IMAGE_CLASSES: readonly Dgm4Class[] = ['face_swap', 'face_attribute'];
export const TEXT_CLASSES: readonly Dgm4Class[] = ['text_swap', 'text_attribute'];

/** [x1, y1, x2, y2] in pixels of the image. */
export type Box = [number, number, number, number];

/**
 * The classes a `fake_cls` names: "orig" is none; otherwise one or two of the four joined by "&"
 * (each at most once). Null when it is anything else.
 */
export function parseFakeCls(value: string): Dgm4Class[] | null {
  if (value === 'orig') return [];
  const parts = value.split('&');
  if (parts.length > 2 || new Set(parts).size !== parts.length) return null;
  if (!parts.every((p): p is Dgm4Class => (DGM4_CLASSES as readonly string[]).includes(p))) return null;
  return parts;
}

/** The classes as bits (face_swap 1, face_attribute 2, text_swap 4, text_attribute 8): 0 is pristine. */
export function classBits(classes: readonly Dgm4Class[]): number {
  return classes.reduce((bits, c) => bits | (1 << DGM4_CLASSES.indexOf(c)), 0);
}

export function classesOfBits(bits: number): Dgm4Class[] {
  return DGM4_CLASSES.filter((_, i) => (bits & (1 << i)) !== 0);
}

/** The words `fake_text_pos` counts: the text split on whitespace, as DGM4's own code splits it. */
export function dgm4Words(text: string): string[] {
  return text.split(/\s+/).filter((w) => w !== '');
}

export interface Dgm4Sample {
  split: string;
  /** Row of the record in its file, from 0. */
  position: number;
  /** The VisualNews id of the original news item. */
  id: number;
  /** Relative to the folder that holds DGM4/. */
  image: string;
  text: string;
  fakeCls: string;
  classes: Dgm4Class[];
  /** The generator (HFGI, simswap …) or the outlet of an unmanipulated image (bbc, gardian …), from the image's path. */
  source: string;
  /** The manipulated face, or null when the image was not manipulated. */
  box: Box | null;
  /** Indices of the manipulated words (dgm4Words). */
  textPos: number[];
  /** Every face MTCNN found. */
  faceBoxes: Box[];
  width: number;
  height: number;
  /** Whether the VisualNews item `id` is indexed (its original image and caption can be shown). */
  inVisualNews: boolean;
  /** The analyst's verdict on the sample, if any (curation, keyed "dgm4" / split / id). */
  verdict: Verdict | null;
}

export interface Dgm4SplitCount {
  split: string;
  samples: number;
  /** Samples per fake_cls value ("orig", "face_swap&text_attribute", …). */
  byClass: Record<string, number>;
}

export interface Dgm4IndexSummary {
  upToDate: boolean;
  resumed: boolean;
  seconds: number;
  /** The folder holding DGM4/. */
  root: string;
  splits: Dgm4SplitCount[];
  /** Samples whose VisualNews item is indexed. */
  linked: number;
  /** Records not indexed, by reason. */
  skipped: Record<string, number>;
  /** Records indexed with something to say, by reason. */
  notes: Record<string, number>;
}

/** The DGM4 index as it stands (dgm4.status). */
export interface Dgm4Status {
  /** The folder holding DGM4/ it was read from; null when DGM4 is not indexed. */
  root: string | null;
  indexedAt: string | null;
  splits: Dgm4SplitCount[];
  linked: number;
  skipped: Record<string, number>;
  notes: Record<string, number>;
}

/** Which samples the Manipulations view shows. */
export interface Dgm4Query {
  split: string;
  /** One fake_cls value ("orig", "face_swap&text_attribute" …). */
  cls?: string;
  /** single: one manipulation; mixed: an image and a text one; image / text: any of that modality. */
  kind?: 'single' | 'mixed' | 'image' | 'text';
  source?: string;
  /** Only samples whose VisualNews item is (true) or is not (false) indexed. */
  linked?: boolean;
  /** Words in the text, or a sample id. */
  q?: string;
  /** A verdict, or "none" for samples without one. */
  verdict?: Verdict | 'none';
  offset: number;
  limit: number;
}

export interface Dgm4Page {
  total: number;
  samples: Dgm4Sample[];
  /** Samples per fake_cls, per source and per verdict ("none": no verdict), under the other filters. */
  classes: Record<string, number>;
  sources: Record<string, number>;
  verdicts: Record<string, number>;
}

/** A sample with its original news item when VisualNews has it. */
export interface Dgm4Detail {
  sample: Dgm4Sample;
  original: { itemId: number; caption: string; source: string | null; topic: string | null; hasImage: boolean } | null;
}
