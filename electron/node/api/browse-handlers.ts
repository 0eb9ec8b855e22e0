import type { ApiMethod, AppInfo, ImageInfo, ItemPage, Overview, PairDetail } from '../../common/api.ts';
import { SPLITS } from '../../common/datasets.ts';
import { OocError } from '../../common/errors.ts';
import { scoreRuns } from '../store/pair-scores.ts';
import { listModels } from '../inference/registry.ts';
import { imageProblem, readArticle } from '../items.ts';
import { readOnlyReason, type Db } from '../store/db.ts';
import { getImageCheck, imageProblems } from '../store/image-checks.ts';
import { readIndexLog } from '../store/index-log.ts';
import { hasIndex } from '../store/index-tables.ts';
import { getItem } from '../store/items.ts';
import { getMeta } from '../store/meta.ts';
import { getMetadata } from '../store/metadata.ts';
import { getPair, pairsPage, pairsUsingItem, splitFiles } from '../store/pairs.ts';
import { predictionsForCaption, readRun, runsOfSplit } from '../store/predictions.ts';
import { runThreshold } from '../evaluation/evaluate.ts';
import type { PairQuery } from '../../common/pairs.ts';
import { searchCaptions } from '../store/search.ts';
import { getRoots } from '../store/roots.ts';
import { readStats } from '../store/stats.ts';
import type { TaskRunner } from '../jobs/tasks.ts';
import type { ApiContext, Implementations } from './handlers.ts';

import { dgm4Counts } from '../store/dgm4.ts';
import { listCustomSplits } from '../store/custom-splits.ts';

type BrowseMethods = 'app.info' | 'overview.get' | 'overview.log' | 'images.problems' | Extract<ApiMethod, `pairs.${string}` | `items.${string}`>;

function imageInfo(db: Db, id: number | null): ImageInfo | null {
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

/**
 * The query, once the runs its outcome filters name have their thresholds (a run imported before
 * they were kept gets its own now), so that their SQL labels rows as the run's evaluation does.
 */
function withThresholds<Q extends Pick<PairQuery, 'split' | 'wrong' | 'right'>>(db: Db, query: Q): Q {
  const names = query.wrong === '*' ? runsOfSplit(db, query.split) : [query.wrong, query.right].filter((n): n is string => n !== undefined);
  for (const name of names) {
    const run = readRun(db, name);
    if (run !== null && run.threshold === undefined) runThreshold(db, run);
  }
  return query;
}

/** What the app runs on, the overview, and the pairs with their items. */
export function browseHandlers(ctx: ApiContext, tasks: TaskRunner): Implementations<BrowseMethods> {
  const { db } = ctx;
  return {
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
      const randomModels = (await listModels()).models.filter((m) => !m.manifest.weights.meaningfulScores).map((m) => m.manifest.id);
      // The paper's splits, then the analyst's own.
      const custom = listCustomSplits(db).map((c) => ({ folder: c.folder, name: `Custom / ${c.name}`, retrieval: `candidates accepted by the analyst (${c.strategies.join(', ')})` }));
      return { stats: readStats(db), splits: [...SPLITS.map((x) => ({ ...x })), ...custom], files: splitFiles(db), scores: scoreRuns(db), randomModels, dgm4: dgm4Counts(db) };
    },
    'overview.log': () => ({ entries: hasIndex(db) ? readIndexLog(db) : [], images: imageProblems(db) }),
    'pairs.page': (input) => pairsPage(db, withThresholds(db, input)),
    // Off the main loop: the first call for a split file loads its columns.
    'pairs.facets': (input) => tasks.run('facets', withThresholds(db, input)),
    'pairs.detail': ({ pairId }): PairDetail => {
      const pair = getPair(db, pairId);
      if (pair === undefined) throw new OocError('NOT_FOUND', `no pair ${pairId}`);
      const falsified = pair.falsified === null ? undefined : getItem(db, pair.falsified.imageId);
      return {
        pair,
        pristineImage: imageInfo(db, pair.pristine?.imageId ?? null),
        falsifiedImage: imageInfo(db, pair.falsified?.imageId ?? null),
        falsifiedItem: falsified ? { id: falsified.id, caption: falsified.caption, source: falsified.source, topic: falsified.topic } : null,
        metadata: getMetadata(db, pair.captionId),
        articlePath: getItem(db, pair.captionId)?.article_path ?? null,
        predictions: predictionsForCaption(db, pair.split, pair.subset, pair.captionId),
      };
    },
    'items.article': ({ id }) => readArticle(db, id),
    'items.get': ({ id }): ItemPage => {
      const item = getItem(db, id);
      if (item === undefined) throw new OocError('NOT_FOUND', `no item ${id} in the index`);
      return {
        item: { id, caption: item.caption, source: item.source, topic: item.topic },
        image: item.image_path ? imageInfo(db, id) : null,
        uses: pairsUsingItem(db, id),
      };
    },
    'items.search': ({ q, limit }) => ({ items: searchCaptions(db, q, limit) }),
    'images.problems': async ({ ids }) => ({ problems: Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await imageProblem(db, id)] as const))) }),
  };
}
