// In a fresh process, as `ooc predictions import` runs: imports a predictions file as a run
// (replacing one of that name), and prints how long it took and what matched.
import { importPredictions } from '../../electron/node/evaluation/import-run.ts';
import { openDatabase } from '../../electron/node/store/db.ts';

const [dbFile, file, name, split] = process.argv.slice(2) as [string, string, string, string];
const db = openDatabase(dbFile);
const started = performance.now();
const result = await importPredictions(db, { file, name, split, replace: true });
const seconds = (performance.now() - started) / 1000;
db.close();
process.stdout.write(`${JSON.stringify({ seconds, matched: Object.values(result.run.matched).reduce((a, b) => a + b, 0), problems: result.run.problems })}\n`);
