import type { SaliencyGrid, TokenScore } from '../../common/saliency.ts';
import { mulberry32 } from '../random.ts';
import type { ImageScorer, Progress, TextScorer } from './perturb.ts';

/**
 * LIME (Ribeiro, Singh and Guestrin 2016) for an image–caption score: the image cut into
 * superpixels (SLIC: k-means over colour and position), random subsets of them removed (set to 0,
 * the mean colour, as the other methods do), each variant scored, and a ridge regression of the
 * scores on which superpixels were kept, weighted by how close each variant is to the whole image
 * (an exponential kernel on the cosine distance, width 0.25, as LIME's default). Its coefficients
 * are the map; the caption's words get the same treatment. Seeded, with the sample count given.
 */

const KERNEL_WIDTH = 0.25;
const RIDGE = 1;
/** The map's side: each cell takes the coefficient of the superpixel at its centre. */
const MAP_SIDE = 56;

/** SLIC superpixels of a CHW image of side `size`: a label per pixel, about `segments` of them. */
export function slic(image: Float32Array, size: number, segments: number, iterations = 6, compactness = 10): Int32Array {
  const plane = size * size;
  const step = Math.max(2, Math.round(Math.sqrt(plane / segments)));
  const centres: number[][] = [];
  for (let y = step / 2; y < size; y += step) for (let x = step / 2; x < size; x += step) {
    const p = Math.floor(y) * size + Math.floor(x);
    centres.push([image[p]!, image[plane + p]!, image[2 * plane + p]!, x, y]);
  }
  const labels = new Int32Array(plane).fill(-1);
  const distance = new Float32Array(plane);
  // Colour spans about 4 in normalised units; the spatial term is scaled to weigh in as SLIC's m / S does.
  const spatial = (compactness / 10) * (4 / step) ** 2;
  for (let it = 0; it < iterations; it++) {
    distance.fill(Infinity);
    centres.forEach(([r, g, b, cx, cy], k) => {
      for (let y = Math.max(0, Math.floor(cy! - step)); y < Math.min(size, Math.ceil(cy! + step)); y++) {
        for (let x = Math.max(0, Math.floor(cx! - step)); x < Math.min(size, Math.ceil(cx! + step)); x++) {
          const p = y * size + x;
          const d = (image[p]! - r!) ** 2 + (image[plane + p]! - g!) ** 2 + (image[2 * plane + p]! - b!) ** 2 + spatial * ((x - cx!) ** 2 + (y - cy!) ** 2);
          if (d < distance[p]!) {
            distance[p] = d;
            labels[p] = k;
          }
        }
      }
    });
    const sums = centres.map(() => [0, 0, 0, 0, 0, 0]);
    for (let p = 0; p < plane; p++) {
      const s = sums[labels[p]!]!;
      s[0]! += image[p]!;
      s[1]! += image[plane + p]!;
      s[2]! += image[2 * plane + p]!;
      s[3]! += p % size;
      s[4]! += Math.floor(p / size);
      s[5]!++;
    }
    sums.forEach((s, k) => {
      if (s[5]! > 0) centres[k] = [s[0]! / s[5]!, s[1]! / s[5]!, s[2]! / s[5]!, s[3]! / s[5]!, s[4]! / s[5]!];
    });
  }
  // Number the superpixels that kept pixels 0 … n − 1.
  const renumber = new Map<number, number>();
  for (let p = 0; p < plane; p++) {
    if (!renumber.has(labels[p]!)) renumber.set(labels[p]!, renumber.size);
    labels[p] = renumber.get(labels[p]!)!;
  }
  return labels;
}

/** Solves (Xᵀ W X + αI) β = Xᵀ W y, X with a leading column of ones (the intercept, not penalised); returns β without it. */
export function weightedRidge(x: readonly Uint8Array[], y: Float32Array, w: Float64Array, alpha = RIDGE): Float64Array {
  const features = x[0]!.length;
  const n = features + 1;
  const a = Array.from({ length: n }, () => new Float64Array(n + 1));
  for (let s = 0; s < x.length; s++) {
    const row = [1, ...x[s]!];
    for (let i = 0; i < n; i++) {
      const wi = w[s]! * row[i]!;
      if (wi === 0) continue;
      for (let j = 0; j < n; j++) a[i]![j]! += wi * row[j]!;
      a[i]![n]! += wi * y[s]!;
    }
  }
  for (let i = 1; i < n; i++) a[i]![i]! += alpha;
  // Gaussian elimination with partial pivoting.
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c || a[c]![c] === 0) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return Float64Array.from({ length: features }, (_, i) => a[i + 1]![n]! / a[i + 1]![i + 1]!);
}

/** Random on/off vectors (the first all on), and each one's LIME weight: its closeness to all on. */
function samplesOf(features: number, count: number, seed: number): { z: Uint8Array[]; weights: Float64Array } {
  const random = mulberry32(seed);
  const z = Array.from({ length: count }, (_, s) => Uint8Array.from({ length: features }, () => (s === 0 || random() < 0.5 ? 1 : 0)));
  const weights = Float64Array.from(z, (v) => {
    const on = v.reduce((n, b) => n + b, 0);
    const cosineDistance = on === 0 ? 1 : 1 - on / Math.sqrt(on * features);
    return Math.exp(-(cosineDistance ** 2) / KERNEL_WIDTH ** 2);
  });
  return { z, weights };
}

/** LIME's image map: each superpixel's coefficient, read off at a 56 × 56 grid over the model's view. */
export async function limeImage(image: Float32Array, size: number, score: ImageScorer, samples: number, seed: number, segments = 50, progress?: Progress): Promise<SaliencyGrid> {
  const labels = slic(image, size, segments);
  const count = Math.max(...labels) + 1;
  const { z, weights } = samplesOf(count, samples, seed);
  const plane = size * size;
  const scores = new Float32Array(samples);
  const BATCH = 16;
  for (let start = 0; start < samples; start += BATCH) {
    const n = Math.min(BATCH, samples - start);
    const batch = new Float32Array(n * image.length);
    for (let i = 0; i < n; i++) {
      const keep = z[start + i]!;
      const target = batch.subarray(i * image.length, (i + 1) * image.length);
      target.set(image);
      for (let p = 0; p < plane; p++) if (keep[labels[p]!] === 0) for (let c = 0; c < 3; c++) target[c * plane + p] = 0;
    }
    scores.set(await score(batch, n), start);
    progress?.(n);
  }
  const beta = weightedRidge(z, scores, weights);
  const values = Array.from({ length: MAP_SIDE * MAP_SIDE }, (_, i) => {
    const [x, y] = [Math.floor((((i % MAP_SIDE) + 0.5) * size) / MAP_SIDE), Math.floor(((Math.floor(i / MAP_SIDE) + 0.5) * size) / MAP_SIDE)];
    return beta[labels[y * size + x]!]!;
  });
  return { width: MAP_SIDE, height: MAP_SIDE, values };
}

/** LIME's word scores: each word's coefficient when random subsets of the words are left out. */
export async function limeWords(caption: string, score: TextScorer, samples: number, seed: number): Promise<TokenScore[]> {
  const words = caption.split(/\s+/).filter(Boolean).slice(0, 76);
  if (words.length === 0) return [];
  const { z, weights } = samplesOf(words.length, samples, seed ^ 0x77);
  const scores = await score(z.map((keep) => words.filter((_, i) => keep[i] === 1).join(' ')));
  const beta = weightedRidge(z, scores, weights);
  return words.map((text, i) => ({ text, score: beta[i]! }));
}
