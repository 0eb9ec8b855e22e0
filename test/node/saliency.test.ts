import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SALIENCY_PARAMS } from '../../electron/common/saliency.ts';
import { ClipModel } from '../../electron/node/inference/clip.ts';
import { readModel } from '../../electron/node/inference/manifest.ts';
import { mulberry32 } from '../../electron/node/random.ts';
import { explainPair } from '../../electron/node/saliency/explain.ts';
import { limeImage, limeWords, slic, weightedRidge } from '../../electron/node/saliency/lime.ts';
import { deletionCurve, occlusion, rise, type ImageScorer } from '../../electron/node/saliency/perturb.ts';
import { openDatabase } from '../../electron/node/store/db.ts';
import { tempDir } from '../fixtures/corpus.ts';
import { writeImageCorpus } from '../fixtures/image-corpus.ts';

const TINY = fileURLToPath(new URL('../../models/tiny-random-clip/', import.meta.url));

async function tiny(t: { after(fn: () => unknown): void }) {
  const clip = new ClipModel(await readModel(TINY), 'cpu');
  t.after(() => clip.release());
  return clip;
}

/** Scores images by cosine with a reference image, through the real image encoder. */
async function scorerAgainst(clip: ClipModel, reference: Float32Array): Promise<ImageScorer> {
  const ref = await clip.encodeImages(reference, 1);
  return async (pixels, count) => {
    const e = await clip.encodeImages(pixels, count);
    return Float32Array.from({ length: count }, (_, i) => ref.reduce((s, x, k) => s + x * e[i * clip.dim + k]!, 0));
  };
}

test("the relevance graph's outputs in onnxruntime equal PyTorch's (Chefer et al.), image patches and caption tokens", async (t) => {
  const clip = await tiny(t);
  const reference = JSON.parse(readFileSync(path.join(TINY, 'reference.json'), 'utf8')) as {
    pixel_values: { shape: number[]; data: number[] };
    tokenizer_cases: { text: string; ids: number[] }[];
    relevance: { score: number[]; image_relevance: number[]; text_relevance: number[] };
  };
  const plane = reference.pixel_values.data.length / reference.pixel_values.shape[0]!;
  const pixels = Float32Array.from(reference.pixel_values.data.slice(0, plane));
  const caption = reference.tokenizer_cases[0]!;
  const out = await clip.relevance(pixels, caption.text);
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
    assert.equal(a.length, b.length, what);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-5, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  };
  close([out.score], reference.relevance.score, 'score');
  close(out.patches, reference.relevance.image_relevance, 'image relevance');
  // Words are the sums of their pieces' relevance; together they hold every piece's.
  const pieces = caption.ids.filter((id) => id !== 0).length - 2;
  const total = reference.relevance.text_relevance.slice(1, 1 + pieces).reduce((s, v) => s + v, 0);
  close([out.tokens.reduce((s, w) => s + w.score, 0)], [total], 'caption relevance');
  assert.equal(out.tokens.map((w) => w.text).join(' '), caption.text.toLowerCase(), 'the words are the caption as the model reads it');
});

test('occlusion puts the mass where the matching content is: the left half of a planted image', async (t) => {
  const clip = await tiny(t);
  const size = clip.manifest.preprocess.size;
  const plane = size * size;
  // The "caption" is the left half alone (the right half at the mean colour, which is what
  // occlusion leaves); the image adds unrelated content on the right.
  const random = mulberry32(11);
  const left = new Float32Array(3 * plane);
  const image = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = c * plane + y * size + x;
        if (x < size / 2) left[i] = image[i] = random() * 4 - 2;
        else image[i] = Math.sin(x * 0.9 + c) * 2;
      }
    }
  }
  const score = await scorerAgainst(clip, left);
  const base = (await score(image, 1))[0]!;
  const grid = 4;
  const map = await occlusion(image, size, base, score, grid);
  const half = (side: 'left' | 'right') => map.values.filter((_, i) => (i % grid < grid / 2) === (side === 'left')).reduce((s, v) => s + v, 0);
  assert.ok(half('left') > 0, `removing the matching half lowers the score (${half('left')})`);
  assert.ok(half('right') < 0, `removing the unrelated half raises it (${half('right')})`);

  const curve = await deletionCurve(image, size, base, score, map, grid, 0);
  assert.equal(curve.scores.length, 11);
  assert.ok(curve.auc < curve.randomAuc, `deleting by relevance lowers the score faster than at random (${curve.auc} vs ${curve.randomAuc})`);
});

test('RISE gives the same map for the same seed, and another for another seed', async (t) => {
  const clip = await tiny(t);
  const size = clip.manifest.preprocess.size;
  const image = Float32Array.from({ length: 3 * size * size }, (_, i) => Math.sin(i * 0.37));
  const score = await scorerAgainst(clip, image.map((v) => v * 0.5));
  const params = { ...DEFAULT_SALIENCY_PARAMS, masks: 40, seed: 3 };
  const a = await rise(image, size, score, params);
  const b = await rise(image, size, score, params);
  const c = await rise(image, size, score, { ...params, seed: 4 });
  assert.equal(a.width, size / 4);
  assert.deepEqual(a.values, b.values);
  assert.notDeepEqual(a.values, c.values);
});

