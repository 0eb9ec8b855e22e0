import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ClipModel, normalizeRows } from '../../electron/node/inference/clip.ts';
import { readModel } from '../../electron/node/inference/manifest.ts';
import { preprocessImage } from '../../electron/node/inference/preprocess.ts';
import { openSession } from '../../electron/node/inference/providers.ts';
import { resolveModel } from '../../electron/node/inference/registry.ts';
import { ClipTokenizer } from '../../electron/node/inference/tokenizer.ts';
import { OocError } from '../../electron/common/errors.ts';
import { tempDir, writeJson } from '../fixtures/corpus.ts';

const TINY = fileURLToPath(new URL('../../models/tiny-random-clip/', import.meta.url));

interface Reference {
  pixel_values: { shape: number[]; data: number[] };
  image_embeds: { shape: number[]; data: number[] };
  text_embeds: { shape: number[]; data: number[] };
  tokenizer_cases: Array<{ text: string; ids: number[] }>;
}
const reference = JSON.parse(readFileSync(path.join(TINY, 'reference.json'), 'utf8')) as Reference;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

test("the tiny model's encoders in onnxruntime-node equal PyTorch's outputs within 1e-5", async (t) => {
  const clip = new ClipModel(await readModel(TINY), 'cpu');
  t.after(() => clip.release());
  const images = await clip.encodeImages(Float32Array.from(reference.pixel_values.data), reference.pixel_values.shape[0]!);
  const expectedImages = Float32Array.from(reference.image_embeds.data);
  normalizeRows(expectedImages, clip.dim);
  assert.ok(maxDiff(images, expectedImages) < 1e-5, `image max diff ${maxDiff(images, expectedImages)}`);

  const texts = await clip.encodeTexts(reference.tokenizer_cases.map((c) => c.text));
  const expectedTexts = Float32Array.from(reference.text_embeds.data);
  normalizeRows(expectedTexts, clip.dim);
  assert.ok(maxDiff(texts, expectedTexts) < 1e-5, `text max diff ${maxDiff(texts, expectedTexts)}`);
  assert.equal(clip.providers().image?.provider, 'cpu');
});

test('the tokenizer gives the reference ids for unicode, punctuation, empty and over-long captions', async () => {
  const tokenizer = await ClipTokenizer.load(await readModel(TINY));
  const ids = tokenizer.encodeBatch(reference.tokenizer_cases.map((c) => c.text));
  reference.tokenizer_cases.forEach((c, row) => {
    assert.deepEqual(Array.from(ids.subarray(row * 77, (row + 1) * 77), Number), c.ids, JSON.stringify(c.text.slice(0, 40)));
  });
  const { startToken, endToken } = (await readModel(TINY)).manifest.tokenizer;
  const empty = Array.from(tokenizer.encodeBatch(['']), Number);
  assert.deepEqual(empty.slice(0, 3), [startToken, endToken, 0]);
  const long = Array.from(tokenizer.encodeBatch(['word '.repeat(500)]), Number);
  assert.equal(long.length, 77);
  assert.equal(long[0], startToken);
  assert.equal(long[76], endToken, 'a caption longer than 77 tokens is cut with its end token kept');
});

async function pixelsOf(input: Buffer, size = 32): Promise<{ at(x: number, y: number): [number, number, number] }> {
  const spec = { size, resize: 'shortest-side' as const, interpolation: 'bicubic' as const, crop: 'center' as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
  const out = await preprocessImage(input, spec);
  const plane = size * size;
  return { at: (x, y) => [out[y * size + x]!, out[plane + y * size + x]!, out[2 * plane + y * size + x]!] };
}

/** A 64×32 image: left half red, right half blue. */
function halves(): sharp.Sharp {
  const raw = Buffer.alloc(64 * 32 * 3);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 64; x++) raw.set(x < 32 ? [255, 0, 0] : [0, 0, 255], (y * 64 + x) * 3);
  return sharp(raw, { raw: { width: 64, height: 32, channels: 3 } });
}

