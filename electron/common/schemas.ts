/**
 * The input of every API method, as one valibot schema each: the TypeScript types are inferred
 * from these, the IPC/HTTP boundary validates with them (api/handlers.ts), and the renderer's URL
 * codec for the view state is derived from the pair filters (renderer/src/state/view-state.ts).
 * Pure TS on valibot: loaded by the main process, the CLI and the renderer alike.
 *
 * Adding a pair filter means adding it to PAIR_FILTERS here, to the store's query
 * (store/pairs.ts) and to the control that sets it (FilterBar.tsx): nothing else restates it.
 */
import * as v from 'valibot';
import { CUSTOM_SPLIT_NAME, STRATEGIES } from './candidates.ts';
import { VERDICTS } from './curation.ts';
import { OocError } from './errors.ts';
import { EXPORT_FORMATS, STRATUM_KEYS } from './export.ts';
import { EMBED_WHAT, NEIGHBOUR_SIDES, PROVIDER_CHOICES } from './models.ts';
import { FACETS, PAIR_LABELS, PAIR_SORTS, SCORE_MEASURES } from './pairs.ts';
import { COLORMAPS, SALIENCY_METHODS } from './saliency.ts';
import { PROBLEM_KINDS, TOKEN_REPORT_TEXTS } from './evaluation.ts';
import { HEAD_INPUTS, HEAD_KINDS } from './heads.ts';
import { CASE_VERDICTS, MAX_UPLOAD_BYTES, parsePlace } from './vetting.ts';

export { FACETS, PAIR_LABELS, PAIR_SORTS, SCORE_MEASURES };

const MAX_TEXT = 10_000;

const integer = v.pipe(v.number('must be an integer'), v.safeInteger('must be an integer'));
const finite = v.pipe(v.number('must be a number'), v.finite('must be a number'));
const text = v.pipe(v.string('must be a string'), v.maxLength(MAX_TEXT, `must be at most ${MAX_TEXT} characters`));
/** A string that must be given and not be empty. */
const required = v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(MAX_TEXT, `must be at most ${MAX_TEXT} characters`));

/** Optional, with null and '' read as absent (forms send them for "any"). */
function optional<S extends v.GenericSchema>(schema: S) {
  return v.optional(v.pipe(v.nullable(v.union([v.literal(''), schema])), v.transform((x) => (x === null || x === '' ? undefined : (x as v.InferOutput<S>)))));
}
const flag = v.optional(v.boolean('must be true or false'), false);
const none = v.object({});

/**
 * Where neighbours are looked for: items used by a split file's pairs (on the searched side:
 * their images, or their captions), of a source, of a topic; every part given must hold.
 */
const NEIGHBOUR_SCOPE = v.pipe(
  v.object({ split: optional(required), subset: optional(required), source: optional(required), topic: optional(required) }),
  v.check((s) => (s.split === undefined) === (s.subset === undefined), 'a split file needs both "split" and "subset"'),
);

/** A predictions file (a full path on this machine) and, where the names are not recognised, which field holds what. */
const PREDICTIONS_SOURCE = v.object({
  file: required,
  split: optional(required),
  subset: optional(required),
  fields: v.optional(v.object({ caption: optional(required), image: optional(required), prediction: optional(required), probability: optional(required), truth: optional(required) }), {}),
});

