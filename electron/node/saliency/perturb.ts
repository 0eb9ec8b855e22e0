import type { DeletionCurve, SaliencyGrid, SaliencyParams, TokenScore } from '../../common/saliency.ts';
import { mulberry32, shuffle } from '../random.ts';

/**
 * Perturbation saliency: methods that only need forward passes, so they explain any image–text
 * model. The image is the model's preprocessed input (CHW, normalised), so "removing" a region
 * sets it to 0, the dataset's mean colour.
 */

/** Scores images (laid out CHW one after another) against the caption: cosine similarity each. */
export type ImageScorer = (pixels: Float32Array, count: number) => Promise<Float32Array>;
/** Scores captions against the image. */
export type TextScorer = (texts: string[]) => Promise<Float32Array>;

const BATCH = 16;
/** Points of the deletion curve after the start; it costs twice this many forward passes. */
export const DELETION_STEPS = 10;

/** Told how many forward passes have been made since the last call. */
export type Progress = (passes: number) => void;

/** Scores `count` variants of an image, made by `fill(variant index, target)`, in batches. */
async function scoreVariants(score: ImageScorer, plane: number, count: number, fill: (index: number, target: Float32Array) => void, progress?: Progress): Promise<Float32Array> {
  const out = new Float32Array(count);
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const batch = new Float32Array(n * plane);
    for (let i = 0; i < n; i++) fill(start + i, batch.subarray(i * plane, (i + 1) * plane));
    out.set(await score(batch, n), start);
    progress?.(n);
  }
  return out;
}

/** The pixel bounds of cell `index` of a grid × grid partition of a size × size image. */
function cellBounds(index: number, grid: number, size: number): [x0: number, y0: number, x1: number, y1: number] {
  const [row, col] = [Math.floor(index / grid), index % grid];
  return [Math.floor((col * size) / grid), Math.floor((row * size) / grid), Math.floor(((col + 1) * size) / grid), Math.floor(((row + 1) * size) / grid)];
}

/** Copies `image` into `target` with the given cells set to 0 (the mean colour). */
function withCellsRemoved(image: Float32Array, target: Float32Array, cells: Iterable<number>, grid: number, size: number): void {
  target.set(image);
  const plane = size * size;
  for (const cell of cells) {
    const [x0, y0, x1, y1] = cellBounds(cell, grid, size);
    for (let c = 0; c < 3; c++) for (let y = y0; y < y1; y++) target.fill(0, c * plane + y * size + x0, c * plane + y * size + x1);
  }
}

/** Occlusion: the score's drop when each cell of a grid × grid partition is removed. */
export async function occlusion(image: Float32Array, size: number, base: number, score: ImageScorer, grid: number, progress?: Progress): Promise<SaliencyGrid> {
  const scores = await scoreVariants(score, image.length, grid * grid, (cell, target) => withCellsRemoved(image, target, [cell], grid, size), progress);
  return { width: grid, height: grid, values: Array.from(scores, (s) => base - s) };
}

/**
 * RISE (Petsiuk et al. 2018): masks of grid × grid random cells (each kept with probability
 * `keep`), upsampled bilinearly with a random sub-cell shift; the map is the mean of the masks
 * weighted by the score each leaves, divided by `keep`. Returned at a quarter of the input's side.
 */
