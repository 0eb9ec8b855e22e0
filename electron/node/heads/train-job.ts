import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { HeadInfo, TrainHeadOptions, TrainHeadProgress } from '../../common/heads.ts';
import { OocError } from '../../common/errors.ts';
import { bestThreshold } from '../evaluation/metrics.ts';
import { encodeModel } from '../onnx/model-writer.ts';
import type { Db } from '../store/db.ts';
import { readRun, saveRun } from '../store/predictions.ts';
import { readSplitData, type SplitData, type SplitRows } from './data.ts';
import { embeddingInputs, inferenceGraph, type HeadShape } from './graphs.ts';
import { checkHeadName, readHead, saveHead } from './store.ts';
import { trainHead } from './train.ts';

export interface TrainHeadContext {
  signal?: AbortSignal;
  onProgress?: (p: TrainHeadProgress) => void;
  threads?: number;
}

const DEFAULT_EPOCHS = { cosine: 0, logreg: 20, mlp: 30 } as const;

/** Runs a saved head over rows, in batches: the probability that each is falsified. */
export async function scoreRows(model: Uint8Array | string, shape: Pick<HeadShape, 'inputs' | 'dim'>, data: Pick<SplitData, 'images' | 'texts'>, rows: SplitRows, threads?: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(typeof model === 'string' ? readFileSync(model) : model, { executionProviders: ['cpu'], logSeverityLevel: 3, ...(threads === undefined ? {} : { intraOpNumThreads: threads }) });
  const { dim } = shape;
  const out = new Float32Array(rows.label.length);
  const batch = 8192;
  const image = new Float32Array(batch * dim);
  const text = new Float32Array(batch * dim);
  try {
    for (let start = 0; start < out.length; start += batch) {
      const n = Math.min(batch, out.length - start);
      for (let k = 0; k < n; k++) {
        image.set(data.images.subarray(rows.image[start + k]! * dim, (rows.image[start + k]! + 1) * dim), k * dim);
        text.set(data.texts.subarray(rows.text[start + k]! * dim, (rows.text[start + k]! + 1) * dim), k * dim);
      }
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of embeddingInputs(shape)) feeds[input.name] = new ort.Tensor('float32', (input.name === 'image_embeds' ? image : text).subarray(0, n * dim), [n, dim]);
      const result = await session.run(feeds);
      out.set((result.falsified_probability!.data as Float32Array).subarray(0, n), start);
    }
  } finally {
    await session.release();
  }
  return out;
}

/**
 * Trains a head on a split's train file (stopping early on val), saves it as an ONNX model, and
 * runs the saved model on val and test: those rows become a prediction run of the head's name,
 * evaluated like any imported run (its labels at the threshold that does best on val).
 */
export async function trainHeadJob(db: Db, options: TrainHeadOptions, context: TrainHeadContext = {}): Promise<HeadInfo> {
  const started = performance.now();
  const { kind, name, split } = options;
  const inputs = options.inputs ?? 'both';
  const seed = options.seed ?? 0;
  checkHeadName(name);
  if (kind === 'cosine' && inputs !== 'both') throw new OocError('BAD_ARGUMENT', 'a cosine head compares the image with the caption: it needs both (--inputs both)');
  if (options.replace !== true && (readHead(db, name) !== null || readRun(db, name) !== null)) {
    throw new OocError('BAD_ARGUMENT', `a head or prediction run named "${name}" exists: choose another name or replace it (--replace)`);
  }
  const maxEpochs = options.maxEpochs ?? DEFAULT_EPOCHS[kind];
  const report = (p: Omit<TrainHeadProgress, 'maxEpochs'>) => context.onProgress?.({ ...p, maxEpochs });
  report({ phase: 'reading', epoch: 0, step: 0, steps: 0, curve: [] });
  const data = readSplitData(db, options.set, split, context.signal);
  const shape: HeadShape = { kind, inputs, dim: data.dim, hidden: kind === 'mlp' ? (options.hidden ?? 256) : 0 };
  const trained =
    kind === 'cosine'
      ? null
      : await trainHead(data, {
          shape,
          seed,
          maxEpochs,
          ...(context.threads === undefined ? {} : { threads: context.threads }),
          ...(context.signal === undefined ? {} : { signal: context.signal }),
          onProgress: (p) => report({ phase: 'training', ...p }),
        });
  const curve = trained?.curve ?? [];
  report({ phase: 'scoring', epoch: curve.length, step: 0, steps: 0, curve });
  const model = encodeModel(inferenceGraph(shape, trained?.weights ?? new Map()), {
    producer: 'ooc-workbench',
    metadata: { kind, inputs, set: options.set, split, seed: String(seed), features: inputs === 'both' ? '[image, caption, image*caption, |image-caption|] (standardisation folded into w_first and b_first)' : `${inputs} embedding (standardisation folded into w_first and b_first)`, output: 'falsified_probability' },
  });
  const val = await scoreRows(model, shape, data, data.val, context.threads);
  const test = await scoreRows(model, shape, data, data.test, context.threads);
  const threshold = bestThreshold(data.val.label, Float64Array.from(val));
  let valCorrect = 0;
  val.forEach((p, k) => (valCorrect += Number(p >= threshold === (data.val.label[k] === 1))));
  const info = saveHead(
    db,
    {
      name,
      kind,
      inputs,
      set: options.set,
      split,
      dim: data.dim,
      hidden: shape.hidden,
      seed,
      trainedAt: new Date().toISOString(),
      rows: data.counts,
      curve,
      bestEpoch: trained?.bestEpoch ?? 0,
      valAccuracy: valCorrect / Math.max(1, val.length),
      threshold,
      seconds: (performance.now() - started) / 1000,
    },
    model,
    options.replace === true,
  );
  saveHeadRun(db, info, data, { val, test });
  return info;
}

/** The head's answers on val and test as a prediction run (probabilities only). */
function saveHeadRun(db: Db, head: HeadInfo, data: SplitData, scores: { val: Float32Array; test: Float32Array }): void {
  const subsets = ['val', 'test'] as const;
  const rows = { subsets, subset: [] as number[], caption: [] as number[], image: [] as number[], answer: [] as null[], probability: [] as number[], explanation: new Map<number, string>() };
  subsets.forEach((subset, s) => {
    const r = data[subset];
    for (let k = 0; k < r.label.length; k++) {
      rows.subset.push(s);
      rows.caption.push(r.captionId[k]!);
      rows.image.push(r.imageId[k]!);
      rows.answer.push(null);
      rows.probability.push(scores[subset][k]!);
    }
  });
  saveRun(
    db,
    {
      name: head.name,
      split: head.split,
      file: head.model,
      format: 'head',
      mapping: { caption: 'caption_id', image: 'image_id', imageBy: 'id', probability: 'falsified_probability' },
      importedAt: head.trainedAt,
      rows: rows.caption.length,
      matched: { val: scores.val.length, test: scores.test.length },
      problems: {},
      hasProbabilities: true,
      threshold: { value: head.threshold, chosenOn: `${head.split}/val` },
    },
    rows,
    [],
  );
}