test('preprocessing crops the centre and reads JPEG, PNG, GIF, CMYK, grayscale and EXIF-rotated files', async () => {
  const jpeg = await pixelsOf(await halves().jpeg({ quality: 95 }).toBuffer());
  // Shortest side 32 → 64×32, centre crop 32×32 spans x 16..47: red on the left, blue on the right.
  assert.ok(jpeg.at(2, 16)[0] > 0.9 && jpeg.at(2, 16)[2] < 0.1);
  assert.ok(jpeg.at(29, 16)[2] > 0.9 && jpeg.at(29, 16)[0] < 0.1);

  const png = await pixelsOf(await halves().png().toBuffer());
  assert.deepEqual(png.at(2, 2), [1, 0, 0]);

  const rotated = await pixelsOf(await halves().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
  // Orientation 6 shows the image turned 90° clockwise: red ends up on top.
  assert.ok(rotated.at(16, 2)[0] > 0.9 && rotated.at(16, 29)[2] > 0.9);

  const cmyk = await pixelsOf(await halves().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer());
  assert.ok(cmyk.at(2, 16)[0] > 0.8 && cmyk.at(2, 16)[2] < 0.2, `CMYK red came out as ${cmyk.at(2, 16)}`);

  const gray = await pixelsOf(await sharp({ create: { width: 40, height: 40, channels: 3, background: '#808080' } }).toColourspace('b-w').png().toBuffer());
  const g = gray.at(5, 5);
  assert.ok(Math.abs(g[0] - 0.5) < 0.02 && g[0] === g[1] && g[1] === g[2]);

  const frames = [await halves().png().toBuffer(), await sharp({ create: { width: 64, height: 32, channels: 3, background: '#00ff00' } }).png().toBuffer()];
  const gif = await sharp(frames, { join: { animated: true } }).gif().toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 2);
  assert.ok((await pixelsOf(gif)).at(2, 16)[0] > 0.9, 'the first frame of an animated GIF');

  await assert.rejects(pixelsOf(Buffer.from('<html>not an image</html>')));
});

test('auto tries CUDA, then WebGPU, then CPU, and says why each faster provider was skipped', async () => {
  const file = path.join(TINY, 'image.onnx');
  const auto = await openSession(file, 'auto');
  await auto.session.release();
  const order = ['cuda', 'webgpu', 'cpu'];
  assert.deepEqual(auto.skipped.map((s) => s.provider), order.slice(0, order.indexOf(auto.provider)));
  for (const s of auto.skipped) assert.ok(s.reason.length > 0);
  if (auto.provider === 'cpu') {
    await assert.rejects(openSession(file, 'cuda'), (err: unknown) => err instanceof OocError && err.code === 'MODEL_UNAVAILABLE' && /cuda: /.test(err.message));
  }
  const cpu = await openSession(file, 'cpu');
  assert.deepEqual([cpu.provider, cpu.skipped], ['cpu', []]);
  await cpu.session.release();
});

test('models are found by folder or id; a broken manifest is a clear error', async (t) => {
  const home = tempDir(t);
  const env = { OOC_HOME: home };
  assert.equal((await resolveModel(undefined, env)).manifest.id, 'tiny-random-clip');
  assert.equal(path.resolve((await resolveModel('tiny-random-clip', env)).dir), path.resolve(TINY));
  assert.equal((await resolveModel(TINY, env)).manifest.id, 'tiny-random-clip');
  await assert.rejects(resolveModel('no-such-model', env), /no model "no-such-model"/);
  const broken = path.join(home, 'models', 'broken');
  writeJson(path.join(broken, 'manifest.json'), { format: 1, family: 'clip', id: 'broken', embeddingSize: 32 });
  await assert.rejects(readModel(broken), /"image" needs file/);
  writeJson(path.join(broken, 'manifest.json'), { ...JSON.parse(readFileSync(path.join(TINY, 'manifest.json'), 'utf8')), id: 'broken' });
  await assert.rejects(readModel(broken), /image\.onnx is missing/);
});