export async function rise(image: Float32Array, size: number, score: ImageScorer, params: SaliencyParams, progress?: Progress): Promise<SaliencyGrid> {
  const { grid, masks, keep, seed } = params;
  const random = mulberry32(seed);
  const cell = Math.ceil(size / grid);
  const side = grid + 1;
  const mapSide = Math.max(1, Math.round(size / 4));
  const map = new Float64Array(mapSide * mapSide);
  const plane = size * size;
  /** One mask at full resolution, from its cells and shift. */
  const makeMask = (): Float32Array => {
    const cells = Float32Array.from({ length: side * side }, () => (random() < keep ? 1 : 0));
    const [dx, dy] = [random() * cell, random() * cell];
    const mask = new Float32Array(plane);
    for (let y = 0; y < size; y++) {
      const gy = Math.min((y + dy) / cell, grid - 1e-6);
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      for (let x = 0; x < size; x++) {
        const gx = Math.min((x + dx) / cell, grid - 1e-6);
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const top = cells[y0 * side + x0]! * (1 - fx) + cells[y0 * side + x0 + 1]! * fx;
        const bottom = cells[(y0 + 1) * side + x0]! * (1 - fx) + cells[(y0 + 1) * side + x0 + 1]! * fx;
        mask[y * size + x] = top * (1 - fy) + bottom * fy;
      }
    }
    return mask;
  };
  for (let start = 0; start < masks; start += BATCH) {
    const n = Math.min(BATCH, masks - start);
    const batch = new Float32Array(n * image.length);
    const made: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const mask = makeMask();
      made.push(mask);
      for (let c = 0; c < 3; c++) for (let p = 0; p < plane; p++) batch[i * image.length + c * plane + p] = image[c * plane + p]! * mask[p]!;
    }
    const scores = await score(batch, n);
    progress?.(n);
    made.forEach((mask, i) => {
      for (let my = 0; my < mapSide; my++) {
        const y = Math.min(size - 1, Math.floor(((my + 0.5) * size) / mapSide));
        for (let mx = 0; mx < mapSide; mx++) map[my * mapSide + mx]! += scores[i]! * mask[y * size + Math.min(size - 1, Math.floor(((mx + 0.5) * size) / mapSide))]!;
      }
    });
  }
  return { width: mapSide, height: mapSide, values: Array.from(map, (v) => v / (masks * keep)) };
}

/** The map averaged down to grid × grid cells (for ranking cells in the deletion curve). */
export function pool(map: SaliencyGrid, grid: number): number[] {
  const out = new Array<number>(grid * grid).fill(0);
  const counts = new Array<number>(grid * grid).fill(0);
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) {
      const cell = Math.min(grid - 1, Math.floor((y * grid) / map.height)) * grid + Math.min(grid - 1, Math.floor((x * grid) / map.width));
      out[cell]! += map.values[y * map.width + x]!;
      counts[cell]!++;
    }
  }
  return out.map((v, i) => (counts[i]! > 0 ? v / counts[i]! : 0));
}

/**
 * The deletion curve: cells removed in order of relevance (most first), in DELETION_STEPS
 * steps, re-scoring after each; the same with a seeded random order for comparison.
 */
export async function deletionCurve(
  image: Float32Array,
  size: number,
  base: number,
  score: ImageScorer,
  map: SaliencyGrid,
  grid: number,
  seed: number,
  progress?: Progress,
): Promise<DeletionCurve> {
  const relevance = pool(map, grid);
  const ranked = relevance.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, i]) => i);
  const shuffled = shuffle(relevance.map((_, i) => i), mulberry32(seed ^ 0x5eed));
  const fractions = Array.from({ length: DELETION_STEPS }, (_, k) => (k + 1) / DELETION_STEPS);
  const counts = fractions.map((f) => Math.round(f * grid * grid));
  const orders = [ranked, shuffled];
  const scores = await scoreVariants(score, image.length, counts.length * 2, (index, target) => {
    const order = orders[Math.floor(index / counts.length)]!;
    withCellsRemoved(image, target, order.slice(0, counts[index % counts.length]!), grid, size);
  }, progress);
  const curve = [base, ...scores.subarray(0, counts.length)];
  const randomCurve = [base, ...scores.subarray(counts.length)];
  const auc = (ys: number[]) => ys.reduce((s, y, i) => (i === 0 ? s : s + (y + ys[i - 1]!) / 2), 0) / (ys.length - 1);
  return { fractions: [0, ...fractions], scores: curve, randomScores: randomCurve, auc: auc(curve), randomAuc: auc(randomCurve) };
}

/** Word deletion: the score's drop when each word of the caption is left out. */
export async function wordDeletion(caption: string, base: number, score: TextScorer): Promise<TokenScore[]> {
  const words = caption.split(/\s+/).filter(Boolean).slice(0, 76);
  if (words.length === 0) return [];
  const scores = await score(words.map((_, i) => words.filter((__, j) => j !== i).join(' ')));
  return words.map((text, i) => ({ text, score: base - scores[i]! }));
}
