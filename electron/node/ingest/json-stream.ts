import { open } from 'node:fs/promises';

/**
 * Streaming reader for the large JSON files of VisualNews and NewsCLIPpings.
 *
 * It never holds the file as one string: it scans bytes, finds the boundaries of the values it
 * was asked for and parses each one on its own, so one malformed record is reported and skipped
 * instead of failing the file. Every record carries the byte offset just past it, which is a
 * valid place to resume from after an interruption.
 */

/** What to read out of the file. */
export interface JsonScanTarget {
  /**
   * Read the elements of the array stored under this top-level key instead of the top-level
   * members themselves (the `annotations` list of a NewsCLIPpings split file). Other top-level
   * members are still reported, with their key.
   */
  descendInto?: string;
  /** Keep each record's own text (trimmed), to write it back out as the file had it. */
  keepText?: boolean;
}

export interface ScannedRecord {
  /** Position among its siblings, counted from 0 (row order of the source file). */
  index: number;
  /** The member's key when the container is an object. */
  key?: string;
  /** The top-level key this record sits under when reading a descended array. */
  parentKey?: string;
  /** Byte offset where the record starts. */
  start: number;
  /** Byte offset just past the record: resuming from here continues with the next one. */
  end: number;
  value?: unknown;
  /** The record's JSON as the file has it (with keepText). */
  text?: string;
  /** Why the record could not be parsed, when it could not. */
  error?: string;
  /** The skip reason to count it under, with `error`. */
  errorReason?: 'malformed_json' | 'record_too_large' | 'record_too_deep';
}

export interface ScanBatch {
  records: ScannedRecord[];
  /** Whether the array under `descendInto` was found (so far). */
  descended: boolean;
  /** The top-level container, once seen: needed to resume. */
  container: '[' | '{' | undefined;
  /** Bytes of the file consumed so far. */
  position: number;
  size: number;
}

/** A point from which an interrupted scan of a top-level container can continue. */
export interface ScanResumePoint {
  offset: number;
  /** Number of records already read before `offset`. */
  nextIndex: number;
  /** `[` or `{`: the kind of the top-level container. */
  container: '[' | '{';
}

export interface ScanOptions extends JsonScanTarget {
  resumeFrom?: ScanResumePoint;
  chunkBytes?: number;
  /** Largest single record accepted; larger ones are skipped and reported as record errors, never held whole. */
  maxRecordBytes?: number;
}

/**
 * How deep a record may nest. Real records nest two or three levels; a hostile one (`[` × 50,000)
 * would exhaust the stack of whatever walks the parsed value, so it is reported, not parsed.
 */
export const MAX_RECORD_DEPTH = 100;

/** The file as a whole is not what was expected (not a truncated record: that is a record error). */
export class JsonStructureError extends Error {
  constructor(
    readonly file: string,
    readonly offset: number,
    message: string,
  ) {
    super(`${file}: ${message} (at byte ${offset})`);
    this.name = 'JsonStructureError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index of the quote that closes the string opened at `from`, or -1 if the buffer ends first. */
function findStringEnd(buf: Buffer, from: number): number {
  let j = from + 1;
  for (;;) {
    j = buf.indexOf(QUOTE, j);
    if (j === -1) return -1;
    let backslashes = 0;
    for (let k = j - 1; k > from && buf[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
    j++;
  }
}

function describeParseError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Scans `file` and yields batches of records: the members of the top-level array or object, or
 * with `descendInto`, the elements of the array under that key.
 */
export async function* scanJsonFile(file: string, options: ScanOptions = {}): AsyncGenerator<ScanBatch> {
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  const maxRecordBytes = options.maxRecordBytes ?? 64 * 1024 * 1024;
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const scanner = new Scanner(file, options, maxRecordBytes);
    let position = options.resumeFrom?.offset ?? 0;
    if (options.resumeFrom) scanner.resumeAt(options.resumeFrom);
    const chunk = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunkBytes, position);
      if (bytesRead === 0) break;
      const records = scanner.feed(chunk.subarray(0, bytesRead));
      position += bytesRead;
      if (records.length > 0) yield { records, position, size, descended: scanner.descended, container: scanner.container };
    }
    const tail = scanner.finish();
    yield { records: tail, position, size, descended: scanner.descended, container: scanner.container };
  } finally {
    await handle.close();
  }
}

/** Byte-level state machine behind {@link scanJsonFile}; exported for tests. */
export class Scanner {
  /** Unconsumed bytes: the current record (or string) that a chunk boundary cut. */
  private window: Buffer = Buffer.alloc(0);
  /** Absolute file offset of window[0]. */
  private windowBase = 0;
  private scanFrom = 0;
  /** Container bytes, outermost first. */
  private readonly stack: number[] = [];
  /** Depth whose direct children are emitted; 0 before the top-level container opens. */
  private targetDepth = 1;
  /** Start (window index) of the child being read at the target depth, or -1. */
  private segmentStart = -1;
  private index = 0;
  private topIndex = 0;
  private topKey: string | undefined;
  /** The current record nests deeper than MAX_RECORD_DEPTH. */
  private tooDeep = false;
  /** Absolute start of the current record once it outgrew maxRecordBytes (its bytes are then dropped), or -1. */
  private skippedFrom = -1;
  private expectKey = false;
  private started = false;
  private ended = false;
  /** Whether the array under `descendInto` has been entered. */
  descended = false;

