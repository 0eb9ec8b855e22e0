import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A streaming reader for the pickles NewsCLIPpings ships: a dict `{int id: numpy.ndarray}`
 * (protocols 2–5, numpy 1.x `numpy.core` and 2.x `numpy._core` names, `None` values).
 *
 * Unpickling in Python can run arbitrary code, because a pickle names functions to call. This
 * reader is a small pickle machine that knows only the opcodes such files use and calls only an
 * allow-list of "functions", each reimplemented here to build a plain array; any other global
 * (os.system, builtins.eval …) stops the read with PickleRefusedError. Entries of the top-level
 * dict are handed to `onEntry` as they are read and their bytes dropped, so a 2 GB file is parsed
 * without holding it, or its arrays, in memory.
 */

export class PickleRefusedError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'PickleRefusedError';
  }
}

export class PickleFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'PickleFormatError';
  }
}

/** An array as numpy stored it, converted to float32 in C order. */
export interface PickledArray {
  shape: number[];
  data: Float32Array;
}

export type PickleValue = PickledArray | null;

export interface PickleEntry {
  key: number | string;
  value: PickleValue;
}

const ALLOWED_GLOBALS = new Set([
  'numpy.core.multiarray _reconstruct',
  'numpy._core.multiarray _reconstruct',
  'numpy.core.multiarray scalar',
  'numpy._core.multiarray scalar',
  'numpy.core.numeric _frombuffer',
  'numpy._core.numeric _frombuffer',
  'numpy ndarray',
  'numpy dtype',
  '_codecs encode',
]);

class Global {
  constructor(readonly name: string) {}
}
class Bytes {
  constructor(public data: Uint8Array | null) {}
}
class DType {
  byteOrder = '|';
  constructor(readonly code: string) {}
}
class NdArray {
  array: PickledArray | null = null;
  consumed = false;
}
class TopDict {}

type Value = unknown;

const CHUNK = 16 * 1024 * 1024;

class Source {
  private buffer = Buffer.alloc(CHUNK);
  private start = 0;
  private end = 0;
  private filePos = 0;
  readonly size: number;

  constructor(private readonly fd: number) {
    this.size = fstatSync(fd).size;
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.filePos - (this.end - this.start);
  }

  private fill(need: number): void {
    const left = this.end - this.start;
    if (need > this.buffer.length) {
      const bigger = Buffer.alloc(need + CHUNK);
      this.buffer.copy(bigger, 0, this.start, this.end);
      this.buffer = bigger;
    } else this.buffer.copy(this.buffer, 0, this.start, this.end);
    this.start = 0;
    this.end = left;
    while (this.end < need) {
      const n = readSync(this.fd, this.buffer, this.end, this.buffer.length - this.end, this.filePos);
      if (n === 0) throw new PickleFormatError(`the file ends early (truncated at byte ${this.filePos})`, this.filePos);
      this.end += n;
      this.filePos += n;
    }
  }

  byte(): number {
    if (this.start >= this.end) this.fill(1);
    return this.buffer[this.start++]!;
  }

  /** n bytes, copied (the read buffer is reused). */
  take(n: number): Uint8Array {
    if (this.end - this.start < n) this.fill(n);
    const out = new Uint8Array(n);
    out.set(this.buffer.subarray(this.start, this.start + n));
    this.start += n;
    return out;
  }

  view(n: number): Buffer {
    if (this.end - this.start < n) this.fill(n);
    const out = this.buffer.subarray(this.start, this.start + n);
    this.start += n;
    return out;
  }

  line(): string {
    const bytes: number[] = [];
    for (let b = this.byte(); b !== 0x0a; b = this.byte()) bytes.push(b);
    return Buffer.from(bytes).toString('utf8');
  }
}

export interface ReadPickleResult {
  entries: number;
  bytes: number;
}

/** Reads a pickle file, calling `onEntry` for each (key, array) of its top-level dict. */
export function readPickleFile(file: string, onEntry: (entry: PickleEntry) => void, onProgress?: (bytesDone: number, bytesTotal: number) => void): ReadPickleResult {
  const fd = openSync(file, 'r');
  try {
    const source = new Source(fd);
    const entries = new PickleMachine(source, onEntry, onProgress).run();
    return { entries, bytes: source.size };
  } finally {
    closeSync(fd);
  }
}

