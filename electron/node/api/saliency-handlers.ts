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
import type { JobCenter } from '../jobs/job-center.ts';
import type { Implementations } from './handlers.ts';

type SaliencyMethods = Extract<ApiMethod, `saliency.${string}`>;

const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

/** Explaining pairs from the UI: maps computed (or read from the cache) and drawn as PNGs. */
export function saliencyHandlers(db: Db, jobs: JobCenter | undefined): Implementations<SaliencyMethods> {
  const models = new Map<string, Promise<ClipModel>>();
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
      const clip = await clipFor(r.model);
      const explain = (onProgress: (p: { done: number; total: number }) => void) =>
        explainPair(db, clip, { imageId: r.imageId, captionId: r.captionId, method: r.method, params: paramsOf(r) }, (done, total) => onProgress({ done, total }));
      // A map takes seconds to minutes: it is a job the UI follows (by the id it gave) and the Jobs panel lists.
      const result = jobs === undefined ? await explain(() => undefined) : await jobs.track('saliency', `Saliency (${r.method}) of caption ${r.captionId} on image ${r.imageId}`, explain, r.requestId);
      return { ...result, heatmap: result.map === null ? null : dataUrl(await heatmapPng(result.map, 224, r.colormap)) };
    },
    'saliency.png': async (r) => {
      if (r.method === 'words') throw new OocError('BAD_ARGUMENT', NO_WORD_MAP);
      const result = await explainPair(db, await clipFor(r.model), { imageId: r.imageId, captionId: r.captionId, method: r.method, params: paramsOf(r) });
      const item = getItem(db, r.imageId)!;
      const png = await overlayPng(resolveInRoot(getRoots(db).visualnews!, item.image_path!), result.map!, 448, r.colormap, r.opacity);
      return { png: dataUrl(png), filename: `saliency-${result.method}-caption${r.captionId}-image${r.imageId}.png` };
    },
  };
}
