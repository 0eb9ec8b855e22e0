import type * as v from 'valibot';
import type { ErrorInfo } from './errors.ts';
import type { API_INPUTS, Parsed } from './schemas.ts';
import type { ImageProblems, IndexProgress, IndexStats, IndexSummary, LogEntry } from './index-types.ts';
import type { Collection, CurationResult, PairCuration } from './curation.ts';
import type { ExportProgress, ExportSummary, SelectionPreview } from './export.ts';
import type { EmbedJobProgress, EmbedJobSummary, ModelsOverview, NeighbourItem, NeighbourMethod, ProviderReport } from './models.ts';
import type { CaptionHit, PairFacets, PairPage, PairSummary, ScoreRun } from './pairs.ts';
import type { Explanation, SaliencyResult } from './saliency.ts';
import type { Dgm4Detail, Dgm4IndexSummary, Dgm4Page, Dgm4SplitCount, Dgm4Status } from './dgm4.ts';
import type { Dgm4Comparison, Dgm4Grounding, Dgm4Run } from './dgm4-metrics.ts';
import type { ImportResult, PairPrediction, PredictionRun, RunComparison, RunEvaluation, RunProblem, TokenReport } from './evaluation.ts';
import type { HeadInfo, HeadScore } from './heads.ts';
import type { CandidateList, CustomSplit } from './candidates.ts';
import type { CaseFile, CaseSummary, HashImagesProgress, HashImagesSummary, VetWarmth } from './vetting.ts';

/**
 * The one contract between the workbench UI and the main process. Each entry is a call by name:
 * its input is a schema in schemas.ts (API_INPUTS), its output the type here. The same handlers
 * are served over Electron IPC, over HTTP in browser mode, and called directly by the CLI; every
 * call answers with a Result (see errors.ts).
 */
