import type { AnnotationRow } from '../store/annotations.ts';
import type { ItemRow } from '../store/items.ts';
import { normalizeDatasetPath } from '../dataset-paths.ts';

/**
 * Validation of single records. Each function either returns a clean row (with any notes about
 * what was kept but flagged) or the reason the record is skipped, in words a user can act on.
 */

export interface Rejection {
  ok: false;
  reason: string;
  detail: string;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Text as SQLite can store it: lone UTF-16 surrogates (from "\ud800" escapes) and NUL characters
 * become U+FFFD; the record is flagged so the user knows.
 */
function wellFormed(text: string, notes: string[]): string {
  const repaired = text.toWellFormed().replaceAll('\u0000', '\ufffd');
  if (repaired !== text && !notes.includes('repaired_text')) notes.push('repaired_text');
  return repaired;
}

function optionalText(value: unknown, notes: string[]): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? wellFormed(value, notes) : undefined;
}

/**
 * One data.json record. `contains` says whether a clean relative path really lies inside the
 * root (links followed); a path that leaves it is dropped and flagged, like `../` in its text.
 */
export function parseItem(value: unknown, root: string, contains: (relative: string) => boolean = () => true): { ok: true; row: ItemRow; notes: string[] } | Rejection {
  if (!isRecord(value)) return { ok: false, reason: 'not_an_object', detail: `expected an object, got ${describe(value)}` };
  if (!isId(value.id)) return { ok: false, reason: 'bad_id', detail: `"id" must be a non-negative integer, got ${describe(value.id)}` };
  if (typeof value.caption !== 'string') {
    return { ok: false, reason: 'bad_caption', detail: `item ${value.id}: "caption" must be a string, got ${describe(value.caption)}` };
  }
  const notes: string[] = [];
  const caption = wellFormed(value.caption, notes);
  if (caption.trim().length === 0) notes.push('empty_caption');
  const topic = optionalText(value.topic, notes);
  const source = optionalText(value.source, notes);
  if (topic === undefined) notes.push('bad_topic');
  if (source === undefined) notes.push('bad_source');
  const image_path = parsePath(value.image_path, root, contains, 'image_path', notes);
  const article_path = parsePath(value.article_path, root, contains, 'article_path', notes);
  return {
    ok: true,
    row: { id: value.id, caption, topic: topic ?? null, source: source ?? null, image_path, article_path },
    notes,
  };
}

function parsePath(value: unknown, root: string, contains: (relative: string) => boolean, field: string, notes: string[]): string | null {
  if (value === undefined || value === null || value === '') {
    notes.push(`missing_${field}`);
    return null;
  }
  if (typeof value !== 'string') {
    notes.push(`bad_${field}`);
    return null;
  }
  const normalized = normalizeDatasetPath(wellFormed(value, notes), root);
  if (normalized === null || !contains(normalized)) {
    notes.push(`${field}_outside_root`);
    return null;
  }
  return normalized;
}

export function parseAnnotation(value: unknown): { ok: true; row: AnnotationRow } | Rejection {
  if (!isRecord(value)) return { ok: false, reason: 'not_an_object', detail: `expected an object, got ${describe(value)}` };
  if (!isId(value.id)) return { ok: false, reason: 'bad_id', detail: `"id" must be a non-negative integer, got ${describe(value.id)}` };
  if (!isId(value.image_id)) {
    return { ok: false, reason: 'bad_image_id', detail: `"image_id" must be a non-negative integer, got ${describe(value.image_id)}` };
  }
  const falsified = value.falsified;
  if (typeof falsified !== 'boolean' && falsified !== 0 && falsified !== 1) {
    return { ok: false, reason: 'bad_falsified', detail: `"falsified" must be true or false, got ${describe(falsified)}` };
  }
  const score = value.similarity_score;
  if (score !== undefined && score !== null && (typeof score !== 'number' || !Number.isFinite(score))) {
    return { ok: false, reason: 'bad_similarity_score', detail: `"similarity_score" must be a number, got ${describe(score)}` };
  }
  const sourceDataset = value.source_dataset;
  if (sourceDataset !== undefined && sourceDataset !== null && !isId(sourceDataset)) {
    return { ok: false, reason: 'bad_source_dataset', detail: `"source_dataset" must be a non-negative integer, got ${describe(sourceDataset)}` };
  }
  return {
    ok: true,
    row: {
      id: value.id,
      image_id: value.image_id,
      similarity_score: typeof score === 'number' ? score : null,
      falsified: falsified === true || falsified === 1,
      source_dataset: typeof sourceDataset === 'number' ? sourceDataset : null,
    },
  };
}
