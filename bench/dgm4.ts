/**
 * DGM4 (issue 17): indexing a full-size synthetic DGM4 metadata set — 230,000 records in three
 * split files (train 156,000, val 14,000, test 60,000) with DGM4's class mix (77,426 pristine,
 * 152,574 manipulated: face swap / attribute, text swap / attribute and their mixes), every record
 * with its own image file (hard links to a few real JPEGs, so the sizes are read from real
 * headers) — against Python reading the same files with json.load and checking each image exists,
 * the least any indexer must do, in the same run.
 *
 * Then DGM4's twelve metrics on 60,000 generated samples and predictions: the workbench's
 * (electron/node/dgm4/metrics.ts) against scikit-learn and numpy computing DGM4's definitions
 * (bench/python/dgm4_metrics.py) on the same samples, values compared to 1e-6; and a 60,000-row
 * predictions file imported and evaluated from the database, end to end.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { indexDgm4 } from '../electron/node/dgm4/index-dgm4.ts';
import { dgm4Metrics, type Dgm4Prediction, type Dgm4Truth } from '../electron/node/dgm4/metrics.ts';
import { evaluateDgm4Run, importDgm4Run } from '../electron/node/dgm4/runs.ts';
import { HAMMER_MAX_WORDS, preCaption } from '../electron/node/dgm4/subwords.ts';
import { writeBertTokenizer } from '../test/fixtures/dgm4.ts';
import { mulberry32 } from '../electron/node/random.ts';
import { openDatabase } from '../electron/node/store/db.ts';
import { dgm4Image } from '../test/fixtures/dgm4.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WORK = path.join(ROOT, '.bench', 'dgm4');
const SPLITS: [string, number][] = [['train', 156_000], ['val', 14_000], ['test', 60_000]];
/** DGM4's class mix over 230,000 samples (the pristine and manipulated totals are the paper's; the split among manipulations approximates it). */
const MIX: [string, number][] = [
  ['orig', 77_426],
  ['face_swap', 29_000],
  ['face_attribute', 20_000],
  ['text_swap', 43_000],
  ['text_attribute', 18_000],
  ['face_swap&text_swap', 10_000],
  ['face_swap&text_attribute', 9_000],
  ['face_attribute&text_swap', 12_000],
  ['face_attribute&text_attribute', 11_574],
];
const WORDS = 'the minister said on tuesday that protesters gathered in the capital after a vote on new laws for the city council'.split(' ');
const n = (x: number): string => x.toLocaleString('en-US');

