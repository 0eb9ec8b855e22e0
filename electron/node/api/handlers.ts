import { readFile, stat } from 'node:fs/promises';
import { SPLITS } from '../../common/datasets.ts';
import type { ApiMethod, ApiOutput, AppInfo, ImageInfo, Overview, PairDetail } from '../../common/api.ts';
import { EMBED_WHAT, NEIGHBOUR_SIDES, PROVIDER_CHOICES, type ModelsOverview, type NeighbourSide, type ProviderReport } from '../../common/models.ts';
import { ClipModel } from '../inference/clip.ts';
import { NeighbourSearch } from '../inference/neighbours.ts';
import { listModels, resolveModel } from '../inference/registry.ts';
import { listSets } from '../store/vectors.ts';
import { VERDICTS } from '../../common/curation.ts';
import { OocError, toErrorInfo, type Result } from '../../common/errors.ts';
import { PAIR_LABELS, PAIR_SORTS, SCORE_MEASURES, type PairQuery } from '../../common/pairs.ts';
import { scoreRuns } from '../embeddings/pair-scores.ts';
import { inspectImage } from '../images/inspect.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { explainDatabaseError, readOnlyReason, type Db } from '../store/db.ts';
import { getImageCheck } from '../store/image-checks.ts';
import { hasIndex } from '../store/index-tables.ts';
import { getItem } from '../store/items.ts';
import { getMeta } from '../store/meta.ts';
import { getMetadata } from '../store/metadata.ts';
import { getPair, pairsPage } from '../store/pairs.ts';
import { getRoots } from '../store/roots.ts';
import { readStats } from '../store/stats.ts';
import { curationHandlers } from './curation-handlers.ts';
import { exportHandlers } from './export-handlers.ts';
import { saliencyHandlers } from './saliency-handlers.ts';
import type { JobRunner } from './job-runner.ts';
import { defined, fields, integer, number, oneOf, text } from './validate.ts';

export interface ApiContext {
  db: Db;
  databaseFile: string;
  demo: boolean;
  version: string;
  /** Indexing into this database from the UI; without one, the index.* calls are refused. */
  indexer?: JobRunner<'index'>;
  /** Embedding from the UI; without one, the embed.* calls are refused. */
  embedder?: JobRunner<'embed'>;
  /** Exporting from the UI; without one, export.start is refused. */
  exporter?: JobRunner<'export'>;
}

/** Every API method, taking unvalidated input (it arrives over IPC or HTTP). */
export type Handlers = { [M in ApiMethod]: (input: unknown) => Promise<ApiOutput<M>> | ApiOutput<M> };

const ARTICLE_MAX_BYTES = 1 << 20;

