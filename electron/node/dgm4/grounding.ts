import path from 'node:path';
import { dgm4Words, type Dgm4Sample } from '../../common/dgm4.ts';
import type { Dgm4Grounding, GroundingScores } from '../../common/dgm4-metrics.ts';
import { OocError } from '../../common/errors.ts';
import type { SaliencyGrid, SaliencyMethod, TokenScore } from '../../common/saliency.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import type { ClipModel } from '../inference/clip.ts';
import { mulberry32 } from '../random.ts';
import { explainImage } from '../saliency/explain.ts';
import { upsample } from '../saliency/render.ts';
import type { Db } from '../store/db.ts';
import { dgm4Root, dgm4SamplesForGrounding, requireDgm4Split } from '../store/dgm4.ts';

/** The resolution maps are compared with boxes at, over the model's view. */
export const RESOLUTION = 64;

/**
 * Where a box lies in the model's view of the image (the centred square, as modelView crops it),
 * in cells of a RESOLUTION × RESOLUTION grid over that square; null when it lies outside it.
 */
export function boxInView(box: readonly number[], width: number, height: number): [number, number, number, number] | null {
  const side = Math.min(width, height);
  const [ox, oy] = [(width - side) / 2, (height - side) / 2];
  const cell = (v: number, o: number) => Math.min(RESOLUTION, Math.max(0, ((v - o) / side) * RESOLUTION));
  const b: [number, number, number, number] = [cell(box[0]!, ox), cell(box[1]!, oy), cell(box[2]!, ox), cell(box[3]!, oy)];
  return b[2] - b[0] <= 0 || b[3] - b[1] <= 0 ? null : b;
}

/** Pointing game and top-k% IoU of one map against a box in view cells. */
export function mapAgainstBox(map: SaliencyGrid, box: readonly [number, number, number, number], topPercent: number): { hit: boolean; iou: number } {
  const values = upsample(map, RESOLUTION);
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  const inside = (i: number): boolean => {
    const [x, y] = [(i % RESOLUTION) + 0.5, Math.floor(i / RESOLUTION) + 0.5];
    return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
  };
  const k = Math.max(1, Math.round((topPercent / 100) * values.length));
  const top = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b).slice(0, k);
  let both = 0;
  let boxCells = 0;
  for (let i = 0; i < values.length; i++) if (inside(i)) boxCells++;
  for (const i of top) if (inside(i)) both++;
  return { hit: inside(best), iou: both / (k + boxCells - both) };
}

/** Precision at k (k manipulated words) of the words scored highest. */
export function wordPrecision(tokens: readonly TokenScore[], truth: readonly number[]): number | null {
  if (truth.length === 0 || tokens.length === 0) return null;
  const k = truth.length;
  const top = tokens.map((t, i) => [t.score, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k);
  return top.filter(([, i]) => truth.includes(i)).length / k;
}

interface Tally {
  image: number;
  hits: number;
  iou: number;
  text: number;
  precision: number;
}
const empty = (): Tally => ({ image: 0, hits: 0, iou: 0, text: 0, precision: 0 });
const scores = (t: Tally): GroundingScores => ({
  imageSamples: t.image,
  textSamples: t.text,
  pointing: t.image === 0 ? null : t.hits / t.image,
  topIou: t.image === 0 ? null : t.iou / t.image,
  wordPrecision: t.text === 0 ? null : t.precision / t.text,
});

export interface GroundingOptions {
  split: string;
  methods: SaliencyMethod[];
  /** Samples at most, in file order among the manipulated ones (default 100). */
  limit?: number;
  topPercent?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Our saliency methods scored against DGM4's truth: each manipulated sample's caption explained
 * against its (manipulated) image; the pointing game (the map's maximum inside the face box), the
 * IoU of the map's top k% with the box, and the precision at k of the words scored highest
 * against the manipulated words — per method and per class, beside uniform random maps and word
 * scores, which point at the box as often as it covers the view.
 */
export async function saliencyGrounding(db: Db, clip: ClipModel, options: GroundingOptions): Promise<Dgm4Grounding> {
  const started = performance.now();
  const { split } = options;
  requireDgm4Split(db, split);
  const root = dgm4Root(db)!;
  const topPercent = options.topPercent ?? 10;
  const samples = dgm4SamplesForGrounding(db, split, options.limit ?? 100);
  const methods = [...options.methods, 'random'] as const;
  const tallies = new Map<string, { overall: Tally; byClass: Map<string, Tally> }>(methods.map((m) => [m, { overall: empty(), byClass: new Map() }]));
  const random = mulberry32(options.seed ?? 0);
  const skipped: Record<string, number> = {};
  const record = (method: string, sample: Dgm4Sample, map: SaliencyGrid | null, tokens: TokenScore[] | null): void => {
    const t = tallies.get(method)!;
    const cls = t.byClass.get(sample.fakeCls) ?? empty();
    t.byClass.set(sample.fakeCls, cls);
    const box = sample.box && boxInView(sample.box, sample.width, sample.height);
    for (const tally of [t.overall, cls]) {
      if (box && map !== null) {
        const { hit, iou } = mapAgainstBox(map, box, topPercent);
        tally.image++;
        tally.hits += hit ? 1 : 0;
        tally.iou += iou;
      }
      const precision = tokens === null ? null : wordPrecision(tokens, sample.textPos);
      if (precision !== null) {
        tally.text++;
        tally.precision += precision;
      }
    }
  };
  let done = 0;
  const total = samples.length * options.methods.length;
  for (const sample of samples) {
    if (options.signal?.aborted) throw new OocError('CANCELLED', 'the grounding run was cancelled');
    let file: string;
    try {
      file = resolveInRoot(root, sample.image);
    } catch {
      skipped.outside_folder = (skipped.outside_folder ?? 0) + 1;
      continue;
    }
    const words = dgm4Words(sample.text);
    let usable = true;
    for (const method of options.methods) {
      try {
        const x = await explainImage(clip, { file, label: `DGM4 sample ${sample.id} (${path.basename(sample.image)})` }, sample.text, { method, faithfulness: false });
        // Word scores line up with DGM4's words only where the method scored whole words.
        const aligned = method !== 'chefer' && x.tokens.length === words.length ? x.tokens : null;
        record(method, sample, x.map, aligned);
      } catch (err) {
        const reason = err instanceof OocError && err.code === 'IMAGE_CORRUPT' ? 'image_unreadable' : 'failed';
        skipped[reason] = (skipped[reason] ?? 0) + 1;
        usable = false;
        break;
      }
      options.onProgress?.(++done, total);
    }
    if (!usable) continue;
    // At the comparison's own resolution, so its maximum falls in each cell alike.
    record('random', sample, { width: RESOLUTION, height: RESOLUTION, values: Array.from({ length: RESOLUTION * RESOLUTION }, () => random()) }, words.map((text) => ({ text, score: random() })));
  }
  return {
    split,
    model: clip.manifest.id,
    randomWeights: !clip.manifest.weights.meaningfulScores,
    topPercent,
    samples: samples.length,
    skipped,
    methods: methods.map((method) => {
      const t = tallies.get(method)!;
      return { method, overall: scores(t.overall), byClass: Object.fromEntries([...t.byClass].map(([cls, tally]) => [cls, scores(tally)])) };
    }),
    seconds: (performance.now() - started) / 1000,
  };
}