test('explaining a pair scores words, caches the map, and says clearly why it cannot', async (t) => {
  const dir = tempDir(t);
  const corpus = await writeImageCorpus(dir);
  const db = openDatabase(corpus.dbFile);
  t.after(() => db.close());
  const clip = await tiny(t);
  const first = await explainPair(db, clip, { imageId: 102, captionId: 102, method: 'occlusion' });
  assert.equal(first.cached, false);
  assert.equal(first.meaningful, false);
  assert.deepEqual(first.tokens.map((w) => w.text), 'Protesters gather in Osaka square number 2'.split(' '));
  assert.equal(first.map?.values.length, 49);
  const again = await explainPair(db, clip, { imageId: 102, captionId: 102, method: 'occlusion' });
  assert.equal(again.cached, true, 'kept in the database');
  assert.deepEqual(again.map, first.map);
  const steps: [number, number][] = [];
  const rised = await explainPair(db, clip, { imageId: 102, captionId: 102, method: 'rise', params: { masks: 32 } }, (done, total) => steps.push([done, total]));
  assert.equal(rised.cached, false, 'another method is another map');
  assert.deepEqual(steps.at(-1), [32 + 7 + 20, 32 + 7 + 20], 'progress counts every forward pass: masks, words, deletion curves');
  assert.ok(steps.every(([done], i) => i === 0 || done > steps[i - 1]![0]));
  const lime = await explainPair(db, clip, { imageId: 102, captionId: 102, method: 'lime', params: { masks: 24 } });
  assert.deepEqual([lime.map?.width, lime.map?.height, lime.tokens.length], [56, 56, 7]);
  assert.ok(lime.deletion !== null, 'LIME maps are measured for faithfulness too');
  const chefer = await explainPair(db, clip, { imageId: 102, captionId: 102, method: 'chefer' });
  assert.equal(chefer.map?.width, clip.manifest.relevance!.patchGrid);
  const wordSteps: [number, number][] = [];
  const words = await explainPair(db, clip, { imageId: 102, captionId: 102, method: 'words' }, (done, total) => wordSteps.push([done, total]));
  assert.equal(words.map, null, 'word deletion draws no image map');
  assert.equal(words.deletion, null, 'nor a deletion curve over one');
  assert.deepEqual(words.tokens.map((w) => w.text), first.tokens.map((w) => w.text));
  assert.deepEqual(wordSteps.at(-1), [7, 7], 'one forward pass per word, nothing more');
  assert.ok(Math.abs(chefer.score - first.score) < 1e-5, 'the relevance graph scores the pair as the encoders do');
  assert.equal(chefer.tokens.map((w) => w.text).join(' '), 'protesters gather in osaka square number 2');
  assert.ok(chefer.deletion !== null && chefer.deletion.fractions.length === 11);

  await assert.rejects(explainPair(db, clip, { imageId: 999999, captionId: 102, method: 'occlusion' }), { code: 'NOT_FOUND', message: /no item 999999/ });
  await assert.rejects(explainPair(db, clip, { imageId: 102, captionId: 999999, method: 'occlusion' }), { code: 'NOT_FOUND' });
  await assert.rejects(explainPair(db, clip, { imageId: corpus.missingImageId, captionId: 102, method: 'occlusion' }), { code: 'IMAGE_MISSING', message: /is missing/ });
  await assert.rejects(explainPair(db, clip, { imageId: corpus.corruptImageId, captionId: 102, method: 'occlusion' }), { code: 'IMAGE_CORRUPT', message: /cannot be decoded/ });
  await assert.rejects(explainPair(db, clip, { imageId: 102, captionId: 102, method: 'rise', params: { keep: 1.5 } }), { code: 'BAD_ARGUMENT' });
});

test('LIME: SLIC superpixels follow colour edges, the surrogate finds the region that drives the score, the words likewise, and a seed repeats it', async () => {
  const size = 32;
  const plane = size * size;
  // Left half red, right half blue (CHW, normalised-like values).
  const image = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    const left = p % size < size / 2;
    image[p] = left ? 2 : -1;
    image[2 * plane + p] = left ? -1 : 2;
  }
  const labels = slic(image, size, 8);
  // No superpixel spans the colour edge.
  const sides = new Map<number, Set<boolean>>();
  for (let p = 0; p < plane; p++) sides.set(labels[p]!, (sides.get(labels[p]!) ?? new Set()).add(p % size < size / 2));
  assert.ok([...sides.values()].every((s) => s.size === 1), 'each superpixel lies on one side of the edge');
  // The score counts the red pixels kept: the map's left half must outweigh its right.
  const score: ImageScorer = async (pixels, count) => Float32Array.from({ length: count }, (_, i) => {
    let kept = 0;
    for (let p = 0; p < plane; p++) if (pixels[i * 3 * plane + p] === 2) kept++;
    return kept / plane;
  });
  const map = await limeImage(image, size, score, 200, 3, 8);
  const half = (left: boolean) => map.values.filter((_, i) => (i % map.width < map.width / 2) === left).reduce((s, v) => s + v, 0);
  assert.ok(half(true) > 10 * Math.abs(half(false)), `left ${half(true)} against right ${half(false)}`);
  assert.deepEqual(await limeImage(image, size, score, 200, 3, 8), map, 'the same seed gives the same map');
  // Words: the score is 1 when "flood" is kept.
  const words = await limeWords('a flood in the city', async (texts) => Float32Array.from(texts, (t) => (t.includes('flood') ? 1 : 0)), 100, 1);
  assert.equal([...words].sort((a, b) => b.score - a.score)[0]!.text, 'flood');
  // Weighted ridge regression against the normal equations solved by hand: y = 2·x1 − x2, α = 0 up to the penalty.
  const beta = weightedRidge([Uint8Array.of(0, 0), Uint8Array.of(1, 0), Uint8Array.of(0, 1), Uint8Array.of(1, 1)], Float32Array.of(0, 2, -1, 1), Float64Array.of(1, 1, 1, 1), 1e-9);
  assert.ok(Math.abs(beta[0]! - 2) < 1e-6 && Math.abs(beta[1]! + 1) < 1e-6, `β ${beta}`);
});
