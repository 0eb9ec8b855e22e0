import path from 'node:path';
import { PROBLEM_KINDS, type PredictionFormat, type PredictionMapping, type PredictionRun, type ProblemKind, type RunProblem } from '../../common/evaluation.ts';
import { OocError } from '../../common/errors.ts';
import { normalImagePath, detectFormat, detectMapping, lineNumbers, parseCaptionId, parseImageId, parseLabel, parseProbability, positionKind, readPredictionRows, type MappingOverrides, type Parsed, type RawRow } from './read-predictions.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { itemImagePaths } from '../store/items.ts';
import { fileFor, splitFiles } from '../store/pairs.ts';
import { pairsOfCaption, pairsOfFile, readRun, saveRun } from '../store/predictions.ts';

export interface ImportRequest {
  file: string;
  name: string;
  /** The NewsCLIPpings split; found from the rows when not given. */
  split?: string;
  /** Match against this subset only (otherwise each row against every subset of the split). */
  subset?: string;
  overrides?: MappingOverrides;
  /** Replace a run of the same name (otherwise that is refused). */
  replace?: boolean;
  /** Read and match, report, store nothing. */
  dryRun?: boolean;
  onProgress?: (rows: number) => void;
}

export interface ImportResult {
  run: PredictionRun;
  /** The first examples of each problem, by line. */
  problems: RunProblem[];
  /** The first rows as read and as understood, for a preview of the mapping. */
  preview: { line: number; fields: Record<string, unknown>; understood: string }[];
  stored: boolean;
}

/** Examples kept per kind of problem; every one is counted. */
const EXAMPLES = 200;
/** Rows looked at to find the split when none is given. */
const SPLIT_SAMPLE = 500;

/** A split file's pairs by caption: [pristine image, falsified image] (null where the file has no such row). */
type PairsByCaption = Map<number, [number | null, number | null]>;

