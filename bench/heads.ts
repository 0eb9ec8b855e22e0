import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runJson, TSX, WORK } from './ingest.ts';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const SKLEARN_PYTHON = '/usr/bin/python3';

interface Trained {
  seconds: number;
  valAccuracy: number;
}

/**
 * Training the logistic-regression head at the scale (453,128 pairs: 906,256 train rows,
 * 512-d CLIP-like vectors, planted so that about four pairs in five can be told apart), against
 * scikit-learn's LogisticRegression on the same standardised features, each in a fresh process.
 * `--pairs N` for a smaller run; `--mlp` also times the MLP head; `--keep` keeps the embeddings
 * for the next run (they take minutes to write).
 */
export async function benchHeads(args: string[]): Promise<void> {
  const pairsAt = args.indexOf('--pairs');
  const pairs = pairsAt >= 0 ? Number(args[pairsAt + 1]) : 453_128;
  const valPairs = Math.round(pairs / 10);
  const dir = path.join(WORK, `heads-${pairs}`);
  if (!existsSync(path.join(dir, 'meta.json'))) {
    process.stderr.write(`writing planted embeddings: ${(2 * pairs).toLocaleString('en-US')} train rows, ${(2 * valPairs).toLocaleString('en-US')} val rows …\n`);
    runJson(TSX, [path.join(HERE, 'probes', 'head-data-probe.ts'), dir, String(pairs), String(valPairs), '0.07']);
  }
  process.stderr.write('training our logistic-regression head …\n');
  const ours = runJson<Trained & { epochs: number; bestEpoch: number }>(TSX, [path.join(HERE, 'probes', 'train-probe.ts'), dir, 'logreg']);
  process.stderr.write(`ours: ${ours.seconds.toFixed(1)} s, val accuracy ${(ours.valAccuracy * 100).toFixed(2)}%\nfitting scikit-learn …\n`);
  const sklearn = runJson<Trained & { iterations: number; sklearn: string }>(SKLEARN_PYTHON, [path.join(HERE, 'python', 'heads_baseline.py'), dir]);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  console.log(`\nLogistic-regression head, ${(2 * pairs).toLocaleString('en-US')} train rows × 2,048 features (512-d image and caption):`);
  console.log(`  ours (ONNX Runtime, Adam, early stopping): ${ours.seconds.toFixed(1)} s, ${ours.epochs} epochs (kept ${ours.bestEpoch}), val accuracy ${pct(ours.valAccuracy)}`);
  console.log(`  scikit-learn ${sklearn.sklearn} LogisticRegression (lbfgs): ${sklearn.seconds.toFixed(1)} s, ${sklearn.iterations} iterations, val accuracy ${pct(sklearn.valAccuracy)}`);
  console.log(`  time ${(ours.seconds / sklearn.seconds).toFixed(2)}× scikit-learn's (target ≤ 1.0×); accuracy ${((ours.valAccuracy - sklearn.valAccuracy) * 100).toFixed(2)} points (target within ±0.5)`);
  if (args.includes('--mlp')) {
    const mlp = runJson<Trained & { epochs: number; bestEpoch: number }>(TSX, [path.join(HERE, 'probes', 'train-probe.ts'), dir, 'mlp']);
    console.log(`  ours, MLP head (256 hidden): ${mlp.seconds.toFixed(1)} s, ${mlp.epochs} epochs (kept ${mlp.bestEpoch}), val accuracy ${pct(mlp.valAccuracy)}`);
  }
  if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}
