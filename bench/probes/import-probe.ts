// Imports one pickle into a fresh database and prints {seconds, imported, peakRssBytes}.
import { importEmbeddings } from '../../electron/node/embeddings/import.ts';
import { openDatabase } from '../../electron/node/store/db.ts';

const [dbFile, file] = process.argv.slice(2) as [string, string];
const db = openDatabase(dbFile);
const start = performance.now();
const [summary] = importEmbeddings(db, file);
const seconds = (performance.now() - start) / 1000;
db.close();
if (summary?.error) throw new Error(summary.error);
console.log(JSON.stringify({ seconds, imported: summary?.imported ?? 0, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
