import path from 'node:path';
import { PROBLEM_KINDS, type ImportResult, type PredictionFormat, type PredictionsSource, type PredictionMapping, type PredictionRun, type ProblemKind, type RunProblem } from '../../common/evaluation.ts';
import { OocError } from '../../common/errors.ts';
import { asObject, detectFormat, detectMapping, fieldReader, lineNumbers, normalImagePath, parseCaptionId, parseImageId, parseLabel, parseProbability, readPredictionRows, type FieldReader, type RawRow } from './read-predictions.ts';
import { RowTable } from './row-table.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { itemImagePaths } from '../store/items.ts';
import { fileFor, splitFiles } from '../store/pairs.ts';
import { pairsOfCaption, pairsOfFile, readRun, requireRun, saveRun, type StoredRows } from '../store/predictions.ts';
import { runThreshold } from './evaluate.ts';

export interface ImportRequest extends PredictionsSource {
  name: string;
  /** Replace a run of the same name (otherwise that is refused). */
  replace?: boolean;
  /** Read and match, report, store nothing. */
  dryRun?: boolean;
  /** With dryRun: read only the first rows (a preview of the mapping, in a moment). */
  headOnly?: boolean;
  signal?: AbortSignal;
  onProgress?: (rows: number) => void;
}


/** Examples kept per kind of problem; every one is counted. */
const EXAMPLES = 200;
/** Rows looked at to find the split when none is given. */
const SPLIT_SAMPLE = 500;

/** A split file's rows: 1 where the image is swapped in (falsified), 0 where it is the caption's own. */
function fileTruths(db: Db, file: ReturnType<typeof fileFor>): RowTable {
  const table = new RowTable(file.pairs * 2);
  for (const [caption, pristine, falsified] of pairsOfFile(db, file)) {
    if (pristine !== null) table.set(caption, pristine, 0);
    if (falsified !== null) table.set(caption, falsified, 1);
  }
  return table;
}

/** The rows' image paths resolved to item ids, through the index's own paths (loaded once, only for files that name images by path). */
function imageIdsByPath(db: Db): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, imagePath] of itemImagePaths(db)) out.set(normalImagePath(imagePath), id);
  return out;
}

interface Row {
  at: number;
  caption: number;
  image: number;
  answer: 1 | 0 | -1 | null;
  probability: number | null;
  explanation: string | null;
  truthClaim: 1 | 0 | null;
  subset: string | null;
}

/**
 * Reads rows as the mapping says into `row` (one object reused for every row of a file, so a
 * million rows leave no million objects to collect), or says why one cannot be read.
 */
function rowReader(mapping: PredictionMapping, header: readonly string[] | null, paths: Map<string, number> | null): (raw: RawRow, row: Row) => string | null {
  const field = (key: string | undefined): FieldReader | null => (key === undefined ? null : fieldReader(key, header));
  const caption = fieldReader(mapping.caption, header);
  const image = fieldReader(mapping.image, header);
  const prediction = field(mapping.prediction);
  const probability = field(mapping.probability);
  const truth = field(mapping.truth);
  const explanation = field(mapping.explanation);
  const subset = field(mapping.subset);
  return (raw, row) => {
    const f = raw.fields;
    if (f === null) return raw.error ?? 'unreadable';
    const captionId = parseCaptionId(caption(f));
    if (typeof captionId === 'string') return captionId;
    let imageId: number | string;
    if (mapping.imageBy === 'id') imageId = parseImageId(image(f));
    else {
      const value = image(f);
      imageId = (typeof value === 'string' ? paths?.get(normalImagePath(value)) : undefined) ?? `image ${JSON.stringify(value)} is not an indexed image path`;
    }
    if (typeof imageId === 'string') return imageId;
    const answer = prediction === null ? null : parseLabel(prediction(f));
    if (typeof answer === 'string') return `prediction: ${answer}`;
    const p = probability === null ? null : parseProbability(probability(f));
    if (typeof p === 'string') return p;
    const claimed = truth === null ? undefined : truth(f);
    const claim = claimed === undefined || claimed === null || claimed === '' ? -1 : parseLabel(claimed);
    const text = explanation?.(f);
    const named = subset?.(f);
    row.at = raw.at;
    row.caption = captionId;
    row.image = imageId;
    row.answer = answer;
    row.probability = p;
    row.explanation = typeof text === 'string' && text !== '' ? text : null;
    row.truthClaim = claim === 1 || claim === 0 ? claim : null;
    row.subset = typeof named === 'string' && named.trim() !== '' ? named.trim() : null;
    return null;
  };
}

