// Runs one full index build (in its worker thread, as the app does) and reports time and the
// process's peak RSS, worker included.
import { runIndexInWorker } from '../../electron/node/jobs/run-job.ts';

const [dbFile, visualnews, clippings] = process.argv.slice(2) as [string, string, string];
const start = performance.now();
const summary = await runIndexInWorker({ dbFile, visualnews, clippings, force: true });
const seconds = (performance.now() - start) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, items: summary.stats.items.total, pairs: summary.stats.pairs, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
