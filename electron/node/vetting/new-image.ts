import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { OocError } from '../../common/errors.ts';
import type { NewImageInfo } from '../../common/vetting.ts';
import { sniffFormat } from '../images/formats.ts';
import { greyImage } from './phash.ts';

/** Larger files are refused before they are read. */
export const MAX_BYTES = 200 * 1024 * 1024;
/** Larger images are refused from their header, before any decoding (a "decompression bomb"). */
export const MAX_PIXELS = 100_000_000;

export interface NewImage {
  info: NewImageInfo;
  bytes: Buffer;
  /** The grey image the perceptual hash is made from. */
  grey: Float32Array;
}

/** ISO-BMFF brands of the HEIF family: HEIC (HEVC) and AVIF (AV1). */
function heifBrand(head: Buffer): string | null {
  if (head.length < 12 || head.toString('latin1', 4, 8) !== 'ftyp') return null;
  return head.toString('latin1', 8, 12).trim();
}

/**
 * Reads an image the corpus has never seen, from a file or from bytes (a paste, a drop, a
 * download), and checks it before anything is stored: not empty, not too large, an image by its
 * first bytes whatever its name, dimensions within MAX_PIXELS from the header alone, and fully
 * decodable. Each refusal names the image and says what is wrong.
 */
export async function readNewImage(source: { file: string } | { bytes: Buffer; name: string }): Promise<NewImage> {
  const name = 'file' in source ? source.file : source.name;
  let bytes: Buffer;
  if ('file' in source) {
    const info = await stat(source.file).catch(() => null);
    if (info === null) throw new OocError('IMAGE_MISSING', `no such file: ${source.file}`);
    if (!info.isFile()) throw new OocError('BAD_INPUT_FILE', `${source.file} is not a file`);
    if (info.size > MAX_BYTES) throw new OocError('BAD_INPUT_FILE', `${source.file} is ${(info.size / 2 ** 20).toFixed(0)} MB; images over ${MAX_BYTES / 2 ** 20} MB are refused`);
    bytes = await readFile(source.file);
  } else bytes = source.bytes;
  if (bytes.length === 0) throw new OocError('BAD_INPUT_FILE', `${name} is empty (0 bytes)`);
  if (bytes.length > MAX_BYTES) throw new OocError('BAD_INPUT_FILE', `${name} is over ${MAX_BYTES / 2 ** 20} MB; larger images are refused`);

  const head = bytes.subarray(0, 64);
  const brand = heifBrand(head);
  let format: string | null = sniffFormat(head);
  if (brand !== null && /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(brand)) {
    throw new OocError('BAD_INPUT_FILE', `${name} is a HEIC image, which this build's decoder cannot read; convert it to JPEG or PNG first`);
  }
  if (brand === 'avif' || brand === 'avis') format = 'avif';
  if (format === null) throw new OocError('BAD_INPUT_FILE', `${name} is not an image this workbench reads (JPEG, PNG, GIF, WebP, BMP, TIFF or AVIF), judging by its first bytes`);

  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, { animated: false, limitInputPixels: false }).metadata();
    [width, height] = [meta.autoOrient?.width ?? meta.width ?? 0, meta.autoOrient?.height ?? meta.height ?? 0];
  } catch (err) {
    throw new OocError('IMAGE_CORRUPT', `${name} could not be read as ${format.toUpperCase()}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (width * height > MAX_PIXELS) {
    throw new OocError('BAD_INPUT_FILE', `${name} says it is ${width} × ${height} pixels (${((width * height) / 1e6).toFixed(0)} megapixels); images over ${MAX_PIXELS / 1e6} megapixels are refused before decoding`);
  }
  let grey: Float32Array;
  try {
    grey = await greyImage(bytes);
  } catch (err) {
    throw new OocError('IMAGE_CORRUPT', `${name} is damaged or cut short (${err instanceof Error ? err.message : String(err)}); nothing was stored`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { info: { name: path.basename(name), sha256, bytes: bytes.length, width, height, format }, bytes, grey };
}