export interface ApiOutputs {
  /** What the app runs on: version, database, whether an index exists. */
  'app.info': AppInfo;
  /** Counts per split × subset × label, per source and per topic. */
  'overview.get': Overview;
  /** The records the index skipped or flagged, per reason and file, and the images whose check failed, each with examples. */
  'overview.log': { entries: LogEntry[]; images: ImageProblems[] };
  /** One page of pairs of a split file, filtered and sorted, with a cursor for the next. */
  'pairs.page': PairPage;
  /** The sidebar's counts: each facet's values under the other filters, and the score histogram per label. */
  'pairs.facets': PairFacets;
  /** Everything about one pair: both images' checks, both captions, metadata. */
  'pairs.detail': PairDetail;
  /** An item (caption and image) and every pair, in every split file, that uses it. */
  'items.get': ItemPage;
  /** Captions matching the words typed, across the whole corpus, each with its pair count over every split file. */
  'items.search': { items: CaptionHit[] };
  /** The article text of an item, read from disk on demand. */
  'items.article': { id: number; text: string | null; problem: string | null };
  /** Why each item's image cannot be shown (missing, corrupt …), or null where it can; at most 200 ids. */
  'images.problems': { problems: Record<number, string | null> };
  /** Starts indexing a VisualNews + NewsCLIPpings copy into this database (in a worker). */
  'index.start': JobRun;
  /** Where the current or last indexing run stands. */
  'index.status': IndexStatus;
  /** Asks a running index to stop after its current step; running it again continues. */
  'index.cancel': IndexStatus;
  /** Starts indexing DGM4's metadata (a job) from the folder holding DGM4/. */
  'dgm4.index': JobRun;
  /** What DGM4 index there is: its folder, samples per split, those linked to VisualNews, records skipped and noted. */
  'dgm4.status': Dgm4Status;
  'dgm4.cancel': JobStatus<IndexProgress, Dgm4IndexSummary>;
  /** A page of a DGM4 split's samples under the Manipulations view's filters, with each filter's counts. */
  'dgm4.page': Dgm4Page;
  /** The selection in DGM4's metadata format (a JSON list of the records as the file had them), with a file name to save it under. */
  'dgm4.export': { json: string; records: number; filename: string };
  /** Detectors' runs on DGM4 splits, oldest first. */
  'dgm4.runs': { runs: Dgm4Run[] };
  /** Starts importing a detector's outputs on a DGM4 split as a named run (a job whose summary is the run and its first problems). */
  'dgm4.import': JobRun;
  'dgm4.deleteRun': { runs: Dgm4Run[] };
  /** DGM4's twelve metrics of runs of one split, overall and per class, side by side. */
  'dgm4.evaluate': Dgm4Comparison;
  /** The saliency methods scored against DGM4's face boxes and words (a job the UI follows). */
  'dgm4.grounding': Dgm4Grounding;
  /** A sample's verdict, note and tags, and what Undo would undo. */
  'dgm4.curation': PairCuration & { undo: string | null };
  /** Sets a verdict, note or tags on samples (undone by curation.undo, as the pair browser's edits are). */
  'dgm4.curate': CurationResult;
  /** One sample, with its VisualNews original when indexed. */
  'dgm4.sample': Dgm4Detail;
  /** Installed models, embedding sets with their coverage, and pair-score runs. */
  'models.get': ModelsOverview;
  /** Opens a model's encoders to tell which execution provider runs each, and why others were skipped. */
  'models.providers': { id: string; providers: ProviderReport; error: string | null };
  /** Starts embedding the indexed items with a model (in a worker), then scores the pairs under it. */
  'embed.start': JobRun;
  'embed.status': EmbedStatus;
  /** Stops a running embedding job after its current batch; starting it again continues. */
  'embed.cancel': EmbedStatus;
  /** A pair's verdict, note, tags and collections. */
  'curation.get': PairCuration & { undo: string | null };
  /** Applies one edit to the pairs named, or to every pair matching a query; undoable. */
  'curation.apply': CurationResult;
  /** Puts back what the last edit replaced. */
  'curation.undo': { undone: string | null; undo: string | null };
  /** What Undo would undo now (null: nothing), so the button is right from the start. */
  'curation.undoState': { undo: string | null };
  'collections.list': { collections: Collection[] };
  'collections.create': Collection;
  'collections.delete': { collections: Collection[] };
  /** Every tag in use, with its pair count. */
  'tags.list': { tags: { tag: string; pairs: number }[] };
  /** How many pairs (and rows per label) a selection or sample holds, per stratum. */
  'export.preview': SelectionPreview;
  /** Starts writing an export folder (in a worker); refuses an existing folder unless overwrite. */
  'export.start': JobRun;
  'export.status': ExportStatus;
  'export.cancel': ExportStatus;
  /**
   * Which image regions and caption words drive an image–caption score (computed once, then
   * read from the cache), with the map drawn as a heatmap PNG (data URL) in the colour map asked for.
   */
  'saliency.explain': SaliencyResult & { heatmap: string | null };
  /** The image with its heatmap over it, as a PNG (data URL) to save. */
  'saliency.png': { png: string; filename: string };
  /** Every job running, and the recent ones, newest first. */
  'jobs.list': { runs: JobRun[] };
  /** Asks a running job to stop after its current step (a resumable job continues when run again). */
  'jobs.cancel': JobRun;
  /** Starts checking every image (format, size, truncation) in a worker. */
  'images.check': JobRun;
  /** The prediction runs imported, oldest first. */
  'predictions.list': { runs: PredictionRun[] };
  /** How a predictions file would be read: the fields found, the split, the first rows as understood (nothing stored). */
  'predictions.preview': ImportResult;
  /** Starts importing a predictions file as a named run (in a worker). */
  'predictions.import': JobRun;
  /** A run's rows that were not used as they stand (or whose truth disagreed), by line. */
  'predictions.problems': { problems: RunProblem[] };
  /** Deletes a run the user names; the runs left. */
  'predictions.delete': { runs: PredictionRun[] };
  /** A run's All / Pristine / Falsified accuracy with intervals, AUC and ROC, confusion and breakdowns, on one split file. */
  'evaluation.get': RunEvaluation;
  /** Two or more runs on the rows they all answered: accuracy, overlap, oracle, McNemar's test for each two. */
  'evaluation.compare': RunComparison;
  /** The words whose frequency differs most between a split file's pristine and falsified rows (log-odds, informative Dirichlet prior). */
  'evaluation.tokens': TokenReport;
  /** The heads trained here, oldest first, and the embedding sets a head can be trained on (image and caption vectors). */
  /** Starts hashing the corpus's images (for finding earlier appearances of new images). */
  'hashes.start': JobRun;
  /** The last hashing run, and how much of the corpus has hashes. */
  'hashes.status': JobStatus<HashImagesProgress, HashImagesSummary> & { items: number; hashed: number; failed: number };
  /** Investigation cases, newest change first. */
  'cases.list': { cases: CaseSummary[] };
  /** Loads what vetting needs (models, neighbour matrices, the hash index) ahead of the first case. */
  'cases.warm': VetWarmth;
  'cases.create': CaseFile;
  'cases.get': CaseFile;
  /** Renames, re-words the claim (which clears the evidence), notes, verdict. */
  'cases.update': CaseFile;
  'cases.delete': { cases: CaseSummary[] };
  /** Checks an image (bytes, format, size) and adds it to a case; nothing is stored for a bad one. */
  'cases.addImage': CaseFile;
  /** Fetches an image from a web address (http or https; bounded in size, time and redirects) and adds it. */
  'cases.addUrl': CaseFile;
  'cases.removeImage': CaseFile;
  /** A stored image, scaled down, as a JPEG data URL. */
  'cases.preview': { dataUrl: string };
  /** Gathers the evidence on a case's images not yet vetted (all with redo), as a job the UI follows. */
  'cases.vet': CaseFile;
  /** The case as one self-contained HTML file (opens offline) and as JSON, with a file name to save them under. */
  'cases.report': { html: string; json: string; filename: string };
  'cases.pin': CaseFile;
  'cases.unpin': CaseFile;
  /** A case image explained against the claim, as saliency.explain explains a corpus pair (kept with the case). */
  'cases.explain': Explanation & { heatmap: string | null };
  /** The case image with its heatmap over it, as a PNG (data URL) to save. */
  'cases.saliencyPng': { png: string; filename: string };
  'heads.list': { heads: HeadInfo[]; sets: string[] };
  /** Starts training a head on a split (in a worker); it becomes a model and a prediction run of its name. */
  'heads.train': JobRun;
  /** Deletes a head the user names (its prediction run stays); the heads left. */
  'heads.delete': { heads: HeadInfo[]; sets: string[] };
  /** A head's probability that an image and a caption of the corpus are a falsified pair. */
  'heads.score': HeadScore;
  /** Out-of-context candidates for a caption under each strategy asked for (all four by default), with constraints and Algorithm 1's pick. */
  'candidates.get': { lists: CandidateList[] };
  /** The analyst's custom splits, with their pairs per subset. */
  'custom.list': { splits: CustomSplit[] };
  /** Accepts an image for a caption into a custom split (made when new; the caption's earlier pick there replaced). */
  'custom.accept': { split: CustomSplit; splits: CustomSplit[] };
  /** Starts generating a split by Algorithm 1 (a job whose summary says what was picked, dropped and written). */
  'custom.generate': JobRun;
  'custom.remove': { splits: CustomSplit[] };
  /** Deletes a custom split and its pairs. */
  'custom.delete': { splits: CustomSplit[] };
  /** An item's nearest neighbours under a set of embeddings: image or caption to image or caption. */
  'neighbours.get': { items: NeighbourItem[]; seconds: number; method: NeighbourMethod };
  /** Starts building a set's approximate neighbour index (a job; its state is in models.get's sets). */
  'neighbours.index': JobRun;
}


