import type { CaptionHit } from '../../common/pairs.ts';
import { hasUnspacedScript, searchText, WORD } from '../../common/search-text.ts';
import type { Db } from './db.ts';

/** The last word matches as a prefix once it has this many characters (shorter prefixes match too much to be useful, and cost most). */
export const PREFIX_FROM = 3;

/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: each word becomes a
 * quoted term (quotes doubled), all required, the last one a prefix when long enough (search as
 * you type). A word in a script written without spaces becomes a phrase of its characters, which
 * finds it inside longer runs (search-text.ts). Returns null for no words.
 */
export function toFtsQuery(text: string): string | null {
  const words = text.normalize('NFKC').match(WORD);
  if (words === null) return null;
  return words
    .map((w, i) => {
      const quoted = `"${searchText(w).trim().replace(/"/g, '""')}"`;
      return i === words.length - 1 && [...w].length >= PREFIX_FROM && !hasUnspacedScript(w) ? `${quoted}*` : quoted;
    })
    .join(' ');
}

/** Captions matching the words typed, in id order, each with the pairs (in every split file) that use it. */
export function searchCaptions(db: Db, text: string, limit = 50): CaptionHit[] {
  const query = toFtsQuery(text);
  if (query === null) return [];
  return db
    .prepare(
      `SELECT i.id, i.caption, i.source, i.topic, (SELECT count(*) FROM pairs p WHERE p.caption_id = i.id) AS pairs FROM items_fts f JOIN items i ON i.id = f.rowid
       WHERE items_fts MATCH ? ORDER BY f.rowid LIMIT ?`,
    )
    .all(query, Math.min(Math.max(1, limit), 500)) as CaptionHit[];
}

/**
 * Every item whose caption holds `word` as a whole word (case and accents folded as in search),
 * in id order, however many: for finding all the captions that name a person.
 */
export function itemsWithWord(db: Db, word: string): number[] {
  const term = searchText(word.normalize('NFKC')).trim();
  if (term === '') return [];
  return db.prepare('SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid').pluck().all(`"${term.replace(/"/g, '""')}"`) as number[];
}