function loadPairs(db: Db, fileId: number): PairsByCaption {
  const out: PairsByCaption = new Map();
  for (const [caption, pristine, falsified] of pairsOfFile(db, fileId)) out.set(caption, [pristine, falsified]);
  return out;
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

/** A raw row as this run's mapping reads it, or why it cannot be. */
function understand(raw: RawRow, mapping: PredictionMapping, paths: Map<string, number> | null): Parsed<Row> {
  if (raw.fields === null) return { error: raw.error ?? 'unreadable' };
  const f = raw.fields;
  const caption = parseCaptionId(f[mapping.caption]);
  if ('error' in caption) return caption;
  let image: Parsed<number>;
  if (mapping.imageBy === 'id') image = parseImageId(f[mapping.image]);
  else {
    const value = f[mapping.image];
    const id = typeof value === 'string' ? paths?.get(normalImagePath(value)) : undefined;
    image = id === undefined ? { error: `image ${JSON.stringify(value)} is not an indexed image path` } : { value: id };
  }
  if ('error' in image) return image;
  let answer: Row['answer'] = null;
  if (mapping.prediction !== undefined) {
    const label = parseLabel(f[mapping.prediction]);
    if ('error' in label) return { error: `prediction: ${label.error}` };
    answer = label.value;
  }
  let probability: number | null = null;
  if (mapping.probability !== undefined) {
    const p = parseProbability(f[mapping.probability]);
    if ('error' in p) return p;
    probability = p.value;
  }
  let truthClaim: Row['truthClaim'] = null;
  if (mapping.truth !== undefined && f[mapping.truth] !== undefined && f[mapping.truth] !== null) {
    const claim = parseLabel(f[mapping.truth]);
    if ('value' in claim && claim.value !== -1) truthClaim = claim.value;
  }
  const explanation = mapping.explanation === undefined ? null : f[mapping.explanation];
  const subset = mapping.subset === undefined ? null : f[mapping.subset];
  return {
    value: {
      at: raw.at,
      caption: caption.value,
      image: image.value,
      answer,
      probability,
      explanation: typeof explanation === 'string' && explanation !== '' ? explanation : null,
      truthClaim,
      subset: typeof subset === 'string' && subset !== '' ? subset : null,
    },
  };
}

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
  if (!hasIndex(db)) throw new OocError('NO_INDEX', 'nothing is indexed yet: index a corpus before importing predictions');
  const name = request.name.trim();
  if (name === '') throw new OocError('BAD_ARGUMENT', 'a run needs a name');
  const existing = readRun(db, name);
  if (existing !== null && request.replace !== true && request.dryRun !== true) throw new OocError('BAD_ARGUMENT', `a run named "${name}" exists (imported ${existing.importedAt} from ${existing.file}); choose another name or replace it`);

  const file = path.resolve(request.file);
  const format: PredictionFormat = await detectFormat(file);
  const rows = readPredictionRows(file, format);

  // The first rows tell the mapping (and, when not given, the split).
  const head: RawRow[] = [];
  while (head.length < SPLIT_SAMPLE) {
    const next = await rows.next();
    if (next.done === true) break;
    head.push(...next.value);
  }
  const mapping = detectMapping(file, head.flatMap((r) => (r.fields === null ? [] : [r.fields])).slice(0, 50), request.overrides);
  const paths = mapping.imageBy === 'path' ? imageIdsByPath(db) : null;
  const understood = head.map((raw) => ({ raw, row: understand(raw, mapping, paths) }));

  const files = splitFiles(db);
  const split = request.split ?? detectSplit(db, understood.flatMap((u) => ('value' in u.row ? [u.row.value] : [])), file);
  const subsets = files.filter((f) => f.split === split && (request.subset === undefined || f.subset === request.subset));
  if (subsets.length === 0) {
    const known = [...new Set(files.map((f) => (request.subset === undefined ? f.split : `${f.split}/${f.subset}`)))].join(', ');
    throw new OocError('BAD_ARGUMENT', `no indexed split file ${request.subset === undefined ? split : `${split}/${request.subset}`} (indexed: ${known})`);
  }
  const pairs = subsets.map((f) => ({ subset: f.subset, pairs: loadPairs(db, fileFor(db, split, f.subset).file_id) }));

  const counts: Partial<Record<ProblemKind, number>> = {};
  const examples: (RunProblem & { at: number })[] = [];
  const problem = (kind: ProblemKind, at: number, detail: string): void => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (counts[kind]! <= EXAMPLES) examples.push({ kind, line: 0, at, detail });
  };
  const matched: Record<string, number> = Object.fromEntries(subsets.map((s) => [s.subset, 0]));
  const seen = new Map<string, Set<number>>(subsets.map((s) => [s.subset, new Set<number>()]));
  const keep: { subset: string; row: Row }[] = [];
  let total = 0;
  let hasProbabilities = false;

  const take = (raw: RawRow, parsed: Parsed<Row>): void => {
    total++;
    if ('error' in parsed) return problem('unparseable', raw.at, parsed.error);
    const row = parsed.value;
    const candidates = row.subset === null ? pairs : pairs.filter((p) => p.subset === row.subset);
    for (const { subset, pairs: byCaption } of candidates) {
      const pair = byCaption.get(row.caption);
      if (pair === undefined || (row.image !== pair[0] && row.image !== pair[1])) continue;
      const truth = row.image === pair[1] ? 1 : 0;
      const key = row.caption * 2 + truth;
      if (seen.get(subset)!.has(key)) return problem('duplicate', row.at, `${describeRow(row)} repeats an earlier row (the first is kept)`);
      seen.get(subset)!.add(key);
      if (row.truthClaim !== null && row.truthClaim !== truth) problem('truth-disagrees', row.at, `the file says ${row.truthClaim === 1 ? 'falsified' : 'pristine'}, the split file ${subset} says ${truth === 1 ? 'falsified' : 'pristine'} (caption ${row.caption}, image ${row.image})`);
      if (row.probability !== null) hasProbabilities = true;
      matched[subset]!++;
      keep.push({ subset, row });
      return;
    }
    const where = row.subset !== null && candidates.length === 0 ? `subset "${row.subset}" is not a file of ${split}` : `caption ${row.caption} with image ${row.image} is not a pair of ${split}${request.subset === undefined ? '' : `/${request.subset}`}`;
    problem('unmatched', row.at, where);
  };

  for (const u of understood) take(u.raw, u.row);
  for await (const batch of rows) {
    for (const raw of batch) take(raw, understand(raw, mapping, paths));
    request.onProgress?.(total);
  }
  if (total === 0) throw new OocError('BAD_ARGUMENT', `${file}: no rows`);

  // JSON records are found by byte offset: say which line each listed one starts on.
  const lines = positionKind(format) === 'offset' ? await lineNumbers(file, examples.map((e) => e.at)) : null;
  const problems: RunProblem[] = examples.map(({ kind, at, detail }) => ({ kind, line: lines?.get(at) ?? at, detail }));
  problems.sort((a, b) => PROBLEM_KINDS.indexOf(a.kind) - PROBLEM_KINDS.indexOf(b.kind) || a.line - b.line);

  const run: PredictionRun = { name, split, file, format, mapping, importedAt: new Date().toISOString(), rows: total, matched, problems: counts, hasProbabilities };
  const preview = understood.slice(0, 5).map(({ raw, row }) => ({ line: lines?.get(raw.at) ?? raw.at, fields: raw.fields ?? {}, understood: 'error' in row ? `not read: ${row.error}` : describeRow(row.value) }));
  if (request.dryRun === true) return { run, problems, preview, stored: false };
  if (keep.length === 0) throw new OocError('BAD_ARGUMENT', `${file}: no row matched a pair of ${split} (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')}); nothing stored`);

  saveRun(
    db,
    run,
    keep.map(({ subset, row }) => ({ subset, caption: row.caption, image: row.image, answer: row.answer, probability: row.probability, explanation: row.explanation })),
    problems,
  );
  return { run, problems, preview, stored: true };
}