/** Where the current or last job of a kind stands. */
export interface JobStatus<P, S> {
  state: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: P | null;
  summary: S | null;
  error: ErrorInfo | null;
}

/**
 * One run of a long job, as the Jobs panel and every view showing progress see it; pushed to the
 * renderer as it changes (IPC events in the desktop app, Server-Sent Events in browser mode).
 */
export interface JobRun {
  id: string;
  /** index, embed, export, check-images (a worker's), or saliency (in the app's own pool). */
  kind: string;
  title: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** How far it has got, 0 to 1, when that is known; and in words. */
  fraction: number | null;
  note: string;
  /** The kind's own progress and summary (see JobStatus). */
  progress: unknown;
  summary: unknown;
  error: ErrorInfo | null;
  startedAt: string;
  endedAt: string | null;
  /** Whether cancelling it is possible (a running worker job). */
  cancellable: boolean;
}

export type IndexStatus = JobStatus<IndexProgress, IndexSummary>;
export type EmbedStatus = JobStatus<EmbedJobProgress, EmbedJobSummary>;
export type ExportStatus = JobStatus<ExportProgress, ExportSummary>;

export type ApiMethod = keyof ApiOutputs;
/** What a caller sends (defaults may be left out), and what a handler receives once it is validated. */
export type ApiInput<M extends ApiMethod> = v.InferInput<(typeof API_INPUTS)[M]>;
export type ApiArgs<M extends ApiMethod> = Parsed<(typeof API_INPUTS)[M]>;
export type ApiOutput<M extends ApiMethod> = ApiOutputs[M];