const newRow = (): Row => ({ at: 0, caption: 0, image: 0, answer: null, probability: null, explanation: null, truthClaim: null, subset: null });

function describeRow(row: Row): string {
  const answer = row.answer === null ? '' : row.answer === 1 ? 'falsified' : row.answer === 0 ? 'pristine' : 'abstained';
  const probability = row.probability === null ? '' : `p(falsified) ${row.probability}`;
  return `caption ${row.caption}, image ${row.image}: ${[answer, probability].filter(Boolean).join(', ')}`;
}

/** The split whose files' pairs the most sample rows belong to. */
function detectSplit(db: Db, rows: readonly Row[], file: string): string {
  const lookup = pairsOfCaption(db);
  const hits = new Map<string, number>();
  for (const row of rows.slice(0, SPLIT_SAMPLE)) {
    for (const [split, pristine, falsified] of lookup(row.caption)) {
      if (row.image === pristine || row.image === falsified) hits.set(split, (hits.get(split) ?? 0) + 1);
    }
  }
  const best = [...hits].sort((a, b) => b[1] - a[1])[0];
  if (best === undefined) throw new OocError('BAD_ARGUMENT', `${file}: none of the first ${Math.min(rows.length, SPLIT_SAMPLE)} readable rows is a pair of any indexed split file (are the ids VisualNews ids, and is the right corpus indexed?)`);
  return best[0];
}

/**
 * Imports a predictions file as a named run: reads it (JSON, JSON Lines or CSV), finds which
 * field holds what, matches every row to a pair of the split's files (by caption id and image
 * id), and stores the matched rows with the problems — rows not in the split, repeated rows,
 * values that cannot be read, and a truth in the file that disagrees with the split file's —
 * counted, with their first examples by line. All in one transaction: a run is there whole or
 * not at all.
 */
