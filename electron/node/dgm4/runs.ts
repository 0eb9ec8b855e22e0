import path from 'node:path';
import { DGM4_CLASSES, dgm4Words, parseFakeCls } from '../../common/dgm4.ts';
import type { Dgm4Comparison, Dgm4Evaluation, Dgm4Run } from '../../common/dgm4-metrics.ts';
import { OocError } from '../../common/errors.ts';
import type { RunProblem } from '../../common/evaluation.ts';
import { asObject, detectFormat, lineNumbers, readPredictionRows } from '../evaluation/read-predictions.ts';
import type { Db } from '../store/db.ts';
import { requireDgm4Split } from '../store/dgm4.ts';
import { dgm4Answers, requireDgm4Run, runNameTaken, samplesById, saveDgm4Run, type Dgm4PredictionRow, type SampleKey } from '../store/dgm4-runs.ts';
import { dgm4Metrics } from './metrics.ts';
import { HAMMER_MAX_WORDS, pieceFlags, SubwordUnits } from './subwords.ts';

/** How predicted boxes are written: pixels [x1, y1, x2, y2] (DGM4's metadata), or HAMMER's output, [cx, cy, w, h] as fractions of the image. */
export const BOX_FORMATS = ['xyxy', 'cxcywh-normalized'] as const;
export type BoxFormat = (typeof BOX_FORMATS)[number];

export interface Dgm4ImportRequest {
  file: string;
  name: string;
  split: string;
  boxFormat?: BoxFormat;
  /** Replace a DGM4 run of the same name. */
  replace?: boolean;
  /** A tokenizer.json: text grounding over its word pieces, as DGM4's authors count it (subwords.ts). */
  tokenizer?: string;
  /** HAMMER's max_words with a tokenizer (50). */
  maxWords?: number;
  signal?: AbortSignal;
  /** Rows read so far. */
  onProgress?: (rows: number) => void;
}

