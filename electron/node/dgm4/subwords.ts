import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { OocError } from '../../common/errors.ts';

/**
 * Text grounding over sub-word tokens, as DGM4's authors count it (HAMMER's dataset and test.py):
 * the text goes through ALBEF's pre_caption (lower case; , . ' ! ? " ( ) * # : ; ~ removed; - and /
 * made spaces; at most `maxWords` words), then a BERT tokenizer; each word piece of the first 126
 * (128 with [CLS] and [SEP]) is one unit, manipulated when its word's index (the tokenizer's
 * word_ids, counted after pre-tokenisation) is in fake_text_pos. HAMMER indexes the word ids of
 * the cleaned text with positions counted in the original one; that quirk is kept, so the figures
 * are the paper's.
 */

/** HAMMER's max_words (configs/test.yaml) and BertTokenizer's max_length less [CLS] and [SEP]. */
export const HAMMER_MAX_WORDS = 50;
const MAX_PIECES = 126;

/** ALBEF's pre_caption, as DGM4's loader calls it. */
export function preCaption(text: string, maxWords: number): string {
  const cleaned = text
    .toLowerCase()
    .replace(/[,.'!?"()*#:;~]/g, '')
    .replaceAll('-', ' ')
    .replaceAll('/', ' ')
    .replaceAll('<person>', 'person')
    .replace(/\s{2,}/g, ' ')
    .replace(/\n+$/, '')
    .replace(/^ +| +$/g, '');
  const words = cleaned.split(' ');
  return words.length > maxWords ? words.slice(0, maxWords).join(' ') : cleaned;
}

interface Callable<In, Out> {
  (input: In): Out;
}

export class SubwordUnits {
  private constructor(
    /** The tokenizer file, as named in the run. */
    readonly file: string,
    readonly maxWords: number,
    private readonly normalize: Callable<string, string>,
    private readonly preTokenize: Callable<string, string[]>,
    private readonly pieces: Callable<string[], string[]>,
  ) {}

  /** A tokenizer.json (e.g. bert-base-uncased's, which HAMMER uses), read by Hugging Face's tokenizers library. */
  static async load(file: string, maxWords = HAMMER_MAX_WORDS): Promise<SubwordUnits> {
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(JSON.parse(await readFile(file, 'utf8')) as object, {});
    } catch (err) {
      throw new OocError('BAD_INPUT_FILE', `${file}: not a tokenizer.json the tokenizers library reads (${(err as Error).message})`);
    }
    const { normalizer, pre_tokenizer: preTokenizer, model } = tokenizer;
    if (model === null) throw new OocError('BAD_INPUT_FILE', `${file}: the tokenizer has no model`);
    return new SubwordUnits(
      path.resolve(file),
      maxWords,
      (text) => (normalizer === null ? text : (normalizer as unknown as Callable<string, string>)(text)),
      (text) => (preTokenizer === null ? text.split(/\s+/).filter((w) => w !== '') : preTokenizer.pre_tokenize(text)),
      (words) => (model as unknown as Callable<string[], string[]>)(words),
    );
  }

  /** For each word piece of the text as HAMMER reads it, the index of its word. */
  wordIds(text: string): number[] {
    const ids: number[] = [];
    const words = this.preTokenize(this.normalize(preCaption(text, this.maxWords)));
    for (let w = 0; w < words.length && ids.length < MAX_PIECES; w++) {
      for (let n = this.pieces([words[w]!]).length; n > 0 && ids.length < MAX_PIECES; n--) ids.push(w);
    }
    return ids;
  }
}

/** Per word piece, whether it is manipulated: its word's index among the marked ones (those under maxWords, as HAMMER's loader keeps them). */
export function pieceFlags(wordIds: readonly number[], positions: readonly number[], maxWords: number): number[] {
  const marked = new Set(positions.filter((p) => p < maxWords));
  return wordIds.map((w) => (marked.has(w) ? 1 : 0));
}