async function generate(): Promise<string> {
  const root = path.join(WORK, 'data');
  if (existsSync(path.join(root, 'DGM4', 'metadata', 'test.json'))) return root;
  process.stderr.write('generating 230,000 DGM4 records and image files …\n');
  rmSync(root, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const bases: string[] = [];
  for (const [i, [w, h]] of ([[256, 256], [400, 300], [300, 400], [512, 341]] as const).entries()) {
    const file = path.join(WORK, `base-${i}.jpg`);
    writeFileSync(file, await dgm4Image(w, h, [w / 4, h / 4, w / 2, h / 2]));
    bases.push(file);
  }
  const random = mulberry32(17);
  const classes = MIX.flatMap(([c, k]) => Array<string>(k).fill(c));
  for (let i = classes.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [classes[i], classes[j]] = [classes[j]!, classes[i]!];
  }
  let next = 0;
  for (const [split, count] of SPLITS) {
    const records: string[] = [];
    for (let k = 0; k < count; k++, next++) {
      const cls = classes[next]!;
      const id = 100_000 + next;
      const folder = cls === 'orig' ? 'origin/gardian' : cls.startsWith('face_swap') ? 'manipulation/simswap' : cls.startsWith('face_attribute') ? 'manipulation/HFGI' : 'origin/bbc';
      const image = `DGM4/${folder}/${Math.floor(id / 1000)}/${id}.jpg`;
      const file = path.join(root, image);
      mkdirSync(path.dirname(file), { recursive: true });
      const base = next % bases.length;
      linkSync(bases[base]!, file);
      const words = Array.from({ length: 12 + (id % 20) }, (_, w) => WORDS[(id + w * 7) % WORDS.length]);
      const face = cls.includes('face') ? [64, 64, 128, 128] : [];
      const textPos = cls.includes('text') ? [1, 4, 7] : [];
      records.push(JSON.stringify({ id, image, text: words.join(' '), fake_cls: cls, fake_image_box: face, fake_text_pos: textPos, mtcnn_boxes: [[64, 64, 128, 128]] }).replace(/,"/g, ', "').replace(/":/g, '": '));
    }
    const file = path.join(root, 'DGM4', 'metadata', `${split}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `[${records.join(', ')}]`);
  }
  return root;
}

const PYTHON = `
import json, os, sys, time
root = sys.argv[1]
t = time.perf_counter()
n = 0
for split in ("train", "val", "test"):
    with open(os.path.join(root, "DGM4", "metadata", split + ".json")) as f:
        for r in json.load(f):
            n += os.path.exists(os.path.join(root, r["image"]))
print(n, time.perf_counter() - t)
`;

export async function benchDgm4(): Promise<void> {
  const root = await generate();
  const dbFile = path.join(WORK, 'bench.db');
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  const db = openDatabase(dbFile);
  try {
    const started = performance.now();
    const summary = await indexDgm4(db, { folder: root });
    const seconds = (performance.now() - started) / 1000;
    const samples = summary.splits.reduce((k, s) => k + s.samples, 0);
    const [found, pythonSeconds] = execFileSync('python3', ['-c', PYTHON, root], { encoding: 'utf8' }).trim().split(' ').map(Number) as [number, number];
    process.stdout.write(`DGM4 index of ${n(samples)} samples (${Object.keys(summary.skipped).length === 0 ? 'none skipped' : JSON.stringify(summary.skipped)}): ${seconds.toFixed(1)} s (target ≤ 30 s), ${n(Math.round(samples / seconds))} records/s\n`);
    process.stdout.write(`Python json.load + os.path.exists of the same ${n(found)} records: ${pythonSeconds.toFixed(1)} s — the workbench takes ${(seconds / pythonSeconds).toFixed(2)}× as long (it also streams, validates, reads every image's size from its header, and writes SQLite)\n`);
    await metricsBench();
    await runBench(db);
  } finally {
    db.close();
  }
}

async function metricsBench(): Promise<void> {
  const file = path.join(WORK, 'metrics-60k.json');
  execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench', 'python', 'dgm4_metrics.py'), '60000', '11', file]);
  const reference = JSON.parse(readFileSync(file, 'utf8')) as { samples: (Dgm4Truth & { pred: Omit<Dgm4Prediction, 'label'> })[]; metrics: Record<string, Record<string, number | number[]>>; seconds: number };
  const truth = reference.samples.map(({ classes, box, textPos, words }) => ({ classes, box, textPos, words }));
  const predicted = reference.samples.map((s) => ({ ...s.pred, label: null }));
  const times: number[] = [];
  let metrics = dgm4Metrics(truth, predicted);
  for (let k = 0; k < 5; k++) {
    const started = performance.now();
    metrics = dgm4Metrics(truth, predicted);
    times.push((performance.now() - started) / 1000);
  }
  const seconds = times.sort((a, b) => a - b)[2]!;
  let worst = 0;
  const compare = (a: unknown, e: unknown): void => {
    if (Array.isArray(e)) e.forEach((x, i) => compare((a as unknown[])[i], x));
    else if (typeof e === 'object' && e !== null) Object.entries(e).forEach(([k, x]) => compare((a as Record<string, unknown>)[k], x));
    else worst = Math.max(worst, Math.abs((a as number) - (e as number)));
  };
  const expected: Record<string, unknown> = { ...reference.metrics };
  delete expected.sklearnAp;
  compare(metrics, expected);
  process.stdout.write(`DGM4 metrics on 60,000 samples: ${seconds.toFixed(3)} s (median of 5; target ≤ 2 s) against scikit-learn/numpy ${reference.seconds.toFixed(3)} s — ${(reference.seconds / seconds).toFixed(1)}× as fast; largest difference ${worst.toExponential(1)} (${worst < 1e-6 ? 'same to 1e-6' : 'DIFFERENT'})\n`);
}

async function runBench(db: ReturnType<typeof openDatabase>): Promise<void> {
  // A detector's outputs for the test split: probabilities, classes, boxes, word flags.
  const random = mulberry32(5);
  const samples = db.prepare("SELECT id, image, classes, box, text FROM dgm4_samples WHERE split = 'test'").all() as { id: number; image: string; classes: number; box: string | null; text: string }[];
  const lines = samples.map((s) => {
    const words = s.text.split(/\s+/).filter(Boolean).length;
    return JSON.stringify({ id: s.id, image: s.image, prob: Math.min(1, Math.max(0, (s.classes ? 0.7 : 0.3) + (random() - 0.5) * 0.6)), class_probs: [0, 1, 2, 3].map((k) => ((s.classes >> k) & 1 ? 0.6 + 0.4 * random() : 0.5 * random())), pred_box: s.box === null ? [] : JSON.parse(s.box), words: Array.from({ length: words }, () => (random() < 0.2 ? 1 : 0)) });
  });
  const file = path.join(WORK, 'predictions-test.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  let started = performance.now();
  const { run } = await importDgm4Run(db, { file, name: 'bench', split: 'test', replace: true });
  const importSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const evaluation = evaluateDgm4Run(db, 'bench');
  const evaluateSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`A 60,000-row predictions file: imported in ${importSeconds.toFixed(1)} s (${n(run.matched)} matched), evaluated from the database (overall and per class) in ${evaluateSeconds.toFixed(2)} s; AUC ${(100 * evaluation.overall.binary.auc!).toFixed(2)}\n`);

  // The same file with text grounding over word pieces: a BERT-style tokenizer whose vocabulary
  // splits every word of over five letters in two pieces.
  const pieces = new Set<string>();
  for (const s of samples) for (const w of preCaption(s.text, HAMMER_MAX_WORDS).split(/[^\p{L}\p{N}]+/u)) if (w !== '') for (const p of w.length > 5 ? [w.slice(0, 4), `##${w.slice(4)}`] : [w]) pieces.add(p);
  const tokenizer = writeBertTokenizer(path.join(WORK, 'tokenizer.json'), [...pieces, ...'&$%@+=<>[]{}|\\^_`'].filter((p, i, all) => all.indexOf(p) === i));
  started = performance.now();
  const { run: pieceRun } = await importDgm4Run(db, { file, name: 'bench-pieces', split: 'test', replace: true, tokenizer });
  const pieceImport = (performance.now() - started) / 1000;
  started = performance.now();
  const pieceEvaluation = evaluateDgm4Run(db, 'bench-pieces');
  const pieceEvaluate = (performance.now() - started) / 1000;
  process.stdout.write(`The same file with text grounding over word pieces (a BERT-style tokenizer.json): imported in ${pieceImport.toFixed(1)} s (${n(pieceRun.matched)} matched), evaluated in ${pieceEvaluate.toFixed(2)} s; text F1 ${(100 * pieceEvaluation.overall.text!.f1!).toFixed(2)} (over words ${(100 * evaluation.overall.text!.f1!).toFixed(2)})\n`);
}