// Every method has an input schema, and every schema a method.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const API_COMPLETE: Same<ApiMethod, keyof typeof API_INPUTS> = true;

export interface AppInfo {
  version: string;
  database: string;
  hasIndex: boolean;
  /** Set when the data is the bundled demo dataset. */
  demo: boolean;
  indexedAt: string | null;
  roots: IndexStats['roots'];
  /** Why the database was opened read-only (curation unavailable), or null when it can be written. */
  readOnly: string | null;
}

export interface SplitInfo {
  folder: string;
  /** As the paper names it, e.g. "Semantics / CLIP Text-Image". */
  name: string;
  /** How the falsified image was retrieved. */
  retrieval: string;
}

export interface Overview {
  stats: IndexStats;
  /** Every NewsCLIPpings split, in the paper's order. */
  splits: SplitInfo[];
  /** Which split files exist, with their pair counts and (Merged / Balanced) sub-split names. */
  files: { split: string; subset: string; pairs: number; sourceDatasets: string[] }[];
  /** Sets of embeddings that have scored the pairs, for the browser's "Score by". */
  scores: ScoreRun[];
  /** Installed models with random weights: scores and neighbours under these mean nothing. */
  randomModels: string[];
  /** DGM4's indexed splits (empty when DGM4 is not indexed). */
  dgm4: Dgm4SplitCount[];
}

export interface ImageInfo {
  id: number;
  path: string | null;
  /** From the image check, when one ran: ok, missing, corrupt … */
  status: string | null;
  detail: string | null;
  width: number | null;
  height: number | null;
}

/** One VisualNews item, with the pairs that use its caption or its image (see ItemRole). */
export interface ItemPage {
  item: { id: number; caption: string; source: string | null; topic: string | null };
  image: ImageInfo | null;
  uses: { role: 'caption' | 'pristine image' | 'falsified image'; pair: PairSummary }[];
}

export interface PairDetail {
  pair: PairSummary;
  pristineImage: ImageInfo | null;
  falsifiedImage: ImageInfo | null;
  /** The item the swapped-in image belongs to: its own caption, source, topic. */
  falsifiedItem: { id: number; caption: string; source: string | null; topic: string | null } | null;
  metadata: { subset: string; value: unknown }[];
  articlePath: string | null;
  /** Each imported prediction run's answers for the pair's rows. */
  predictions: PairPrediction[];
}
