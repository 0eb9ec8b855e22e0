import type { Dgm4Evaluation, Dgm4Grounding, Dgm4Metrics, GroundingScores } from '../../common/dgm4-metrics.ts';
import { SALIENCY_METHODS, type SaliencyMethod } from '../../common/saliency.ts';
import { saliencyGrounding } from '../dgm4/grounding.ts';
import { ClipModel } from '../inference/clip.ts';
import { resolveModel } from '../inference/registry.ts';
import { OocError } from '../../common/errors.ts';
import { BOX_FORMATS, compareDgm4Runs, importDgm4Run, type BoxFormat } from '../dgm4/runs.ts';
import { deleteDgm4Run, listDgm4Runs } from '../store/dgm4-runs.ts';
import { writeFigures } from './output.ts';
import { exportDgm4, type Dgm4Selection } from '../dgm4/export-dgm4.ts';
import { defaultDatabasePath } from '../app-paths.ts';
import { optionalString, requireString, type Command } from './args.ts';
import { openCommandDatabase } from './database.ts';

const KINDS = ['single', 'mixed', 'image', 'text'] as const;

export const exportDgm4Command: Command = {
  name: 'export-dgm4',
  summary: "write a selection of DGM4 samples in DGM4's metadata format (a JSON list, re-indexable)",
  usage: `ooc export-dgm4 --split <train|val|test> --out <file.json> [--class <fake_cls>] [--kind single|mixed|image|text] [--source <generator or outlet>] [--linked | --unlinked] [--q <words or id>] [--db <file>]

  --split     the DGM4 split (as indexed by ooc index --dgm4)
  --out       a new file to write (an existing file is never replaced)
  --class     one fake_cls value: orig, face_swap, face_attribute&text_swap, …
  --kind      single: one manipulation; mixed: image and text; image / text: any of that modality
  --source    the generator (HFGI, simswap, …) or the outlet of an untouched image (bbc, gardian, …)
  --linked    only samples whose VisualNews item is indexed (--unlinked: only those whose is not)
  --q         words in the text, or a sample id
  --db        database file (default: ${defaultDatabasePath()})

The records are written as the metadata file had them, in file order; a whole split comes back
byte for byte when its file was written by Python's json.dump.`,
  options: { db: { type: 'string' }, split: { type: 'string' }, out: { type: 'string' }, class: { type: 'string' }, kind: { type: 'string' }, source: { type: 'string' }, linked: { type: 'boolean' }, unlinked: { type: 'boolean' }, q: { type: 'string' } },
  run(values) {
    const kind = optionalString(values, 'kind');
    if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) throw new OocError('BAD_ARGUMENT', `--kind must be one of ${KINDS.join(', ')}, got "${kind}"`);
    if (values.linked === true && values.unlinked === true) throw new OocError('BAD_ARGUMENT', '--linked and --unlinked exclude each other');
    const selection: Dgm4Selection = { split: requireString(values, 'split', 'export-dgm4') };
    const cls = optionalString(values, 'class');
    const source = optionalString(values, 'source');
    const q = optionalString(values, 'q');
    if (cls !== undefined) selection.cls = cls;
    if (kind !== undefined) selection.kind = kind as Dgm4Selection['kind'] & string;
    if (source !== undefined) selection.source = source;
    if (q !== undefined) selection.q = q;
    if (values.linked === true || values.unlinked === true) selection.linked = values.linked === true;
    const db = openCommandDatabase(values);
    try {
      const { file, records } = exportDgm4(db, selection, requireString(values, 'out', 'export-dgm4'));
      process.stdout.write(`Wrote ${records.toLocaleString('en-US')} DGM4 records to ${file}\n`);
      return Promise.resolve(0);
    } finally {
      db.close();
    }
  },
};

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : (100 * x).toFixed(2));

/** A row of DGM4's Table 1 layout: AUC EER ACC | mAP CF1 OF1 | IoUmean IoU50 IoU75 | P R F1, in percent. */
function metricCells(m: Dgm4Metrics): string[] {
  return [m.binary.auc, m.binary.eer, m.binary.acc, m.multiLabel?.map, m.multiLabel?.cf1, m.multiLabel?.of1, m.image?.iouMean, m.image?.iou50, m.image?.iou75, m.text?.precision, m.text?.recall, m.text?.f1].map(pct);
}

const HEADS = ['AUC', 'EER', 'ACC', 'mAP', 'CF1', 'OF1', 'IoUmean', 'IoU50', 'IoU75', 'P', 'R', 'F1'];

function table(rows: [string, string[]][]): string {
  const width = Math.max(8, ...rows.map(([name]) => name.length));
  const line = (name: string, cells: string[]) => `  ${name.padEnd(width)} ${cells.map((c, i) => c.padStart(Math.max(6, HEADS[i]!.length))).join(' ')}`;
  return [line('', HEADS), ...rows.map(([name, cells]) => line(name, cells))].join('\n');
}

