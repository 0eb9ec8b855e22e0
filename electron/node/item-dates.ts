import type { Db } from './store/db.ts';
import { getMetadata } from './store/metadata.ts';

/**
 * When a corpus item was published, from NewsCLIPpings' metadata when it is indexed. The files'
 * schema is not documented: any field whose name says date, time or published, at the top of the
 * record or one level down, holding an ISO or RFC date string or a Unix time (seconds or
 * milliseconds), is read; the first that parses wins, and the field is named with the date.
 */
export interface ItemDate {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** Where it came from, e.g. "metadata (test): timestamp". */
  from: string;
}

const DATE_FIELD = /date|time|publish/i;
/** Plausible publication times: 1990 to 2100. */
const EARLIEST = Date.UTC(1990, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

function parseDate(value: unknown): number | null {
  let ms: number | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) ms = value < 1e11 ? value * 1000 : value;
  else if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim();
    ms = /^\d{9,13}(\.\d+)?$/.test(text) ? parseDate(Number(text)) : Date.parse(text);
  }
  return ms !== null && Number.isFinite(ms) && ms >= EARLIEST && ms < LATEST ? ms : null;
}

function dateIn(record: unknown, depth = 0): { ms: number; field: string } | null {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return null;
  const entries = Object.entries(record as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (!DATE_FIELD.test(key)) continue;
    const ms = parseDate(value);
    if (ms !== null) return { ms, field: key };
  }
  if (depth > 0) return null;
  for (const [key, value] of entries) {
    const inner = dateIn(value, depth + 1);
    if (inner !== null) return { ms: inner.ms, field: `${key}.${inner.field}` };
  }
  return null;
}

export function itemDate(db: Db, itemId: number): ItemDate | null {
  for (const { subset, value } of getMetadata(db, itemId)) {
    const found = dateIn(value);
    if (found !== null) return { date: new Date(found.ms).toISOString().slice(0, 10), from: `metadata (${subset}): ${found.field}` };
  }
  return null;
}
