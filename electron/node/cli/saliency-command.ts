import { writeFile } from 'node:fs/promises';
import { OocError } from '../../common/errors.ts';
import { COLORMAPS, SALIENCY_METHODS, type Colormap, type SaliencyMethod } from '../../common/saliency.ts';
import { ClipModel } from '../inference/clip.ts';
import { parseProviderChoice } from '../inference/providers.ts';
import { resolveModel } from '../inference/registry.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { explainPair, NO_WORD_MAP } from '../saliency/explain.ts';
import { overlayPng } from '../saliency/render.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';

function int(values: Record<string, string | boolean | undefined>, name: string, fallback?: number): number | undefined {
  const v = optionalString(values, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new OocError('BAD_ARGUMENT', `--${name} must be an integer, got "${v}"`);
  return n;
}

export const saliencyCommand: Command = {
  name: 'saliency',
  summary: 'which image regions and caption words drive an image–caption score (a PNG overlay and JSON)',
  usage: `ooc saliency --caption-id <id> --image-id <id> --out <file.png> [--json <file>]   (words: --out not needed)
             [--method ${SALIENCY_METHODS.join('|')}] [--model <dir or id>] [--grid <n>] [--masks <n>] [--seed <n>]
             [--colormap ${COLORMAPS.join('|')}] [--opacity <0-1>] [--size <px>] [--ep auto|cpu|webgpu|cuda] [--db <file>]

  --method   occlusion (default): grey out each cell of a grid × grid partition and measure the drop;
             rise: random masks weighted by the score they leave (--masks, default 500; --seed);
             chefer: attention relevance, for models exported with a relevance graph;
             lime: a weighted linear surrogate over random subsets of ~50 SLIC superpixels and of
             the words (--masks samples, default 500; --seed), its coefficients the map and word scores;
             words: the caption words scored by deletion only, with no image map (every method scores them)
  --model    default: the first installed model with real weights, else the bundled tiny model
             (random weights: its maps mean nothing)
  --json     the raw grid, the word scores, the score and the deletion curve (faithfulness: cells
             removed from most to least relevant, against a random order)

Maps are cached in the database per model, image, caption, method and parameters.`,
  options: {
    'caption-id': { type: 'string' },
    'image-id': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    method: { type: 'string' },
    model: { type: 'string' },
    grid: { type: 'string' },
    masks: { type: 'string' },
    seed: { type: 'string' },
    colormap: { type: 'string' },
    opacity: { type: 'string' },
    size: { type: 'string' },
    ep: { type: 'string' },
    db: { type: 'string' },
  },
  async run(values) {
    const captionId = int(values, 'caption-id');
    const imageId = int(values, 'image-id');
    if (captionId === undefined || imageId === undefined) throw new OocError('BAD_ARGUMENT', 'give --caption-id and --image-id (see: ooc saliency --help)');
    const method = (optionalString(values, 'method') ?? 'occlusion') as SaliencyMethod;
    if (!SALIENCY_METHODS.includes(method)) throw new OocError('BAD_ARGUMENT', `--method must be one of ${SALIENCY_METHODS.join(', ')}, got "${method}"`);
    if (method === 'words' && values.out !== undefined) throw new OocError('BAD_ARGUMENT', `--out: ${NO_WORD_MAP}`);
    const out = method === 'words' ? null : requireString(values, 'out', 'saliency');
    const colormap = (optionalString(values, 'colormap') ?? 'jet') as Colormap;
    if (!COLORMAPS.includes(colormap)) throw new OocError('BAD_ARGUMENT', `--colormap must be one of ${COLORMAPS.join(', ')}`);
    const opacity = Number(optionalString(values, 'opacity') ?? '0.5');
    if (!(opacity >= 0 && opacity <= 1)) throw new OocError('BAD_ARGUMENT', '--opacity must be between 0 and 1');
    const size = int(values, 'size', 448)!;
    if (size < 16 || size > 4096) throw new OocError('BAD_ARGUMENT', '--size must be from 16 to 4096 pixels');
    const params = Object.fromEntries(
      (['grid', 'masks', 'seed'] as const).flatMap((k) => {
        const v = int(values, k);
        return v === undefined ? [] : [[k, v]];
      }),
    );
    const db = openCommandDatabase(values);
    const clip = new ClipModel(await resolveModel(optionalString(values, 'model')), parseProviderChoice(optionalString(values, 'ep') ?? 'auto'));
    try {
      const result = await explainPair(db, clip, { imageId, captionId, method, params });
      const image = getItem(db, imageId)!;
      if (out !== null) await writeFile(out, await overlayPng(resolveInRoot(getRoots(db).visualnews!, image.image_path!), result.map!, size, colormap, opacity));
      const jsonFile = optionalString(values, 'json');
      if (jsonFile !== undefined) await writeFile(jsonFile, `${JSON.stringify(result, null, 2)}\n`);
      if (!result.meaningful) process.stderr.write(`Model ${result.model} has random weights: this map means nothing (for trying the app only).\n`);
      const top = [...result.tokens].sort((a, b) => b.score - a.score).slice(0, 5).map((t) => `${t.text} ${t.score.toFixed(3)}`).join(', ');
      process.stdout.write(
        `score ${result.score.toFixed(4)} (${result.model}, ${method}${result.cached ? ', cached' : `, ${result.seconds.toFixed(2)} s`})\n` +
          `${top ? `words that matter most: ${top}\n` : ''}` +
          `${result.deletion ? `deletion AUC ${result.deletion.auc.toFixed(4)} (random order ${result.deletion.randomAuc.toFixed(4)}; lower is more faithful)\n` : ''}` +
          `${[out, jsonFile].some(Boolean) ? `wrote ${[out, jsonFile].filter(Boolean).join(' and ')}\n` : ''}`,
      );
      return 0;
    } finally {
      await clip.release();
      db.close();
    }
  },
};
