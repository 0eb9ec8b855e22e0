/**
 * How captions are cut into search tokens, shared by the index (store), the query builder and the
 * renderer's highlighting, so all three agree.
 *
 * Chinese, Japanese, Thai, Lao, Khmer and Myanmar are written without spaces between words, and
 * Korean attaches particles to words; FTS5's unicode61 tokenizer would make a whole run one token,
 * so searching 北京 would not find 在北京举行. Each character of these scripts (with its combining
 * marks) is made a token of its own, and a searched run becomes a phrase of adjacent tokens: any
 * substring is found.
 */
const UNSPACED_SOURCE = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}]\\p{M}*';
const UNSPACED = new RegExp(UNSPACED_SOURCE, 'u');
const UNSPACED_ALL = new RegExp(UNSPACED_SOURCE, 'gu');

/** A word as the search reads it: letters, digits and their combining marks. */
export const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** Text in ASCII alone: it has none of those scripts (tested first: the Unicode script classes are slow to compile). */
export const ASCII = /^[\0-\x7f]*$/;

export function hasUnspacedScript(text: string): boolean {
  return !ASCII.test(text) && UNSPACED.test(text);
}

/** The text the full-text index holds for a caption: each unspaced-script character set apart (the text itself when there is none). */
export function searchText(text: string): string {
  return UNSPACED.test(text) ? text.replace(UNSPACED_ALL, ' $& ') : text;
}
