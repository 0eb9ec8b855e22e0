/**
 * Writes ONNX models: the protocol-buffer wire format of onnx.proto, as much of it as a graph of
 * standard operators with float and int64 tensors needs. Field numbers are onnx.proto's. The
 * models we write (trained heads, benchmark encoders) are small graphs; ONNX Runtime reads them,
 * and so does any other ONNX tool.
 */

export type Dim = number | string;

export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export type AttributeValue = number | number[] | string;

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  /** Integers (and lists of them) as INT(S), other numbers as FLOAT, strings as STRING. Float-valued integers: pass `{ float: n }`. */
  attributes?: Record<string, AttributeValue | { float: number }>;
}

/** A graph input or output: float32 unless said. */
export interface OnnxValue {
  name: string;
  dims: Dim[];
  type?: 'float32' | 'int32' | 'int64';
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

export interface ModelInfo {
  producer: string;
  /** Free text ONNX tools show (e.g. onnx.load(...).metadata_props). */
  metadata?: Record<string, string>;
  opset?: number;
}

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const TYPES = { float32: FLOAT, int32: INT32, int64: INT64 } as const;

/** A protocol-buffer message under construction: chunks of bytes, joined once. */
class Message {
  private readonly chunks: Uint8Array[] = [];

  private varint(n: number | bigint): void {
    let v = BigInt(n);
    if (v < 0n) v += 1n << 64n;
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      out.push(byte);
    } while (v > 0n);
    this.chunks.push(Uint8Array.from(out));
  }

  int(field: number, value: number | bigint): this {
    this.varint((field << 3) | 0);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.varint((field << 3) | 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, value: Message): this {
    return this.bytes(field, value.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function tensorProto(t: OnnxTensor): Message {
  const m = new Message();
  for (const d of t.dims) m.int(1, d);
  m.int(2, t.data instanceof Float32Array ? FLOAT : INT64);
  m.string(8, t.name);
  // Raw data is little-endian, as typed arrays are on every platform Electron runs on.
  return m.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function valueInfo({ name, dims, type = 'float32' }: OnnxValue): Message {
  const shape = new Message();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d));
  const tensorType = new Message().int(1, TYPES[type]).message(2, shape);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

function attribute(name: string, value: AttributeValue | { float: number }): Message {
  const m = new Message().string(1, name);
  if (typeof value === 'string') return m.bytes(4, Buffer.from(value, 'utf8')).int(20, 3);
  if (Array.isArray(value)) {
    for (const v of value) m.int(8, v);
    return m.int(20, 7);
  }
  if (typeof value === 'object') return m.float(2, value.float).int(20, 1);
  return Number.isInteger(value) ? m.int(3, value).int(20, 2) : m.float(2, value).int(20, 1);
}

function nodeProto(n: OnnxNode, index: number): Message {
  const m = new Message();
  for (const i of n.inputs) m.string(1, i);
  for (const o of n.outputs) m.string(2, o);
  m.string(3, `${n.op}_${index}`).string(4, n.op);
  for (const [name, value] of Object.entries(n.attributes ?? {})) m.message(5, attribute(name, value));
  return m;
}

/** The model's bytes (ONNX IR version 8, the default opset at `opset`, 17 unless given). */
export function encodeModel(graph: OnnxGraph, info: ModelInfo): Buffer {
  const g = new Message();
  graph.nodes.forEach((n, i) => g.message(1, nodeProto(n, i)));
  g.string(2, graph.name);
  for (const t of graph.initializers) g.message(5, tensorProto(t));
  for (const i of graph.inputs) g.message(11, valueInfo(i));
  for (const o of graph.outputs) g.message(12, valueInfo(o));
  const model = new Message().int(1, 8).string(2, info.producer).message(7, g).message(8, new Message().string(1, '').int(2, info.opset ?? 17));
  for (const [key, value] of Object.entries(info.metadata ?? {})) model.message(14, new Message().string(1, key).string(2, value));
  return model.finish();
}
