import type { TokenReport, TokenReportOptions, TokenScore } from '../../common/evaluation.ts';
import { searchText, WORD } from '../../common/search-text.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { dgm4Texts, requireDgm4Split } from '../store/dgm4.ts';
import { captionOf } from '../store/items.ts';
import { fileFor, splitFiles } from '../store/pairs.ts';
import { pairsOfFile } from '../store/predictions.ts';
import { erfc } from './metrics.ts';

/** The words of a text as the search cuts them (unspaced scripts a character each), lower-cased. */
function words(text: string): string[] {
  return searchText(text).toLowerCase().match(WORD) ?? [];
}

/** Two-sided p of a standard normal z. */
const twoSided = (z: number): number => Math.min(1, erfc(Math.abs(z) / Math.SQRT2));

/** The |z| whose two-sided p is `p` (bisection on erfc, to 1e-9). */
function criticalZ(p: number): number {
  let [lo, hi] = [0, 40];
  while (hi - lo > 1e-9) {
    const mid = (lo + hi) / 2;
    if (twoSided(mid) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Each word's pooled-prior log-odds ratio between two groups of texts (Monroe, Colaresi and
 * Quinn 2008, "Fightin' words", eq. 16–22): with y the word's count in a group of n tokens and
 * α = α0 · (its pooled share), α0 a tenth of the pooled tokens unless given (rare words are
 * pulled toward the pooled rate; frequent ones keep nearly their own odds, so z stays close to
 * the Wald statistic of their log-odds ratio), δ = log((y₁+α)/(n₁+α0−y₁−α)) − log((y₂+α)/(n₂+α0−y₂−α)),
 * z = δ / √(1/(y₁+α) + 1/(y₂+α)). Positive: the word leans to the first group.
 */
export function logOdds(counts: ReadonlyMap<string, readonly [number, number]>, prior?: number): { scores: TokenScore[]; tokens: [number, number]; prior: number } {
  let [n1, n2] = [0, 0];
  for (const [a, b] of counts.values()) [n1, n2] = [n1 + a, n2 + b];
  const pooled = n1 + n2;
  const alpha0 = prior ?? pooled / 10;
  const scores: TokenScore[] = [];
  for (const [token, [a, b]] of counts) {
    const alpha = pooled === 0 ? 0 : (alpha0 * (a + b)) / pooled;
    const delta = Math.log((a + alpha) / (n1 + alpha0 - a - alpha)) - Math.log((b + alpha) / (n2 + alpha0 - b - alpha));
    const z = delta / Math.sqrt(1 / (a + alpha) + 1 / (b + alpha));
    scores.push({ token, pristine: a, falsified: b, logOdds: delta, z, p: twoSided(z) });
  }
  return { scores, tokens: [n1, n2], prior: alpha0 };
}

/**
 * The token report of a split file: the words whose frequency differs most between the texts of
 * its pristine rows and of its falsified rows, by the log-odds ratio with an informative
 * Dirichlet prior (the pooled counts), with each word's counts, z and p; "significant" after a
 * Bonferroni correction over the words tested. The texts are the rows' captions, or the
 * original captions of the rows' images (what an image-only model could pick up). A NewsCLIPpings
 * file pairs every caption once with its own image and once with a swapped one, so its two
 * groups of captions are the same and no word can tell them apart: the report says so. For
 * DGM4 the groups are a split's real texts and its manipulated ones (text swap or attribute).
 */
export function tokenReport(db: Db, options: TokenReportOptions): TokenReport {
  const minCount = options.minCount ?? 5;
  const top = options.top ?? 40;
  if (!Number.isSafeInteger(minCount) || minCount < 1) throw new OocError('BAD_ARGUMENT', `the minimum count must be a whole number of at least 1, got ${minCount}`);
  if (!Number.isSafeInteger(top) || top < 1 || top > 1000) throw new OocError('BAD_ARGUMENT', `the number of words per side must be between 1 and 1000, got ${top}`);
  if (options.prior !== undefined && !(options.prior > 0 && Number.isFinite(options.prior))) throw new OocError('BAD_ARGUMENT', `the prior's size must be a positive number, got ${options.prior}`);
  const groups = options.dataset === 'dgm4' ? dgm4Groups(db, options.split) : newsClippingsGroups(db, options);
  const { counts, rows, withoutText } = groups;
  const identical = [...counts.values()].every(([a, b]) => a === b) && rows[0] === rows[1];
  const { scores, tokens, prior } = logOdds(counts, options.prior);
  const tested = scores.filter((s) => s.pristine + s.falsified >= minCount);
  const critical = criticalZ(0.05 / Math.max(1, tested.length));
  const leaning = (sign: 1 | -1): TokenScore[] => tested.filter((s) => sign * s.z > 0).sort((x, y) => sign * (y.z - x.z) || x.token.localeCompare(y.token)).slice(0, top);
  return {
    dataset: options.dataset ?? 'newsclippings',
    split: options.split,
    subset: groups.subset,
    text: groups.text,
    groupNames: options.dataset === 'dgm4' ? ['real', 'manipulated'] : ['pristine', 'falsified'],
    groups: { pristine: { rows: rows[0], tokens: tokens[0], withoutText: withoutText[0] }, falsified: { rows: rows[1], tokens: tokens[1], withoutText: withoutText[1] } },
    identical,
    vocabulary: counts.size,
    tested: tested.length,
    minCount,
    prior,
    criticalZ: critical,
    significant: tested.filter((s) => Math.abs(s.z) >= critical).length,
    pristineWords: leaning(1),
    falsifiedWords: leaning(-1),
  };
}

/** Each word's count in the two groups of texts, with the rows of each group and those without a text. */
interface Groups {
  subset: string;
  text: TokenReport['text'];
  counts: Map<string, [number, number]>;
  rows: [number, number];
  withoutText: [number, number];
}

function countWords(counts: Map<string, [number, number]>, text: string, a: number, b: number): void {
  for (const word of words(text)) {
    const c = counts.get(word) ?? [0, 0];
    c[0] += a;
    c[1] += b;
    counts.set(word, c);
  }
}

/** A NewsCLIPpings split file's pristine rows against its falsified rows. */
function newsClippingsGroups(db: Db, options: TokenReportOptions): Groups {
  const { split } = options;
  const text = options.text ?? 'caption';
  const subsets = splitFiles(db).filter((f) => f.split === split).map((f) => f.subset);
  if (subsets.length === 0) throw new OocError('NOT_FOUND', `no split named "${split}" is indexed`);
  const subset = options.subset ?? (subsets.includes('test') ? 'test' : subsets[0]!);
  if (!subsets.includes(subset)) throw new OocError('NOT_FOUND', `${split} has no indexed ${subset} file (it has ${subsets.join(', ')})`);

  // How many pristine and falsified rows show each item's caption: every distinct text is cut into words once.
  const uses = new Map<number, [number, number]>();
  const rows: [number, number] = [0, 0];
  for (const [caption, pristine, falsified] of pairsOfFile(db, fileFor(db, split, subset))) {
    for (const [label, image] of [[0, pristine], [1, falsified]] as const) {
      if (image === null) continue;
      const id = text === 'caption' ? caption : image;
      const use = uses.get(id) ?? [0, 0];
      use[label]++;
      rows[label]++;
      uses.set(id, use);
    }
  }
  const captionOfItem = captionOf(db);
  const counts = new Map<string, [number, number]>();
  const withoutText: [number, number] = [0, 0];
  // In id order: neighbouring lookups share the index's pages.
  for (const [id, [a, b]] of [...uses].sort((x, y) => x[0] - y[0])) {
    const caption = captionOfItem(id);
    if (caption === null || caption.trim() === '') {
      withoutText[0] += a;
      withoutText[1] += b;
    } else countWords(counts, caption, a, b);
  }
  return { subset, text, counts, rows, withoutText };
}

/** A DGM4 split's real texts (samples whose text was not manipulated) against its manipulated ones. */
function dgm4Groups(db: Db, split: string): Groups {
  requireDgm4Split(db, split);
  const counts = new Map<string, [number, number]>();
  const rows: [number, number] = [0, 0];
  const withoutText: [number, number] = [0, 0];
  for (const [label, texts] of Object.values(dgm4Texts(db, split)).entries()) {
    for (const t of texts) {
      rows[label as 0 | 1]++;
      if (t.trim() === '') withoutText[label as 0 | 1]++;
      else countWords(counts, t, label === 0 ? 1 : 0, label === 1 ? 1 : 0);
    }
  }
  return { subset: '', text: 'caption', counts, rows, withoutText };
}
