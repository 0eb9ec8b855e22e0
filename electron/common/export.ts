/** Evaluation subsets and exports, as the UI, the CLI and the API describe them. */
import type { Verdict } from './curation.ts';

export const STRATUM_KEYS = ['split', 'subsplit', 'label', 'source', 'topic', 'verdict'] as const;
/**
 * What a sample is balanced over. A pair (a caption with its pristine and falsified rows) is
 * never split, so every stratum holds as many pristine rows as falsified ones: `label` is
 * balanced by construction.
 */
export type StratumKey = (typeof STRATUM_KEYS)[number];

/** The pairs to export: one split file's pairs matching a query, or a collection's (any files); optionally a seeded, stratified sample of them (schemas.ts). */
export type { SelectionSpec } from './schemas.ts';

export interface StratumCount {
  /** The stratum's value for each key, e.g. { subsplit: 'scene_resnet_place' }. */
  values: Partial<Record<StratumKey, string>>;
  available: number;
  chosen: number;
  pristineRows: number;
  falsifiedRows: number;
}

export interface SelectionPreview {
  pairs: number;
  pristineRows: number;
  falsifiedRows: number;
  strata: StratumCount[];
}

export const EXPORT_FORMATS = ['newsclippings', 'jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  formats: ExportFormat[];
  /** Copy the images (and articles) under visual_news/origin, as VisualNews lays them out. */
  images: boolean;
  articles: boolean;
  /** Replace an existing export folder. */
  overwrite: boolean;
}

export interface ExportSummary {
  dir: string;
  pairs: number;
  rows: number;
  files: number;
  bytes: number;
  /** Images or articles that could not be copied (missing on disk), counted per kind. */
  missing: { images: number; articles: number };
  /** What was cleaned up first, after exports whose process died (see cleanStalePartials). */
  cleaned: string[];
  seconds: number;
}

export interface ExportProgress {
  phase: 'rows' | 'files';
  done: number;
  total: number;
}

/** One annotation row as JSONL and CSV carry it. */
export interface ExportRow {
  id: number;
  image_id: number;
  falsified: boolean;
  similarity_score: number | null;
  split: string;
  subset: string;
  sub_split: string | null;
  caption: string;
  /** The image's own caption (for a falsified row, the caption it was taken from). */
  image_caption: string | null;
  source: string | null;
  topic: string | null;
  verdict: Verdict | null;
  tags: string[];
  note: string | null;
  /** Relative to the export folder. */
  image_path: string | null;
}