/** The names a field goes by in the outputs detectors write, first match wins. */
const FIELDS = {
  id: ['id', 'sample_id', 'item_id'],
  image: ['image', 'image_path', 'img', 'img_path'],
  probability: ['probability', 'prob', 'fake_prob', 'pred_prob', 'score', 'y_pred', 'pred_score'],
  label: ['label', 'pred_label', 'prediction', 'is_fake', 'fake'],
  fakeCls: ['fake_cls', 'pred_cls', 'pred_fake_cls'],
  classes: ['class_probabilities', 'class_probs', 'cls_probs', 'multicls', 'multi_label', 'multilabel'],
  box: ['box', 'pred_box', 'fake_image_box', 'bbox', 'output_coord'],
  textPos: ['fake_text_pos', 'text_pos', 'pred_text_pos', 'fake_word_pos'],
  words: ['words', 'word_probs', 'token_probs', 'token_pred', 'word_flags', 'tokens'],
} as const;
type Field = keyof typeof FIELDS;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numeric = (v: unknown): number | null => (isNumber(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

function labelOf(v: unknown): number | null {
  if (v === true || v === 1 || v === '1') return 1;
  if (v === false || v === 0 || v === '0') return 0;
  if (typeof v !== 'string') return null;
  const t = v.trim().toLowerCase();
  if (['fake', 'manipulated', 'true', 'yes', 'falsified'].includes(t)) return 1;
  if (['real', 'orig', 'pristine', 'false', 'no'].includes(t)) return 0;
  return null;
}

class RowError extends Error {}

/** One row's prediction for its sample; throws RowError naming what cannot be read. */
function readRow(fields: Record<string, unknown>, pick: (f: Field) => [string, unknown] | null, sample: SampleKey, boxFormat: BoxFormat, units: SubwordUnits | null): Omit<Dgm4PredictionRow, 'id' | 'image'> {
  const row: Omit<Dgm4PredictionRow, 'id' | 'image'> = { probability: null, label: null, classProbabilities: null, box: null, words: null, wordIds: null };
  const probability = pick('probability');
  if (probability !== null) {
    const p = numeric(probability[1]);
    if (p === null || p < 0 || p > 1) throw new RowError(`${probability[0]} is ${JSON.stringify(probability[1])}, not a probability from 0 to 1`);
    row.probability = p;
  }
  const label = pick('label');
  if (label !== null) {
    row.label = labelOf(label[1]);
    if (row.label === null) throw new RowError(`${label[0]} is ${JSON.stringify(label[1])}: expected 1/0, true/false, fake/real`);
  }
  const fakeCls = pick('fakeCls');
  if (fakeCls !== null) {
    const classes = typeof fakeCls[1] === 'string' ? parseFakeCls(fakeCls[1]) : null;
    if (classes === null) throw new RowError(`${fakeCls[0]} is ${JSON.stringify(fakeCls[1])}, not a DGM4 class`);
    row.label ??= classes.length === 0 ? 0 : 1;
    row.classProbabilities = DGM4_CLASSES.map((c) => (classes.includes(c) ? 1 : 0));
  }
  const classes = pick('classes');
  if (classes !== null) {
    const v = classes[1];
    const list = Array.isArray(v) ? v.map(numeric) : typeof v === 'object' && v !== null ? DGM4_CLASSES.map((c) => numeric((v as Record<string, unknown>)[c])) : null;
    if (list === null || list.length !== 4 || list.some((p) => p === null || p < 0 || p > 1)) throw new RowError(`${classes[0]} must be four probabilities (face_swap, face_attribute, text_swap, text_attribute) or an object keyed by them`);
    row.classProbabilities = list as number[];
  }
  const box = pick('box');
  if (box !== null && box[1] !== null && !(Array.isArray(box[1]) && box[1].length === 0)) {
    const b = Array.isArray(box[1]) ? box[1].map(numeric) : null;
    if (b === null || b.length !== 4 || b.some((x) => x === null)) throw new RowError(`${box[0]} is ${JSON.stringify(box[1])}, not a box of four numbers`);
    const [a, c, d, e] = b as number[];
    row.box = boxFormat === 'xyxy' ? [a!, c!, d!, e!] : [(a! - d! / 2) * sample.width, (c! - e! / 2) * sample.height, (a! + d! / 2) * sample.width, (c! + e! / 2) * sample.height];
    if (row.box.every((x) => Math.abs(x) < 1e-4)) row.box = [0, 0, 0, 0];
  }
  // Word flags: per word, or per word piece where the run has a tokenizer (per word is spread over each word's pieces).
  const count = dgm4Words(sample.text).length;
  const wordIds = units?.wordIds(sample.text) ?? null;
  const positions = pick('textPos');
  if (positions !== null) {
    const list = Array.isArray(positions[1]) ? positions[1] : null;
    if (list === null || !list.every((p) => Number.isInteger(p) && (p as number) >= 0)) throw new RowError(`${positions[0]} must be a list of word indices`);
    row.words = wordIds === null ? Array.from({ length: count }, (_, w) => (list.includes(w) ? 1 : 0)) : pieceFlags(wordIds, list as number[], units!.maxWords);
  }
  const words = pick('words');
  if (words !== null) {
    const list = Array.isArray(words[1]) ? words[1].map((x) => (typeof x === 'boolean' ? Number(x) : numeric(x))) : null;
    if (list === null || list.some((x) => x === null)) throw new RowError(`${words[0]} must be a list of numbers, one per word${wordIds === null ? '' : ' or word piece'}`);
    const flags = list as number[];
    if (wordIds !== null && flags.length === wordIds.length) row.words = flags;
    else if (flags.length === count) row.words = wordIds === null ? flags : wordIds.map((w) => flags[w] ?? 0);
    else throw new RowError(`${words[0]} has ${flags.length} values, but the text has ${count} words (split on spaces)${wordIds === null ? '' : ` and ${wordIds.length} word pieces`}`);
  }
  if (row.words !== null) row.wordIds = wordIds;
  if (row.probability === null && row.label === null && row.classProbabilities === null && row.box === null && row.words === null) throw new RowError('no prediction in it: none of a probability, a label, fake_cls, class probabilities, a box or word flags');
  return row;
}

/**
 * Imports a detector's outputs on a DGM4 split as a named run: JSON list or JSON Lines, one
 * object per sample with its id (and image, where an id repeats), and any of: the probability
 * that it is manipulated, a label, a predicted fake_cls, four class probabilities, a box, word
 * indices or per-word flags/probabilities (per word piece, with a tokenizer). Rows that cannot be
 * used are kept as problems with their line; the truth always comes from the indexed metadata.
 */
export async function importDgm4Run(db: Db, request: Dgm4ImportRequest): Promise<{ run: Dgm4Run; problems: RunProblem[] }> {
  const { split, name } = request;
  requireDgm4Split(db, split);
  if (name.trim() === '') throw new OocError('BAD_ARGUMENT', 'give the run a name');
  const taken = runNameTaken(db, name);
  if (taken !== null && !(taken.dgm4 && request.replace === true)) throw new OocError('BAD_ARGUMENT', `a run named "${name}" exists${taken.dgm4 ? '; replace it, or choose another name' : ' (a NewsCLIPpings run): choose another name'}`);
  const format = await detectFormat(request.file);
  if (format !== 'json' && format !== 'jsonl') throw new OocError('BAD_ARGUMENT', `${request.file}: DGM4 predictions are a JSON list or JSON Lines (boxes and word flags do not fit a table)`);
  const units = request.tokenizer === undefined ? null : await SubwordUnits.load(request.tokenizer, request.maxWords ?? HAMMER_MAX_WORDS);
  const samples = samplesById(db, split);
  const boxFormat = request.boxFormat ?? 'xyxy';
  const used: Record<string, string> = {};
  const problems: RunProblem[] = [];
  const rows: Dgm4PredictionRow[] = [];
  const seen = new Set<string>();
  let read = 0;
  const { header, batches } = await readPredictionRows(request.file, format);
  for await (const batch of batches) {
    request.signal?.throwIfAborted();
    for (const raw of batch) {
      read++;
      const line = raw.at;
      if (raw.fields === null) {
        problems.push({ kind: 'unparseable', line, detail: raw.error ?? 'unreadable' });
        continue;
      }
      const fields = asObject(raw.fields, header);
      const pick = (f: Field): [string, unknown] | null => {
        for (const key of FIELDS[f]) if (key in fields && fields[key] !== undefined) {
          used[f] ??= key;
          return [key, fields[key]];
        }
        return null;
      };
      const id = numeric(pick('id')?.[1]);
      if (id === null || !Number.isSafeInteger(id)) {
        problems.push({ kind: 'unparseable', line, detail: `no sample id (one of ${FIELDS.id.join(', ')})` });
        continue;
      }
      const image = pick('image')?.[1];
      const candidates = samples.get(id) ?? [];
      const matches = typeof image === 'string' ? candidates.filter((c) => c.image === image || path.posix.normalize(image.replace(/\\/g, '/')).endsWith(c.image)) : candidates;
      if (matches.length !== 1) {
        problems.push({ kind: 'unmatched', line, detail: matches.length === 0 ? `sample ${id}${typeof image === 'string' ? ` with ${image}` : ''} is not in DGM4 ${split}` : `sample ${id} appears ${matches.length} times in ${split}: give its image to say which` });
        continue;
      }
      const sample = matches[0]!;
      const key = `${id}\0${sample.image}`;
      if (seen.has(key)) {
        problems.push({ kind: 'duplicate', line, detail: `sample ${id} (${sample.image}) again; the first row is kept` });
        continue;
      }
      try {
        rows.push({ id, image: sample.image, ...readRow(fields, pick, sample, boxFormat, units) });
        seen.add(key);
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        problems.push({ kind: 'unparseable', line, detail: `sample ${id}: ${err.message}` });
      }
    }
    request.onProgress?.(read);
  }
  // JSON records are found by byte offset: say which line each starts on.
  if (format === 'json' && problems.length > 0) {
    const lines = await lineNumbers(request.file, problems.map((p) => p.line));
    for (const p of problems) p.line = lines.get(p.line) ?? p.line;
  }
  const counts: Record<string, number> = {};
  for (const p of problems) counts[p.kind] = (counts[p.kind] ?? 0) + 1;
  const run: Dgm4Run = { name, split, file: path.resolve(request.file), format, fields: used, importedAt: new Date().toISOString(), rows: read, matched: rows.length, problems: counts, subwords: units && { tokenizer: units.file, maxWords: units.maxWords } };
  saveDgm4Run(db, run, rows, problems);
  return { run, problems: problems.slice(0, 20) };
}

/** A run's twelve metrics on the samples it answered, overall and per fake_cls. */
export function evaluateDgm4Run(db: Db, name: string): Dgm4Evaluation {
  const run = requireDgm4Run(db, name);
  const answers = dgm4Answers(db, run.id, run.split);
  // The truth's units are the run's: words, or (imported with a tokenizer) each row's word pieces.
  const truthOf = (a: (typeof answers)[number]) => {
    if (a.wordIds === null || run.subwords === null) return { classes: a.classes, box: a.trueBox, textPos: a.textPos, words: dgm4Words(a.text).length };
    const flags = pieceFlags(a.wordIds, a.textPos, run.subwords.maxWords);
    return { classes: a.classes, box: a.trueBox, textPos: flags.flatMap((f, i) => (f === 1 ? [i] : [])), words: flags.length };
  };
  const metricsOf = (rows: typeof answers) => dgm4Metrics(rows.map(truthOf), rows);
  const groups = new Map<string, typeof answers>();
  for (const a of answers) {
    const group = groups.get(a.fakeCls);
    if (group === undefined) groups.set(a.fakeCls, [a]);
    else group.push(a);
  }
  return {
    run: run.name,
    split: run.split,
    splitSamples: requireDgm4Split(db, run.split).samples,
    answered: answers.length,
    subwords: run.subwords,
    overall: metricsOf(answers),
    byClass: Object.fromEntries([...groups].sort((a, b) => b[1].length - a[1].length).map(([cls, rows]) => [cls, metricsOf(rows)])),
  };
}

/** Runs side by side (each on the samples it answered); they must be of one split. */
export function compareDgm4Runs(db: Db, names: readonly string[]): Dgm4Comparison {
  const runs = names.map((n) => evaluateDgm4Run(db, n));
  const splits = new Set(runs.map((r) => r.split));
  if (splits.size > 1) throw new OocError('BAD_ARGUMENT', `the runs are of different splits (${[...splits].join(', ')}): compare runs of one split`);
  return { split: runs[0]?.split ?? '', runs };
}