export function createHandlers(ctx: ApiContext): Handlers {
  const { db } = ctx;

  function root(): string {
    const r = getRoots(db).visualnews;
    if (r === undefined) throw new OocError('INDEX_MISSING', 'no dataset has been indexed yet');
    return r;
  }

  function imageInfo(id: number | null): ImageInfo | null {
    if (id === null) return null;
    const item = getItem(db, id);
    const check = getImageCheck(db, id);
    const current = check !== undefined && check.imagePath === (item?.image_path ?? '');
    return {
      id,
      path: item?.image_path ?? null,
      status: current ? check.status : null,
      detail: current ? check.detail : null,
      width: current ? check.width : null,
      height: current ? check.height : null,
    };
  }

  function indexer(): JobRunner<'index'> {
    if (ctx.indexer === undefined) throw new OocError('BAD_ARGUMENT', 'indexing from the UI is not available here; use `ooc index`');
    return ctx.indexer;
  }

  function embedder(): JobRunner<'embed'> {
    if (ctx.embedder === undefined) throw new OocError('BAD_ARGUMENT', 'embedding from the UI is not available here; use `ooc embed`');
    return ctx.embedder;
  }

  /** Neighbour matrices stay loaded between calls (a full-size set takes seconds to read). */
  let neighbours: NeighbourSearch | undefined;
  /** Provider reports by "<model id>:<choice>": opening a full-size model takes seconds. */
  const providerReports = new Map<string, Promise<{ id: string; providers: ProviderReport; error: string | null }>>();
  const side = (v: NeighbourSide): 'image' | 'text' => (v === 'image' ? 'image' : 'text');

  const handlers: Handlers = {
    ...curationHandlers(db),
    ...exportHandlers(db, ctx.exporter, ctx.version),
    ...saliencyHandlers(db),
    'app.info': (): AppInfo => ({
      version: ctx.version,
      database: ctx.databaseFile,
      hasIndex: hasIndex(db),
      demo: ctx.demo,
      indexedAt: getMeta(db, 'indexed_at') ?? null,
      roots: getRoots(db),
      readOnly: readOnlyReason(db),
    }),

    'overview.get': async (): Promise<Overview> => {
      const rows = db.prepare('SELECT split, subset, pairs, source_datasets FROM annotation_files ORDER BY split, subset').all() as {
        split: string;
        subset: string;
        pairs: number;
        source_datasets: string | null;
      }[];
      const files = rows.map((r) => ({ split: r.split, subset: r.subset, pairs: r.pairs, sourceDatasets: r.source_datasets === null ? [] : (JSON.parse(r.source_datasets) as string[]) }));
      const randomModels = (await listModels()).models.filter((m) => !m.manifest.weights.meaningfulScores).map((m) => m.manifest.id);
      return { stats: readStats(db), splits: SPLITS.map((x) => ({ ...x })), files, scores: scoreRuns(db), randomModels };
    },

    'pairs.page': (input) => pairsPage(db, pairQuery(input)),

    'pairs.detail': (input): PairDetail => {
      const pairId = integer(fields(input), 'pairId');
      const pair = getPair(db, pairId);
      if (pair === undefined) throw new OocError('NOT_FOUND', `no pair ${pairId}`);
      const falsified = pair.falsified === null ? undefined : getItem(db, pair.falsified.imageId);
      return {
        pair,
        pristineImage: imageInfo(pair.pristine?.imageId ?? null),
        falsifiedImage: imageInfo(pair.falsified?.imageId ?? null),
        falsifiedItem: falsified ? { id: falsified.id, caption: falsified.caption, source: falsified.source, topic: falsified.topic } : null,
        metadata: getMetadata(db, pair.captionId),
        articlePath: getItem(db, pair.captionId)?.article_path ?? null,
      };
    },

    'items.article': async (input) => {
      const id = integer(fields(input), 'id');
      const item = getItem(db, id);
      if (item === undefined) throw new OocError('NOT_FOUND', `no item ${id}`);
      if (item.article_path === null) return { id, text: null, problem: 'data.json gives no article_path for this item' };
      const file = resolveInRoot(root(), item.article_path);
      try {
        const info = await stat(file);
        const buf = await readFile(file);
        const text = buf.subarray(0, ARTICLE_MAX_BYTES).toString('utf8');
        return { id, text: info.size > ARTICLE_MAX_BYTES ? `${text}…` : text, problem: null };
      } catch {
        return { id, text: null, problem: `the article file is missing: ${item.article_path}` };
      }
    },

    'index.start': (input) => {
      const f = fields(input);
      return indexer().start({ visualnews: text(f, 'visualnews'), ...defined({ clippings: text(f, 'clippings', true) }) });
    },

    'index.status': () => indexer().current(),

    'index.cancel': () => indexer().cancel(),

    'models.get': async (): Promise<ModelsOverview> => {
      const { models, broken } = await listModels();
      const fallback = models.length === 0 ? undefined : (await resolveModel(undefined)).manifest.id;
      return {
        models: models.map((m) => ({
          id: m.manifest.id,
          name: m.manifest.name,
          dir: m.dir,
          dim: m.manifest.embeddingSize,
          meaningfulScores: m.manifest.weights.meaningfulScores,
          licence: m.manifest.licence,
          isDefault: m.manifest.id === fallback,
        })),
        broken,
        sets: listSets(db).map(({ name, kind, dim, rows, origin }) => ({ name, kind, dim, rows, origin })),
        items: hasIndex(db) ? (db.prepare('SELECT count(*) FROM items').pluck().get() as number) : 0,
        scores: scoreRuns(db),
      };
    },

    'models.providers': (input) => {
      const f = fields(input);
      const id = text(f, 'id');
      const ep = oneOf(f, 'ep', PROVIDER_CHOICES) ?? 'auto';
      const key = `${id}:${ep}`;
      let report = providerReports.get(key);
      if (report === undefined) {
        report = (async () => {
          const clip = new ClipModel(await resolveModel(id), ep);
          try {
            await clip.session('image');
            await clip.session('text');
            return { id, providers: clip.providers(), error: null };
          } catch (err) {
            return { id, providers: clip.providers(), error: err instanceof Error ? err.message : String(err) };
          } finally {
            await clip.release();
          }
        })();
        providerReports.set(key, report);
      }
      return report;
    },

    'embed.start': (input) => {
      const f = fields(input);
      const what = oneOf(f, 'what', EMBED_WHAT) ?? 'all';
      return embedder().start({ what, ...defined({ model: text(f, 'model', true), ep: oneOf(f, 'ep', PROVIDER_CHOICES) }) });
    },

    'embed.status': () => embedder().current(),

    'embed.cancel': () => embedder().cancel(),

    'neighbours.get': async (input) => {
      const f = fields(input);
      const itemId = integer(f, 'itemId');
      const from = oneOf(f, 'from', NEIGHBOUR_SIDES) ?? 'image';
      const to = oneOf(f, 'to', NEIGHBOUR_SIDES) ?? 'image';
      const k = integer(f, 'k', true) ?? 12;
      if (k < 1 || k > 200) throw new OocError('BAD_ARGUMENT', '"k" must be from 1 to 200');
      const started = performance.now();
      neighbours ??= new NeighbourSearch(db);
      const found = await neighbours.ofItem(text(f, 'model'), itemId, side(from), side(to), k);
      const items = found.map((n) => {
        const item = getItem(db, n.itemId);
        return { itemId: n.itemId, score: n.score, caption: item?.caption ?? null, imagePath: item?.image_path ?? null, source: item?.source ?? null };
      });
      return { items, seconds: (performance.now() - started) / 1000 };
    },

    'images.problems': async (input) => {
      const ids = fields(input).ids;
      if (!Array.isArray(ids) || ids.length > 200 || !ids.every((id) => typeof id === 'number' && Number.isSafeInteger(id))) {
        throw new OocError('BAD_ARGUMENT', '"ids" must be a list of at most 200 item ids');
      }
      const entries = await Promise.all(
        (ids as number[]).map(async (id): Promise<[number, string | null]> => {
          const item = getItem(db, id);
          if (item === undefined) return [id, `no item ${id} in the index`];
          if (item.image_path === null) return [id, 'data.json gives no usable image_path for this item'];
          const result = await inspectImage(resolveInRoot(root(), item.image_path));
          return [id, result.status === 'ok' ? null : `${result.status}: ${result.detail ?? ''} (${item.image_path})`];
        }),
      );
      return { problems: Object.fromEntries(entries) };
    },
  };
  return explainingDatabaseErrors(handlers, ctx.databaseFile);
}

