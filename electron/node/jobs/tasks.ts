import type { Colormap, Explanation, SaliencyGrid, SaliencyMethod, SaliencyParams, SaliencyResult } from '../../common/saliency.ts';
import { OocError } from '../../common/errors.ts';
import type { NeighbourScope } from '../../common/schemas.ts';
import type { PairFacets, PairQuery } from '../../common/pairs.ts';
import type { RunComparison, RunEvaluation, TokenReport, TokenReportOptions } from '../../common/evaluation.ts';
import { compareRuns, evaluateRun, type EvaluateOptions } from '../evaluation/evaluate.ts';
import { tokenReport } from '../evaluation/token-report.ts';
import { FacetIndex } from '../facets.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { ClipModel } from '../inference/clip.ts';
import { NeighbourSearch, type NeighbourResult } from '../inference/neighbours.ts';
import { listModels, resolveModel } from '../inference/registry.ts';
import { caseImageFile, explainCaseImage, vetCase, type VetCaseOptions } from '../vetting/case-files.ts';
import type { CaseFile, VetWarmth } from '../../common/vetting.ts';
import { explainPair, NO_WORD_MAP } from '../saliency/explain.ts';
import { heatmapPng, overlayPng } from '../saliency/render.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';
import { getSet, type EmbeddingKind } from '../store/vectors.ts';
import { corpusHashIndex } from '../vetting/provenance.ts';
import { saliencyGrounding, type GroundingOptions } from '../dgm4/grounding.ts';
import type { Dgm4Grounding } from '../../common/dgm4-metrics.ts';
import type { CandidateList, Strategy } from '../../common/candidates.ts';
import { candidatesFor, type CandidateOptions } from '../candidates/candidates.ts';

/**
 * The heavy requests of the UI, run off the main loop in a pool of worker threads (task-pool.ts)
 * or, without a pool (the CLI, the tests), in the caller: saliency maps, their PNGs, nearest
 * neighbours, facet counts, evaluations of prediction runs, token reports, vetting a case's
 * images and a caption's out-of-context candidates. A worker keeps its models, neighbour matrices and facet columns loaded between tasks.
 */

export interface SaliencyTask {
  imageId: number;
  captionId: number;
  method: SaliencyMethod;
  params: Partial<SaliencyParams>;
  /** A model id or folder; the default model when absent. */
  model?: string;
  colormap: Colormap;
}

/** A case image explained against the case's claim. */
export interface CaseSaliencyTask extends Omit<SaliencyTask, 'imageId' | 'captionId'> {
  caseId: number;
  sha256: string;
}

export interface Tasks {
  saliency: { args: SaliencyTask; result: SaliencyResult & { heatmap: string | null } };
  saliencyPng: { args: SaliencyTask & { opacity: number }; result: { png: string; filename: string } };
  caseSaliency: { args: CaseSaliencyTask; result: Explanation & { heatmap: string | null } };
  caseSaliencyPng: { args: CaseSaliencyTask & { opacity: number }; result: { png: string; filename: string } };
  neighbours: { args: { model: string; itemId: number; from: EmbeddingKind; to: EmbeddingKind; k: number; within: NeighbourScope; exact: boolean }; result: NeighbourResult };
  facets: { args: PairQuery; result: PairFacets };
  evaluate: { args: { run: string } & EvaluateOptions; result: RunEvaluation };
  compare: { args: { runs: string[]; subset?: string }; result: RunComparison };
  tokens: { args: TokenReportOptions; result: TokenReport };
  vetCase: { args: { caseId: number } & Omit<VetCaseOptions, 'signal' | 'onProgress'>; result: CaseFile };
  vetWarm: { args: Record<string, never>; result: VetWarmth };
  grounding: { args: Omit<GroundingOptions, 'signal' | 'onProgress'> & { model?: string }; result: Dgm4Grounding };
  candidates: { args: Omit<CandidateOptions, 'strategy'> & { strategies: Strategy[] }; result: CandidateList[] };
}
export type TaskName = keyof Tasks;
export type Progress = (p: { done: number; total: number }) => void;

/** What runs tasks: a worker pool, or the caller itself (InProcessTasks). */
export interface TaskRunner {
  run<T extends TaskName>(task: T, args: Tasks[T]['args'], onProgress?: Progress): Promise<Tasks[T]['result']>;
  close(): Promise<void>;
}

const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;
const heatmapOf = async (map: SaliencyGrid | null, colormap: Colormap): Promise<string | null> => (map === null ? null : dataUrl(await heatmapPng(map, 224, colormap)));

/** One thread's loaded models and matrices, and the tasks that use them. */
export class TaskState {
  private readonly models = new Map<string, Promise<ClipModel>>();
  private neighbourSearch: NeighbourSearch | undefined;
  private facetIndex: FacetIndex | undefined;

  constructor(private readonly db: Db) {}

  private clipFor(spec: string | undefined): Promise<ClipModel> {
    const key = spec ?? '';
    let clip = this.models.get(key);
    if (clip === undefined) {
      clip = resolveModel(spec).then((m) => new ClipModel(m, 'auto'));
      clip.catch(() => this.models.delete(key));
      this.models.set(key, clip);
    }
    return clip;
  }

  private async allClips(): Promise<ClipModel[]> {
    const { models } = await listModels();
    return Promise.all(models.map((m) => this.clipFor(m.manifest.id)));
  }