/** What narrows a split file's pairs; each key also names its URL parameter unless URL_NAMES says otherwise. */
export const PAIR_FILTERS = {
  /**
   * Only pairs that have this label's row, shown with that image alone; score filters and
   * sorts then use that row's similarity_score (otherwise the falsified row's).
   */
  label: optional(v.picklist(PAIR_LABELS)),
  /** Words the caption must contain (the last one as a prefix). */
  q: optional(text),
  source: optional(text),
  topic: optional(text),
  /** Merged / Balanced: index into the split file's source_datasets. */
  sourceDataset: optional(integer),
  /**
   * Score by a set of embeddings (see ScoreRun) instead of the files' similarity_score; with
   * scoreMeasure text-image (the label's image; the falsified one by default) or text-text.
   */
  scoreModel: optional(text),
  scoreMeasure: optional(v.picklist(SCORE_MEASURES)),
  /** A verdict, or 'none' for pairs without one. */
  verdict: optional(v.picklist([...VERDICTS, 'none'])),
  tag: optional(text),
  /** A collection's name. */
  collection: optional(text),
  /** Only pairs with a note (containing these words, when not empty; case ignored): '' is kept. */
  note: v.optional(v.pipe(v.nullable(text), v.transform((x) => x ?? undefined))),
  /** A prediction run wrong on the pair (on a row it shows), or "*": every run that answered it. */
  wrong: optional(text),
  /** A prediction run right on every row the pair shows. */
  right: optional(text),
  /** Range of the score (of the label's row; the falsified row's by default). */
  minScore: optional(finite),
  maxScore: optional(finite),
} satisfies v.ObjectEntries;

/** Shorter URL parameter names kept from earlier versions, so old links still open. */
export const URL_NAMES: Partial<Record<keyof typeof PAIR_FILTERS, string>> = { sourceDataset: 'subsplit', minScore: 'min', maxScore: 'max', scoreModel: 'by', scoreMeasure: 'measure' };

export const PAIR_QUERY = v.object({
  split: required,
  subset: required,
  ...PAIR_FILTERS,
  /** File order, or by the score (see the filters). */
  sort: optional(v.picklist(PAIR_SORTS)),
  /** Opaque cursor from the previous page's `next`. */
  cursor: v.optional(v.nullable(text)),
  limit: optional(integer),
});

const PAIR_KEY = v.object({ split: required, subset: required, captionId: integer });

const tags = v.pipe(v.array(text, 'must be a list of strings'), v.maxLength(100, 'must be a list of at most 100 strings'));
const CURATION_CHANGE = v.object({
  /** A verdict, or null to clear it. */
  verdict: v.optional(v.nullable(v.picklist(VERDICTS))),
  /** The note, or null / '' to clear it. */
  note: v.optional(v.nullable(text)),
  addTags: optional(tags),
  removeTags: optional(tags),
  addToCollection: optional(text),
  removeFromCollection: optional(text),
});

export const MAX_LISTED_PAIRS = 10_000;
/** The pairs an edit applies to: some captions of one split file, or all that match a query. */
const CURATION_TARGET = v.union(
  [
    v.object({ query: PAIR_QUERY }),
    v.object({
      split: required,
      subset: required,
      captionIds: v.pipe(
        v.array(integer),
        v.minLength(1, `must list 1 to ${MAX_LISTED_PAIRS} caption ids (or give a "query" for every matching pair)`),
        v.maxLength(MAX_LISTED_PAIRS, `must list 1 to ${MAX_LISTED_PAIRS} caption ids (or give a "query" for every matching pair)`),
      ),
    }),
  ],
  'must be a "query", or a "split", "subset" and "captionIds"',
);

const SELECTION = v.object({
  query: v.optional(PAIR_QUERY),
  collection: optional(text),
  sample: optional(
    v.object({
      /** Pairs (captions) per stratum; a stratum with fewer gives all it has, and says so. */
      perStratum: v.pipe(integer, v.minValue(1, 'must be at least 1')),
      strata: v.optional(v.array(v.picklist(STRATUM_KEYS)), []),
      seed: v.optional(integer, 1),
    }),
  ),
});

const SALIENCY_OPTIONS = v.object({
  method: v.optional(v.picklist(SALIENCY_METHODS), 'occlusion'),
  /** A model id or folder; the default model when absent. */
  model: optional(text),
  colormap: v.optional(v.picklist(COLORMAPS), 'jet'),
  grid: optional(integer),
  masks: optional(integer),
  seed: optional(integer),
  keep: optional(finite),
});
const SALIENCY_REQUEST = v.object({ imageId: integer, captionId: integer, ...SALIENCY_OPTIONS.entries });
const CASE_SALIENCY_REQUEST = v.object({ caseId: integer, sha256: required, ...SALIENCY_OPTIONS.entries });
const OPACITY = v.optional(v.pipe(finite, v.minValue(0, 'must be between 0 and 1'), v.maxValue(1, 'must be between 0 and 1')), 0.5);