/** The same handlers, with SQLite's errors rewritten to name the database file and say what to do. */
function explainingDatabaseErrors(handlers: Handlers, file: string): Handlers {
  const wrapped: Record<string, (input: unknown) => unknown> = {};
  for (const [method, handler] of Object.entries(handlers) as [string, (input: unknown) => unknown][]) {
    // Sync handlers stay sync: callers (and the tests) see a throw where they saw one before.
    wrapped[method] = (input) => {
      const explain = (err: unknown): never => {
        throw explainDatabaseError(err, file);
      };
      try {
        const result = handler(input);
        return result instanceof Promise ? result.catch(explain) : result;
      } catch (err) {
        return explain(err);
      }
    };
  }
  return wrapped as unknown as Handlers;
}

/** A PairQuery from unvalidated input. */
export function pairQuery(input: unknown): PairQuery {
  const f = fields(input);
  return {
    split: text(f, 'split'),
    subset: text(f, 'subset'),
    ...defined({
      q: text(f, 'q', true),
      source: text(f, 'source', true),
      topic: text(f, 'topic', true),
      sourceDataset: integer(f, 'sourceDataset', true),
      label: oneOf(f, 'label', PAIR_LABELS),
      scoreModel: text(f, 'scoreModel', true),
      scoreMeasure: oneOf(f, 'scoreMeasure', SCORE_MEASURES),
      verdict: oneOf(f, 'verdict', [...VERDICTS, 'none'] as const),
      tag: text(f, 'tag', true),
      collection: text(f, 'collection', true),
      note: f.note === undefined || f.note === null ? undefined : typeof f.note === 'string' ? f.note : text(f, 'note'),
      minScore: number(f, 'minScore'),
      maxScore: number(f, 'maxScore'),
      sort: oneOf(f, 'sort', PAIR_SORTS),
      cursor: text(f, 'cursor', true),
      limit: integer(f, 'limit', true),
    }),
  };
}

/** Runs one call, turning every failure into an error result the UI can show. */
export async function dispatch(handlers: Handlers, method: string, input: unknown): Promise<Result<unknown>> {
  if (!Object.hasOwn(handlers, method)) return { ok: false, error: { code: 'BAD_ARGUMENT', message: `unknown API method ${JSON.stringify(method)}` } };
  try {
    return { ok: true, value: await handlers[method as ApiMethod](input) };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}