  private async explain(t: SaliencyTask, onProgress?: Progress): Promise<SaliencyResult> {
    return explainPair(this.db, await this.clipFor(t.model), { imageId: t.imageId, captionId: t.captionId, method: t.method, params: t.params }, (done, total) => onProgress?.({ done, total }));
  }

  private async explainCase(t: CaseSaliencyTask, onProgress?: Progress): Promise<Explanation> {
    return explainCaseImage(this.db, await this.clipFor(t.model), { caseId: t.caseId, sha256: t.sha256, method: t.method, params: t.params }, (done, total) => onProgress?.({ done, total }));
  }

  readonly tasks: { [T in TaskName]: (args: Tasks[T]['args'], onProgress?: Progress) => Promise<Tasks[T]['result']> } = {
    saliency: async (t, onProgress) => {
      const result = await this.explain(t, onProgress);
      return { ...result, heatmap: await heatmapOf(result.map, t.colormap) };
    },
    saliencyPng: async (t) => {
      if (t.method === 'words') throw new OocError('BAD_ARGUMENT', NO_WORD_MAP);
      const result = await this.explain(t);
      const item = getItem(this.db, t.imageId)!;
      const png = await overlayPng(resolveInRoot(getRoots(this.db).visualnews!, item.image_path!), result.map!, 448, t.colormap, t.opacity);
      return { png: dataUrl(png), filename: `saliency-${result.method}-caption${t.captionId}-image${t.imageId}.png` };
    },
    caseSaliency: async (t, onProgress) => {
      const result = await this.explainCase(t, onProgress);
      return { ...result, heatmap: await heatmapOf(result.map, t.colormap) };
    },
    caseSaliencyPng: async (t) => {
      if (t.method === 'words') throw new OocError('BAD_ARGUMENT', NO_WORD_MAP);
      const result = await this.explainCase(t);
      const png = await overlayPng(caseImageFile(this.db, t.sha256), result.map!, 448, t.colormap, t.opacity);
      return { png: dataUrl(png), filename: `saliency-${result.method}-case${t.caseId}-${t.sha256.slice(0, 12)}.png` };
    },
    neighbours: async ({ model, itemId, from, to, k, within, exact }) => {
      this.neighbourSearch ??= new NeighbourSearch(this.db);
      return this.neighbourSearch.ofItem(model, itemId, from, to, k, within, { exact });
    },
    facets: (query) => {
      this.facetIndex ??= new FacetIndex(this.db);
      return Promise.resolve(this.facetIndex.facets(query));
    },
    // A run of hundreds of thousands of rows takes seconds of bootstrap resamples.
    evaluate: ({ run, ...options }) => Promise.resolve(evaluateRun(this.db, run, options)),
    compare: ({ runs, subset }) => Promise.resolve(compareRuns(this.db, runs, subset)),
    tokens: (options) => Promise.resolve(tokenReport(this.db, options)),
    // Every installed model, kept loaded with the neighbour matrices between cases.
    vetCase: async ({ caseId, ...options }, onProgress) => {
      const clips = await this.allClips();
      this.neighbourSearch ??= new NeighbourSearch(this.db);
      return vetCase(this.db, caseId, { clips, search: this.neighbourSearch }, { ...options, ...(onProgress === undefined ? {} : { onProgress }) });
    },
    // The strategies one after another: they share the caption's vectors, entities and dates.
    candidates: async ({ strategies, ...options }) => {
      this.neighbourSearch ??= new NeighbourSearch(this.db);
      const lists: CandidateList[] = [];
      // A typed caption is encoded by the model that made the CLIP set.
      const encode = async (model: string, text: string): Promise<Float32Array> => (await this.clipFor(model)).encodeTexts([text]);
      for (const strategy of strategies) lists.push(await candidatesFor(this.db, this.neighbourSearch, { ...options, strategy }, encode));
      return lists;
    },
    grounding: async ({ model, ...options }, onProgress) => saliencyGrounding(this.db, await this.clipFor(model), { ...options, onProgress: (done, total) => onProgress?.({ done, total }) }),
    // What vetting needs loaded, loaded ahead (when the Investigate view opens): the first vet
    // of a 1.26 M-item corpus otherwise spends half a minute reading matrices.
    vetWarm: async () => {
      const started = performance.now();
      const clips = await this.allClips();
      this.neighbourSearch ??= new NeighbourSearch(this.db);
      let matrices = 0;
      for (const clip of clips) {
        await Promise.all([clip.session('image'), clip.session('text'), clip.loadTokenizer()]);
        for (const kind of ['image', 'text'] as const) {
          const set = getSet(this.db, clip.manifest.id, kind);
          if (set === undefined || set.rows === 0) continue;
          await this.neighbourSearch.matrix(set);
          matrices++;
        }
      }
      return { models: clips.length, matrices, hashes: corpusHashIndex(this.db).index.size, seconds: (performance.now() - started) / 1000 };
    },
  };

  async release(): Promise<void> {
    await this.neighbourSearch?.release();
    for (const clip of this.models.values()) await clip.then((c) => c.release(), () => undefined);
  }
}

/** Tasks run in the caller: the CLI, the tests, and the baseline the pool is measured against. */
export class InProcessTasks implements TaskRunner {
  private readonly state: TaskState;

  constructor(db: Db) {
    this.state = new TaskState(db);
  }

  run<T extends TaskName>(task: T, args: Tasks[T]['args'], onProgress?: Progress): Promise<Tasks[T]['result']> {
    return this.state.tasks[task](args, onProgress);
  }

  close(): Promise<void> {
    return this.state.release();
  }
}