export async function importPredictions(db: Db, request: ImportRequest): Promise<ImportResult> {
  if (!hasIndex(db)) throw new OocError('INDEX_MISSING', 'index a dataset before importing predictions');
  const name = request.name.trim();
  if (name === '') throw new OocError('BAD_ARGUMENT', 'a run needs a name');
  const existing = readRun(db, name);
  if (existing !== null && request.replace !== true && request.dryRun !== true) throw new OocError('BAD_ARGUMENT', `a run named "${name}" exists (imported ${existing.importedAt} from ${existing.file}); choose another name or replace it`);

  const file = path.resolve(request.file);
  const format: PredictionFormat = await detectFormat(file);
  const { header, batches } = await readPredictionRows(file, format);

  // The first rows tell the mapping (and, when not given, the split).
  const head: RawRow[] = [];
  while (head.length < SPLIT_SAMPLE) {
    const next = await batches.next();
    if (next.done === true) break;
    head.push(...next.value);
  }
  const sample = head.flatMap((r) => (r.fields === null ? [] : [asObject(r.fields, header)])).slice(0, 50);
  const mapping = detectMapping(file, sample, request.fields);
  const read = rowReader(mapping, header, mapping.imageBy === 'path' ? imageIdsByPath(db) : null);
  const understood = head.map((raw) => {
    const row = newRow();
    const error = read(raw, row);
    return { raw, row: error ?? row };
  });

  const files = splitFiles(db);
  const split = request.split ?? detectSplit(db, understood.flatMap((u) => (typeof u.row === 'string' ? [] : [u.row])), file);
  const subsets = files.filter((f) => f.split === split && (request.subset === undefined || f.subset === request.subset));
  if (subsets.length === 0) {
    const known = [...new Set(files.map((f) => (request.subset === undefined ? f.split : `${f.split}/${f.subset}`)))].join(', ');
    throw new OocError('BAD_ARGUMENT', `no indexed split file ${request.subset === undefined ? split : `${split}/${request.subset}`} (indexed: ${known})`);
  }
  const truths = subsets.map((f) => ({ subset: f.subset, rows: fileTruths(db, fileFor(db, split, f.subset)), seen: new RowTable(f.pairs * 2) }));

  const counts: Partial<Record<ProblemKind, number>> = {};
  const examples: (RunProblem & { at: number })[] = [];
  // The detail is written only for the examples kept: a file of strays has hundreds of thousands.
  const problem = (kind: ProblemKind, at: number, detail: () => string): void => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (counts[kind]! <= EXAMPLES) examples.push({ kind, line: 0, at, detail: detail() });
  };
  const matched: Record<string, number> = Object.fromEntries(subsets.map((s) => [s.subset, 0]));
  const kept: StoredRows = { subset: [], caption: [], image: [], answer: [], probability: [], explanation: new Map() };
  let total = 0;
  let hasProbabilities = false;

  const take = (raw: RawRow, row: Row | string): void => {
    total++;
    if (typeof row === 'string') return problem('unparseable', raw.at, () => row);
    for (let s = 0; s < truths.length; s++) {
      const { subset, rows, seen } = truths[s]!;
      if (row.subset !== null && row.subset !== subset) continue;
      const truth = rows.get(row.caption, row.image);
      if (truth === -1) continue;
      if (seen.get(row.caption, row.image) !== -1) return problem('duplicate', row.at, () => `${describeRow(row)} repeats an earlier row (the first is kept)`);
      seen.set(row.caption, row.image, 1);
      if (row.truthClaim !== null && row.truthClaim !== truth) problem('truth-disagrees', row.at, () => `the file says ${row.truthClaim === 1 ? 'falsified' : 'pristine'}, the split file ${subset} says ${truth === 1 ? 'falsified' : 'pristine'} (caption ${row.caption}, image ${row.image})`);
      if (row.probability !== null) hasProbabilities = true;
      matched[subset]!++;
      if (row.explanation !== null) kept.explanation.set(kept.caption.length, row.explanation);
      kept.subset.push(s);
      kept.caption.push(row.caption);
      kept.image.push(row.image);
      kept.answer.push(row.answer);
      kept.probability.push(row.probability);
      return;
    }
    problem('unmatched', row.at, () =>
      row.subset !== null && !truths.some((t) => t.subset === row.subset) ? `subset "${row.subset}" is not a file of ${split}` : `caption ${row.caption} with image ${row.image} is not a pair of ${split}${request.subset === undefined ? '' : `/${request.subset}`}`,
    );
  };

  for (const u of understood) take(u.raw, u.row);
  const current = newRow();
  const headOnly = request.dryRun === true && request.headOnly === true;
  if (headOnly) await batches.return(undefined);
  else {
    for await (const batch of batches) {
      request.signal?.throwIfAborted();
      for (const raw of batch) take(raw, read(raw, current) ?? current);
      request.onProgress?.(total);
    }
  }
  if (total === 0) throw new OocError('BAD_ARGUMENT', `${file}: no rows`);

  // JSON records are found by byte offset: say which line each listed one starts on.
  const shown = understood.slice(0, 5);
  const lines = format === 'json' ? await lineNumbers(file, [...examples.map((e) => e.at), ...shown.map((u) => u.raw.at)]) : null;
  const problems: RunProblem[] = examples.map(({ kind, at, detail }) => ({ kind, line: lines?.get(at) ?? at, detail }));
  problems.sort((a, b) => PROBLEM_KINDS.indexOf(a.kind) - PROBLEM_KINDS.indexOf(b.kind) || a.line - b.line);

  const run: PredictionRun = { name, split, file, format, mapping, importedAt: new Date().toISOString(), rows: total, matched, problems: counts, hasProbabilities };
  const preview = shown.map(({ raw, row }) => ({ line: lines?.get(raw.at) ?? raw.at, fields: raw.fields === null ? {} : asObject(raw.fields, header), understood: typeof row === 'string' ? `not read: ${row}` : describeRow(row) }));
  if (request.dryRun === true) return { run, problems, preview, stored: false };
  if (kept.caption.length === 0) throw new OocError('BAD_ARGUMENT', `${file}: no row matched a pair of ${split} (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}); nothing stored`);
  saveRun(db, run, { ...kept, subsets: truths.map((t) => t.subset) }, problems);
  return { run: { ...run, threshold: runThreshold(db, requireRun(db, name)) }, problems, preview, stored: true };
}
