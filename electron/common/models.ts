/** CLIP models, embedding jobs and neighbours, as the UI, the CLI and the workers see them. */
import type { HashImagesSummary } from './vetting.ts';
import type { ScoreRun } from './pairs.ts';

export const PROVIDER_CHOICES = ['auto', 'cuda', 'webgpu', 'cpu'] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];
export type Provider = Exclude<ProviderChoice, 'auto'>;

export interface ProviderAttempt {
  provider: Provider;
  reason: string;
}

export type Tower = 'image' | 'text';

/** Which provider each opened tower runs on, and why faster ones were skipped. */
export type ProviderReport = Partial<Record<Tower, { provider: Provider; skipped: ProviderAttempt[] }>>;

export interface ModelInfo {
  id: string;
  name: string;
  dir: string;
  dim: number;
  /** False for random-weight models: their scores and neighbours mean nothing. */
  meaningfulScores: boolean;
  licence: string;
  /** The model `embed` uses when none is named. */
  isDefault: boolean;
}

export interface EmbeddingSetInfo {
  name: string;
  kind: 'image' | 'text';
  dim: number;
  rows: number;
  origin: 'model' | 'import';
  /** Its approximate index for fast neighbours. */
  ann: AnnStatus;
}

/**
 * A set's approximate neighbour index: none, current (searches use it), stale (built before the
 * set last changed: searches are exact until it is built again) or partial (a build was stopped;
 * the next one continues it).
 */
export interface AnnStatus {
  state: 'none' | 'current' | 'stale' | 'partial';
  /** Rows of the set the index (or the partial build) covers. */
  rows: number;
  setRows: number;
  builtAt: string | null;
  seconds: number;
}

export interface AnnProgress {
  set: string;
  kind: 'image' | 'text';
  done: number;
  total: number;
}

export interface AnnBuildSummary {
  set: string;
  kind: 'image' | 'text';
  rows: number;
  /** Rows added by this run; rows with a NaN or infinite value are skipped. */
  added: number;
  skipped: number;
  seconds: number;
  /** The row a saved partial build was continued from. */
  resumedAt: number | null;
}

/** How a neighbour search was made: every vector scored, or a shortlist from the approximate index scored exactly. */
export type NeighbourMethod = 'exact' | 'approximate';

export interface ModelsOverview {
  models: ModelInfo[];
  /** Folders that look like models but cannot be used, with the reason. */
  broken: { dir: string; reason: string }[];
  sets: EmbeddingSetInfo[];
  /** Items in the index: what full coverage of a set means. */
  items: number;
  scores: ScoreRun[];
}

export const EMBED_WHAT = ['images', 'captions', 'all'] as const;
export type EmbedWhat = (typeof EMBED_WHAT)[number];

export interface EmbedProgress {
  kind: 'image' | 'text';
  done: number;
  total: number;
  skipped: number;
  perSecond: number;
}

export interface EmbedKindSummary {
  kind: 'image' | 'text';
  embedded: number;
  /** Items that could not be embedded, per reason (missing image, corrupt image …). */
  skipped: Record<string, number>;
  /** Items in scope that already had an embedding from this model. */
  alreadyDone: number;
  /** Items in scope that failed in an earlier run (not retried without retryFailed). */
  failedBefore: number;
  seconds: number;
}

export interface EmbedSummary {
  model: string;
  providers: ProviderReport;
  kinds: EmbedKindSummary[];
}

/** An embedding job run from the UI: embedding, then scoring the pairs under the model. */
export type EmbedJobProgress = ({ phase: 'embedding' } & EmbedProgress) | { phase: 'scoring'; done: number; total: number } | { phase: 'hashing'; done: number; total: number };

export interface EmbedJobSummary {
  embed: EmbedSummary;
  scores: ScoreRun | null;
  /** The images' perceptual hashes (for vetting), computed alongside where images were embedded. */
  hashes: HashImagesSummary | null;
}

export const NEIGHBOUR_SIDES = ['image', 'caption'] as const;
export type NeighbourSide = (typeof NEIGHBOUR_SIDES)[number];

export interface NeighbourItem {
  itemId: number;
  /** Cosine similarity with the query item's vector. */
  score: number;
  caption: string | null;
  imagePath: string | null;
  source: string | null;
}
