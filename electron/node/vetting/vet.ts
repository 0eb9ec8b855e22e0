import { OocError } from '../../common/errors.ts';
import type { VetResult } from '../../common/vetting.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { readNewImage } from './new-image.ts';
import { findEarlierAppearances } from './provenance.ts';

export interface VetRequest {
  images: ({ file: string } | { bytes: Buffer; name: string })[];
  /** The claim made about the images. */
  caption?: string;
  /** Hash distance searched (default: provenance.ts). */
  maxDistance?: number;
}

/**
 * The offline evidence on new images and the caption claimed for them. Every image is read and
 * checked before any is searched, so a bad one stops the run with its reason, nothing done.
 */
export async function vet(db: Db, request: VetRequest): Promise<VetResult> {
  if (!hasIndex(db)) throw new OocError('INDEX_MISSING', 'index a dataset before vetting images against it');
  if (request.images.length === 0) throw new OocError('BAD_ARGUMENT', 'give at least one image to vet');
  const images = [];
  for (const source of request.images) images.push(await readNewImage(source));
  const results = [];
  for (const image of images) results.push({ image: image.info, ...(await findEarlierAppearances(db, image.grey, request.maxDistance)) });
  const caption = request.caption?.trim() ?? '';
  return { caption: caption === '' ? null : caption, images: results };
}
