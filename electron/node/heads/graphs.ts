import type { OnnxGraph, OnnxNode, OnnxTensor, OnnxValue } from '../onnx/model-writer.ts';
import type { HeadInputs, HeadKind } from '../../common/heads.ts';

/**
 * The graphs of a classifier head on a pair's image and caption embeddings, built from one
 * description so that training, checking on val and the exported model compute the same thing.
 *
 * Features: the image vector, the caption vector, or (both) [image, caption, image⊙caption,
 * |image−caption|], standardised with the training rows' mean and spread. A logistic-regression
 * head is one linear layer; an MLP head a ReLU layer, then a linear one. The output is the
 * probability that the pair is falsified. A cosine head has no weights: its probability is
 * (1 − cos)/2, so that its threshold, chosen on val, is a cosine.
 */
export interface HeadShape {
  kind: HeadKind;
  inputs: HeadInputs;
  dim: number;
  /** Units of the MLP's hidden layer (0 for logreg and cosine). */
  hidden: number;
}

export const featureCount = (shape: Pick<HeadShape, 'inputs' | 'dim'>): number => (shape.inputs === 'both' ? 4 * shape.dim : shape.dim);

/** The weights' names and shapes, in the order the trainer keeps them. */
export function parameterShapes(shape: HeadShape): { name: string; dims: number[] }[] {
  if (shape.kind === 'cosine') return [];
  const f = featureCount(shape);
  if (shape.kind === 'logreg') return [{ name: 'w_out', dims: [f, 1] }, { name: 'b_out', dims: [1] }];
  return [
    { name: 'w_hidden', dims: [f, shape.hidden] },
    { name: 'b_hidden', dims: [shape.hidden] },
    { name: 'w_out', dims: [shape.hidden, 1] },
    { name: 'b_out', dims: [1] },
  ];
}

/** The graph's inputs for the embeddings: `image_embeds` and/or `text_embeds`, [batch, dim]. */
export function embeddingInputs(shape: Pick<HeadShape, 'inputs' | 'dim'>): OnnxValue[] {
  const names = shape.inputs === 'both' ? ['image_embeds', 'text_embeds'] : shape.inputs === 'image' ? ['image_embeds'] : ['text_embeds'];
  return names.map((name) => ({ name, dims: ['batch', shape.dim] }));
}

/**
 * Training reads a batch's embeddings from the whole matrices, by row: `image_matrix` and
 * `text_matrix` [rows, dim] with `image_rows` and `text_rows` [batch] (int32). ONNX Runtime takes
 * the matrices without copying them, and gathers the rows itself.
 */
function gathered(shape: Pick<HeadShape, 'inputs' | 'dim'>): { inputs: OnnxValue[]; nodes: OnnxNode[] } {
  const sides = embeddingInputs(shape).map((i) => i.name.replace('_embeds', ''));
  return {
    inputs: sides.flatMap((side) => [
      { name: `${side}_matrix`, dims: [`${side}_count`, shape.dim] },
      { name: `${side}_rows`, dims: ['batch'], type: 'int32' as const },
    ]),
    nodes: sides.map((side) => ({ op: 'Gather', inputs: [`${side}_matrix`, `${side}_rows`], outputs: [`${side}_embeds`], attributes: { axis: 0 } })),
  };
}

/** Standardisation: features minus `mean`, times `inv_std`. */
export interface Standardisation {
  mean: Float32Array;
  invStd: Float32Array;
}

const AXIS0: OnnxTensor = { name: 'axis0', dims: [1], data: new BigInt64Array([0n]) };

/** Nodes from the embeddings to the logit `z` [batch, 1] (and the hidden activations `h` of an MLP). */
function forwardNodes(shape: HeadShape): OnnxNode[] {
  if (shape.kind === 'cosine') {
    return [
      { op: 'LpNormalization', inputs: ['image_embeds'], outputs: ['image_unit'], attributes: { axis: 1, p: 2 } },
      { op: 'LpNormalization', inputs: ['text_embeds'], outputs: ['text_unit'], attributes: { axis: 1, p: 2 } },
      { op: 'Mul', inputs: ['image_unit', 'text_unit'], outputs: ['products'] },
      { op: 'ReduceSum', inputs: ['products', 'axis1'], outputs: ['cosine'], attributes: { keepdims: 1 } },
    ];
  }
  const features: OnnxNode[] =
    shape.inputs === 'both'
      ? [
          { op: 'Mul', inputs: ['image_embeds', 'text_embeds'], outputs: ['product'] },
          { op: 'Sub', inputs: ['image_embeds', 'text_embeds'], outputs: ['difference'] },
          { op: 'Abs', inputs: ['difference'], outputs: ['distance'] },
          { op: 'Concat', inputs: ['image_embeds', 'text_embeds', 'product', 'distance'], outputs: ['raw'], attributes: { axis: 1 } },
        ]
      : [{ op: 'Identity', inputs: [shape.inputs === 'image' ? 'image_embeds' : 'text_embeds'], outputs: ['raw'] }];
  const standardised: OnnxNode[] = [
    { op: 'Sub', inputs: ['raw', 'mean'], outputs: ['centred'] },
    { op: 'Mul', inputs: ['centred', 'inv_std'], outputs: ['x'] },
  ];
  const layers: OnnxNode[] =
    shape.kind === 'logreg'
      ? [{ op: 'Gemm', inputs: ['x', 'w_out', 'b_out'], outputs: ['z'] }]
      : [
          { op: 'Gemm', inputs: ['x', 'w_hidden', 'b_hidden'], outputs: ['pre'] },
          { op: 'Relu', inputs: ['pre'], outputs: ['h'] },
          { op: 'Gemm', inputs: ['h', 'w_out', 'b_out'], outputs: ['z'] },
        ];
  return [...features, ...standardised, ...layers];
}

