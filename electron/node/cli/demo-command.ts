import { demoDatabasePath, demoDatasetDir } from '../app-paths.ts';
import { checkImages } from '../images/check-job.ts';
import { openDatabase } from '../store/db.ts';
import { readStats } from '../store/stats.ts';
import { runIndexInWorker } from '../jobs/run-job.ts';
import { optionalString, type Command } from './args.ts';
import { printSummary } from './index-command.ts';
import { progressReporter } from './progress.ts';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'index the bundled demo dataset (its own database) and show what is in it',
  usage: `ooc demo [--db <file>]

  --db  database file (default: ${demoDatabasePath()}, kept apart from your own index)`,
  options: { db: { type: 'string' } },
  async run(values) {
    const dbFile = optionalString(values, 'db') ?? demoDatabasePath();
    const dataset = demoDatasetDir();
    process.stdout.write(`OOC Workbench demo: ${dataset.visualnews}\n`);
    const reporter = progressReporter();
    const summary = await runIndexInWorker({ dbFile, ...dataset }, { onProgress: (p) => reporter.update(p) });
    reporter.done();
    printSummary(summary);
    const db = openDatabase(dbFile);
    try {
      await checkImages(db);
      const statuses = readStats(db).imageChecks ?? {};
      process.stdout.write(`  images checked: ${Object.entries(statuses).map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
    } finally {
      db.close();
    }
    process.stdout.write(`\nDatabase: ${dbFile}\nNext: npm run ooc -- stats --db "${dbFile}" --skips   (every skipped or flagged record)\n`);
    return 0;
  },
};
