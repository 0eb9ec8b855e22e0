import { parse as parseCsv } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { PredictionFormat, PredictionMapping, PredictionsSource } from '../../common/evaluation.ts';
import { OocError } from '../../common/errors.ts';
import { scanJsonFile } from '../ingest/json-stream.ts';

/**
 * Reading a predictions file of any of the shapes published for NewsCLIPpings: a JSON list of
 * objects (CMIE's GPT-4o results, SNIFFER's), JSON Lines (our pairs.jsonl export with a
 * prediction added), or CSV/TSV with a header. Rows stream in batches; a row that cannot be
 * read is reported with where it is, never fatal.
 */

/**
 * A row as read: its fields (an object, or for a table the cells in header order), or why it
 * could not be read. `at` is its line (JSON Lines, CSV) or byte offset (JSON).
 */
export interface RawRow {
  at: number;
  fields: Record<string, unknown> | readonly string[] | null;
  error?: string;
}

export interface PredictionRows {
  /** A table's column names; null for JSON, whose rows are objects. */
  header: readonly string[] | null;
  batches: AsyncGenerator<RawRow[]>;
}

/** Reads one field of a row, by name: compiled once per file (a table's column index is found once). */
export type FieldReader = (fields: NonNullable<RawRow['fields']>) => unknown;

export function fieldReader(key: string, header: readonly string[] | null): FieldReader {
  if (header === null) return (fields) => (fields as Record<string, unknown>)[key];
  const i = header.indexOf(key);
  return (fields) => (fields as readonly string[])[i];
}

/** A row's fields as an object (to find the mapping from the first rows). */
export function asObject(fields: NonNullable<RawRow['fields']>, header: readonly string[] | null): Record<string, unknown> {
  if (header === null) return fields as Record<string, unknown>;
  return Object.fromEntries(header.map((name, i) => [name, (fields as readonly string[])[i]]));
}

const BATCH = 4096;

/** The format, by content first (what the file starts with), then by extension for text tables. */
export async function detectFormat(file: string): Promise<PredictionFormat> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new OocError(err.code === 'ENOENT' ? 'NOT_FOUND' : 'BAD_ARGUMENT', `${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  try {
    const { size } = await handle.stat();
    if (size === 0) throw new OocError('BAD_ARGUMENT', `${file}: the file is empty`);
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await handle.read(head, 0, head.length, 0);
    const text = head.toString('utf8').replace(/^\uFEFF/, '');
    const first = text.trimStart()[0];
    if (first === '[') return 'json';
    if (first === '{') {
      const line = text.trimStart().split('\n', 1)[0]!;
      const holdsList = (value: unknown): boolean => Object.values(value as object).some((x) => Array.isArray(x) && x.some((e) => e !== null && typeof e === 'object'));
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      if (value === undefined || holdsList(value)) throw new OocError('BAD_ARGUMENT', `${file}: a JSON object; expected a list of predictions ([{…}, …]) or one JSON object per line`);
      return 'jsonl';
    }
    if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
    if (/\.json$/i.test(file)) throw new OocError('BAD_ARGUMENT', `${file}: not JSON (it starts with ${JSON.stringify(text.slice(0, 20))})`);
    if (head.includes(0)) throw new OocError('BAD_ARGUMENT', `${file}: a binary file, not predictions (JSON, JSON Lines or CSV)`);
    return 'csv';
  } finally {
    await handle.close();
  }
}

/** The file's rows, in batches (and a table's header). */
export async function readPredictionRows(file: string, format: PredictionFormat): Promise<PredictionRows> {
  if (format === 'json') return { header: null, batches: readJson(file) };
  if (format === 'jsonl') return { header: null, batches: readJsonLines(file) };
  return readCsv(file);
}

const asFields = (value: unknown): Record<string, unknown> | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);

async function* readJson(file: string): AsyncGenerator<RawRow[]> {
  for await (const batch of scanJsonFile(file)) {
    if (batch.container === '{') throw new OocError('BAD_ARGUMENT', `${file}: a JSON object; expected a list of predictions ([{…}, …])`);
    yield batch.records.map((r) => {
      if (r.error !== undefined) return { at: r.start, fields: null, error: r.error };
      const fields = asFields(r.value);
      return fields === null ? { at: r.start, fields: null, error: `not an object: ${JSON.stringify(r.value)?.slice(0, 60)}` } : { at: r.start, fields };
    });
  }
}

async function* readJsonLines(file: string): AsyncGenerator<RawRow[]> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let batch: RawRow[] = [];
  let line = 0;
  for await (const text of lines) {
    line++;
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (trimmed === '') continue;
    try {
      const value: unknown = JSON.parse(trimmed);
      const fields = asFields(value);
      batch.push(fields === null ? { at: line, fields: null, error: `not an object: ${trimmed.slice(0, 60)}` } : { at: line, fields });
    } catch (err) {
      batch.push({ at: line, fields: null, error: `malformed JSON: ${err instanceof Error ? err.message : String(err)}` });
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The header line of a text table, and its delimiter: whichever of tab, comma and semicolon it has most of. */
async function tableHead(file: string): Promise<{ header: string[]; delimiter: string; quoted: boolean }> {
  let quoted = false;
  let headLine = '';
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    if (headLine === '') headLine = chunk.toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0]!;
    if (chunk.includes(0x22)) {
      quoted = true;
      break;
    }
  }
  const count = (d: string): number => headLine.split(d).length - 1;
  const delimiter = ['\t', ',', ';'].sort((a, b) => count(b) - count(a))[0]!;
  if (count(delimiter) === 0) throw new OocError('BAD_ARGUMENT', `${file}: not a table: its first line has no tab, comma or semicolon (a header naming the columns is needed)`);
  const header = (parseCsvSync(headLine, { delimiter, relax_quotes: true })[0] as string[] | undefined)?.map((h) => h.trim()) ?? [];
  return { header, delimiter, quoted };
}

/**
 * A CSV or TSV file's rows as cells in header order. Without a quote character anywhere in the
 * file, a record is a line, so its line number is counted here; with one (a quoted field may
 * hold line breaks) the parser says where each record starts, which is slower.
 */
async function readCsv(file: string): Promise<PredictionRows> {
  const { header, delimiter, quoted } = await tableHead(file);
  async function* batches(): AsyncGenerator<RawRow[]> {
    const skipped: RawRow[] = [];
    const parser = createReadStream(file).pipe(
      parseCsv({ bom: true, delimiter, from_line: 2, info: quoted, relax_column_count: true, skip_records_with_error: true, skip_empty_lines: quoted }),
    );
    parser.on('skip', (err: Error & { lines?: number }) => skipped.push({ at: err.lines ?? 0, fields: null, error: err.message }));
    let batch: RawRow[] = [];
    let line = 1;
    try {
      for await (const item of parser as AsyncIterable<string[] | { record: string[]; info: { lines: number } }>) {
        line++;
        const [cells, at] = Array.isArray(item) ? [item, line] : [item.record, item.info.lines];
        if (cells.length === 1 && cells[0] === '') continue;
        batch.push({ at, fields: cells });
        if (skipped.length > 0) batch.push(...skipped.splice(0));
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
    } catch (err) {
      throw new OocError('BAD_ARGUMENT', `${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    batch.push(...skipped);
    if (batch.length > 0) yield batch;
  }
  return { header, batches: batches() };
}

function newlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a, from); i !== -1 && i < to; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** The 1-based line of each byte offset of a file (offsets of JSON records, for the problems listed). */
export async function lineNumbers(file: string, offsets: readonly number[]): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const lines = new Map<number, number>();
  let line = 1;
  let position = 0;
  let next = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    while (next < wanted.length && wanted[next]! < position + chunk.length) {
      const until = wanted[next]! - position;
      line += newlines(chunk, from, until);
      from = until;
      lines.set(wanted[next]!, line);
      next++;
    }
    if (next >= wanted.length) break;
    line += newlines(chunk, from, chunk.length);
    position += chunk.length;
  }
  return lines;
}

// ─── What each field holds ─────────────────────────────────────────────────────────────────────

const CAPTION_KEYS = ['caption_id', 'captionid', 'article_id', 'id', 'idx', 'text_id', 'news_id'];
const IMAGE_ID_KEYS = ['image_id', 'imageid', 'img_id'];
const IMAGE_PATH_KEYS = ['image_path', 'img_path', 'image', 'image_file', 'ori_image_path'];
const PREDICTION_KEYS = ['prediction', 'predicted', 'pred', 'predicted_label', 'pred_label', 'output', 'answer', 'response'];
const PROBABILITY_KEYS = ['probability', 'prob', 'p_falsified', 'prob_falsified', 'falsified_probability', 'score'];
const TRUTH_KEYS = ['falsified', 'label', 'gt', 'ground_truth', 'truth', 'is_falsified'];
const EXPLANATION_KEYS = ['explanation', 'rationale', 'reason', 'reasoning'];


/**
 * Which field holds what, from the fields of the first rows (names compared without case), with
 * the user's choices first. A "label" column is the prediction when nothing else is.
 */
