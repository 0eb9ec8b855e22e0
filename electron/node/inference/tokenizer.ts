import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { OocError } from '../../common/errors.ts';
import type { InstalledModel } from './manifest.ts';

/**
 * CLIP's tokenizer, read from the model's tokenizer.json by Hugging Face's tokenizers library.
 * Every caption becomes exactly `contextLength` ids: start token, as many word pieces as fit,
 * the end token (always kept, so long captions are cut rather than refused), then padding.
 */
export class ClipTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly contextLength: number,
    private readonly startToken: number,
    private readonly endToken: number,
    private readonly padToken: number,
  ) {}

  static async load(model: InstalledModel): Promise<ClipTokenizer> {
    const { tokenizer } = model.manifest;
    const file = path.join(model.dir, tokenizer.file);
    let json: object;
    try {
      json = JSON.parse(await readFile(file, 'utf8')) as object;
    } catch (err) {
      throw new OocError('BAD_INPUT_FILE', `tokenizer ${file}: ${(err as Error).message}`);
    }
    return new ClipTokenizer(new Tokenizer(json, {}), tokenizer.contextLength, tokenizer.startToken, tokenizer.endToken, tokenizer.padToken);
  }

  /** The word pieces of a text, without start and end tokens. */
  pieces(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * The words of a text as the model reads it (lower-cased, normalised), each with the range of
   * its pieces among the first `limit` pieces: CLIP's BPE marks a word's last piece with `</w>`.
   */
  words(text: string, limit: number): { text: string; first: number; end: number }[] {
    const { ids, tokens } = this.tokenizer.encode(text, { add_special_tokens: false });
    const words: { text: string; first: number; end: number }[] = [];
    let first = 0;
    for (let i = 0; i < Math.min(limit, tokens.length); i++) {
      if (tokens[i]!.endsWith('</w>') || i === Math.min(limit, tokens.length) - 1) {
        words.push({ text: this.tokenizer.decode(ids.slice(first, i + 1)).trim(), first, end: i + 1 });
        first = i + 1;
      }
    }
    return words;
  }

  /** Ids for a batch of texts, row-major [texts.length, contextLength]. */
  encodeBatch(texts: readonly string[]): BigInt64Array {
    const length = this.contextLength;
    const out = new BigInt64Array(texts.length * length).fill(BigInt(this.padToken));
    texts.forEach((text, row) => {
      const pieces = this.pieces(text).slice(0, length - 2);
      const base = row * length;
      out[base] = BigInt(this.startToken);
      pieces.forEach((id, i) => (out[base + 1 + i] = BigInt(id)));
      out[base + 1 + pieces.length] = BigInt(this.endToken);
    });
    return out;
  }
}
