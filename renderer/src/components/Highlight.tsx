/** The last word matches as a prefix from this length on, as in the search (store/search.ts). */
const PREFIX_FROM = 3;

/** Caption text with the searched words marked; accents and case are ignored, as in the search. */

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

export function Highlight({ text, query }: { text: string; query: string | undefined }) {
  const words = query ? (fold(query).match(/[\p{L}\p{N}]+/gu) ?? []) : [];
  if (words.length === 0 || text.length === 0) return <>{text || <em className="muted">(empty caption)</em>}</>;
  const parts: { text: string; hit: boolean }[] = [];
  const tokens = text.split(/([\p{L}\p{N}]+)/u);
  for (const token of tokens) {
    const folded = fold(token);
    const hit = folded.length > 0 && words.some((w, i) => (i === words.length - 1 && [...w].length >= PREFIX_FROM ? folded.startsWith(w) : folded === w));
    parts.push({ text: token, hit });
  }
  return (
    <>
      {parts.map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : p.text))}
    </>
  );
}
