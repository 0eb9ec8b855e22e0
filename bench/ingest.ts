import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../electron/node/store/db.ts';
import { hasIndex } from '../electron/node/store/index-tables.ts';
import { FULL_SPLIT_ROWS, writeSyntheticCorpus } from '../test/fixtures/synthetic.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
export const WORK = path.join(ROOT, '.bench', 'ingest');
export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const SPEC = { items: 1_264_000, seed: 7, splitRows: FULL_SPLIT_ROWS, version: 2 };

export function runJson<T>(command: string, args: string[]): T {
  const out = execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

/**
 * The full-scale synthetic index (bench.db), indexed from the corpus when it is missing or
 * incomplete; with `fresh`, the corpus is generated anew first.
 */
export function ensureIndex(fresh = false): { dbFile: string; corpus: ReturnType<typeof ensureCorpus> } {
  const corpus = ensureCorpus(fresh);
  const dbFile = path.join(WORK, 'bench.db');
  const ready = existsSync(dbFile) && (() => { const db = openDatabase(dbFile); const ok = hasIndex(db); db.close(); return ok; })();
  if (!ready) {
    process.stderr.write('indexing the full-scale corpus first …\n');
    runJson(TSX, [path.join(HERE, 'probes', 'index-probe.ts'), dbFile, corpus.origin, corpus.clippings]);
  }
  return { dbFile, corpus };
}

export function ensureCorpus(fresh: boolean): { origin: string; clippings: string; dataJsonMb: number } {
  const marker = path.join(WORK, 'spec.json');
  const origin = path.join(WORK, 'visual_news', 'origin');
  const clippings = path.join(WORK, 'news_clippings');
  if (fresh || !existsSync(marker) || readFileSync(marker, 'utf8') !== JSON.stringify(SPEC)) {
    rmSync(WORK, { recursive: true, force: true });
    process.stderr.write(`generating a full-scale synthetic corpus (${SPEC.items.toLocaleString('en-US')} records) in ${WORK} …\n`);
    const start = performance.now();
    writeSyntheticCorpus(WORK, SPEC, false);
    writeFileSync(marker, JSON.stringify(SPEC));
    process.stderr.write(`  done in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  }
  const dataJsonMb = Number(execFileSync('stat', ['-c', '%s', path.join(origin, 'data.json')], { encoding: 'utf8' })) / 1e6;
  return { origin, clippings, dataJsonMb };
}

/** Words from the corpus for the searches: a frequent prefix, two words of one caption, a rare word. */
export function searchTerms(origin: string): string[] {
  const head = readFileSync(path.join(origin, 'data.json')).subarray(0, 4096).toString('utf8');
  const words = (/"caption": "([^"]*)"/.exec(head)?.[1] ?? 'ka lo').split(' ');
  const rare = [...words].sort((a, b) => b.length - a.length)[0]!;
  return ['ka', `${words[0]} ${words[1] ?? ''}`.trim(), rare];
}

interface IndexResult { seconds: number; items: number; pairs: number; maxRssMb: number }
interface Timing { firstMs: number; medianMs: number }
interface QueryResult { firstPageMs: number; firstPageRows: number; page1: Timing; page101: Timing; searches: Record<string, Timing & { hits: number }> }
interface PythonResult { seconds: number; pairs: number; maxRssMb: number }

export async function benchIngest(args: string[]): Promise<void> {
  const corpus = ensureCorpus(args.includes('--fresh'));
  const dbFile = path.join(WORK, 'bench.db');
  const split = 'merged_balanced';
  const subset = 'test';
  const splitFile = path.join(corpus.clippings, 'data', split, `${subset}.json`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });

  process.stderr.write('indexing …\n');
  const index = runJson<IndexResult>(TSX, [path.join(HERE, 'probes', 'index-probe.ts'), dbFile, corpus.origin, corpus.clippings]);
  process.stderr.write('re-opening and querying (fresh process) …\n');
  const terms = searchTerms(corpus.origin);
  const query = runJson<QueryResult>(TSX, [path.join(HERE, 'probes', 'query-probe.ts'), dbFile, split, subset, ...terms]);
  process.stderr.write('Python, the NewsCLIPpings README approach (json.load + dict + join of 100 pairs) …\n');
  const python = runJson<PythonResult>('python3', [path.join(HERE, 'python', 'readme_approach.py'), path.join(corpus.origin, 'data.json'), splitFile]);

  const pythonMs = python.seconds * 1000;
  const lines = [
    `ingest benchmark — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; data.json ${corpus.dataJsonMb.toFixed(0)} MB, ${index.items.toLocaleString('en-US')} items, ${index.pairs.toLocaleString('en-US')} pairs in 15 split files`,
    '',
    `full index                    ${index.seconds.toFixed(1).padStart(8)} s      target ≤ 90 s      (${(index.seconds / 90).toFixed(2)} of target)`,
    `  peak RSS                    ${index.maxRssMb.toFixed(0).padStart(8)} MB     target ≤ 1500 MB   (${(index.maxRssMb / 1500).toFixed(2)} of target)`,
    `Python README approach        ${pythonMs.toFixed(0).padStart(8)} ms     peak RSS ${python.maxRssMb.toFixed(0)} MB`,
    `re-open + first page (100)    ${query.firstPageMs.toFixed(1).padStart(8)} ms     = 1/${(pythonMs / query.firstPageMs).toFixed(0)} of Python (target ≤ 1/20)`,
    `first page, warm (median)     ${query.page1.medianMs.toFixed(2).padStart(8)} ms`,
    `page 101 (median)             ${query.page101.medianMs.toFixed(2).padStart(8)} ms     = ${(query.page101.medianMs / query.page1.medianMs).toFixed(2)}× the first page`,
    ...Object.entries(query.searches).map(
      ([q, s]) => `search ${JSON.stringify(q).padEnd(22)} ${s.medianMs.toFixed(2).padStart(8)} ms     (first ${s.firstMs.toFixed(1)} ms, ${s.hits}${s.hits === 500 ? '+' : ''} hits)`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(path.join(WORK, 'last-result.json'), JSON.stringify({ index, query, python, dataJsonMb: corpus.dataJsonMb }, null, 2));
}