  constructor(
    private readonly file: string,
    private readonly target: JsonScanTarget,
    private readonly maxRecordBytes: number,
  ) {}

  /** The kind of the top-level container, once it has opened. */
  container: '[' | '{' | undefined;

  resumeAt(point: ScanResumePoint): void {
    this.windowBase = point.offset;
    this.stack.push(point.container === '[' ? OPEN_ARRAY : OPEN_OBJECT);
    this.container = point.container;
    this.started = true;
    this.index = point.nextIndex;
    this.expectKey = false;
  }

  feed(chunk: Buffer): ScannedRecord[] {
    this.window = this.window.length === 0 ? chunk : Buffer.concat([this.window, chunk]);
    const out: ScannedRecord[] = [];
    this.scan(out);
    this.compact();
    return out;
  }

  /** Call at end of file: reports a record cut off by truncation, or a missing top level. */
  finish(): ScannedRecord[] {
    const out: ScannedRecord[] = [];
    if (!this.started) {
      throw new JsonStructureError(this.file, this.windowBase + this.window.length, 'the file holds no JSON array or object');
    }
    if (!this.ended) {
      if (this.segmentStart !== -1) {
        const rest = this.window.toString('utf8', this.segmentStart);
        const text = rest.trim();
        if (text.length > 0 || this.skippedFrom !== -1) {
          out.push({
            index: this.index++,
            // Where the record's first character is (whitespace is one byte a character).
            start: this.skippedFrom !== -1 ? this.skippedFrom : this.windowBase + this.segmentStart + (rest.length - rest.trimStart().length),
            end: this.windowBase + this.window.length,
            error: 'the file ends inside this record (truncated file)',
            ...this.keyInfo(),
          });
        }
      }
      if (out.length === 0) {
        throw new JsonStructureError(this.file, this.windowBase + this.window.length, 'the file ends before its top-level JSON value closes (truncated file)');
      }
    }
    return out;
  }

  private keyInfo(): { parentKey?: string } {
    return this.targetDepth === 2 && this.topKey !== undefined ? { parentKey: this.topKey } : {};
  }

  /**
   * Drops consumed bytes, keeping the unfinished record or string for the next chunk. A record
   * that outgrows the limit is skipped: from then on only its structure is followed, so memory
   * stays bounded, and its end is reported as an error record.
   */
  private compact(): void {
    if (this.segmentStart !== -1 && this.skippedFrom === -1 && this.window.length - this.segmentStart > this.maxRecordBytes) {
      let start = this.segmentStart;
      while (isWhitespace(this.window[start]!)) start++;
      this.skippedFrom = this.windowBase + start;
    }
    if (this.skippedFrom !== -1) this.dropSkippedString();
    const keepFrom = Math.min(this.scanFrom, this.segmentStart === -1 || this.skippedFrom !== -1 ? Infinity : this.segmentStart);
    if (keepFrom >= this.window.length) {
      this.windowBase += this.window.length;
      this.scanFrom -= this.window.length;
      this.window = Buffer.alloc(0);
    } else if (keepFrom > 0) {
      // Copy: the window may be a view on the reader's reused chunk buffer.
      this.window = Buffer.from(this.window.subarray(keepFrom));
      this.windowBase += keepFrom;
      this.scanFrom -= keepFrom;
    } else {
      this.window = Buffer.from(this.window);
    }
    if (this.segmentStart !== -1) this.segmentStart = Math.max(0, this.segmentStart - keepFrom);
  }

  /**
   * Inside a skipped record, a string cut by the chunk boundary would otherwise be kept whole
   * until it closes: keep only its opening quote and the trailing backslashes (which decide
   * whether the next quote is escaped).
   */
  private dropSkippedString(): void {
    const open = this.scanFrom;
    if (open >= this.window.length || this.window[open] !== QUOTE || this.window.length - open <= 1024) return;
    let run = 0;
    while (run < this.window.length - open - 1 && this.window[this.window.length - 1 - run] === BACKSLASH) run++;
    const kept = Buffer.concat([Buffer.from('"x'), Buffer.alloc(run, BACKSLASH)]);
    this.windowBase += this.window.length - kept.length;
    this.window = kept;
    this.scanFrom = 0;
    this.segmentStart = 0;
  }

