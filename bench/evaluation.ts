import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluateRun } from '../electron/node/evaluation/evaluate.ts';
import { openDatabase, type Db } from '../electron/node/store/db.ts';
import { fileFor } from '../electron/node/store/pairs.ts';
import { deleteRun, pairsOfFile } from '../electron/node/store/predictions.ts';
import { mulberry32 } from '../electron/node/random.ts';
import { ensureIndex, runJson, TSX, WORK } from './ingest.ts';

const HERE = path.dirname(new URL(import.meta.url).pathname);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Every row of the split's files as CSV lines: caption id, image id, a label and a probability that mostly agree with the truth. */
function predictionLines(db: Db, split: string, subsets: readonly string[], random: () => number): string[] {
  const lines: string[] = [];
  for (const subset of subsets) {
    for (const [caption, pristine, falsified] of pairsOfFile(db, fileFor(db, split, subset))) {
      for (const [image, truth] of [[pristine, 0], [falsified, 1]] as const) {
        if (image === null) continue;
        const p = Math.min(1, Math.max(0, (truth ? 0.62 : 0.4) + (random() - 0.5) * 0.6));
        lines.push(`${caption},${image},${subset},${p >= 0.5 ? 'yes' : 'no'},${p.toFixed(4)}`);
      }
    }
  }
  return lines;
}

function writeCsv(file: string, lines: readonly string[]): void {
  writeFileSync(file, 'caption_id,image_id,subset,prediction,probability\n');
  for (let i = 0; i < lines.length; i += 100_000) appendFileSync(file, `${lines.slice(i, i + 100_000).join('\n')}\n`);
}

/** Imports in a fresh process (as the CLI does), so the memory this benchmark holds does not slow its collector. */
function timedImport(dbFile: string, file: string, name: string, split: string): { seconds: number; matched: number; problems: string } {
  const r = runJson<{ seconds: number; matched: number; problems: Record<string, number> }>(TSX, [path.join(HERE, 'probes', 'import-probe.ts'), dbFile, file, name, split]);
  return { seconds: r.seconds, matched: r.matched, problems: Object.entries(r.problems).map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`).join(', ') || 'none' };
}

/**
 * Prediction runs on the full-scale index: importing a CSV of every row of the Semantics /
 * CLIP Text-Image files (train, val, test), and a 906 k-row one (those rows and as many again
 * naming pairs the split does not have, which are counted as unmatched); evaluating a run on the
 * 7 k-row Merged / Balanced test file with 1,000 bootstrap resamples.
 */
export async function benchEvaluation(args: string[]): Promise<void> {
  const { dbFile } = ensureIndex(args.includes('--fresh'));
  const dir = path.join(WORK, 'evaluation');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(dbFile);
  const random = mulberry32(11);
  try {
    process.stderr.write('writing the predictions files …\n');
    const split = 'semantics_clip_text_image';
    const lines = predictionLines(db, split, ['train', 'val', 'test'], random);
    const matchedCsv = path.join(dir, 'clip-head.csv');
    writeCsv(matchedCsv, lines);
    const strays = Array.from({ length: 906_256 - lines.length }, () => `${2_000_000 + Math.floor(random() * 1e6)},${Math.floor(random() * 1e6)},train,no,0.1`);
    const bigCsv = path.join(dir, 'clip-head-906k.csv');
    writeCsv(bigCsv, [...lines, ...strays]);
    const merged = predictionLines(db, 'merged_balanced', ['test'], random);
    const mergedCsv = path.join(dir, 'merged-test.csv');
    writeCsv(mergedCsv, merged);

    process.stderr.write('importing …\n');
    const imports = [
      { label: `${lines.length.toLocaleString('en-US')} rows, every row of ${split}`, ...timedImport(dbFile, matchedCsv, 'bench: clip head', split) },
      { label: `906,256 rows (those and ${strays.length.toLocaleString('en-US')} not in the split)`, ...timedImport(dbFile, bigCsv, 'bench: clip head 906k', split) },
    ];
    timedImport(dbFile, mergedCsv, 'bench: merged test', 'merged_balanced');
    const evaluations: number[] = [];
    let figures = evaluateRun(db, 'bench: merged test');
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      figures = evaluateRun(db, 'bench: merged test', { resamples: 1000, seed: i });
      evaluations.push(performance.now() - started);
    }
    for (const name of ['bench: clip head', 'bench: clip head 906k', 'bench: merged test']) deleteRun(db, name);

    const out = [
      'evaluation benchmark — full-scale index',
      '',
      'import a predictions CSV (caption id, image id, subset, label, probability)   target: 906 k rows ≤ 5 s',
      ...imports.map((r) => `  ${r.label.padEnd(62)} ${r.seconds.toFixed(2).padStart(6)} s  ${Math.round(r.matched / r.seconds).toLocaleString('en-US').padStart(9)} matched rows/s  (${r.matched.toLocaleString('en-US')} matched; ${r.problems})`),
      '',
      `evaluate a ${figures.matched.toLocaleString('en-US')}-row run (Merged / Balanced test) with 1,000 bootstrap resamples, AUC and breakdowns`,
      `  ${median(evaluations).toFixed(0)} ms median of 7 (${Math.min(...evaluations).toFixed(0)}–${Math.max(...evaluations).toFixed(0)})   target ≤ 300 ms   (All ${(100 * figures.all!).toFixed(2)}%, AUC ${figures.auc?.toFixed(3)})`,
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
