import { stat } from 'node:fs/promises';
import { OocError } from '../../common/errors.ts';
import { DEFAULT_SALIENCY_PARAMS, type SaliencyGrid, type SaliencyMethod, type SaliencyParams, type SaliencyResult, type TokenScore, type Explanation } from '../../common/saliency.ts';
import type { ClipModel } from '../inference/clip.ts';
import { preprocessImage } from '../inference/preprocess.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';
import { cachedSaliency, saveSaliency } from '../store/saliency.ts';
import { limeImage, limeWords } from './lime.ts';
import { DELETION_STEPS, deletionCurve, occlusion, rise, wordDeletion, type ImageScorer } from './perturb.ts';

export const NO_WORD_MAP = "word deletion scores the caption's words only and draws no image map: choose occlusion, rise or chefer for one";

export interface ExplainRequest {
  imageId: number;
  captionId: number;
  method: SaliencyMethod;
  params?: Partial<SaliencyParams>;
  /** Also measure the deletion curve (more forward passes). Default true. */
  faithfulness?: boolean;
}

export function checkParams(p: SaliencyParams): void {
  if (!Number.isInteger(p.grid) || p.grid < 2 || p.grid > 32) throw new OocError('BAD_ARGUMENT', `the grid must be 2 to 32 cells per side, got ${p.grid}`);
  if (!Number.isInteger(p.masks) || p.masks < 1 || p.masks > 20_000) throw new OocError('BAD_ARGUMENT', `RISE takes 1 to 20000 masks, got ${p.masks}`);
  if (!(p.keep > 0 && p.keep < 1)) throw new OocError('BAD_ARGUMENT', `RISE's keep probability must lie between 0 and 1, got ${p.keep}`);
  if (!Number.isSafeInteger(p.seed)) throw new OocError('BAD_ARGUMENT', `the seed must be an integer, got ${p.seed}`);
}

/** The parameters that change a method's result (the cache key holds only these; word deletion's key differs from those of earlier versions, which also drew occlusion's map). */
function relevantParams(method: SaliencyMethod, p: SaliencyParams): Partial<SaliencyParams> {
  if (method === 'words') return {};
  if (method === 'lime') return { masks: p.masks, seed: p.seed, grid: p.grid };
  return method === 'rise' ? p : { grid: p.grid, seed: p.seed };
}

/** The image file of an item, checked: a clear error when it has none, it is missing, or it cannot be decoded. */
async function imageFile(db: Db, imageId: number): Promise<string> {
  const item = getItem(db, imageId);
  if (item === undefined) throw new OocError('NOT_FOUND', `no item ${imageId} in the index`);
  const root = getRoots(db).visualnews;
  if (item.image_path === null || root === undefined) throw new OocError('IMAGE_MISSING', `item ${imageId} has no image path in data.json`);
  const file = resolveInRoot(root, item.image_path);
  if (!(await stat(file).catch(() => null))?.isFile()) throw new OocError('IMAGE_MISSING', `the image of item ${imageId} is missing: ${item.image_path}`);
  return file;
}

/**
 * Explains how an image and a caption match under a model, cached in the database per model,
 * image, caption, method and parameters (explainImage).
 */
export async function explainPair(db: Db, clip: ClipModel, request: ExplainRequest, onProgress?: (done: number, total: number) => void): Promise<SaliencyResult> {
  const params = { ...DEFAULT_SALIENCY_PARAMS, ...request.params };
  checkParams(params);
  const key = { model: clip.manifest.id, imageId: request.imageId, captionId: request.captionId, method: request.method, params: saliencyCacheKey(request.method, params, request.faithfulness) };
  const cached = cachedSaliency(db, key);
  if (cached !== undefined) return { ...cached, cached: true };
  const captionItem = getItem(db, request.captionId);
  if (captionItem === undefined) throw new OocError('NOT_FOUND', `no item ${request.captionId} in the index`);
  const file = await imageFile(db, request.imageId);
  const result = { ...(await explainImage(clip, { file, label: `the image of item ${request.imageId}` }, captionItem.caption, { ...request, params }, onProgress)), imageId: request.imageId, captionId: request.captionId };
  saveSaliency(db, key, result);
  return result;
}