/** Which DGM4 samples: a split, with the Manipulations view's filters. */
const DGM4_SELECTION = v.object({
  split: required,
  cls: optional(required),
  kind: optional(v.picklist(['single', 'mixed', 'image', 'text'], 'must be single, mixed, image or text')),
  source: optional(required),
  linked: optional(v.boolean()),
  q: optional(text),
  verdict: optional(v.picklist([...VERDICTS, 'none'], `must be one of ${[...VERDICTS, 'none'].join(', ')}`)),
});

/** Every method's input. */
export const API_INPUTS = {
  'app.info': none,
  'overview.get': none,
  'overview.log': none,
  'pairs.page': PAIR_QUERY,
  'pairs.facets': v.object({ split: required, subset: required, ...PAIR_FILTERS }),
  'pairs.detail': v.object({ pairId: integer }),
  'items.article': v.object({ id: integer }),
  'items.get': v.object({ id: integer }),
  'items.search': v.object({ q: required, limit: v.optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 500'), v.maxValue(500, 'must be from 1 to 500')), 100) }),
  'images.problems': v.object({ ids: v.pipe(v.array(integer), v.maxLength(200, 'must be a list of at most 200 item ids')) }),
  'index.start': v.object({ visualnews: required, clippings: optional(text), force: flag }),
  'index.status': none,
  'index.cancel': none,
  'dgm4.index': v.object({ folder: required, force: flag }),
  'dgm4.status': none,
  'dgm4.cancel': none,
  'dgm4.page': v.object({
    ...DGM4_SELECTION.entries,
    offset: v.optional(v.pipe(integer, v.minValue(0, 'must be 0 or more')), 0),
    limit: v.optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 500'), v.maxValue(500, 'must be from 1 to 500')), 60),
  }),
  'dgm4.export': DGM4_SELECTION,
  'dgm4.runs': none,
  'dgm4.import': v.object({
    file: required,
    name: v.pipe(required, v.maxLength(100, 'must be at most 100 characters')),
    split: required,
    boxFormat: v.optional(v.picklist(['xyxy', 'cxcywh-normalized'], 'must be xyxy or cxcywh-normalized'), 'xyxy'),
    replace: flag,
    /** A tokenizer.json: text grounding over its word pieces, as DGM4's authors count it. */
    tokenizer: v.optional(required),
    maxWords: v.optional(v.pipe(integer, v.minValue(1, 'must be at least 1'), v.maxValue(512, 'must be at most 512'))),
  }),
  'dgm4.deleteRun': v.object({ name: required }),
  'dgm4.curation': v.object({ split: required, id: integer }),
  'dgm4.curate': v.object({
    /** Some samples by id, or every sample a selection shows. */
    target: v.union([v.object({ split: required, ids: v.pipe(v.array(integer), v.minLength(1, 'must list a sample'), v.maxLength(MAX_LISTED_PAIRS, `must list at most ${MAX_LISTED_PAIRS} samples`)) }), v.object({ selection: DGM4_SELECTION })], 'must give the samples\' split and ids, or a selection'),
    change: v.object({ ...CURATION_CHANGE.entries, addToCollection: v.optional(v.undefined('collections hold NewsCLIPpings pairs, not DGM4 samples')), removeFromCollection: v.optional(v.undefined('collections hold NewsCLIPpings pairs, not DGM4 samples')) }),
  }),
  'dgm4.grounding': v.object({
    split: required,
    methods: v.pipe(v.array(v.picklist(SALIENCY_METHODS, `must be among ${SALIENCY_METHODS.join(', ')}`)), v.minLength(1, 'choose a method')),
    limit: v.optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 100000'), v.maxValue(100_000, 'must be from 1 to 100000')), 100),
    topPercent: v.optional(v.pipe(finite, v.minValue(1, 'must be from 1 to 100'), v.maxValue(100, 'must be from 1 to 100')), 10),
    model: optional(text),
    requestId: optional(text),
  }),
  'dgm4.evaluate': v.object({ runs: v.pipe(v.array(required, 'must be a list of run names'), v.minLength(1, 'must name a run'), v.maxLength(8, 'must name at most 8 runs')) }),
  'dgm4.sample': v.object({ split: required, position: v.pipe(integer, v.minValue(0, 'must be 0 or more')) }),
  'models.get': none,
  'models.providers': v.object({ id: required, ep: v.optional(v.picklist(PROVIDER_CHOICES), 'auto') }),
  'embed.start': v.object({ model: optional(text), what: v.optional(v.picklist(EMBED_WHAT), 'all'), ep: optional(v.picklist(PROVIDER_CHOICES)) }),
  'embed.status': none,
  'embed.cancel': none,
  'curation.get': PAIR_KEY,
  'curation.apply': v.object({ target: CURATION_TARGET, change: CURATION_CHANGE }),
  'curation.undo': none,
  'curation.undoState': none,
  'collections.list': none,
  'collections.create': v.object({ name: required }),
  'collections.delete': v.object({ name: required }),
  'tags.list': none,
  'export.preview': SELECTION,
  'export.start': v.object({
    dir: required,
    selection: SELECTION,
    formats: v.pipe(v.optional(v.array(v.picklist(EXPORT_FORMATS)), [...EXPORT_FORMATS]), v.minLength(1, 'choose at least one format')),
    images: flag,
    articles: flag,
    overwrite: flag,
  }),
  'export.status': none,
  'export.cancel': none,
  'saliency.explain': v.object({ ...SALIENCY_REQUEST.entries, requestId: optional(text) }),
  'saliency.png': v.object({ ...SALIENCY_REQUEST.entries, opacity: OPACITY }),
  'jobs.list': none,
  'jobs.cancel': v.object({ id: required }),
  'images.check': v.object({ recheck: flag }),
  'predictions.list': none,
  'predictions.preview': PREDICTIONS_SOURCE,
  'predictions.import': v.object({ ...PREDICTIONS_SOURCE.entries, name: required, replace: flag }),
  'predictions.problems': v.object({ name: required, kind: optional(v.picklist(PROBLEM_KINDS)) }),
  'predictions.delete': v.object({ name: required }),
  'evaluation.get': v.object({
    run: required,
    subset: optional(required),
    resamples: v.optional(v.pipe(integer, v.minValue(0, 'must be from 0 to 10000'), v.maxValue(10_000, 'must be from 0 to 10000')), 1000),
    seed: v.optional(v.pipe(integer, v.minValue(0, 'must be 0 or more')), 0),
  }),
  'evaluation.compare': v.object({
    runs: v.pipe(v.array(required, 'must be a list of run names'), v.minLength(2, 'must name two or more runs'), v.maxLength(8, 'must name at most 8 runs')),
    subset: optional(required),
  }),
  'evaluation.tokens': v.object({
    dataset: v.optional(v.picklist(['newsclippings', 'dgm4'], 'must be newsclippings or dgm4'), 'newsclippings'),
    split: required,
    subset: optional(required),
    text: v.optional(v.picklist(TOKEN_REPORT_TEXTS, `must be one of ${TOKEN_REPORT_TEXTS.join(', ')}`), 'caption'),
    minCount: v.optional(v.pipe(integer, v.minValue(1, 'must be 1 or more')), 5),
    top: v.optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 1000'), v.maxValue(1000, 'must be from 1 to 1000')), 40),
    prior: optional(v.pipe(finite, v.gtValue(0, 'must be more than 0'))),
  }),
  'hashes.start': v.object({ retryFailed: flag }),
  'hashes.status': none,
  'cases.list': none,
  'cases.warm': none,
  'cases.create': v.object({ title: v.optional(v.pipe(text, v.maxLength(200, 'must be at most 200 characters')), ''), claim: v.optional(text, '') }),
  'cases.get': v.object({ caseId: integer }),
  'cases.update': v.object({
    caseId: integer,
    title: v.optional(v.pipe(required, v.maxLength(200, 'must be at most 200 characters'))),
    claim: v.optional(text),
    notes: v.optional(v.pipe(v.string('must be a string'), v.maxLength(100_000, 'must be at most 100000 characters'))),
    /** "<latitude>, <longitude>", or '' to clear it. */
    place: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.check((t) => t.trim() === '' || parsePlace(t) !== null, 'must be "<latitude>, <longitude>" in degrees, e.g. "39.47, -0.38"'),
        v.transform((t) => (t.trim() === '' ? null : parsePlace(t))),
      ),
    ),
    verdict: v.optional(v.nullable(v.picklist(CASE_VERDICTS, `must be one of ${CASE_VERDICTS.join(', ')}`))),
  }),
  'cases.delete': v.object({ caseId: integer }),
  'cases.addImage': v.object({
    caseId: integer,
    name: v.pipe(required, v.maxLength(255, 'must be at most 255 characters')),
    /** The image's bytes, base64. */
    data: v.pipe(v.string('must be a string'), v.maxLength(Math.ceil((MAX_UPLOAD_BYTES * 4) / 3) + 4, `must be an image of at most ${MAX_UPLOAD_BYTES / 2 ** 20} MB`)),
  }),
  'cases.addUrl': v.object({ caseId: integer, url: v.pipe(required, v.maxLength(4096, 'must be at most 4096 characters')) }),
  'cases.removeImage': v.object({ caseId: integer, sha256: required }),
  'cases.preview': v.object({ sha256: required, size: v.optional(v.pipe(integer, v.minValue(32, 'must be from 32 to 2048'), v.maxValue(2048, 'must be from 32 to 2048')), 640) }),
  'cases.vet': v.object({ caseId: integer, split: optional(required), subset: optional(required), redo: flag, requestId: optional(text) }),
  'cases.report': v.object({ caseId: integer }),
  'cases.pin': v.object({ caseId: integer, target: v.pipe(required, v.regex(/^(item|pair):\d+$/, 'must be item:<id> or pair:<id>')), label: v.optional(text, '') }),
  'cases.unpin': v.object({ caseId: integer, pinId: integer }),
  'cases.explain': v.object({ ...CASE_SALIENCY_REQUEST.entries, requestId: optional(text) }),
  'cases.saliencyPng': v.object({ ...CASE_SALIENCY_REQUEST.entries, opacity: OPACITY }),
  'heads.list': none,
  'heads.train': v.object({
    set: required,
    split: required,
    name: v.pipe(required, v.regex(/^[\w.-]{1,80}$/, 'must be letters, digits, ".", "-" or "_" (up to 80)')),
    kind: v.picklist(HEAD_KINDS),
    inputs: v.optional(v.picklist(HEAD_INPUTS), 'both'),
    seed: v.optional(v.pipe(integer, v.minValue(0, 'must be 0 or more')), 0),
    hidden: optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 4096'), v.maxValue(4096, 'must be from 1 to 4096'))),
    maxEpochs: optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 200'), v.maxValue(200, 'must be from 1 to 200'))),
    replace: flag,
  }),
  'heads.delete': v.object({ name: required }),
  'heads.score': v.object({ head: required, imageId: integer, captionId: integer }),
  'candidates.get': v.object({
    /** A caption of the corpus by item id, or a caption's text typed in. */
    captionId: v.optional(integer),
    text: v.optional(v.pipe(required, v.maxLength(2000, 'must be at most 2,000 characters'))),
    strategies: v.optional(v.pipe(v.array(v.picklist(STRATEGIES, `must be among ${STRATEGIES.join(', ')}`)), v.minLength(1, 'choose a strategy')), [...STRATEGIES]),
    k: v.optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 1000'), v.maxValue(1000, 'must be from 1 to 1000')), 50),
    model: v.optional(required),
  }),
  'custom.list': none,
  'custom.accept': v.object({
    name: v.pipe(required, v.regex(CUSTOM_SPLIT_NAME, 'must be 1 to 60 letters, digits, - or _')),
    subset: v.optional(v.pipe(required, v.regex(/^[\w-]{1,20}$/, 'must be a short name such as train, val or test')), 'test'),
    captionId: integer,
    imageId: integer,
    strategy: v.picklist(STRATEGIES, `must be one of ${STRATEGIES.join(', ')}`),
    score: v.pipe(v.number('must be a number'), v.finite('must be a finite number')),
    ctiP: v.nullable(v.pipe(v.number('must be a number'), v.finite('must be a finite number'))),
  }),
  'custom.generate': v.object({
    name: v.pipe(required, v.regex(CUSTOM_SPLIT_NAME, 'must be 1 to 60 letters, digits, - or _')),
    strategy: v.picklist(STRATEGIES, `must be one of ${STRATEGIES.join(', ')}`),
    from: v.optional(required),
    collection: v.optional(required),
    subset: v.optional(v.pipe(required, v.regex(/^[\w-]{1,20}$/, 'must be a short name such as train, val or test'))),
    model: v.optional(required),
    k: v.optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 1000'), v.maxValue(1000, 'must be from 1 to 1000')), 100),
    seed: v.optional(v.pipe(integer, v.minValue(0, 'must be 0 or more')), 0),
    balance: v.optional(v.boolean('must be true or false'), true),
  }),
  'custom.remove': v.object({ name: required, subset: required, captionId: integer }),
  'custom.delete': v.object({ name: required }),
  'neighbours.get': v.object({
    itemId: integer,
    within: v.optional(NEIGHBOUR_SCOPE, {}),
    from: v.optional(v.picklist(NEIGHBOUR_SIDES), 'image'),
    to: v.optional(v.picklist(NEIGHBOUR_SIDES), 'image'),
    model: required,
    k: v.optional(v.pipe(integer, v.minValue(1, 'must be from 1 to 200'), v.maxValue(200, 'must be from 1 to 200')), 12),
    /** Score every vector even where the set has an approximate index. */
    exact: v.optional(v.boolean('must be true or false'), false),
  }),
  'neighbours.index': v.object({ model: required, kind: v.picklist(['image', 'text'], 'must be image or text') }),
} as const satisfies Record<string, v.GenericSchema>;

