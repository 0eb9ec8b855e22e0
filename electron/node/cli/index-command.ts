import type { IndexSummary } from '../../common/index-types.ts';
import { formatStats } from './format-stats.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { openDatabase } from '../store/db.ts';
import { runIndexInWorker } from '../jobs/run-job.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { commandDatabaseFile } from './database.ts';
import { handleInterrupts } from './interrupt.ts';
import { progressReporter } from './progress.ts';

export function printSummary(summary: IndexSummary, out: NodeJS.WriteStream = process.stdout): void {
  if (summary.upToDate) {
    out.write(`Index is up to date: the input files have not changed since ${summary.stats.indexedAt ?? 'the last run'}; nothing to do.\n`);
  } else {
    out.write(`Indexed in ${summary.seconds.toFixed(1)} s${summary.resumed ? ' (continued an interrupted run)' : ''}.\n`);
  }
  out.write(formatStats(summary.stats));
  for (const problem of summary.unreadableFiles) out.write(`  could not read: ${problem}\n`);
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
    const dbFile = commandDatabaseFile(values);
    openDatabase(dbFile).close(); // create and migrate here, so schema errors surface before the worker starts
    const reporter = progressReporter();
    const clippings = optionalString(values, 'clippings');
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'indexing');
    try {
      const summary = await runIndexInWorker(
        {
          dbFile,
          visualnews: requireString(values, 'visualnews', 'index'),
          ...(clippings === undefined ? {} : { clippings }),
          force: values.force === true,
        },
        { onProgress: (p) => !controller.signal.aborted && reporter.update(p), signal: controller.signal },
      );
      reporter.done();
      if (values.json === true) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else printSummary(summary);
      return 0;
    } finally {
      reporter.done();
      stopHandling();
    }
  },
};
