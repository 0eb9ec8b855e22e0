import * as ort from 'onnxruntime-node';
import type { EpochReport } from '../../common/heads.ts';
import { encodeModel } from '../onnx/model-writer.ts';
import { mulberry32 } from '../random.ts';
import { featureCount, firstLayerUnits, inferenceGraph, parameterShapes, trainingGraph, type HeadShape } from './graphs.ts';

/** Rows as positions in the matrices of `TrainingData`, with their labels (1 = falsified). */
export interface Rows {
  image: Int32Array;
  text: Int32Array;
  label: Uint8Array;
}

export interface TrainingData {
  dim: number;
  /** The images' and the captions' vectors, `dim` floats a row. */
  images: Float32Array;
  texts: Float32Array;
  train: Rows;
  val: Rows;
}

export interface TrainOptions {
  shape: HeadShape;
  seed: number;
  maxEpochs: number;
  batchSize?: number;
  learningRate?: number;
  /** Epochs without a lower val loss before training stops (the learning rate halves at each). */
  patience?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (p: { epoch: number; step: number; steps: number; curve: EpochReport[] }) => void;
}

export interface TrainedHead {
  /** The kept weights, the standardisation folded into the first layer's (as the graphs take them). */
  weights: Map<string, Float32Array>;
  curve: EpochReport[];
  bestEpoch: number;
}

/** Standardisation: features minus `mean`, times `invStd`. */
export interface Standardisation {
  mean: Float32Array;
  invStd: Float32Array;
}

/** Rows the features' mean and spread are taken from: plenty for four significant digits. */
const SAMPLE_ROWS = 32_768;

/**
 * A batch as the graphs take it: the whole matrices (passed without a copy, made once) and the
 * batch's rows of them, with labels, in buffers reused from batch to batch.
 */
class Batcher {
  private readonly imageRows: Int32Array;
  private readonly textRows: Int32Array;
  private readonly label: Float32Array;
  private readonly matrices: Record<string, ort.Tensor> = {};

  constructor(
    private readonly shape: HeadShape,
    data: TrainingData,
    capacity: number,
  ) {
    this.imageRows = new Int32Array(capacity);
    this.textRows = new Int32Array(capacity);
    this.label = new Float32Array(capacity);
    const { dim } = data;
    if (shape.inputs !== 'text') this.matrices.image_matrix = new ort.Tensor('float32', data.images, [data.images.length / dim, dim]);
    if (shape.inputs !== 'image') this.matrices.text_matrix = new ort.Tensor('float32', data.texts, [data.texts.length / dim, dim]);
  }

  /** Rows `order[start, end)` of `rows` (rows `start` to `end` without an order), with their labels when asked. */
  feeds(rows: Rows, order: ArrayLike<number> | null, start: number, end: number, withLabels = true): Record<string, ort.Tensor> {
    const n = end - start;
    for (let k = 0; k < n; k++) {
      const r = order === null ? start + k : order[start + k]!;
      this.imageRows[k] = rows.image[r]!;
      this.textRows[k] = rows.text[r]!;
      this.label[k] = rows.label[r]!;
    }
    const feeds: Record<string, ort.Tensor> = { ...this.matrices };
    if (this.shape.inputs !== 'text') feeds.image_rows = new ort.Tensor('int32', this.imageRows.subarray(0, n), [n]);
    if (this.shape.inputs !== 'image') feeds.text_rows = new ort.Tensor('int32', this.textRows.subarray(0, n), [n]);
    if (withLabels) feeds.label = new ort.Tensor('float32', this.label.subarray(0, n), [n, 1]);
    return feeds;
  }
}

/**
 * Mean and inverse spread of each feature over (a seeded sample of) the training rows, the
 * features worked out as the graph does: [image, caption, image⊙caption, |image−caption|], or one.
 */
export function standardisationOf(shape: HeadShape, data: TrainingData, seed: number): Standardisation {
  const { dim, images, texts } = data;
  const f = featureCount(shape);
  const rows = data.train;
  const n = rows.label.length;
  const random = mulberry32(seed ^ 0x5eed);
  const count = Math.min(n, SAMPLE_ROWS);
  const sum = new Float64Array(f);
  const squares = new Float64Array(f);
  const add = (k: number, x: number): void => {
    sum[k] = sum[k]! + x;
    squares[k] = squares[k]! + x * x;
  };
  for (let s = 0; s < count; s++) {
    const r = count === n ? s : Math.floor(random() * n);
    const i = rows.image[r]! * dim;
    const t = rows.text[r]! * dim;
    if (shape.inputs === 'image') for (let k = 0; k < dim; k++) add(k, images[i + k]!);
    else if (shape.inputs === 'text') for (let k = 0; k < dim; k++) add(k, texts[t + k]!);
    else {
      for (let k = 0; k < dim; k++) {
        const a = images[i + k]!;
        const b = texts[t + k]!;
        add(k, a);
        add(dim + k, b);
        add(2 * dim + k, a * b);
        add(3 * dim + k, Math.abs(a - b));
      }
    }
  }
  const mean = new Float32Array(f);
  const invStd = new Float32Array(f);
  for (let k = 0; k < f; k++) {
    const m = sum[k]! / count;
    const variance = Math.max(0, squares[k]! / count - m * m);
    mean[k] = m;
    // A constant feature carries nothing; it is centred and left at its scale.
    invStd[k] = variance > 1e-20 ? 1 / Math.sqrt(variance) : 1;
  }
  return { mean, invStd };
}

