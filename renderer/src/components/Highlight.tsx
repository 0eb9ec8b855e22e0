import { ASCII, hasUnspacedScript, WORD } from '../../../electron/common/search-text.ts';

/** The last word matches as a prefix from this length on, as in the search (store/search.ts). */
const PREFIX_FROM = 3;

const MARKS = /\p{M}/gu;

/** Lower case without accents; most words are ASCII, which only need lower-casing. */
function fold(s: string): string {
  return ASCII.test(s) ? s.toLowerCase() : s.normalize('NFD').replace(MARKS, '').toLowerCase();
}

interface Searched {
  /** Runs of unspaced scripts, matched anywhere. */
  unspaced: string[];
  /** The other words, folded, matched as whole words. */
  spaced: Set<string>;
  /** The last word, folded, matched as a prefix (from PREFIX_FROM letters on). */
  prefix: string | null;
}

/** The last query's words: every row of a page highlights the same query. */
let searched: { query: string; words: Searched } | null = null;

function wordsOf(query: string): Searched {
  if (searched?.query === query) return searched.words;
  const words = query.normalize('NFKC').match(WORD) ?? [];
  const last = words.at(-1);
  const result = {
    unspaced: words.filter(hasUnspacedScript),
    spaced: new Set(words.filter((w) => !hasUnspacedScript(w)).map(fold)),
    prefix: last !== undefined && !hasUnspacedScript(last) && [...last].length >= PREFIX_FROM ? fold(last) : null,
  };
  searched = { query, words: result };
  return result;
}

/** Where the searched words are in a caption, as [start, end) ranges, sorted and merged. */
export function hits(text: string, query: string): [number, number][] {
  const { unspaced, spaced, prefix } = wordsOf(query);
  const ranges: [number, number][] = [];
  // Scripts written without spaces match anywhere, as the search finds them (common/search-text.ts).
  for (const w of unspaced) {
    for (let at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + w.length)) ranges.push([at, at + w.length]);
  }
  for (const m of text.matchAll(WORD)) {
    const token = fold(m[0]);
    if (spaced.has(token) || (prefix !== null && token.startsWith(prefix))) {
      ranges.push([m.index, m.index + m[0].length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const r of ranges) {
    const last = merged.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return merged;
}

/** Caption text with the searched words marked; accents and case are ignored, as in the search. */
export function Highlight({ text, query }: { text: string; query: string | undefined }) {
  if (text.length === 0) return <em className="muted">(empty caption)</em>;
  const ranges = query ? hits(text, query) : [];
  if (ranges.length === 0) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  let from = 0;
  for (const [start, end] of ranges) {
    if (start > from) parts.push(text.slice(from, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    from = end;
  }
  if (from < text.length) parts.push(text.slice(from));
  return <>{parts}</>;
}