function constants(shape: HeadShape, standardisation: Standardisation | null): OnnxTensor[] {
  if (shape.kind === 'cosine') return [{ name: 'axis1', dims: [1], data: new BigInt64Array([1n]) }];
  const f = featureCount(shape);
  if (standardisation === null || standardisation.mean.length !== f) throw new Error(`a ${shape.kind} head needs the standardisation of its ${f} features`);
  return [
    { name: 'mean', dims: [f], data: standardisation.mean },
    { name: 'inv_std', dims: [f], data: standardisation.invStd },
  ];
}

/**
 * One training step's graph: the weights, the matrices, a batch's rows and its labels
 * (1 = falsified) in; the batch's summed log loss and the gradients of that sum out
 * (`g_<weight>`).
 */
export function trainingGraph(shape: HeadShape, standardisation: Standardisation): OnnxGraph {
  const backward: OnnxNode[] = [
    { op: 'Softplus', inputs: ['z'], outputs: ['softplus'] },
    { op: 'Mul', inputs: ['label', 'z'], outputs: ['label_z'] },
    { op: 'Sub', inputs: ['softplus', 'label_z'], outputs: ['losses'] },
    { op: 'ReduceSum', inputs: ['losses'], outputs: ['loss'], attributes: { keepdims: 0 } },
    { op: 'Sigmoid', inputs: ['z'], outputs: ['p'] },
    { op: 'Sub', inputs: ['p', 'label'], outputs: ['dz'] },
    { op: 'ReduceSum', inputs: ['dz', 'axis0'], outputs: ['g_b_out'], attributes: { keepdims: 0 } },
  ];
  if (shape.kind === 'logreg') {
    backward.push({ op: 'Gemm', inputs: ['x', 'dz'], outputs: ['g_w_out'], attributes: { transA: 1 } });
  } else {
    backward.push(
      { op: 'Gemm', inputs: ['h', 'dz'], outputs: ['g_w_out'], attributes: { transA: 1 } },
      { op: 'Gemm', inputs: ['dz', 'w_out'], outputs: ['dh'], attributes: { transB: 1 } },
      // ReLU's derivative: 1 where the unit is on. h ≥ 0, so its sign is that mask.
      { op: 'Sign', inputs: ['h'], outputs: ['on'] },
      { op: 'Mul', inputs: ['dh', 'on'], outputs: ['dpre'] },
      { op: 'Gemm', inputs: ['x', 'dpre'], outputs: ['g_w_hidden'], attributes: { transA: 1 } },
      { op: 'ReduceSum', inputs: ['dpre', 'axis0'], outputs: ['g_b_hidden'], attributes: { keepdims: 0 } },
    );
  }
  const parameters = parameterShapes(shape);
  const batch = gathered(shape);
  return {
    name: `${shape.kind}-training-step`,
    nodes: [...batch.nodes, ...forwardNodes(shape), ...backward],
    initializers: [...constants(shape, standardisation), AXIS0],
    inputs: [...batch.inputs, { name: 'label', dims: ['batch', 1] }, ...parameters],
    outputs: [{ name: 'loss', dims: [] }, ...parameters.map((p) => ({ name: `g_${p.name}`, dims: p.dims }))],
  };
}

/**
 * The head as a model: embeddings in, `falsified_probability` [batch, 1] out, its weights the
 * graph's own (the saved model). Without `weights`, they are inputs and so are the matrices and
 * rows, as in training (checking on val as training goes).
 */
export function inferenceGraph(shape: HeadShape, standardisation: Standardisation | null, weights?: Map<string, Float32Array>): OnnxGraph {
  const parameters = parameterShapes(shape);
  const output: OnnxNode[] =
    shape.kind === 'cosine'
      ? [
          { op: 'Sub', inputs: ['one', 'cosine'], outputs: ['distance'] },
          { op: 'Mul', inputs: ['distance', 'half'], outputs: ['falsified_probability'] },
        ]
      : [{ op: 'Sigmoid', inputs: ['z'], outputs: ['falsified_probability'] }];
  const scalars: OnnxTensor[] =
    shape.kind === 'cosine'
      ? [
          { name: 'one', dims: [], data: Float32Array.of(1) },
          { name: 'half', dims: [], data: Float32Array.of(0.5) },
        ]
      : [];
  const own = weights === undefined ? [] : parameters.map((p) => ({ ...p, data: weights.get(p.name)! }));
  const batch = weights === undefined ? gathered(shape) : { inputs: embeddingInputs(shape), nodes: [] };
  return {
    name: `${shape.kind}-head`,
    nodes: [...batch.nodes, ...forwardNodes(shape), ...output],
    initializers: [...constants(shape, standardisation), ...scalars, ...own],
    inputs: [...batch.inputs, ...(weights === undefined ? parameters : [])],
    outputs: [{ name: 'falsified_probability', dims: ['batch', 1] }],
  };
}