/** Seeded normal deviates (Box–Muller). */
function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function initialWeights(shape: HeadShape, random: () => number): Map<string, Float32Array> {
  const normal = gaussian(random);
  const weights = new Map<string, Float32Array>();
  for (const p of parameterShapes(shape)) {
    const values = new Float32Array(p.dims.reduce((a, b) => a * b, 1));
    // He initialisation for the ReLU layer; a logistic regression starts from zero (it is convex).
    if (shape.kind === 'mlp' && p.name === 'w_first') values.forEach((_, k) => (values[k] = normal() * Math.sqrt(2 / p.dims[0]!)));
    if (shape.kind === 'mlp' && p.name === 'w_out') values.forEach((_, k) => (values[k] = normal() * Math.sqrt(1 / p.dims[0]!)));
    weights.set(p.name, values);
  }
  return weights;
}

/** Adam, one moment pair per weight tensor. */
class Adam {
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private t = 0;

  constructor(
    private readonly weights: Map<string, Float32Array>,
    public learningRate: number,
  ) {
    for (const [name, w] of weights) {
      this.m.set(name, new Float32Array(w.length));
      this.v.set(name, new Float32Array(w.length));
    }
  }

  /** Applies summed gradients (by weight name) of a batch of `n` rows. */
  step(gradients: Map<string, Float32Array>, n: number): void {
    this.t++;
    const beta1 = 0.9;
    const beta2 = 0.999;
    const stepSize = (this.learningRate * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    for (const [name, w] of this.weights) {
      const g = gradients.get(name)!;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      for (let k = 0; k < w.length; k++) {
        const gk = g[k]! / n;
        m[k] = beta1 * m[k]! + (1 - beta1) * gk;
        v[k] = beta2 * v[k]! + (1 - beta2) * gk * gk;
        w[k]! -= (stepSize * m[k]!) / (Math.sqrt(v[k]!) + 1e-8);
      }
    }
  }
}

/**
 * The weights as the graphs take them: the first layer's on the features as they are. With
 * x' = (x − mean)·invStd, x'W + b = x(invStd ⊙ W) + (b − (mean ⊙ invStd)·W).
 */
function folded(weights: Map<string, Float32Array>, { mean, invStd }: Standardisation, units: number): Map<string, Float32Array> {
  const w = weights.get('w_first')!;
  const effective = new Float32Array(w.length);
  const bias = weights.get('b_first')!.slice();
  for (let k = 0; k < mean.length; k++) {
    for (let j = 0; j < units; j++) {
      const v = w[k * units + j]! * invStd[k]!;
      effective[k * units + j] = v;
      bias[j] = bias[j]! - mean[k]! * v;
    }
  }
  return new Map([...weights, ['w_first', effective], ['b_first', bias]]);
}

/**
 * A step's gradients with respect to the weights the trainer keeps (on standardised features):
 * the first layer's is invStd ⊙ (gradient on the raw features − mean · its bias's gradient).
 */
function unfolded(out: Record<string, ort.Tensor>, { mean, invStd }: Standardisation, shape: HeadShape): Map<string, Float32Array> {
  const gradients = new Map(parameterShapes(shape).map((p) => [p.name, out[`g_${p.name}`]!.data as Float32Array]));
  const units = firstLayerUnits(shape);
  const raw = gradients.get('w_first')!;
  const bias = gradients.get('b_first')!;
  for (let k = 0; k < mean.length; k++) {
    for (let j = 0; j < units; j++) raw[k * units + j] = invStd[k]! * (raw[k * units + j]! - mean[k]! * bias[j]!);
  }
  return gradients;
}

function session(graph: Parameters<typeof encodeModel>[0], threads: number | undefined): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(encodeModel(graph, { producer: 'ooc-workbench' }), {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(threads === undefined ? {} : { intraOpNumThreads: threads }),
  });
}

const weightFeeds = (weights: Map<string, Float32Array>, shape: HeadShape): Record<string, ort.Tensor> =>
  Object.fromEntries(parameterShapes(shape).map((p) => [p.name, new ort.Tensor('float32', weights.get(p.name)!, p.dims)]));

