import { defaultDatabasePath } from '../app-paths.ts';
import { readIndexLog } from '../store/index-log.ts';
import { readStats } from '../store/stats.ts';
import type { Command } from './args.ts';
import { openCommandDatabase } from './database.ts';
import { formatStats } from './format-stats.ts';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'print counts of the indexed items, annotations and skipped records',
  usage: `ooc stats [--db <file>] [--json] [--skips]

  --db     database file (default: ${defaultDatabasePath()})
  --json   one JSON object: items (total, bySource), annotations (split → subset → total,
           pristine, falsified), skipped (reason → count), notes, pairs, metadata, roots
  --skips  list every skip and note reason per file, with example records`,
  options: { db: { type: 'string' }, json: { type: 'boolean' }, skips: { type: 'boolean' } },
  async run(values) {
    const db = openCommandDatabase(values);
    try {
      const stats = readStats(db);
      if (values.skips === true) {
        const log = readIndexLog(db);
        if (values.json === true) process.stdout.write(`${JSON.stringify(log, null, 2)}\n`);
        else {
          for (const entry of log) {
            process.stdout.write(`${entry.kind} ${entry.reason}: ${entry.n} in ${entry.file}\n`);
            for (const s of entry.samples) process.stdout.write(`    ${s.record === undefined ? '' : `record ${s.record}: `}${s.detail}\n`);
          }
          if (log.length === 0) process.stdout.write('No record was skipped or flagged.\n');
        }
      } else if (values.json === true) {
        process.stdout.write(`${JSON.stringify(stats)}\n`);
      } else {
        process.stdout.write(`Index of ${stats.roots.visualnews ?? '?'}${stats.roots.clippings ? ` and ${stats.roots.clippings}` : ''}, built ${stats.indexedAt ?? '?'}\n`);
        process.stdout.write(formatStats(stats));
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