/** What a cached explanation is keyed by besides its model, image, caption and method. */
export function saliencyCacheKey(method: SaliencyMethod, params: SaliencyParams, faithfulness: boolean | undefined): string {
  return JSON.stringify(relevantParams(method, params)) + (faithfulness === false ? ':fast' : '');
}

/**
 * Explains how an image file and a caption match under a model: an image map from the method,
 * word scores by deletion, and the deletion curve (unless faithfulness is false).
 */
export async function explainImage(
  clip: ClipModel,
  image: { file: string; label: string },
  caption: string,
  request: { method: SaliencyMethod; params?: Partial<SaliencyParams>; faithfulness?: boolean },
  onProgress?: (done: number, total: number) => void,
): Promise<Explanation> {
  const started = performance.now();
  const params = { ...DEFAULT_SALIENCY_PARAMS, ...request.params };
  checkParams(params);
  const spec = clip.manifest.preprocess;
  let pixels: Float32Array;
  try {
    pixels = await preprocessImage(image.file, spec);
  } catch (err) {
    throw new OocError('IMAGE_CORRUPT', `${image.label} cannot be decoded (${(err as Error).message})`);
  }
  const [textEmbedding, imageEmbedding] = [await clip.encodeTexts([caption]), await clip.encodeImages(pixels, 1)];
  const dot = (a: Float32Array, b: Float32Array, offset = 0): number => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[offset + i]!;
    return s;
  };
  const base = dot(textEmbedding, imageEmbedding);
  const scoreImages: ImageScorer = async (batch, count) => {
    const embeddings = await clip.encodeImages(batch, count);
    return Float32Array.from({ length: count }, (_, i) => dot(textEmbedding, embeddings, i * clip.dim));
  };
  const scoreTexts = async (texts: string[]): Promise<Float32Array> => {
    const embeddings = await clip.encodeTexts(texts);
    return Float32Array.from({ length: texts.length }, (_, i) => dot(imageEmbedding, embeddings, i * clip.dim));
  };

  // Forward passes to make, for progress: the map's, one per caption word, the deletion curves'.
  const words = caption.split(/\s+/).filter(Boolean).length;
  const mapPasses = { chefer: 1, rise: params.masks, lime: params.masks, occlusion: params.grid * params.grid, words: 0 }[request.method];
  const measureDeletion = request.faithfulness !== false && request.method !== 'words';
  const wordPasses = request.method === 'chefer' ? 0 : request.method === 'lime' ? params.masks : words;
  const total = mapPasses + wordPasses + (measureDeletion ? 2 * DELETION_STEPS : 0);
  let done = 0;
  const progress = (n: number): void => {
    done += n;
    onProgress?.(done, total);
  };
  let map: SaliencyGrid | null = null;
  let tokens: TokenScore[];
  if (request.method === 'chefer') {
    const relevance = await clip.relevance(pixels, caption);
    const grid = clip.manifest.relevance!.patchGrid;
    map = { width: grid, height: grid, values: Array.from(relevance.patches) };
    tokens = relevance.tokens;
    progress(1);
  } else {
    if (request.method === 'rise') map = await rise(pixels, spec.size, scoreImages, params, progress);
    if (request.method === 'occlusion') map = await occlusion(pixels, spec.size, base, scoreImages, params.grid, progress);
    if (request.method === 'lime') map = await limeImage(pixels, spec.size, scoreImages, params.masks, params.seed, 50, progress);
    tokens = request.method === 'lime' ? await limeWords(caption, scoreTexts, params.masks, params.seed) : await wordDeletion(caption, base, scoreTexts);
    progress(wordPasses);
  }
  const deletion = measureDeletion && map !== null ? await deletionCurve(pixels, spec.size, base, scoreImages, map, params.grid, params.seed, progress) : null;
  return {
    method: request.method,
    model: clip.manifest.id,
    params,
    score: base,
    map,
    tokens,
    deletion,
    meaningful: clip.manifest.weights.meaningfulScores,
    seconds: (performance.now() - started) / 1000,
    cached: false,
  };
}
