/**
 * Generates the bundled demo dataset: a small VisualNews + NewsCLIPpings copy in exactly the
 * real on-disk formats, with images the project draws itself (licence-clean) and the rough
 * edges of the real data (a GIF and a PNG named .jpg, a missing image, a truncated JPEG, an empty
 * caption). Deterministic: the same run writes the same bytes.
 *
 *   npm run demo:generate
 */
import { mkdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { SPLITS, SUBSETS } from '../../electron/common/datasets.ts';
import { rng, type SyntheticItem } from '../../test/fixtures/synthetic.ts';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dataset');
const ITEMS = 240;
const random = rng(2021);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const PEOPLE = ['Amara Okafor', 'Jonas Lindqvist', 'Mei Tanaka', 'Rafael Ortega', 'Priya Raman', 'Tomasz Nowak', 'Grace Mensah', 'Luca Bianchi'];
const PLACES = ['Lisbon', 'Nairobi', 'Osaka', 'Valparaiso', 'Glasgow', 'Hanoi', 'Quebec City', 'Tbilisi', 'Adelaide', 'Cork'];
const ORGS = ['the city council', 'the transport union', 'the national museum', 'the harbour authority', 'the university'];

type Theme = 'politics' | 'flood' | 'sport' | 'city' | 'protest' | 'nature';

const THEMES: Record<Theme, { topics: string[]; captions: ((p: string, place: string, org: string) => string)[] }> = {
  politics: {
    topics: ['politics', 'world', 'election'],
    captions: [
      (p, place) => `${p} speaks to supporters at a rally in ${place}`,
      (p, place, org) => `${p} addresses ${org} in ${place} on Tuesday`,
      (p) => `${p} arrives for talks on the budget`,
    ],
  },
  flood: {
    topics: ['environment', 'weather', 'disaster_accident'],
    captions: [
      (_p, place) => `Residents wade through floodwater in ${place} after days of heavy rain`,
      (_p, place) => `Rescue boats on a flooded street in ${place}`,
      (_p, place, org) => `Sandbags line the river in ${place} as ${org} issues a warning`,
    ],
  },
  sport: {
    topics: ['sport', 'football'],
    captions: [
      (p, place) => `${p} celebrates scoring the winner in ${place}`,
      (_p, place) => `Fans in ${place} watch the final on a big screen`,
      (p) => `${p} during training ahead of the weekend match`,
    ],
  },
  city: {
    topics: ['cities', 'business', 'technology'],
    captions: [
      (_p, place) => `The skyline of ${place} at dusk`,
      (_p, place, org) => `New offices planned by ${org} in central ${place}`,
      (p, place) => `${p} opens a tech hub in ${place}`,
    ],
  },
  protest: {
    topics: ['world', 'society', 'law_crime'],
    captions: [
      (_p, place, org) => `Demonstrators march past ${org} in ${place}`,
      (p, place) => `${p} joins protesters outside parliament in ${place}`,
      (_p, place) => `Crowds gather in the main square of ${place}`,
    ],
  },
  nature: {
    topics: ['environment', 'science', 'travel'],
    captions: [
      (_p, place) => `Morning light over the hills near ${place}`,
      (p) => `${p} surveys a glacier for a climate study`,
      (_p, place) => `Wildflowers bloom in a national park outside ${place}`,
    ],
  },
};

function hsl(h: number, s: number, l: number): string {
  return `hsl(${Math.round(h)},${Math.round(s)}%,${Math.round(l)}%)`;
}

/** A small drawn scene for the theme: enough for a person to tell the images apart. */
function sceneSvg(theme: Theme, w = 320, h = 240): string {
  const hue = random() * 360;
  const figures = (n: number, y: number, scale: number): string =>
    Array.from({ length: n }, () => {
      const x = random() * w;
      const c = hsl(random() * 360, 40, 25 + random() * 20);
      return `<circle cx="${x}" cy="${y - 26 * scale}" r="${7 * scale}" fill="${c}"/><rect x="${x - 7 * scale}" y="${y - 19 * scale}" width="${14 * scale}" height="${24 * scale}" rx="${4 * scale}" fill="${c}"/>`;
    }).join('');
  let body = '';
  switch (theme) {
    case 'politics':
      body = `<rect width="${w}" height="${h}" fill="${hsl(215, 45, 30 + random() * 15)}"/><rect x="${w * 0.35}" y="${h * 0.55}" width="${w * 0.3}" height="${h * 0.45}" fill="${hsl(30, 35, 35)}"/>${figures(1, h * 0.58, 2.2)}<rect x="${w * 0.05}" y="${h * 0.08}" width="${w * 0.9}" height="${h * 0.12}" fill="${hsl(hue, 55, 55)}"/>`;
      break;
    case 'flood':
      body = `<rect width="${w}" height="${h}" fill="${hsl(205, 30, 70)}"/><rect y="${h * 0.2}" width="${w * 0.3}" height="${h * 0.5}" fill="${hsl(20, 25, 45)}"/><rect x="${w * 0.62}" y="${h * 0.25}" width="${w * 0.3}" height="${h * 0.45}" fill="${hsl(35, 25, 50)}"/><rect y="${h * 0.6}" width="${w}" height="${h * 0.4}" fill="${hsl(200 + random() * 20, 45, 35)}"/>${figures(3, h * 0.72, 1.2)}`;
      break;
    case 'sport':
      body = `<rect width="${w}" height="${h * 0.35}" fill="${hsl(210, 50, 75)}"/><rect y="${h * 0.35}" width="${w}" height="${h * 0.65}" fill="${hsl(110 + random() * 20, 45, 38)}"/><line x1="${w / 2}" y1="${h * 0.35}" x2="${w / 2}" y2="${h}" stroke="white" stroke-width="3"/>${figures(4, h * 0.8, 1.4)}<circle cx="${w * (0.3 + random() * 0.4)}" cy="${h * 0.88}" r="6" fill="white"/>`;
      break;
    case 'city': {
      const towers = Array.from({ length: 9 }, (_, i) => {
        const bh = h * (0.3 + random() * 0.5);
        return `<rect x="${i * (w / 9)}" y="${h - bh}" width="${w / 9 - 4}" height="${bh}" fill="${hsl(hue, 15, 20 + random() * 25)}"/>`;
      }).join('');
      body = `<rect width="${w}" height="${h}" fill="${hsl(25 + random() * 20, 70, 60)}"/>${towers}`;
      break;
    }
    case 'protest':
      body = `<rect width="${w}" height="${h}" fill="${hsl(40, 15, 65)}"/><rect y="${h * 0.55}" width="${w}" height="${h * 0.45}" fill="${hsl(0, 0, 45)}"/>${figures(14, h * 0.85, 1)}<rect x="${w * 0.2}" y="${h * 0.35}" width="${w * 0.25}" height="${h * 0.12}" fill="${hsl(hue, 70, 50)}"/><rect x="${w * 0.6}" y="${h * 0.3}" width="${w * 0.22}" height="${h * 0.12}" fill="${hsl(hue + 120, 70, 50)}"/>`;
      break;
    case 'nature':
      body = `<rect width="${w}" height="${h}" fill="${hsl(200, 60, 78)}"/><circle cx="${w * (0.2 + random() * 0.6)}" cy="${h * 0.25}" r="${h * 0.1}" fill="${hsl(48, 95, 60)}"/><polygon points="0,${h} ${w * 0.3},${h * 0.35} ${w * 0.6},${h}" fill="${hsl(120, 25, 35)}"/><polygon points="${w * 0.35},${h} ${w * 0.7},${h * 0.3} ${w},${h}" fill="${hsl(100, 20, 45)}"/>`;
      break;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`;
}

interface DemoItem extends SyntheticItem {
  theme: Theme;
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  const origin = path.join(OUT, 'visual_news', 'origin');
  const sources = ['guardian', 'bbc', 'usa_today', 'washington_post'];
  const themes = Object.keys(THEMES) as Theme[];
  const items: DemoItem[] = [];
  let id = 100_000;
  for (let i = 0; i < ITEMS; i++) {
    id += 1 + Math.floor(random() * 5_000);
    const source = sources[i % sources.length]!;
    const theme = themes[Math.floor(random() * themes.length)]!;
    const spec = THEMES[theme];
    // VisualNews captions have their punctuation stripped ("Korea s president").
    const caption = pick(spec.captions)(pick(PEOPLE), pick(PLACES), pick(ORGS)).replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/ +/g, ' ');
    const n = Math.floor(i / sources.length);
    items.push({
      id,
      caption: i === 17 ? '' : caption,
      topic: pick(spec.topics),
      source,
      image_path: `./${source}/images/${String(Math.floor(n / 50)).padStart(4, '0')}/${String(n % 50).padStart(3, '0')}.jpg`,
      article_path: `./${source}/articles/${id}.txt`,
      theme,
    });
  }
  for (const [i, item] of items.entries()) {
    const imageFile = path.join(origin, item.image_path);
    mkdirSync(path.dirname(imageFile), { recursive: true });
    const scene = sharp(Buffer.from(sceneSvg(item.theme)));
    if (i === 5) await scene.gif().toFile(imageFile); // a GIF named .jpg, as in the real corpus
    else if (i === 9) await scene.png().toFile(imageFile); // a PNG named .jpg
    else if (i !== 13) await scene.jpeg({ quality: 72, mozjpeg: true }).toFile(imageFile); // i === 13: missing
    if (i === 21) truncateSync(imageFile, Math.floor(statSync(imageFile).size / 2)); // cut short: a corrupt download
    const article = path.join(origin, item.article_path);
    mkdirSync(path.dirname(article), { recursive: true });
    writeFileSync(article, `${item.caption || 'Photograph'}. This demo article was generated for OOC Workbench; it is not real news. Topic ${item.topic}.\n`);
  }
  writeFileSync(path.join(origin, 'data.json'), pythonJson(items.map(({ theme: _theme, ...rest }) => rest)));
  writeSplits(items);
  writeMetadata(items);
  process.stdout.write(`demo dataset written to ${OUT}: ${items.length} items\n`);
}

/** JSON with Python's default separators, as json.dump writes data.json. */
function pythonJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/","/g, '", "')
    .replace(/":/g, '": ')
    .replace(/,"/g, ', "')
    .replace(/},\{/g, '}, {');
}

/** Pairs per split/subset: each caption with its own image, then an image from another theme. */
function writeSplits(items: DemoItem[]): void {
  const clippings = path.join(OUT, 'news_clippings', 'data');
  const sizes: Record<string, number> = { train: 10, val: 4, test: 6 };
  const subDatasets = SPLITS.filter((s) => s.folder !== 'merged_balanced').map((s) => s.folder);
  for (const split of SPLITS) {
    for (const subset of SUBSETS) {
      const annotations: Record<string, unknown>[] = [];
      for (let k = 0; k < sizes[subset]!; k++) {
        const caption = pick(items.filter((x) => x.caption !== ''));
        const image = pick(items.filter((x) => x.theme !== caption.theme && x.id !== caption.id));
        const extra = split.folder === 'merged_balanced' ? { source_dataset: k % 4 } : {};
        annotations.push({ id: caption.id, image_id: caption.id, similarity_score: round(0.55 + random() * 0.4), ...extra, falsified: false });
        annotations.push({ id: caption.id, image_id: image.id, similarity_score: round(0.3 + random() * 0.5), ...extra, falsified: true });
      }
      const file = path.join(clippings, split.folder, `${subset}.json`);
      mkdirSync(path.dirname(file), { recursive: true });
      const content = split.folder === 'merged_balanced' ? { annotations, source_datasets: subDatasets } : { annotations };
      writeFileSync(file, pythonJson(content));
    }
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function writeMetadata(items: DemoItem[]): void {
  const dir = path.join(OUT, 'news_clippings', 'metadata');
  mkdirSync(dir, { recursive: true });
  SUBSETS.forEach((subset, s) => {
    const meta: Record<string, unknown> = {};
    for (const item of items.filter((_, i) => i % 3 === s)) {
      const people = PEOPLE.filter((p) => item.caption.includes(p));
      const places = PLACES.filter((p) => item.caption.includes(p));
      meta[String(item.id)] = {
        image_path: item.image_path,
        topic: item.topic,
        timestamp: `20${10 + Math.floor(random() * 9)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
        entities: { PERSON: people, GPE: places },
        article_location: places[0] ?? null,
      };
    }
    writeFileSync(path.join(dir, `${subset}.json`), pythonJson(meta));
  });
}

await main();
