import path from 'node:path';
import type { ExportOptions, ExportProgress, ExportSummary, SelectionSpec } from '../../common/export.ts';
import type { ImageCheckProgress, ImageCheckSummary, IndexProgress, IndexSummary } from '../../common/index-types.ts';
import type { AnnBuildSummary, AnnProgress, EmbedJobProgress, EmbedJobSummary, EmbedWhat, ProviderChoice } from '../../common/models.ts';
import type { ImportProgress, ImportResult, PredictionsSource } from '../../common/evaluation.ts';
import type { HeadInfo, TrainHeadOptions, TrainHeadProgress } from '../../common/heads.ts';
import type { HashImagesProgress, HashImagesSummary } from '../../common/vetting.ts';
import type { Dgm4IndexSummary } from '../../common/dgm4.ts';
import type { Dgm4Run } from '../../common/dgm4-metrics.ts';
import type { GenerateProgress, GenerateSummary } from '../../common/candidates.ts';
import type { GenerateRequest } from '../candidates/generate.ts';
import type { RunProblem } from '../../common/evaluation.ts';
import type { Db } from '../store/db.ts';

/**
 * Every kind of long job, registered here and nowhere else: what it takes, reports and returns,
 * how the Jobs panel names a run, what "busy" means, and how a worker runs it. The modules that
 * do the work are imported when a run starts, inside the worker, so the main process never loads
 * them.
 */

interface JobBase {
  dbFile: string;
  /** better-sqlite3 addon for this runtime (see openDatabase). */
  nativeBinding?: string;
  /** This run's token, kept in the jobs table so two runs cannot claim the same work (store/jobs.ts). */
  runToken?: string;
}

export interface IndexJobRequest extends JobBase {
  visualnews: string;
  clippings?: string;
  force?: boolean;
}

export interface EmbedJobRequest extends JobBase {
  /** A model folder or id; the default model when absent. */
  model?: string;
  what: EmbedWhat;
  ep?: ProviderChoice;
}

export interface ExportJobRequest extends JobBase, ExportOptions {
  dir: string;
  selection: SelectionSpec;
  version: string;
}

export interface CheckImagesJobRequest extends JobBase {
  recheck?: boolean;
}

export interface ImportPredictionsJobRequest extends JobBase, PredictionsSource {
  name: string;
  replace?: boolean;
}

export interface Dgm4IndexJobRequest extends JobBase {
  /** The folder holding DGM4/. */
  folder: string;
  force?: boolean;
}

export interface ImportDgm4RunJobRequest extends JobBase {
  file: string;
  name: string;
  split: string;
  boxFormat?: 'xyxy' | 'cxcywh-normalized';
  replace?: boolean;
  tokenizer?: string;
  maxWords?: number;
}

export interface GenerateSplitJobRequest extends JobBase, Omit<GenerateRequest, 'signal' | 'onProgress'> {}

export interface AnnIndexJobRequest extends JobBase {
  /** The embedding set's name (a model id or an imported set). */
  model: string;
  /** Which of its sets (not `kind`, which names the job's kind to the worker). */
  vectors: 'image' | 'text';
}

export interface HashImagesJobRequest extends JobBase {
  retryFailed?: boolean;
}

/** The options apart: their `kind` (the head's) would clash with the job's own. */
export interface TrainHeadJobRequest extends JobBase {
  options: TrainHeadOptions;
}

/** What each kind of job takes, reports and returns. */
export interface Jobs {
  index: { request: IndexJobRequest; progress: IndexProgress; summary: IndexSummary };
  embed: { request: EmbedJobRequest; progress: EmbedJobProgress; summary: EmbedJobSummary };
  export: { request: ExportJobRequest; progress: ExportProgress; summary: ExportSummary };
  'check-images': { request: CheckImagesJobRequest; progress: ImageCheckProgress; summary: ImageCheckSummary };
  'import-predictions': { request: ImportPredictionsJobRequest; progress: ImportProgress; summary: ImportResult };
  'train-head': { request: TrainHeadJobRequest; progress: TrainHeadProgress; summary: HeadInfo };
  'hash-images': { request: HashImagesJobRequest; progress: HashImagesProgress; summary: HashImagesSummary };
  'index-dgm4': { request: Dgm4IndexJobRequest; progress: IndexProgress; summary: Dgm4IndexSummary };
  'import-dgm4-run': { request: ImportDgm4RunJobRequest; progress: ImportProgress; summary: { run: Dgm4Run; problems: RunProblem[] } };
  'generate-split': { request: GenerateSplitJobRequest; progress: GenerateProgress; summary: GenerateSummary };
  'ann-index': { request: AnnIndexJobRequest; progress: AnnProgress; summary: AnnBuildSummary };
}
export type JobKind = keyof Jobs;

export interface RunContext<K extends JobKind> {
  signal: AbortSignal;
  onProgress: (progress: Jobs[K]['progress']) => void;
}

interface JobKindSpec<K extends JobKind> {
  /** How the Jobs panel names a run. */
  title(request: Jobs[K]['request']): string;
  /** Why a second run of this kind is refused while one runs. */
  busy: string;
  /** Runs the job on an open database (in a worker). */
  run(db: Db, request: Jobs[K]['request'], context: RunContext<K>): Promise<Jobs[K]['summary']>;
}

const token = (r: JobBase): { runToken?: string } => (r.runToken === undefined ? {} : { runToken: r.runToken });

