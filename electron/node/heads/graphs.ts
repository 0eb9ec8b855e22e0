import type { OnnxGraph, OnnxNode, OnnxTensor, OnnxValue } from '../onnx/model-writer.ts';
import type { HeadInputs, HeadKind } from '../../common/heads.ts';

/**
 * The graphs of a classifier head on a pair's image and caption embeddings, built from one
 * description so that training, checking on val and the saved model compute the same thing.
 *
 * Features: the image vector, the caption vector, or (both) [image, caption, image⊙caption,
 * |image−caption|]. A logistic-regression head is one linear layer; an MLP head a ReLU layer,
 * then a linear one. The output is the probability that the pair is falsified. The first layer
 * takes the features as they are: the trainer folds their standardisation into its weights
 * (standardising in the graph cost five times the rest of a step). The four parts of the
 * features are never concatenated: each has its block of the first layer's rows. A cosine head
 * has no weights: its probability is (1 − cos)/2, so that its threshold, chosen on val, is a cosine.
 */
export interface HeadShape {
  kind: HeadKind;
  inputs: HeadInputs;
  dim: number;
  /** Units of the MLP's hidden layer (0 for logreg and cosine). */
  hidden: number;
}

export const featureCount = (shape: Pick<HeadShape, 'inputs' | 'dim'>): number => (shape.inputs === 'both' ? 4 * shape.dim : shape.dim);

/** Units of the first layer: the hidden layer's, or the logit of a logistic regression. */
export const firstLayerUnits = (shape: HeadShape): number => (shape.kind === 'mlp' ? shape.hidden : 1);

