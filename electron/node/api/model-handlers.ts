import type { ApiMethod } from '../../common/api.ts';
import type { ModelsOverview, NeighbourSide, ProviderReport } from '../../common/models.ts';
import { scoreRuns } from '../store/pair-scores.ts';
import { annStatus } from '../inference/ann.ts';
import { probeProviders } from '../inference/clip.ts';
import { listModels, resolveModel } from '../inference/registry.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { getItem, itemCount } from '../store/items.ts';
import { listSets } from '../store/vectors.ts';
import type { TaskRunner } from '../jobs/tasks.ts';
import type { Implementations } from './handlers.ts';

type ModelMethods = Extract<ApiMethod, `models.${string}` | 'neighbours.get'>;

const side = (v: NeighbourSide): 'image' | 'text' => (v === 'image' ? 'image' : 'text');

/** Installed models, their execution providers, and nearest neighbours under a set of embeddings. */
export function modelHandlers(db: Db, tasks: TaskRunner): Implementations<ModelMethods> {
  /** Provider reports by "<model id>:<choice>": opening a full-size model takes seconds. */
  const providerReports = new Map<string, Promise<{ id: string; providers: ProviderReport; error: string | null }>>();
  return {
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
        sets: listSets(db).map((set) => ({ name: set.name, kind: set.kind, dim: set.dim, rows: set.rows, origin: set.origin, ann: annStatus(set) })),
        items: hasIndex(db) ? itemCount(db) : 0,
        scores: scoreRuns(db),
      };
    },
    'models.providers': ({ id, ep }) => {
      const key = `${id}:${ep}`;
      let report = providerReports.get(key);
      if (report === undefined) {
        report = resolveModel(id).then(async (model) => ({ id, ...(await probeProviders(model, ep)) }));
        report.catch(() => providerReports.delete(key));
        providerReports.set(key, report);
      }
      return report;
    },
    'neighbours.get': async ({ itemId, from, to, model, k, within, exact }) => {
      const started = performance.now();
      // Matrices and indexes stay loaded between calls (a full-size set takes seconds to read), in the task pool.
      const { neighbours, method } = await tasks.run('neighbours', { model, itemId, from: side(from), to: side(to), k, within, exact });
      const items = neighbours.map((n) => {
        const item = getItem(db, n.itemId);
        return { itemId: n.itemId, score: n.score, caption: item?.caption ?? null, imagePath: item?.image_path ?? null, source: item?.source ?? null };
      });
      return { items, seconds: (performance.now() - started) / 1000, method };
    },
  };
}
