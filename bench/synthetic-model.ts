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
import { encodeModel } from '../electron/node/onnx/model-writer.ts';

/** pixel_values [batch, 3, 224, 224] → AveragePool 32×32 → [batch, 147] → MatMul [147, dim] → image_embeds [batch, dim]. */
function imageEncoder(dim: number): Buffer {
  let seed = 7;
  const weights = Float32Array.from({ length: 147 * dim }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.2);
  return encodeModel(
    {
      name: 'synthetic-224-image',
      nodes: [
        { op: 'AveragePool', inputs: ['pixel_values'], outputs: ['pooled'], attributes: { kernel_shape: [32, 32], strides: [32, 32] } },
        { op: 'Reshape', inputs: ['pooled', 'flat_shape'], outputs: ['flat'] },
        { op: 'MatMul', inputs: ['flat', 'projection'], outputs: ['image_embeds'] },
      ],
      initializers: [
        { name: 'flat_shape', dims: [2], data: new BigInt64Array([0n, 147n]) },
        { name: 'projection', dims: [147, dim], data: weights },
      ],
      inputs: [{ name: 'pixel_values', dims: ['batch', 3, 224, 224] }],
      outputs: [{ name: 'image_embeds', dims: ['batch', dim] }],
    },
    { producer: 'ooc-workbench bench' },
  );
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
