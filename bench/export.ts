/**
 * Export benchmarks, side by side in one run:
 *   - 100,000 pairs without images from the full-scale synthetic index (target ≤ 10 s);
 *   - with images: exporting 2,000 pairs with their 4,000 image files vs a plain `cp -r` of the
 *     same files.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportPairs } from '../electron/node/export/write.ts';
import { buildIndex } from '../electron/node/ingest/indexer.ts';
import { openDatabase } from '../electron/node/store/db.ts';
import { ensureIndex } from './ingest.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORK = path.join(HERE, '..', '.bench', 'export');
const FORMATS = ['newsclippings', 'jsonl', 'csv'] as const;

async function withoutImages(): Promise<void> {
  const { dbFile } = ensureIndex();
  const db = openDatabase(dbFile);
  try {
    const dir = path.join(WORK, 'pairs-100k');
    rmSync(dir, { recursive: true, force: true });
    execFileSync('sync'); // no writeback of earlier runs' files during the measurement
    const started = performance.now();
    const summary = await exportPairs(db, {
      dir,
      selection: { query: { split: 'semantics_clip_text_image', subset: 'train' }, sample: { perStratum: 100_000, strata: [], seed: 1 } },
      formats: [...FORMATS],
      images: false,
      articles: false,
      overwrite: false,
      version: 'bench',
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`\nExport of ${summary.pairs.toLocaleString('en-US')} pairs (${summary.rows.toLocaleString('en-US')} rows) without images, from the full-scale index`);
    console.log(`  ${seconds.toFixed(2)} s (target ≤ 10 s) → ${(summary.pairs / seconds).toFixed(0)} pairs/s; ${summary.files} files, ${(summary.bytes / 1e6).toFixed(1)} MB (NewsCLIPpings JSON, data.json, JSONL, CSV, manifest)`);
  } finally {
    db.close();
  }
}

/** 4,000 items with image files of news-photo size (30–120 KB) and 2,000 pairs using all of them. */
async function imageCorpus(): Promise<{ origin: string; dbFile: string }> {
  const root = path.join(WORK, 'media');
  const origin = path.join(root, 'visual_news', 'origin');
  const dbFile = path.join(root, 'media.db');
  const items = 4000;
  if (!existsSync(path.join(origin, 'data.json'))) {
    rmSync(root, { recursive: true, force: true });
    const records = [];
    let seed = 1;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < items; i++) {
      const rel = `./guardian/images/${String(Math.floor(i / 1000)).padStart(4, '0')}/${i % 1000}.jpg`;
      const file = path.join(origin, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(30_000 + (next() % 90_000))); // incompressible, like JPEG data
      records.push({ id: i + 1, caption: `caption ${i}`, topic: 'world', source: 'guardian', image_path: rel, article_path: `./guardian/articles/${i + 1}.txt` });
    }
    writeFileSync(path.join(origin, 'data.json'), JSON.stringify(records));
    const annotations = [];
    for (let c = 1; c <= items / 2; c++) {
      annotations.push({ id: c, image_id: c, similarity_score: 0.8, falsified: false }, { id: c, image_id: c + items / 2, similarity_score: 0.4, falsified: true });
    }
    const split = path.join(root, 'news_clippings', 'data', 'semantics_clip_text_image');
    mkdirSync(split, { recursive: true });
    writeFileSync(path.join(split, 'test.json'), JSON.stringify({ annotations }));
  }
  if (!existsSync(dbFile)) {
    const db = openDatabase(dbFile);
    await buildIndex(db, { visualnews: origin, clippings: path.join(root, 'news_clippings') });
    db.close();
  }
  return { origin, dbFile };
}

async function withImages(): Promise<void> {
  const { origin, dbFile } = await imageCorpus();
  const copy = path.join(WORK, 'cp-r');
  const cp = (): number => {
    rmSync(copy, { recursive: true, force: true });
    execFileSync('sync');
    const t = performance.now();
    execFileSync('cp', ['-r', path.join(origin, 'guardian'), copy]);
    return (performance.now() - t) / 1000;
  };
  cp(); // both read the files from the page cache
  const db = openDatabase(dbFile);
  try {
    const runs: number[] = [];
    const baseline: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      baseline.push(cp());
      const target = path.join(WORK, 'with-images');
      rmSync(target, { recursive: true, force: true }); // as cp's target: removed before the clock starts
      execFileSync('sync');
      const t = performance.now();
      const summary = await exportPairs(db, { dir: target, selection: { query: { split: 'semantics_clip_text_image', subset: 'test' } }, formats: [...FORMATS], images: true, articles: false, overwrite: false, version: 'bench' });
      runs.push((performance.now() - t) / 1000);
      bytes = summary.bytes;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    const [ours, plain] = [median(runs), median(baseline)];
    console.log(`\nExport of 2,000 pairs with their 4,000 images (${(bytes / 1e6).toFixed(0)} MB), median of 3`);
    console.log(`  ours: ${ours.toFixed(2)} s (${(bytes / 1e6 / ours).toFixed(0)} MB/s, including the JSON, CSV and sha256 manifest)`);
    console.log(`  cp -r of the same image files: ${plain.toFixed(2)} s (${(bytes / 1e6 / plain).toFixed(0)} MB/s)`);
    console.log(`  ratio: ours = ${(ours / plain).toFixed(2)}× cp -r's time`);
  } finally {
    db.close();
    rmSync(copy, { recursive: true, force: true });
  }
}

export async function benchExport(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  await withoutImages();
  await withImages();
}