/** A schema's output as parseInput returns it: optional keys absent rather than undefined. */
type Pruned<T> = T extends readonly (infer U)[] ? Pruned<U>[] : T extends object ? { [K in keyof T]: Pruned<Exclude<T[K], undefined>> } : T;
export type Parsed<S extends v.GenericSchema> = Pruned<v.InferOutput<S>>;

export type PairFilters = Parsed<v.ObjectSchema<typeof PAIR_FILTERS, undefined>>;
export type PairQuery = Parsed<typeof PAIR_QUERY>;
export type CurationChange = Parsed<typeof CURATION_CHANGE>;
export type CurationTarget = Parsed<typeof CURATION_TARGET>;
export type SelectionSpec = Parsed<typeof SELECTION>;
export type NeighbourScope = Parsed<typeof NEIGHBOUR_SCOPE>;
export type SaliencyRequest = v.InferInput<typeof SALIENCY_REQUEST>;

/** Drops keys whose value is undefined, all the way down (exactOptionalPropertyTypes: absent, not undefined). */
function pruned(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruned);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, x]) => x !== undefined).map(([k, x]) => [k, pruned(x)]));
}

/** What a schema's first problem says, naming the field: `"split" is required`, `"k" must be from 1 to 200`. */
function describe(issue: v.BaseIssue<unknown>): string {
  const where = issue.path?.map((p) => String(p.key)).join('.');
  const field = where ? `"${where}"` : 'the request';
  if (issue.kind === 'schema' && issue.received === 'undefined') return `${field} is required`;
  if (issue.type === 'object' && !where) return 'the request must be a JSON object';
  if (!issue.message.startsWith('Invalid ')) return issue.kind === 'validation' ? `${field} ${issue.message}` : `${field} ${issue.message}, got ${issue.received}`;
  return `${field} must be ${issue.expected ?? 'valid'}, got ${issue.received}`;
}

/** Parses an input against its schema (absent input counts as {}); a BAD_ARGUMENT error naming the field otherwise. */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown): Parsed<S> {
  const result = v.safeParse(schema, input ?? {});
  if (!result.success) throw new OocError('BAD_ARGUMENT', describe(result.issues[0]));
  return pruned(result.output) as Parsed<S>;
}
