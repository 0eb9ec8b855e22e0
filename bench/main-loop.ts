/**
 * Does the app keep answering while a saliency map is computed? RISE with 500 masks (plus word
 * deletion and the deletion curve) runs through the API while a client in another thread asks
 * for a page of pairs every 10 ms over HTTP; the latency of those pages, p50 / p99 / max, is
 * measured with the map computed on the main loop (before: how the app ran until now) and in the
 * task pool's worker threads (now), side by side in one run. Target: p99 ≤ 50 ms.
 *
 * The model is the random-weight ViT-B/32 of the CLIP benchmark when it has been exported there
 * (it needs PyTorch), else a synthetic encoder with ViT-B/32's 224×224 input (synthetic-model.ts):
 * the masks are built in JS at 224×224 either way, and that is what blocked the loop.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createHandlers } from '../electron/node/api/handlers.ts';
import { TaskPool } from '../electron/node/jobs/task-pool.ts';
import type { TaskRunner } from '../electron/node/jobs/tasks.ts';
import { bundleRenderer } from '../electron/node/server/renderer-bundle.ts';
import { startServer } from '../electron/node/server/http-server.ts';
import { openDatabase } from '../electron/node/store/db.ts';
import { writeImageCorpus } from '../test/fixtures/image-corpus.ts';
import { MODEL_DIR } from './clip.ts';
import { syntheticModel } from './synthetic-model.ts';

/** Asks for a page every 10 ms until told to stop; posts back each request's latency in ms. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
let running = true;
async function ask() {
  const res = await fetch(workerData.url + '/api/pairs.page', { method: 'POST', headers: { authorization: 'Bearer ' + workerData.token, 'x-ooc-request': '1', 'content-type': 'application/json' }, body: JSON.stringify({ split: 'merged_balanced', subset: 'test', q: 'protesters', limit: 100 }) });
  const body = await res.json();
  if (!body.ok) throw new Error(body.error.message);
}
parentPort.on('message', () => (running = false));
(async () => {
  const latencies = [];
  // The connection made and warm before anything is measured.
  await ask();
  parentPort.postMessage('ready');
  while (running) {
    const started = performance.now();
    await ask();
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  parentPort.postMessage(latencies);
})();
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function benchMainLoop(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ooc-bench-loop-'));
  try {
    const corpus = await writeImageCorpus(dir);
    const vit = existsSync(path.join(MODEL_DIR, 'manifest.json'));
    const model = vit ? MODEL_DIR : syntheticModel(path.join(import.meta.dirname, '..', '.bench', 'models', 'synthetic-224'));
    const db = openDatabase(corpus.dbFile);
    const renderer = await bundleRenderer();
    console.log(`\nPages of pairs asked every 10 ms over HTTP while RISE (500 masks, words, deletion curve) runs, ${vit ? 'ViT-B/32 (random weights)' : 'a synthetic encoder with ViT-B/32\'s 224×224 input (no ViT-B/32 export here: PyTorch is missing)'}, CPU`);
    const rows: [string, number[], number][] = [];
    for (const [label, tasks] of [['on the main loop (before)', undefined], ['in the task pool (now)', new TaskPool(corpus.dbFile)]] as [string, TaskRunner | undefined][]) {
      db.exec('DELETE FROM saliency_maps');
      const handlers = createHandlers({ db, databaseFile: corpus.dbFile, demo: false, version: 'bench', ...(tasks ? { tasks } : {}) });
      const server = await startServer({ db, handlers, renderer, thumbnailDir: path.join(dir, 'thumbs') });
      const request = { imageId: 102, captionId: 102, method: 'rise', masks: 500, model };
      await handlers['saliency.explain']({ ...request, imageId: 103, captionId: 103 }); // the model loaded and warm
      const client = new Worker(CLIENT, { eval: true, workerData: { url: server.url.replace(/\/\?token=.*$/, ''), token: server.token } });
      client.on('error', (err) => console.error(err));
      await new Promise((resolve) => client.once('message', resolve)); // 'ready'
      const latencies = new Promise<number[]>((resolve) => client.once('message', resolve));
      const started = performance.now();
      await handlers['saliency.explain'](request);
      const seconds = (performance.now() - started) / 1000;
      client.postMessage('stop');
      rows.push([label, (await latencies).sort((a, b) => a - b), seconds]);
      await client.terminate();
      await server.close();
      await tasks?.close();
    }
    for (const [label, sorted, seconds] of rows) {
      console.log(`  ${label.padEnd(28)} ${String(sorted.length).padStart(4)} pages · p50 ${percentile(sorted, 50).toFixed(1)} ms · p95 ${percentile(sorted, 95).toFixed(1)} ms · p99 ${percentile(sorted, 99).toFixed(1)} ms · max ${sorted.at(-1)!.toFixed(1)} ms (target p99 ≤ 50 ms) · the map took ${seconds.toFixed(2)} s`);
    }
    const [before, now] = rows;
    console.log(`  p99 ratio, before / now: ${(percentile(before![1], 99) / percentile(now![1], 99)).toFixed(1)}×`);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