/** The weights' names and shapes, the first layer's first. */
export function parameterShapes(shape: HeadShape): { name: string; dims: number[] }[] {
  if (shape.kind === 'cosine') return [];
  const first = [
    { name: 'w_first', dims: [featureCount(shape), firstLayerUnits(shape)] },
    { name: 'b_first', dims: [firstLayerUnits(shape)] },
  ];
  return shape.kind === 'logreg' ? first : [...first, { name: 'w_out', dims: [shape.hidden, 1] }, { name: 'b_out', dims: [1] }];
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

/** The features' parts [batch, dim] and the nodes that make them. */
function featureParts(shape: HeadShape): { parts: string[]; nodes: OnnxNode[] } {
  if (shape.inputs === 'image') return { parts: ['image_embeds'], nodes: [] };
  if (shape.inputs === 'text') return { parts: ['text_embeds'], nodes: [] };
  return {
    parts: ['image_embeds', 'text_embeds', 'product', 'distance'],
    nodes: [
      { op: 'Mul', inputs: ['image_embeds', 'text_embeds'], outputs: ['product'] },
      { op: 'Sub', inputs: ['image_embeds', 'text_embeds'], outputs: ['difference'] },
      { op: 'Abs', inputs: ['difference'], outputs: ['distance'] },
    ],
  };
}

const AXIS0: OnnxTensor = { name: 'axis0', dims: [1], data: new BigInt64Array([0n]) };
const AXIS1: OnnxTensor = { name: 'axis1', dims: [1], data: new BigInt64Array([1n]) };

function blockSizes(shape: HeadShape): OnnxTensor {
  return { name: 'blocks', dims: [4], data: new BigInt64Array(4).fill(BigInt(shape.dim)) };
}

/** Nodes from the embeddings to the logit `z` [batch, 1] (the first layer's output is `pre`; an MLP's hidden units `h`), and the constants they use. */
function forward(shape: HeadShape): { nodes: OnnxNode[]; constants: OnnxTensor[] } {
  if (shape.kind === 'cosine') {
    return {
      nodes: [
        { op: 'LpNormalization', inputs: ['image_embeds'], outputs: ['image_unit'], attributes: { axis: 1, p: 2 } },
        { op: 'LpNormalization', inputs: ['text_embeds'], outputs: ['text_unit'], attributes: { axis: 1, p: 2 } },
        { op: 'Mul', inputs: ['image_unit', 'text_unit'], outputs: ['products'] },
        { op: 'ReduceSum', inputs: ['products', 'axis1'], outputs: ['cosine'], attributes: { keepdims: 1 } },
      ],
      constants: [AXIS1],
    };
  }
  const { parts, nodes } = featureParts(shape);
  const first: OnnxNode[] =
    parts.length === 1
      ? [{ op: 'Gemm', inputs: [parts[0]!, 'w_first', 'b_first'], outputs: ['pre'] }]
      : [
          { op: 'Split', inputs: ['w_first', 'blocks'], outputs: parts.map((_, k) => `w_first_${k}`), attributes: { axis: 0 } },
          ...parts.map((part, k) => ({ op: 'MatMul', inputs: [part, `w_first_${k}`], outputs: [`pre_${k}`] })),
          { op: 'Sum', inputs: [...parts.map((_, k) => `pre_${k}`), 'b_first'], outputs: ['pre'] },
        ];
  const rest: OnnxNode[] =
    shape.kind === 'logreg'
      ? [{ op: 'Identity', inputs: ['pre'], outputs: ['z'] }]
      : [
          { op: 'Relu', inputs: ['pre'], outputs: ['h'] },
          { op: 'Gemm', inputs: ['h', 'w_out', 'b_out'], outputs: ['z'] },
        ];
  return { nodes: [...nodes, ...first, ...rest], constants: parts.length === 1 ? [] : [blockSizes(shape)] };
}

/**
 * One training step's graph: the weights, the matrices, a batch's rows and its labels
 * (1 = falsified) in; the batch's summed log loss and the gradients of that sum out
 * (`g_<weight>`; the first layer's with respect to the features as they are).
 */
export function trainingGraph(shape: HeadShape): OnnxGraph {
  const { parts } = featureParts(shape);
  const backward: OnnxNode[] = [
    { op: 'Softplus', inputs: ['z'], outputs: ['softplus'] },
    { op: 'Mul', inputs: ['label', 'z'], outputs: ['label_z'] },
    { op: 'Sub', inputs: ['softplus', 'label_z'], outputs: ['losses'] },
    { op: 'ReduceSum', inputs: ['losses'], outputs: ['loss'], attributes: { keepdims: 0 } },
    { op: 'Sigmoid', inputs: ['z'], outputs: ['p'] },
    { op: 'Sub', inputs: ['p', 'label'], outputs: ['dz'] },
  ];
  if (shape.kind === 'logreg') {
    backward.push({ op: 'Identity', inputs: ['dz'], outputs: ['dpre'] });
  } else {
    backward.push(
      { op: 'ReduceSum', inputs: ['dz', 'axis0'], outputs: ['g_b_out'], attributes: { keepdims: 0 } },
      { op: 'Gemm', inputs: ['h', 'dz'], outputs: ['g_w_out'], attributes: { transA: 1 } },
      { op: 'Gemm', inputs: ['dz', 'w_out'], outputs: ['dh'], attributes: { transB: 1 } },
      // ReLU's derivative: 1 where the unit is on. h ≥ 0, so its sign is that mask.
      { op: 'Sign', inputs: ['h'], outputs: ['on'] },
      { op: 'Mul', inputs: ['dh', 'on'], outputs: ['dpre'] },
    );
  }
  backward.push(
    { op: 'ReduceSum', inputs: ['dpre', 'axis0'], outputs: ['g_b_first'], attributes: { keepdims: 0 } },
    ...(parts.length === 1
      ? [{ op: 'Gemm', inputs: [parts[0]!, 'dpre'], outputs: ['g_w_first'], attributes: { transA: 1 } }]
      : [
          ...parts.map((part, k) => ({ op: 'Gemm', inputs: [part, 'dpre'], outputs: [`g_w_first_${k}`], attributes: { transA: 1 } })),
          { op: 'Concat', inputs: parts.map((_, k) => `g_w_first_${k}`), outputs: ['g_w_first'], attributes: { axis: 0 } },
        ]),
  );
  const parameters = parameterShapes(shape);
  const batch = gathered(shape);
  const { nodes, constants } = forward(shape);
  return {
    name: `${shape.kind}-training-step`,
    nodes: [...batch.nodes, ...nodes, ...backward],
    initializers: [...constants, AXIS0],
    inputs: [...batch.inputs, { name: 'label', dims: ['batch', 1] }, ...parameters],
    outputs: [{ name: 'loss', dims: [] }, ...parameters.map((p) => ({ name: `g_${p.name}`, dims: p.dims }))],
  };
}

/**
 * The head as a model: embeddings in, `falsified_probability` [batch, 1] out, its weights the
 * graph's own (the saved model). Without `weights`, they are inputs and so are the matrices and
 * rows, as in training (checking on val as training goes).
 */
export function inferenceGraph(shape: HeadShape, weights?: Map<string, Float32Array>): OnnxGraph {
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
  const { nodes, constants } = forward(shape);
  return {
    name: `${shape.kind}-head`,
    nodes: [...batch.nodes, ...nodes, ...output],
    initializers: [...constants, ...scalars, ...own],
    inputs: [...batch.inputs, ...(weights === undefined ? parameters : [])],
    outputs: [{ name: 'falsified_probability', dims: ['batch', 1] }],
  };
}
