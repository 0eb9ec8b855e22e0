/**
 * A model folder for benchmarks where PyTorch is missing: the bundled tiny model's text encoder
 * and tokenizer, with an image encoder that takes 224×224 images as ViT-B/32 does (average-pooled
 * to 7×7, then a fixed random projection), written as ONNX by hand. What runs in JS around the
 * model (preprocessing, RISE's masks, occlusion) then costs what it costs with ViT-B/32; the
 * encoder itself is cheap. Scores are meaningless.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Protocol-buffer wire format, as much as an ONNX graph needs. */
function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n;
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}
const field = (n: number, wire: number): number[] => varint((n << 3) | wire);
const int = (n: number, value: number): number[] => [...field(n, 0), ...varint(value)];
const bytes = (n: number, value: Uint8Array | number[]): number[] => [...field(n, 2), ...varint(value.length), ...value];
const str = (n: number, value: string): number[] => bytes(n, [...Buffer.from(value, 'utf8')]);

const FLOAT = 1;
const INT64 = 7;

function valueInfo(name: string, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => bytes(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return [...str(1, name), ...bytes(2, bytes(1, [...int(1, FLOAT), ...bytes(2, shape)]))];
}

function tensor(name: string, dims: number[], type: number, raw: Uint8Array): number[] {
  return [...dims.flatMap((d) => int(1, d)), ...int(2, type), ...str(8, name), ...bytes(9, raw)];
}

function node(op: string, inputs: string[], outputs: string[], attributes: number[][] = []): number[] {
  return [...inputs.flatMap((i) => str(1, i)), ...outputs.flatMap((o) => str(2, o)), ...str(4, op), ...attributes.flatMap((a) => bytes(5, a))];
}

const ints = (name: string, values: number[]): number[] => [...str(1, name), ...values.flatMap((v) => int(8, v)), ...int(20, 7)];

/** pixel_values [batch, 3, 224, 224] → AveragePool 32×32 → [batch, 147] → MatMul [147, dim] → image_embeds [batch, dim]. */
function imageEncoder(dim: number): Buffer {
  let seed = 7;
  const weights = Float32Array.from({ length: 147 * dim }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.2);
  const graph = [
    ...bytes(1, node('AveragePool', ['pixel_values'], ['pooled'], [ints('kernel_shape', [32, 32]), ints('strides', [32, 32])])),
    ...bytes(1, node('Reshape', ['pooled', 'flat_shape'], ['flat'])),
    ...bytes(1, node('MatMul', ['flat', 'projection'], ['image_embeds'])),
    ...str(2, 'synthetic-224-image'),
    ...bytes(5, tensor('flat_shape', [2], INT64, new Uint8Array(new BigInt64Array([0n, 147n]).buffer))),
    ...bytes(5, tensor('projection', [147, dim], FLOAT, new Uint8Array(weights.buffer))),
    ...bytes(11, valueInfo('pixel_values', ['batch', 3, 224, 224])),
    ...bytes(12, valueInfo('image_embeds', ['batch', dim])),
  ];
  return Buffer.from([...int(1, 8), ...str(2, 'ooc-workbench bench'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...int(2, 17)])]);
}

/** Writes the model folder once and returns it. */
export function syntheticModel(dir: string): string {
  if (existsSync(path.join(dir, 'manifest.json'))) return dir;
  const tiny = path.join(import.meta.dirname, '..', 'models', 'tiny-random-clip');
  const manifest = JSON.parse(readFileSync(path.join(tiny, 'manifest.json'), 'utf8'));
  mkdirSync(dir, { recursive: true });
  const image = imageEncoder(manifest.embeddingSize);
  writeFileSync(path.join(dir, 'image.onnx'), image);
  for (const f of [manifest.text.file, manifest.tokenizer.file]) copyFileSync(path.join(tiny, f), path.join(dir, f));
  delete manifest.relevance;
  manifest.id = 'synthetic-224';
  manifest.name = 'Synthetic 224×224 encoder (benchmarks only)';
  manifest.config.image_size = 224;
  manifest.image.input.shape = ['batch', 3, 224, 224];
  manifest.image.sha256 = createHash('sha256').update(image).digest('hex');
  manifest.preprocess.size = 224;
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
