import type { IndexProgress, IndexSummary } from '../../common/index-types.ts';
import { formatStats } from './format-stats.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { openDatabase } from '../store/db.ts';
import { runIndexInWorker, runInWorker } from '../jobs/run-job.ts';
import type { Dgm4IndexSummary } from '../../common/dgm4.ts';
import { OocError } from '../../common/errors.ts';
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

function printDgm4Summary(summary: Dgm4IndexSummary, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = process.stdout;
  const count = (n: number): string => n.toLocaleString('en-US');
  out.write(summary.upToDate ? `DGM4 index is up to date (${summary.root}): its metadata files have not changed; nothing to do.\n` : `Indexed DGM4 from ${summary.root} in ${summary.seconds.toFixed(1)} s${summary.resumed ? ' (continued an interrupted run)' : ''}.\n`);
  for (const s of summary.splits) {
    const classes = Object.entries(s.byClass).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${count(n)}`).join(', ');
    out.write(`  ${s.split}: ${count(s.samples)} samples (${classes})\n`);
  }
  const total = summary.splits.reduce((n, s) => n + s.samples, 0);
  out.write(`  ${count(summary.linked)} of ${count(total)} samples have their VisualNews item indexed.\n`);
  const list = (what: string, counts: Record<string, number>): void => {
    const entries = Object.entries(counts);
    if (entries.length > 0) out.write(`  ${what}: ${entries.map(([reason, n]) => `${count(n)} ${reason.replace(/_/g, ' ')}`).join(', ')}\n`);
  };
  list('Skipped records', summary.skipped);
  list('Kept, with notes', summary.notes);
}

export const indexCommand: Command = {
  name: 'index',
  summary: 'index a VisualNews + NewsCLIPpings copy into the database',
  usage: `ooc index --visualnews <origin dir or data.json> [--clippings <news_clippings dir>] [--dgm4 <dir>] [--db <file>] [--force] [--json]
       ooc index --dgm4 <dir> [--db <file>] [--force] [--json]

  --visualnews  the VisualNews origin/ folder (holding data.json and the images), or data.json itself
  --clippings   the news_clippings/ folder: data/<split>/<subset>.json and metadata/<subset>.json
  --dgm4        the folder holding DGM4/ (DGM4/metadata/<split>.json, DGM4/manipulation/…, DGM4/origin/…):
                indexed beside VisualNews, each sample linked to its VisualNews item by id
  --db          database file (default: ${defaultDatabasePath()})
  --force       rebuild even when the inputs have not changed
  --json        print the summary as JSON

Re-running on unchanged inputs does nothing. An interrupted run continues where it stopped.
The previous index stays usable until the new one is complete.`,
  options: {
    visualnews: { type: 'string' },
    clippings: { type: 'string' },
    dgm4: { type: 'string' },
    db: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const dbFile = commandDatabaseFile(values);
    openDatabase(dbFile).close(); // create and migrate here, so schema errors surface before the worker starts
    const reporter = progressReporter();
    const clippings = optionalString(values, 'clippings');
    const dgm4 = optionalString(values, 'dgm4');
    const controller = new AbortController();
    const stopHandling = handleInterrupts(controller, 'indexing');
    const onProgress = (p: IndexProgress): void => {
      if (!controller.signal.aborted) reporter.update(p);
    };
    try {
      if (dgm4 !== undefined && values.visualnews === undefined) {
        if (clippings !== undefined) throw new OocError('BAD_ARGUMENT', '--clippings needs --visualnews');
        const summary = await runInWorker('index-dgm4', { dbFile, folder: dgm4, force: values.force === true }, { onProgress, signal: controller.signal });
        reporter.done();
        printDgm4Summary(summary, values.json === true);
        return 0;
      }
      const summary = await runIndexInWorker(
        {
          dbFile,
          visualnews: requireString(values, 'visualnews', 'index'),
          ...(clippings === undefined ? {} : { clippings }),
          force: values.force === true,
        },
        { onProgress, signal: controller.signal },
      );
      reporter.done();
      if (values.json === true && dgm4 === undefined) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else if (values.json !== true) printSummary(summary);
      if (dgm4 !== undefined) {
        const dgm4Summary = await runInWorker('index-dgm4', { dbFile, folder: dgm4, force: values.force === true }, { onProgress, signal: controller.signal });
        reporter.done();
        if (values.json === true) process.stdout.write(`${JSON.stringify({ index: summary, dgm4: dgm4Summary }, null, 2)}\n`);
        else printDgm4Summary(dgm4Summary, false);
      }
      return 0;
    } finally {
      reporter.done();
      stopHandling();
    }
  },
};
