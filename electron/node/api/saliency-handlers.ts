import type { ApiMethod } from '../../common/api.ts';
import { OocError } from '../../common/errors.ts';
import { COLORMAPS, SALIENCY_METHODS, type SaliencyParams } from '../../common/saliency.ts';
import { ClipModel } from '../inference/clip.ts';
import { resolveModel } from '../inference/registry.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { explainPair, NO_WORD_MAP } from '../saliency/explain.ts';
import { heatmapPng, overlayPng } from '../saliency/render.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';
import type { Handlers } from './handlers.ts';
import { fields, integer, number, oneOf, text, type Fields } from './validate.ts';

type SaliencyMethods = Extract<ApiMethod, `saliency.${string}`>;

const dataUrl = (png: Buffer): string => `data:image/png;base64,${png.toString('base64')}`;

/** Explaining pairs from the UI: maps computed (or read from the cache) and drawn as PNGs. */
export function saliencyHandlers(db: Db): Pick<Handlers, SaliencyMethods> {
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
  const request = async (f: Fields) => {
    const params: Partial<SaliencyParams> = {};
    for (const k of ['grid', 'masks', 'seed'] as const) {
      const v = integer(f, k, true);
      if (v !== undefined) params[k] = v;
    }
    const keep = number(f, 'keep');
    if (keep !== undefined) params.keep = keep;
    return {
      clip: await clipFor(text(f, 'model', true)),
      imageId: integer(f, 'imageId'),
      captionId: integer(f, 'captionId'),
      method: oneOf(f, 'method', SALIENCY_METHODS) ?? 'occlusion',
      colormap: oneOf(f, 'colormap', COLORMAPS) ?? 'jet',
      params,
    };
  };
  return {
    'saliency.explain': async (input) => {
      const f = fields(input);
      const r = await request(f);
      const id = text(f, 'requestId', true);
      if (id !== undefined) running.set(id, { done: 0, total: 0 });
      try {
        const result = await explainPair(db, r.clip, { imageId: r.imageId, captionId: r.captionId, method: r.method, params: r.params }, (done, total) => {
          if (id !== undefined) running.set(id, { done, total });
        });
        return { ...result, heatmap: result.map === null ? null : dataUrl(await heatmapPng(result.map, 224, r.colormap)) };
      } finally {
        if (id !== undefined) running.delete(id);
      }
    },
    'saliency.progress': (input) => ({ progress: running.get(text(fields(input), 'requestId')) ?? null }),
    'saliency.png': async (input) => {
      const f = fields(input);
      const r = await request(f);
      if (r.method === 'words') throw new OocError('BAD_ARGUMENT', NO_WORD_MAP);
      const opacity = number(f, 'opacity') ?? 0.5;
      if (!(opacity >= 0 && opacity <= 1)) throw new OocError('BAD_ARGUMENT', '"opacity" must be between 0 and 1');
      const result = await explainPair(db, r.clip, { imageId: r.imageId, captionId: r.captionId, method: r.method, params: r.params });
      const item = getItem(db, r.imageId)!;
      const png = await overlayPng(resolveInRoot(getRoots(db).visualnews!, item.image_path!), result.map!, 448, r.colormap, opacity);
      return { png: dataUrl(png), filename: `saliency-${result.method}-caption${r.captionId}-image${r.imageId}.png` };
    },
  };
}