export function formatDgm4Evaluations(runs: Dgm4Evaluation[]): string {
  const units = new Set(runs.map((r) => (r.subwords ? 'word pieces' : 'words')));
  const out = [`DGM4 ${runs[0]?.split ?? ''}: binary | multi-label | image grounding | text grounding (${[...units].join(' or ')}), in percent`, table(runs.map((r) => [r.run, metricCells(r.overall)]))];
  for (const r of runs) out.push('', `  ${r.run}: ${r.answered.toLocaleString('en-US')} of ${r.splitSamples.toLocaleString('en-US')} samples answered; per class:`, table(Object.entries(r.byClass).map(([cls, m]) => [`${cls} (${m.samples})`, metricCells(m)])));
  return out.join('\n');
}

export const dgm4PredictionsCommand: Command = {
  name: 'dgm4-predictions',
  summary: "import a detector's outputs on a DGM4 split as a named run; list or delete runs",
  usage: `ooc dgm4-predictions import <file> --name <run> --split <train|val|test> [--box-format xyxy|cxcywh-normalized]
                                [--tokenizer <tokenizer.json> [--max-words 50]] [--replace] [--db <file>]
       ooc dgm4-predictions list [--db <file>] [--json]
       ooc dgm4-predictions delete --name <run> [--db <file>]

  <file>        a JSON list or JSON Lines, one object per sample: its id (and image, where an id
                repeats) and any of: the probability it is manipulated (probability, prob, score …),
                a label (1/0, fake/real), a predicted fake_cls, four class probabilities
                (face_swap, face_attribute, text_swap, text_attribute: a list or an object), a box
                (box, pred_box, fake_image_box), manipulated word indices (fake_text_pos) or
                per-word flags or probabilities (words, token_probs …), words split on spaces
  --box-format  xyxy: pixels [x1, y1, x2, y2] as DGM4's metadata (default); cxcywh-normalized:
                HAMMER's output, centre and size as fractions of the image
  --tokenizer   count text grounding over word pieces as DGM4's authors do: the text cleaned as
                HAMMER's loader cleans it, then this tokenizer (bert-base-uncased's tokenizer.json
                for HAMMER); word flags may then be one per piece (HAMMER's logits_tok) or per word
  --max-words   HAMMER's max_words with --tokenizer (default 50, its test.yaml)
  --replace     replace a DGM4 run of the same name`,
  options: { db: { type: 'string' }, json: { type: 'boolean' }, name: { type: 'string' }, split: { type: 'string' }, 'box-format': { type: 'string' }, replace: { type: 'boolean' }, tokenizer: { type: 'string' }, 'max-words': { type: 'string' } },
  async run(values, positionals) {
    const [action, file] = positionals;
    const db = openCommandDatabase(values);
    try {
      if (action === 'list') {
        const runs = listDgm4Runs(db);
        if (values.json === true) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        else for (const r of runs) process.stdout.write(`${r.name}  DGM4 ${r.split}  ${r.matched.toLocaleString('en-US')} of ${r.rows.toLocaleString('en-US')} rows matched  ${r.file}\n`);
        return 0;
      }
      if (action === 'delete') {
        deleteDgm4Run(db, requireString(values, 'name', 'dgm4-predictions delete'));
        return 0;
      }
      if (action !== 'import' || file === undefined) throw new OocError('BAD_ARGUMENT', 'usage: ooc dgm4-predictions import <file> --name <run> --split <split> | list | delete --name <run>');
      const boxFormat = optionalString(values, 'box-format') ?? 'xyxy';
      if (!(BOX_FORMATS as readonly string[]).includes(boxFormat)) throw new OocError('BAD_ARGUMENT', `--box-format must be one of ${BOX_FORMATS.join(', ')}, got "${boxFormat}"`);
      const tokenizer = optionalString(values, 'tokenizer');
      const maxWords = optionalString(values, 'max-words');
      if (maxWords !== undefined && (tokenizer === undefined || !/^[1-9]\d{0,2}$/.test(maxWords))) throw new OocError('BAD_ARGUMENT', tokenizer === undefined ? '--max-words goes with --tokenizer' : `--max-words must be a whole number from 1, got "${maxWords}"`);
      const { run, problems } = await importDgm4Run(db, {
        file,
        name: requireString(values, 'name', 'dgm4-predictions import'),
        split: requireString(values, 'split', 'dgm4-predictions import'),
        boxFormat: boxFormat as BoxFormat,
        replace: values.replace === true,
        ...(tokenizer === undefined ? {} : { tokenizer }),
        ...(maxWords === undefined ? {} : { maxWords: Number(maxWords) }),
      });
      process.stdout.write(`Imported "${run.name}": ${run.matched.toLocaleString('en-US')} of ${run.rows.toLocaleString('en-US')} rows matched to DGM4 ${run.split} (fields: ${Object.entries(run.fields).map(([k, v]) => `${k} ← ${v}`).join(', ')})${run.subwords ? `; text grounding over word pieces of ${run.subwords.tokenizer}` : ''}\n`);
      for (const [kind, n] of Object.entries(run.problems)) process.stdout.write(`  ${n.toLocaleString('en-US')} ${kind}\n`);
      for (const p of problems) process.stdout.write(`    line ${p.line}: ${p.detail}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};

export const dgm4EvaluateCommand: Command = {
  name: 'dgm4-evaluate',
  summary: "DGM4's twelve metrics of one or more runs, overall and per class, side by side",
  usage: `ooc dgm4-evaluate --run <name> [--run <name> …] [--json <file>] [--db <file>]

Binary: AUC, EER, ACC (manipulated when p > 0.5); multi-label: mAP, CF1, OF1 (a class when p ≥ 0.5);
image grounding: mean IoU, IoU > 0.5, IoU > 0.75 (no true box and none predicted counts 1); text
grounding: precision, recall and F1 of manipulated words — as DGM4's test.py defines them, over
words, or over word pieces for a run imported with --tokenizer (as the paper counts them). Each run
on the samples it answered.`,
  options: { db: { type: 'string' }, run: { type: 'string', multiple: true }, json: { type: 'string' } },
  run(values) {
    const runs = (values.run as unknown as string[] | undefined) ?? [];
    if (runs.length === 0) throw new OocError('BAD_ARGUMENT', 'name a run: --run <name> (ooc dgm4-predictions list shows them)');
    const db = openCommandDatabase(values);
    try {
      const comparison = compareDgm4Runs(db, runs);
      writeFigures(values, comparison, formatDgm4Evaluations(comparison.runs));
      return Promise.resolve(0);
    } finally {
      db.close();
    }
  },
};

export const saliencyGroundingCommand: Command = {
  name: 'saliency-grounding',
  summary: "score the saliency methods against DGM4's manipulated face boxes and words (pointing game, top-k% IoU, word precision)",
  usage: `ooc saliency-grounding --split <train|val|test> [--method occlusion,rise,chefer,lime,words] [--limit <n>] [--top <percent>] [--model <id>] [--seed <n>] [--json <file>] [--db <file>]

  --method  the methods to score (default: occlusion, rise, chefer where the model has it, lime, words)
  --limit   manipulated samples to explain, in file order (default 100)
  --top     the share of the map, in percent, whose IoU with the face box is measured (default 10)

Each sample's caption is explained against its manipulated image; a map scores in the pointing
game when its maximum lies inside the face box. Uniform random maps and word scores (from --seed)
are the baseline: they point at the box as often as it covers the model's view.`,
  options: { db: { type: 'string' }, split: { type: 'string' }, method: { type: 'string' }, limit: { type: 'string' }, top: { type: 'string' }, model: { type: 'string' }, seed: { type: 'string' }, json: { type: 'string' } },
  async run(values) {
    const number = (name: string, fallback: number, min: number, max: number): number => {
      const raw = optionalString(values, name);
      const n = raw === undefined ? fallback : Number(raw);
      if (!Number.isFinite(n) || n < min || n > max) throw new OocError('BAD_ARGUMENT', `--${name} must be a number from ${min} to ${max}, got "${raw}"`);
      return n;
    };
    const clip = new ClipModel(await resolveModel(optionalString(values, 'model')), 'auto');
    const methods = (optionalString(values, 'method')?.split(',').map((m) => m.trim()) ?? ['occlusion', 'rise', ...(clip.manifest.relevance ? ['chefer'] : []), 'lime', 'words']) as SaliencyMethod[];
    const unknown = methods.filter((m) => !(SALIENCY_METHODS as readonly string[]).includes(m));
    if (unknown.length > 0) throw new OocError('BAD_ARGUMENT', `unknown method ${unknown.join(', ')} (methods: ${SALIENCY_METHODS.join(', ')})`);
    const db = openCommandDatabase(values);
    try {
      const result = await saliencyGrounding(db, clip, {
        split: requireString(values, 'split', 'saliency-grounding'),
        methods,
        limit: number('limit', 100, 1, 1_000_000),
        topPercent: number('top', 10, 1, 100),
        seed: number('seed', 0, 0, Number.MAX_SAFE_INTEGER),
      });
      writeFigures(values, result, formatGrounding(result));
      return 0;
    } finally {
      db.close();
      await clip.release();
    }
  },
};

export function formatGrounding(g: Dgm4Grounding): string {
  const row = (name: string, s: GroundingScores) => `  ${name.padEnd(28)} ${pct(s.pointing).padStart(8)} ${pct(s.topIou).padStart(9)} ${pct(s.wordPrecision).padStart(9)}   (${s.imageSamples} faces, ${s.textSamples} texts)`;
  const lines = [
    `Saliency against DGM4 ${g.split}'s truth, ${g.samples} manipulated samples under ${g.model}${g.randomWeights ? ' (RANDOM WEIGHTS: the maps mean nothing)' : ''}, in percent:`,
    `  ${''.padEnd(28)} ${'pointing'.padStart(8)} ${`top${g.topPercent}% IoU`.padStart(9)} ${'word P@k'.padStart(9)}`,
    ...g.methods.map((m) => row(m.method, m.overall)),
  ];
  for (const m of g.methods) {
    lines.push('', `  ${m.method} by class:`, ...Object.entries(m.byClass).map(([cls, s]) => row(cls, s)));
  }
  if (Object.keys(g.skipped).length > 0) lines.push('', `  skipped: ${Object.entries(g.skipped).map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`).join(', ')}`);
  return lines.join('\n');
}