/** Log loss and accuracy at 0.5 of the rows of `rows`, with the given weights. */
async function check(forward: ort.InferenceSession, shape: HeadShape, batcher: Batcher, rows: Rows, weights: Map<string, Float32Array>, batch: number): Promise<{ loss: number; accuracy: number }> {
  const n = rows.label.length;
  const feedsOfWeights = weightFeeds(weights, shape);
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    const feeds = batcher.feeds(rows, null, start, end, false);
    const out = await forward.run({ ...feeds, ...feedsOfWeights });
    const p = out.falsified_probability!.data as Float32Array;
    for (let k = 0; k < end - start; k++) {
      const y = rows.label[start + k]!;
      const pk = Math.min(1 - 1e-7, Math.max(1e-7, p[k]!));
      loss -= y ? Math.log(pk) : Math.log(1 - pk);
      if (pk >= 0.5 === (y === 1)) correct++;
    }
  }
  return { loss: loss / Math.max(1, n), accuracy: correct / Math.max(1, n) };
}

/**
 * Trains a logistic-regression or MLP head with Adam on shuffled mini-batches (seeded). After
 * each epoch the average of its weights over the epoch's steps is checked on the val rows (the
 * average of a noisy descent lies much nearer the optimum than its last step: one epoch of it
 * does what several of the last step do); the average with the lowest val loss is kept. The
 * learning rate halves after each epoch that does not lower the val loss by 0.1%, and training
 * stops after `patience` such epochs in a row. Each step's gradients come from ONNX Runtime, on
 * the graph that is saved.
 */
export async function trainHead(data: TrainingData, options: TrainOptions): Promise<TrainedHead> {
  const { shape, seed, maxEpochs, signal, onProgress } = options;
  const n = data.train.label.length;
  // Batches of 1,024 rows at full scale; smaller ones on a small split, so that an epoch is still some 200 steps.
  const batchSize = options.batchSize ?? Math.min(1024, Math.max(32, Math.ceil(n / 200)));
  const patience = options.patience ?? 2;
  const random = mulberry32(seed);
  const standardisation = standardisationOf(shape, data, seed);
  const weights = initialWeights(shape, random);
  const adam = new Adam(weights, options.learningRate ?? (shape.kind === 'mlp' ? 1e-3 : 2e-3));
  const [step, forward] = await Promise.all([session(trainingGraph(shape), options.threads), session(inferenceGraph(shape), options.threads)]);
  const units = firstLayerUnits(shape);
  const evalBatch = 8192;
  const batcher = new Batcher(shape, data, Math.max(batchSize, evalBatch));
  const order = Uint32Array.from({ length: n }, (_, k) => k);
  const steps = Math.ceil(n / batchSize);
  const curve: EpochReport[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0, weights: new Map([...weights].map(([k, w]) => [k, w.slice()])) };
  let stale = 0;
  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const started = performance.now();
      for (let k = n - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        const t = order[k]!;
        order[k] = order[j]!;
        order[j] = t;
      }
      let trainLoss = 0;
      const average = new Map([...weights].map(([k, w]) => [k, new Float32Array(w.length)]));
      for (let s = 0; s < steps; s++) {
        signal?.throwIfAborted();
        const start = s * batchSize;
        const end = Math.min(n, start + batchSize);
        const out = await step.run({ ...batcher.feeds(data.train, order, start, end), ...weightFeeds(folded(weights, standardisation, units), shape) });
        trainLoss += (out.loss!.data as Float32Array)[0]!;
        adam.step(unfolded(out, standardisation, shape), end - start);
        for (const [k, w] of weights) {
          const a = average.get(k)!;
          for (let j = 0; j < w.length; j++) a[j] = a[j]! + (w[j]! - a[j]!) / (s + 1);
        }
        if (s % 64 === 0) onProgress?.({ epoch, step: s, steps, curve });
      }
      const val = await check(forward, shape, batcher, data.val, folded(average, standardisation, units), evalBatch);
      curve.push({ epoch, trainLoss: trainLoss / n, valLoss: val.loss, valAccuracy: val.accuracy, learningRate: adam.learningRate, seconds: (performance.now() - started) / 1000 });
      onProgress?.({ epoch, step: steps, steps, curve });
      // Progress is a val loss at least 0.1% lower than the best so far (scikit-learn's tol plays this part).
      stale = val.loss < best.loss * (1 - 1e-3) ? 0 : stale + 1;
      if (val.loss < best.loss) best = { loss: val.loss, epoch, weights: average };
      if (stale >= patience) break;
      if (stale > 0) adam.learningRate /= 2;
    }
  } finally {
    await Promise.all([step.release(), forward.release()]);
  }
  return { weights: folded(best.weights, standardisation, units), curve, bestEpoch: best.epoch };
}