class PickleMachine {
  private stack: Value[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, Value>();
  private top: TopDict | null = null;
  private entries = 0;
  private lastProgress = 0;

  constructor(
    private readonly src: Source,
    private readonly onEntry: (entry: PickleEntry) => void,
    private readonly onProgress?: (bytesDone: number, bytesTotal: number) => void,
  ) {}

  fail(message: string): never {
    throw new PickleFormatError(`${message} (at byte ${this.src.offset})`, this.src.offset);
  }

  private pop(): Value {
    if (this.stack.length === 0) this.fail('stack underflow: not a valid pickle');
    return this.stack.pop();
  }

  private popMark(): Value[] {
    const at = this.marks.pop();
    if (at === undefined) this.fail('no mark on the stack: not a valid pickle');
    const items = this.stack.slice(at);
    this.stack.length = at;
    return items;
  }

  private get last(): Value {
    if (this.stack.length === 0) this.fail('stack underflow: not a valid pickle');
    return this.stack[this.stack.length - 1];
  }

  run(): number {
    const s = this.src;
    for (;;) {
      const op = s.byte();
      switch (op) {
        case 0x80: // PROTO
          if (s.byte() > 5) this.fail('pickle protocol newer than 5');
          break;
        case 0x95: // FRAME
          s.view(8);
          this.progress();
          break;
        case 0x2e: // STOP
          if (this.stack.length !== 1 || !(this.stack[0] instanceof TopDict)) {
            this.fail('the pickle does not hold a dict of arrays ({id: numpy.ndarray})');
          }
          this.onProgress?.(s.size, s.size);
          return this.entries;
        case 0x7d: // EMPTY_DICT
          this.stack.push(this.newDict());
          break;
        case 0x64: // DICT
          this.popMark();
          this.stack.push(this.newDict());
          break;
        case 0x5d: // EMPTY_LIST
        case 0x6c: // LIST
          if (op === 0x6c) this.stack.push(this.popMark());
          else this.stack.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.stack.push([]);
          break;
        case 0x28: // MARK
          this.marks.push(this.stack.length);
          break;
        case 0x74: // TUPLE
          this.stack.push(this.popMark());
          break;
        case 0x85: // TUPLE1
          this.stack.push([this.pop()]);
          break;
        case 0x86: {
          const b = this.pop();
          const a = this.pop();
          this.stack.push([a, b]);
          break;
        }
        case 0x87: {
          const c = this.pop();
          const b = this.pop();
          const a = this.pop();
          this.stack.push([a, b, c]);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.last, [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.last, items);
          break;
        }
        case 0x61: {
          // APPEND
          const v = this.pop();
          this.appendTo(this.last, [v]);
          break;
        }
        case 0x65: // APPENDS
          this.appendTo(this.stack[this.marks.at(-1)! - 1], this.popMark());
          break;
        case 0x4a: // BININT
          this.stack.push(s.view(4).readInt32LE(0));
          break;
        case 0x4b: // BININT1
          this.stack.push(s.byte());
          break;
        case 0x4d: // BININT2
          this.stack.push(s.view(2).readUInt16LE(0));
          break;
        case 0x8a: // LONG1
          this.stack.push(this.readLong(s.byte()));
          break;
        case 0x8b: // LONG4
          this.stack.push(this.readLong(s.view(4).readUInt32LE(0)));
          break;
        case 0x49: {
          // INT (protocol 0 text; "01"/"00" are booleans)
          const text = s.line();
          this.stack.push(text === '01' ? true : text === '00' ? false : Number.parseInt(text, 10));
          break;
        }
        case 0x47: // BINFLOAT
          this.stack.push(s.view(8).readDoubleBE(0));
          break;
        case 0x4e: // NONE
          this.stack.push(null);
          break;
        case 0x88: // NEWTRUE
          this.stack.push(true);
          break;
        case 0x89: // NEWFALSE
          this.stack.push(false);
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.stack.push(s.view(s.byte()).toString('utf8'));
          break;
        case 0x58: // BINUNICODE
          this.stack.push(s.view(this.length(s.view(4).readUInt32LE(0))).toString('utf8'));
          break;
        case 0x8d: // BINUNICODE8
          this.stack.push(s.view(this.length(Number(s.view(8).readBigUInt64LE(0)))).toString('utf8'));
          break;
        case 0x55: // SHORT_BINSTRING (Python 2 str)
          this.stack.push(s.view(s.byte()).toString('latin1'));
          break;
        case 0x54: // BINSTRING
          this.stack.push(s.view(this.length(s.view(4).readInt32LE(0))).toString('latin1'));
          break;
        case 0x43: // SHORT_BINBYTES
          this.stack.push(new Bytes(s.take(s.byte())));
          break;
        case 0x42: // BINBYTES
          this.stack.push(new Bytes(s.take(this.length(s.view(4).readUInt32LE(0)))));
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.stack.push(new Bytes(s.take(this.length(Number(s.view(8).readBigUInt64LE(0))))));
          break;
        case 0x63: {
          // GLOBAL
          const module = s.line();
          this.stack.push(this.global(module, s.line()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings');
          this.stack.push(this.global(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.pop();
          const fn = this.pop();
          this.stack.push(this.call(fn, args));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          this.build(this.last, state);
          break;
        }
        case 0x71: // BINPUT
          this.memo.set(s.byte(), this.last);
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(s.view(4).readUInt32LE(0), this.last);
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.last);
          break;
        case 0x70: // PUT
          this.memo.set(Number.parseInt(s.line(), 10), this.last);
          break;
        case 0x68: // BINGET
          this.stack.push(this.recall(s.byte()));
          break;
        case 0x6a: // LONG_BINGET
          this.stack.push(this.recall(s.view(4).readUInt32LE(0)));
          break;
        case 0x67: // GET
          this.stack.push(this.recall(Number.parseInt(s.line(), 10)));
          break;
        case 0x30: // POP
          if (this.marks.at(-1) === this.stack.length) this.marks.pop();
          else this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x98: // READONLY_BUFFER
          break;
        case 0x32: // DUP
          this.stack.push(this.last);
          break;
        default:
          this.fail(`opcode 0x${op.toString(16).padStart(2, '0')} is not allowed in an embeddings pickle`);
      }
    }
  }

  private progress(): void {
    const now = performance.now();
    if (this.onProgress && now - this.lastProgress > 200) {
      this.lastProgress = now;
      this.onProgress(this.src.offset, this.src.size);
    }
  }

  private length(n: number): number {
    if (n < 0 || n > this.src.size) this.fail(`a length of ${n} bytes is larger than the file`);
    return n;
  }

  private readLong(n: number): number | bigint {
    if (n === 0) return 0;
    const bytes = this.src.view(this.length(n));
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
    if (bytes[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  private newDict(): Value {
    if (this.top === null && this.stack.length === 0) {
      this.top = new TopDict();
      return this.top;
    }
    return new Map<unknown, Value>();
  }

  private recall(index: number): Value {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} was never stored`);
    const v = this.memo.get(index);
    if (v instanceof NdArray && v.consumed) this.fail('the pickle refers to the same array twice, which this reader does not support');
    return v;
  }

  private global(module: string, name: string): Global {
    const key = `${module} ${name}`;
    if (!ALLOWED_GLOBALS.has(key)) {
      throw new PickleRefusedError(`refused to load "${module}.${name}" (at byte ${this.src.offset}): an embeddings pickle may only build numpy arrays, and this one asks for code to run`, this.src.offset);
    }
    return new Global(key);
  }

  private call(fn: Value, args: Value): Value {
    if (!(fn instanceof Global) || !Array.isArray(args)) this.fail('REDUCE on something that is not an allowed function');
    switch (fn.name) {
      case 'numpy.core.multiarray _reconstruct':
      case 'numpy._core.multiarray _reconstruct': {
        if (!(args[0] instanceof Global) || args[0].name !== 'numpy ndarray') this.fail('_reconstruct may only build numpy.ndarray');
        return new NdArray();
      }
      case 'numpy.core.numeric _frombuffer':
      case 'numpy._core.numeric _frombuffer': {
        // Protocol 5: (buffer, dtype, shape, order) with the buffer in the file.
        const [raw, dtype, shape, order] = args;
        const array = new NdArray();
        this.fill(array, shape, dtype, order === 'F', raw);
        return array;
      }
      case 'numpy dtype': {
        if (typeof args[0] !== 'string') this.fail('numpy.dtype needs a type code');
        return new DType(args[0]);
      }
      case '_codecs encode': {
        if (typeof args[0] !== 'string' || (args[1] !== 'latin1' && args[1] !== 'latin-1')) this.fail('_codecs.encode is allowed only for latin1 text');
        return new Bytes(Uint8Array.from(args[0], (c) => c.charCodeAt(0)));
      }
      case 'numpy.core.multiarray scalar':
      case 'numpy._core.multiarray scalar': {
        const [dtype, raw] = args;
        if (!(dtype instanceof DType) || !(raw instanceof Bytes) || raw.data === null) this.fail('numpy scalar needs a dtype and bytes');
        const value = toFloat32(dtype, raw.data, this);
        return /^[iu]/.test(dtype.code.replace(/^[<>|=]/, '')) ? Math.round(value[0]!) : value[0]!;
      }
      default:
        return this.fail(`${fn.name} cannot be called`);
    }
  }

  private build(target: Value, state: Value): void {
    if (target instanceof DType) {
      if (Array.isArray(state) && typeof state[1] === 'string') target.byteOrder = state[1];
      return;
    }
    if (!(target instanceof NdArray) || !Array.isArray(state)) this.fail('BUILD on an object that is not a numpy array');
    const [, shape, dtype, fortran, raw] = state as [unknown, unknown, unknown, unknown, unknown];
    this.fill(target, shape, dtype, fortran === true, raw);
  }

  private fill(target: NdArray, shape: unknown, dtype: unknown, fortran: boolean, raw: unknown): void {
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number') || !(dtype instanceof DType)) this.fail('malformed numpy array state');
    if (!(raw instanceof Bytes) || raw.data === null) this.fail(`numpy array of dtype "${dtype.code}" holds objects, not numbers`);
    const data = toFloat32(dtype, raw.data, this);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (data.length !== count) this.fail(`numpy array of shape (${shape.join(', ')}) has ${data.length} values`);
    target.array = { shape: shape as number[], data: fortran && shape.length === 2 ? transpose(data, shape[0] as number, shape[1] as number) : data };
    raw.data = null;
  }

  private setItems(target: Value, items: Value[]): void {
    if (items.length % 2 !== 0) this.fail('SETITEMS with an odd number of values');
    if (target instanceof TopDict) {
      for (let i = 0; i < items.length; i += 2) this.emit(items[i], items[i + 1]);
      this.progress();
      return;
    }
    if (!(target instanceof Map)) this.fail('SETITEMS on something that is not a dict');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  }

  private appendTo(target: Value, items: Value[]): void {
    if (!Array.isArray(target)) this.fail('APPEND on something that is not a list');
    target.push(...items);
  }

  private emit(key: Value, value: Value): void {
    if (typeof key !== 'number' && typeof key !== 'string' && typeof key !== 'bigint') this.fail('a dict key that is not a number or a string');
    let out: PickleValue;
    if (value === null) out = null;
    else if (value instanceof NdArray && value.array) {
      out = value.array;
      value.array = null;
      value.consumed = true;
    } else this.fail(`the value for key ${String(key)} is not a numpy array or None`);
    this.entries++;
    this.onEntry({ key: typeof key === 'bigint' ? key.toString() : key, value: out });
  }
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  // Fortran order stores columns first: element (r, c) sits at c * rows + r.
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = data[c * rows + r]!;
  return out;
}

/** numpy's raw bytes for a dtype, as float32 values. */
function toFloat32(dtype: DType, raw: Uint8Array, machine: { fail(message: string): never }): Float32Array {
  const code = dtype.code.replace(/^[<>|=]/, '');
  const order = /^[<>]/.test(dtype.code) ? dtype.code[0] : dtype.byteOrder;
  const little = order !== '>';
  const size = Number(code.slice(1));
  const kind = code[0];
  if (!['f', 'i', 'u'].includes(kind ?? '') || ![1, 2, 4, 8].includes(size) || (kind === 'f' && size === 1)) {
    machine.fail(`numpy dtype "${dtype.code}" is not a number type this reader supports`);
  }
  if (raw.length % size !== 0) machine.fail(`numpy data of ${raw.length} bytes is not a whole number of "${dtype.code}" values`);
  const n = raw.length / size;
  if (kind === 'f' && size === 4 && little) return new Float32Array(raw.buffer, raw.byteOffset, n);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * size;
    if (kind === 'f') out[i] = size === 8 ? view.getFloat64(at, little) : size === 4 ? view.getFloat32(at, little) : float16(view.getUint16(at, little));
    else if (size === 8) out[i] = Number(kind === 'i' ? view.getBigInt64(at, little) : view.getBigUint64(at, little));
    else if (size === 4) out[i] = kind === 'i' ? view.getInt32(at, little) : view.getUint32(at, little);
    else if (size === 2) out[i] = kind === 'i' ? view.getInt16(at, little) : view.getUint16(at, little);
    else out[i] = kind === 'i' ? view.getInt8(at) : view.getUint8(at);
  }
  return out;
}

function float16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
