import type { ApiArgs, ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import type { SaliencyParams } from '../../common/saliency.ts';
import { ClipModel } from '../inference/clip.ts';
import { resolveModel } from '../inference/registry.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { explainPair, NO_WORD_MAP } from '../saliency/explain.ts';
import { heatmapPng, overlayPng } from '../saliency/render.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';
import type { Implementations } from './handlers.ts';

type SaliencyMethods = Extract<ApiMethod, `saliency.${string}`>;

const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

/** Explaining pairs from the UI: maps computed (or read from the cache) and drawn as PNGs. */
export function saliencyHandlers(db: Db): Implementations<SaliencyMethods> {
  const models = new Map<string, Promise<ClipModel>>();
  /** Progress of the explanations under way, by the id the UI gave its request. */
  const running = new Map<string, { done: number; total: number }>();
  const clipFor = (spec: string | undefined): Promise<ClipModel> => {
    const key = spec ?? '';
    let clip = models.get(key);
    if (clip === undefined) {
      clip = resolveModel(spec).then((m) => new ClipModel(m, 'auto'));
      clip.catch(() => models.delete(key));
      models.set(key, clip);
    }
    return clip;
  };
  /** The map's parameters: only those given (the rest default in explainPair). */
  const paramsOf = (r: ApiArgs<'saliency.explain'>): Partial<SaliencyParams> =>
    Object.fromEntries((['grid', 'masks', 'seed', 'keep'] as const).flatMap((k) => (r[k] === undefined ? [] : [[k, r[k]]])));
  return {
    'saliency.explain': async (r) => {
      const id = r.requestId;
      if (id !== undefined) running.set(id, { done: 0, total: 0 });
      try {
        const result = await explainPair(db, await clipFor(r.model), { imageId: r.imageId, captionId: r.captionId, method: r.method, params: paramsOf(r) }, (done, total) => {
          if (id !== undefined) running.set(id, { done, total });
        });
        return { ...result, heatmap: result.map === null ? null : dataUrl(await heatmapPng(result.map, 224, r.colormap)) };
      } finally {
        if (id !== undefined) running.delete(id);
      }
    },
    'saliency.progress': ({ requestId }) => ({ progress: running.get(requestId) ?? null }),
    'saliency.png': async (r) => {
      if (r.method === 'words') throw new OocError('BAD_ARGUMENT', NO_WORD_MAP);
      const result = await explainPair(db, await clipFor(r.model), { imageId: r.imageId, captionId: r.captionId, method: r.method, params: paramsOf(r) });
      const item = getItem(db, r.imageId)!;
      const png = await overlayPng(resolveInRoot(getRoots(db).visualnews!, item.image_path!), result.map!, 448, r.colormap, r.opacity);
      return { png: dataUrl(png), filename: `saliency-${result.method}-caption${r.captionId}-image${r.imageId}.png` };
    },
  };
}
