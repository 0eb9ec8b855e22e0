import type { IndexSummary } from '../../common/index-types.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { openDatabase } from '../store/db.ts';
import { runIndexInWorker } from '../../workers/run-index.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { progressReporter } from './progress.ts';

export function printSummary(summary: IndexSummary, out: NodeJS.WriteStream = process.stdout): void {
  const s = summary.stats;
  if (summary.upToDate) {
    out.write(`Index is up to date: the input files have not changed since ${s.indexedAt ?? 'the last run'}; nothing to do.\n`);
  } else {
    out.write(`Indexed in ${summary.seconds.toFixed(1)} s${summary.resumed ? ' (continued an interrupted run)' : ''}.\n`);
  }
  out.write(`  items: ${s.items.total.toLocaleString('en-US')} (${Object.entries(s.items.bySource).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')})\n`);
  for (const [split, subsets] of Object.entries(s.annotations)) {
    const parts = Object.entries(subsets).map(([subset, c]) => `${subset} ${c.total.toLocaleString('en-US')}`);
    out.write(`  ${split}: ${parts.join(', ')}\n`);
  }
  out.write(`  pairs: ${s.pairs.toLocaleString('en-US')}, metadata records: ${s.metadata.toLocaleString('en-US')}\n`);
  const skipped = Object.entries(s.skipped);
  if (skipped.length > 0) out.write(`  skipped: ${skipped.map(([k, v]) => `${k} ${v}`).join(', ')}  (details: ooc stats --skips)\n`);
  const notes = Object.entries(s.notes);
  if (notes.length > 0) out.write(`  notes: ${notes.map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
}

export const indexCommand: Command = {
  name: 'index',
  summary: 'index a VisualNews + NewsCLIPpings copy into the database',
  usage: `ooc index --visualnews <origin dir or data.json> [--clippings <news_clippings dir>] [--db <file>] [--force] [--json]

  --visualnews  the VisualNews origin/ folder (holding data.json and the images), or data.json itself
  --clippings   the news_clippings/ folder: data/<split>/<subset>.json and metadata/<subset>.json
  --db          database file (default: ${defaultDatabasePath()})
  --force       rebuild even when the inputs have not changed
  --json        print the summary as JSON

Re-running on unchanged inputs does nothing. An interrupted run continues where it stopped.
The previous index stays usable until the new one is complete.`,
  options: {
    visualnews: { type: 'string' },
    clippings: { type: 'string' },
    db: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const dbFile = optionalString(values, 'db') ?? defaultDatabasePath();
    openDatabase(dbFile).close(); // create and migrate here, so schema errors surface before the worker starts
    const reporter = progressReporter();
    const clippings = optionalString(values, 'clippings');
    const controller = new AbortController();
    const onSignal = (): void => controller.abort();
    process.once('SIGINT', onSignal);
    try {
      const summary = await runIndexInWorker(
        {
          dbFile,
          visualnews: requireString(values, 'visualnews', 'index'),
          ...(clippings === undefined ? {} : { clippings }),
          force: values.force === true,
        },
        { onProgress: (p) => reporter.update(p), signal: controller.signal },
      );
      reporter.done();
      if (values.json === true) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else printSummary(summary);
      return 0;
    } finally {
      reporter.done();
      process.off('SIGINT', onSignal);
    }
  },
};
