import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { OocError } from '../../common/errors.ts';
import type { ModelManifest } from './manifest.ts';

/**
 * The image as a model sees it, before normalisation: oriented, first frame, flattened on white,
 * sRGB, shortest side to `size` (bicubic), centre square; interleaved RGB bytes.
 */
export async function modelView(input: string | Buffer, size: number): Promise<Buffer> {
  const { data, info } = await sharp(input, { animated: false, failOn: 'truncated' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'cubic' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new Error(`preprocessing produced ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
  }
  return data;
}

/** Why an image could not be decoded: missing or corrupt, told apart by what is on disk, not by the decoder's wording. */
export async function decodeError(input: string | Buffer, err: unknown): Promise<OocError> {
  if (typeof input === 'string' && (await stat(input).catch(() => null)) === null) return new OocError('IMAGE_MISSING', `the image is missing: ${input}`);
  return new OocError('IMAGE_CORRUPT', err instanceof Error ? err.message : String(err));
}

/**
 * CLIP's image preprocessing with sharp: EXIF orientation applied, first frame of an animation,
 * transparency flattened on white, grayscale/CMYK converted to sRGB, the shortest side resized
 * to `size` (bicubic) and the centre cropped to size × size, then scaled to [0, 1] and
 * normalised with the model's mean and std. Returns planar CHW float32, written into `out` at
 * `offset` when given (so a batch is filled without copies).
 */
export async function preprocessImage(
  input: string | Buffer,
  spec: ModelManifest['preprocess'],
  out: Float32Array = new Float32Array(3 * spec.size * spec.size),
  offset = 0,
): Promise<Float32Array> {
  const { size, mean, std } = spec;
  let data: Buffer;
  try {
    data = await modelView(input, size);
  } catch (err) {
    throw await decodeError(input, err);
  }
  const plane = size * size;
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * std[c]!);
    const shift = mean[c]! / std[c]!;
    const base = offset + c * plane;
    for (let i = 0, j = c; i < plane; i++, j += 3) out[base + i] = data[j]! * scale - shift;
  }
  return out;
}
