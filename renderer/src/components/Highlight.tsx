import { hasUnspacedScript, WORD } from '../../../electron/common/search-text.ts';

/** The last word matches as a prefix from this length on, as in the search (store/search.ts). */
const PREFIX_FROM = 3;

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** Where the searched words are in a caption, as [start, end) ranges, sorted and merged. */
function hits(text: string, query: string): [number, number][] {
  const words = query.normalize('NFKC').match(WORD) ?? [];
  const ranges: [number, number][] = [];
  // Scripts written without spaces match anywhere, as the search finds them (common/search-text.ts).
  for (const w of words.filter(hasUnspacedScript)) {
    for (let at = text.indexOf(w); at >= 0; at = text.indexOf(w, at + w.length)) ranges.push([at, at + w.length]);
  }
  const last = words.at(-1);
  const prefix = last !== undefined && !hasUnspacedScript(last) && [...last].length >= PREFIX_FROM ? fold(last) : null;
  const spaced = words.filter((w) => !hasUnspacedScript(w)).map(fold);
  for (const m of text.matchAll(WORD)) {
    const token = fold(m[0]);
    if (spaced.includes(token) || (prefix !== null && token.startsWith(prefix))) {
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
