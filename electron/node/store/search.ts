import type { CaptionHit } from '../../common/pairs.ts';
import type { Db } from './db.ts';

/** The last word matches as a prefix once it has this many characters (shorter prefixes match too much to be useful, and cost most). */
export const PREFIX_FROM = 3;

/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: each word becomes a
 * quoted term (quotes doubled), all required, the last one a prefix when long enough (search as
 * you type). Returns null for no words.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(/[\p{L}\p{N}]+/gu);
  if (words === null) return null;
  return words
    .map((w, i) => `"${w.replace(/"/g, '""')}"${i === words.length - 1 && [...w].length >= PREFIX_FROM ? '*' : ''}`)
    .join(' ');
}

/** Captions matching the words typed, in id order. */
export function searchCaptions(db: Db, text: string, limit = 50): CaptionHit[] {
  const query = toFtsQuery(text);
  if (query === null) return [];
  return db
    .prepare(
      `SELECT i.id, i.caption, i.source, i.topic FROM items_fts f JOIN items i ON i.id = f.rowid
       WHERE items_fts MATCH ? ORDER BY f.rowid LIMIT ?`,
    )
    .all(query, Math.min(Math.max(1, limit), 500)) as CaptionHit[];
}
