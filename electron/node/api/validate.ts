import { OocError } from '../../common/errors.ts';

/** Checks on what arrives over IPC or HTTP: anything else is refused with the field named. */

export type Fields = Record<string, unknown>;

export function fields(input: unknown): Fields {
  if (input === undefined || input === null) return {};
  if (typeof input !== 'object' || Array.isArray(input)) throw new OocError('BAD_ARGUMENT', 'the request must be a JSON object');
  return input as Fields;
}

export function text(f: Fields, key: string): string;
export function text(f: Fields, key: string, optional: true): string | undefined;
export function text(f: Fields, key: string, optional = false): string | undefined {
  const v = f[key];
  if (v === undefined || v === null || v === '') {
    if (optional) return undefined;
    throw new OocError('BAD_ARGUMENT', `"${key}" is required`);
  }
  if (typeof v !== 'string' || v.length > 10_000) throw new OocError('BAD_ARGUMENT', `"${key}" must be a string`);
  return v;
}

export function integer(f: Fields, key: string): number;
export function integer(f: Fields, key: string, optional: true): number | undefined;
export function integer(f: Fields, key: string, optional = false): number | undefined {
  const v = f[key];
  if (v === undefined || v === null) {
    if (optional) return undefined;
    throw new OocError('BAD_ARGUMENT', `"${key}" is required`);
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new OocError('BAD_ARGUMENT', `"${key}" must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

export function number(f: Fields, key: string): number | undefined {
  const v = f[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new OocError('BAD_ARGUMENT', `"${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function oneOf<T extends string>(f: Fields, key: string, allowed: readonly T[]): T | undefined {
  const v = f[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new OocError('BAD_ARGUMENT', `"${key}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** Copies the defined entries only (exactOptionalPropertyTypes: no `key: undefined`). */
export function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