export const JOB_KINDS: { [K in JobKind]: JobKindSpec<K> } = {
  index: {
    title: (r) => `Index ${r.visualnews}`,
    busy: 'an index is being built',
    run: async (db, r, { signal, onProgress }) => {
      const { buildIndex } = await import('../ingest/indexer.ts');
      return buildIndex(db, { visualnews: r.visualnews, ...(r.clippings === undefined ? {} : { clippings: r.clippings }), force: r.force ?? false, signal, onProgress, ...token(r) });
    },
  },
  embed: {
    title: (r) => `Embed ${r.what === 'all' ? 'images and captions' : r.what}${r.model ? ` with ${r.model}` : ''}`,
    busy: 'an embedding job is running',
    run: async (db, r, { signal, onProgress }) => {
      const [{ ClipModel }, { runEmbedJob }, { resolveModel }, { computePairScores }, { getSet }, { hashImages }] = await Promise.all([
        import('../inference/clip.ts'),
        import('../inference/embed-job.ts'),
        import('../inference/registry.ts'),
        import('../store/pair-scores.ts'),
        import('../store/vectors.ts'),
        import('../vetting/hash-job.ts'),
      ]);
      const model = await resolveModel(r.model);
      const clip = new ClipModel(model, r.ep ?? 'auto');
      try {
        const summary = await runEmbedJob(db, clip, { what: r.what, ...token(r) }, { signal, onProgress: (p) => onProgress({ phase: 'embedding', ...p }) });
        // Pairs are scored once there are caption vectors to score them with.
        const scores = (getSet(db, model.manifest.id, 'text')?.rows ?? 0) > 0 ? await computePairScores(db, model.manifest.id, { signal, onProgress: (p) => onProgress({ phase: 'scoring', ...p }) }) : null;
        // Images that were embedded get their perceptual hashes too (for vetting), once.
        const hashes = r.what === 'captions' ? null : await hashImages(db, { signal, onProgress: (p) => onProgress({ phase: 'hashing', ...p }) });
        return { embed: summary, scores, hashes };
      } finally {
        await clip.release();
      }
    },
  },
  export: {
    title: (r) => `Export to ${path.basename(r.dir)}`,
    busy: 'an export is being written',
    run: async (db, r, { signal, onProgress }) => {
      const { exportPairs } = await import('../export/write.ts');
      return exportPairs(db, { ...r, signal, onProgress });
    },
  },
  'check-images': {
    title: (r) => (r.recheck ? 'Check every image again' : 'Check the images'),
    busy: 'the images are being checked',
    run: async (db, r, { signal, onProgress }) => {
      const { checkImages } = await import('../images/check-job.ts');
      return checkImages(db, { recheck: r.recheck ?? false, signal, onProgress, ...token(r) });
    },
  },
  'import-predictions': {
    title: (r) => `Import predictions "${r.name}" from ${path.basename(r.file)}`,
    busy: 'predictions are being imported',
    run: async (db, r, { signal, onProgress }) => {
      const { importPredictions } = await import('../evaluation/import-run.ts');
      return importPredictions(db, { ...r, signal, onProgress: (rows) => onProgress({ rows }) });
    },
  },
  'train-head': {
    title: ({ options: o }) => `Train ${o.kind}${o.inputs && o.inputs !== 'both' ? ` (${o.inputs} only)` : ''} head "${o.name}" on ${o.split}`,
    busy: 'a head is being trained',
    run: async (db, r, { signal, onProgress }) => {
      const { trainHeadJob } = await import('../heads/train-job.ts');
      return trainHeadJob(db, r.options, { signal, onProgress });
    },
  },
  'hash-images': {
    title: (r) => (r.retryFailed ? 'Hash the images (retrying unreadable ones)' : 'Hash the images for vetting'),
    busy: 'the images are being hashed',
    run: async (db, r, { signal, onProgress }) => {
      const { hashImages } = await import('../vetting/hash-job.ts');
      return hashImages(db, { retryFailed: r.retryFailed ?? false, signal, onProgress, ...token(r) });
    },
  },
  'index-dgm4': {
    title: (r) => `Index DGM4 in ${r.folder}`,
    busy: 'DGM4 is being indexed',
    run: async (db, r, { signal, onProgress }) => {
      const { indexDgm4 } = await import('../dgm4/index-dgm4.ts');
      return indexDgm4(db, { folder: r.folder, force: r.force ?? false, signal, onProgress, ...token(r) });
    },
  },
  'import-dgm4-run': {
    title: (r) => `Import DGM4 run "${r.name}" from ${path.basename(r.file)}`,
    busy: 'a DGM4 run is being imported',
    run: async (db, { dbFile: _db, nativeBinding: _binding, runToken: _token, ...r }, { signal, onProgress }) => {
      const { importDgm4Run } = await import('../dgm4/runs.ts');
      return importDgm4Run(db, { ...r, signal, onProgress: (rows) => onProgress({ rows }) });
    },
  },
  'generate-split': {
    title: (r) => `Generate split "${r.name}" (${r.strategy}${r.from ? ` from ${r.from}` : r.collection ? ` from collection ${r.collection}` : ''})`,
    busy: 'a split is being generated',
    run: async (db, { dbFile: _db, nativeBinding: _binding, runToken: _token, ...r }, { signal, onProgress }) => {
      const [{ generateSplit }, { NeighbourSearch }] = await Promise.all([import('../candidates/generate.ts'), import('../inference/neighbours.ts')]);
      const search = new NeighbourSearch(db);
      try {
        return await generateSplit(db, search, { ...r, signal, onProgress });
      } finally {
        await search.release();
      }
    },
  },
  'ann-index': {
    title: (r) => `Approximate index of ${r.model} ${r.vectors === 'image' ? 'images' : 'captions'}`,
    busy: 'an approximate index is being built',
    run: async (db, r, { signal, onProgress }) => {
      const [{ buildAnnIndex }, { requireSet }] = await Promise.all([import('../inference/ann.ts'), import('../inference/neighbours.ts')]);
      return buildAnnIndex(db, requireSet(db, r.model, r.vectors), { signal, onProgress });
    },
  },
};