export function detectMapping(file: string, sample: readonly Record<string, unknown>[], overrides: NonNullable<PredictionsSource['fields']> = {}): PredictionMapping {
  const keys = [...new Set(sample.flatMap((r) => Object.keys(r)))];
  const find = (candidates: readonly string[], except: readonly (string | undefined)[] = []): string | undefined => {
    for (const c of candidates) {
      const key = keys.find((k) => k.toLowerCase() === c && !except.includes(k));
      if (key !== undefined) return key;
    }
    return undefined;
  };
  const given = (role: keyof NonNullable<PredictionsSource['fields']>): string | undefined => {
    const key = overrides[role];
    if (key !== undefined && !keys.includes(key)) throw new OocError('BAD_ARGUMENT', `${file}: no field "${key}" (fields: ${keys.join(', ')})`);
    return key;
  };
  const caption = given('caption') ?? find(CAPTION_KEYS);
  const imageKey = given('image') ?? find(IMAGE_ID_KEYS) ?? find(IMAGE_PATH_KEYS);
  if (caption === undefined) throw new OocError('BAD_ARGUMENT', `${file}: no caption id field (looked for ${CAPTION_KEYS.join(', ')}; fields: ${keys.join(', ')}); name it with --caption-field`);
  if (imageKey === undefined) throw new OocError('BAD_ARGUMENT', `${file}: no image id or path field (looked for ${[...IMAGE_ID_KEYS, ...IMAGE_PATH_KEYS].join(', ')}; fields: ${keys.join(', ')}); name it with --image-field`);
  let prediction = given('prediction') ?? find(PREDICTION_KEYS, [caption, imageKey]);
  const probability = given('probability') ?? find(PROBABILITY_KEYS, [caption, imageKey, prediction]);
  let truth = given('truth') ?? find(TRUTH_KEYS, [caption, imageKey, prediction, probability]);
  if (prediction === undefined && probability === undefined && truth?.toLowerCase() === 'label' && overrides.truth === undefined) {
    prediction = truth;
    truth = undefined;
  }
  if (prediction === undefined && probability === undefined) {
    throw new OocError('BAD_ARGUMENT', `${file}: no prediction or probability field (looked for ${[...PREDICTION_KEYS, ...PROBABILITY_KEYS].join(', ')}; fields: ${keys.join(', ')}); name one with --prediction-field or --probability-field`);
  }
  const firstImage = sample.map((r) => r[imageKey]).find((x) => x !== undefined && x !== null && x !== '');
  const imageBy = typeof firstImage === 'number' || (typeof firstImage === 'string' && /^\s*\d+\s*$/.test(firstImage)) ? 'id' : 'path';
  const mapping: PredictionMapping = { caption, image: imageKey, imageBy };
  const explanation = find(EXPLANATION_KEYS, [caption, imageKey, prediction, probability, truth]);
  const subset = find(['subset']);
  if (prediction !== undefined) mapping.prediction = prediction;
  if (probability !== undefined) mapping.probability = probability;
  if (truth !== undefined) mapping.truth = truth;
  if (explanation !== undefined) mapping.explanation = explanation;
  if (subset !== undefined) mapping.subset = subset;
  return mapping;
}

/** A caption id: a number, or text starting with one (SNIFFER's "1549888-fake"); or why not, as text. */
export function parseCaptionId(value: unknown): number | string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const m = /^\s*(\d{1,15})(?:\s*$|[-_:/ ])/.exec(value);
    if (m) return Number(m[1]);
  }
  return `caption id ${describe(value)} is not a number`;
}

/** An image id, or why not. */
export function parseImageId(value: unknown): number | string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value)) return Number(value);
  return `image id ${describe(value)} is not a number`;
}

/**
 * A VisualNews image path as the index keeps it (`bbc/images/0001/042.jpg`), from any of the
 * ways papers write it: `./bbc/…`, `/VisualNews/origin/bbc/…`, `origin/bbc/…`, back slashes.
 */
export function normalImagePath(value: string): string {
  const p = value.trim().replaceAll('\\', '/').replace(/^(\.\/)+/, '');
  const m = /(?:^|\/)([^/]+\/images\/[^/]+\/[^/]+)$/.exec(p);
  return m ? m[1]! : path.posix.normalize(p);
}

const FALSIFIED_WORDS = new Set(['yes', 'y', 'true', '1', 'falsified', 'fake', 'false_pair', 'out-of-context', 'ooc', 'inconsistent', 'misinformation', 'manipulated']);
const PRISTINE_WORDS = new Set(['no', 'n', 'false', '0', 'pristine', 'real', 'true_pair', 'consistent', 'genuine']);

/** A label: 1 (falsified), 0 (pristine) or -1 (any other text: an abstention, e.g. "I don't know"); or why not, as text. */
export function parseLabel(value: unknown): 1 | 0 | -1 | string {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value === 1 || value === 0 ? value : `label ${value} is neither 0 nor 1`;
  if (typeof value !== 'string') return `no label (${describe(value)})`;
  const text = value.trim().toLowerCase();
  if (text === '') return 'empty label';
  if (FALSIFIED_WORDS.has(text)) return 1;
  if (PRISTINE_WORDS.has(text)) return 0;
  // A sentence that answers first: "Yes, the image is wrongly used …", "No. The caption …".
  const lead = /^(yes|no)\b/.exec(text);
  if (lead) return lead[1] === 'yes' ? 1 : 0;
  return -1;
}

/** A probability from 0 to 1, or why not. */
export function parseProbability(value: unknown): number | string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) return `probability ${describe(value)} is not a number`;
  if (n < 0 || n > 1) return `probability ${n} is outside 0–1`;
  return n;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
