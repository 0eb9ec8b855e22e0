/** Types describing the index and the jobs that build it. */

export interface SplitCounts {
  total: number;
  pristine: number;
  falsified: number;
}

export interface IndexStats {
  items: { total: number; bySource: Record<string, number>; byTopic: Record<string, number>; emptyCaptions: number };
  /** split folder → subset → counts of annotation rows. */
  annotations: Record<string, Record<string, SplitCounts>>;
  pairs: number;
  metadata: number;
  /** reason → records skipped for it. */
  skipped: Record<string, number>;
  /** reason → records kept but flagged, or inputs noted and ignored. */
  notes: Record<string, number>;
  roots: { visualnews?: string; clippings?: string };
  indexedAt: string | null;
  imageChecks?: Record<string, number>;
  /** "<model or imported set>:<image|text>" → vectors stored. */
  embeddings: Record<string, number>;
}

/** Skipped: a record left out of the index. Note: a record kept but flagged, or an input noted and ignored. */
export type LogKind = 'skip' | 'note';

/** Where a logged record sits in its file (record number, byte offset) and what was wrong with it. */
export interface LogSample {
  record?: number;
  offset?: number;
  detail: string;
}

/** The records of one file skipped or flagged for one reason, with the first few as examples. */
export interface LogEntry {
  kind: LogKind;
  reason: string;
  file: string;
  n: number;
  samples: LogSample[];
}

/** Items whose image check ended in one status other than ok, with the first few as examples. */
export interface ImageProblems {
  status: ImageStatus;
  n: number;
  examples: { itemId: number; path: string; detail: string | null }[];
}

export type IndexPhase = 'scan' | 'items' | 'annotations' | 'metadata' | 'dgm4' | 'publish' | 'done';

export interface IndexProgress {
  phase: IndexPhase;
  file?: string;
  bytesDone: number;
  bytesTotal: number;
  records: number;
}

export interface IndexSummary {
  upToDate: boolean;
  resumed: boolean;
  seconds: number;
  stats: IndexStats;
  /** Input files that could not be used at all, each with the reason. */
  unreadableFiles: string[];
}

export type ImageStatus = 'ok' | 'missing' | 'corrupt' | 'unsupported' | 'unreadable';

export interface ImageCheckProgress {
  done: number;
  total: number;
}

export interface ImageCheckSummary {
  checked: number;
  byStatus: Partial<Record<ImageStatus, number>>;
  seconds: number;
}