  private emit(out: ScannedRecord[], endIndex: number): void {
    let start = this.segmentStart;
    this.segmentStart = -1;
    const tooDeep = this.tooDeep;
    const skippedFrom = this.skippedFrom;
    this.tooDeep = false;
    this.skippedFrom = -1;
    if (skippedFrom !== -1) {
      const end = this.windowBase + endIndex;
      out.push({
        index: this.targetDepth === 1 && this.target.descendInto !== undefined ? this.topIndex++ : this.index++,
        start: skippedFrom,
        end,
        error: `the record is ${(end - skippedFrom).toLocaleString('en-US')} bytes, over the ${this.maxRecordBytes.toLocaleString('en-US')}-byte limit for one record; skipped`,
        errorReason: 'record_too_large',
        ...this.keyInfo(),
      });
      return;
    }
    while (start < endIndex && isWhitespace(this.window[start]!)) start++;
    const trimmed = this.window.toString('utf8', start, endIndex).trim();
    if (trimmed.length === 0) return;
    const container = this.stack[this.targetDepth - 1];
    const countsAsTopMember = this.targetDepth === 1 && this.target.descendInto !== undefined;
    const record: ScannedRecord = {
      index: countsAsTopMember ? this.topIndex++ : this.index++,
      start: this.windowBase + start,
      end: this.windowBase + endIndex,
      ...this.keyInfo(),
    };
    if (tooDeep) {
      record.error = `the record nests deeper than ${MAX_RECORD_DEPTH} levels of arrays and objects; skipped`;
      record.errorReason = 'record_too_deep';
      out.push(record);
      return;
    }
    try {
      if (container === OPEN_OBJECT) {
        const member = JSON.parse(`{${trimmed}}`) as Record<string, unknown>;
        const keys = Object.keys(member);
        const key = keys[0];
        if (keys.length !== 1 || key === undefined) throw new Error('expected one "key": value member');
        record.key = key;
        record.value = member[key];
      } else {
        record.value = JSON.parse(trimmed);
      }
      if (this.target.keepText === true) record.text = trimmed;
    } catch (err) {
      record.error = describeParseError(err);
    }
    out.push(record);
  }

  private scan(out: ScannedRecord[]): void {
    const buf = this.window;
    const n = buf.length;
    let i = this.scanFrom;
    for (; i < n; i++) {
      const c = buf[i]!;
      if (c === QUOTE) {
        const close = findStringEnd(buf, i);
        if (close === -1) break; // the string continues in the next chunk: rescan it from its quote
        const depth = this.stack.length;
        if (depth === 1 && this.expectKey && this.stack[0] === OPEN_OBJECT) {
          try {
            this.topKey = JSON.parse(buf.toString('utf8', i, close + 1)) as string;
          } catch {
            this.topKey = undefined;
          }
        }
        i = close;
        continue;
      }
      if (isWhitespace(c)) continue;
      if (!this.started && this.windowBase + i < 3 && (c === 0xef || c === 0xbb || c === 0xbf)) continue; // UTF-8 BOM
      if (this.ended) {
        throw new JsonStructureError(this.file, this.windowBase + i, 'unexpected content after the top-level JSON value');
      }
      if (!this.started) {
        if (c !== OPEN_ARRAY && c !== OPEN_OBJECT) {
          throw new JsonStructureError(this.file, this.windowBase + i, 'expected a JSON array or object at the top level');
        }
        this.started = true;
      }
      const depth = this.stack.length;
      if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
        if (depth === this.targetDepth && this.segmentStart === -1) this.segmentStart = i;
        if (
          depth === 1 &&
          c === OPEN_ARRAY &&
          this.target.descendInto !== undefined &&
          this.stack[0] === OPEN_OBJECT &&
          this.topKey === this.target.descendInto
        ) {
          this.stack.push(c);
          this.targetDepth = 2;
          this.segmentStart = i + 1;
          this.descended = true;
          continue;
        }
        this.stack.push(c);
        if (this.stack.length - this.targetDepth > MAX_RECORD_DEPTH) this.tooDeep = true;
        if (this.stack.length === 1) {
          this.container = c === OPEN_ARRAY ? '[' : '{';
          this.segmentStart = i + 1;
          this.expectKey = c === OPEN_OBJECT;
        }
        continue;
      }
      if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
        const open = this.stack[depth - 1];
        if (open === undefined || (c === CLOSE_ARRAY) !== (open === OPEN_ARRAY)) {
          if (depth > this.targetDepth) {
            this.stack.pop(); // a broken record: its parse reports it
            continue;
          }
          throw new JsonStructureError(this.file, this.windowBase + i, `unbalanced '${String.fromCharCode(c)}'`);
        }
        if (depth === this.targetDepth) {
          if (this.segmentStart !== -1) this.emit(out, i);
          this.stack.pop();
          if (this.targetDepth === 2) {
            // Leaving the descended array: what is left of that top-level member is not a record.
            this.targetDepth = 1;
            this.segmentStart = -1;
          } else {
            this.ended = true;
          }
          continue;
        }
        this.stack.pop();
        continue;
      }
      if (depth === this.targetDepth && this.segmentStart === -1) this.segmentStart = i;
      if (c === COMMA && depth === this.targetDepth) {
        this.emit(out, i);
        this.segmentStart = i + 1;
        if (depth === 1) this.expectKey = this.stack[0] === OPEN_OBJECT;
        continue;
      }
      if (c === COMMA && depth === 1) {
        this.expectKey = this.stack[0] === OPEN_OBJECT;
        continue;
      }
      if (c === COLON && depth === 1) this.expectKey = false;
    }
    this.scanFrom = i;
  }
}
