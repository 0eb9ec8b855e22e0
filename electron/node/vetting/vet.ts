import { OocError } from '../../common/errors.ts';
import type { Forensics, VetImageResult, VetResult } from '../../common/vetting.ts';
import type { ClipModel } from '../inference/clip.ts';
import type { NeighbourSearch } from '../inference/neighbours.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { fileFor, splitFiles } from '../store/pairs.ts';
import { modelEvidence } from './consistency.ts';
import { forensics } from './forensics.ts';
import { readNewImage, type NewImage } from './new-image.ts';
import { findEarlierAppearances } from './provenance.ts';

export interface VetRequest {
  images: ({ file: string } | { bytes: Buffer; name: string })[];
  /** The claim made about the images. */
  caption?: string;
  /** Hash distance searched (default: provenance.ts). */
  maxDistance?: number;
  /** Where the claim says the photo was taken: GPS in the file is measured from it. */
  place?: { latitude: number; longitude: number };
  /** The split file scores are placed in (default Merged / Balanced test, where indexed). */
  split?: string;
  subset?: string;
}

/** The models to score with, and the neighbour search over their embeddings. */
export interface VetModels {
  clips: ClipModel[];
  search: NeighbourSearch;
}

/** The split file scores are compared with: the one asked for, or Merged / Balanced test where it is indexed. */
export function referenceFile(db: Db, split: string | undefined, subset: string | undefined): { split: string; subset: string } | null {
  if (split === undefined) {
    if (subset !== undefined) throw new OocError('BAD_ARGUMENT', 'a subset needs its split');
    return splitFiles(db).some((f) => f.split === 'merged_balanced' && f.subset === 'test') ? { split: 'merged_balanced', subset: 'test' } : null;
  }
  const chosen = { split, subset: subset ?? 'test' };
  fileFor(db, chosen.split, chosen.subset);
  return chosen;
}

/** Everything the models need once per claim: each model's encoding of it (null without one). */
export async function encodeClaim(models: VetModels | undefined, caption: string): Promise<(Float32Array | null)[]> {
  return Promise.all((models?.clips ?? []).map(async (clip) => (caption === '' ? null : await clip.encodeTexts([caption]))));
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The evidence on one checked image. Each part stands alone: one that fails (a model that cannot
 * load, a corpus image that cannot be read) is listed with its reason and the others are kept.
 */
export async function imageEvidence(
  db: Db,
  image: NewImage,
  claims: readonly (Float32Array | null)[],
  reference: { split: string; subset: string } | null,
  models: VetModels | undefined,
  maxDistance?: number,
  place?: { latitude: number; longitude: number },
): Promise<VetImageResult> {
  const errors: VetImageResult['errors'] = [];
  let provenance: Pick<VetImageResult, 'nearDuplicates' | 'hashSearch'> = { nearDuplicates: [], hashSearch: null };
  try {
    provenance = await findEarlierAppearances(db, image.grey, maxDistance);
  } catch (err) {
    errors.push({ part: 'earlier appearances', message: message(err) });
  }
  let file: Forensics | null = null;
  try {
    file = await forensics(image.bytes, image.info.name, image.info.format, image.grey, place);
  } catch (err) {
    errors.push({ part: 'file forensics', message: message(err) });
  }
  const scores = [];
  for (const [i, clip] of (models?.clips ?? []).entries()) {
    try {
      scores.push(await modelEvidence(db, clip, models!.search, image.bytes, claims[i]!, reference));
    } catch (err) {
      errors.push({ part: `model ${clip.manifest.id}`, message: message(err) });
    }
  }
  return { image: image.info, ...provenance, scores, forensics: file, errors };
}

/**
 * The offline evidence on new images and the caption claimed for them: earlier appearances in
 * the corpus, and under each model the image–claim consistency, the trained heads' verdicts and
 * the nearest corpus items. Every image is read and checked before any is searched, so a bad one
 * stops the run with its reason and nothing done.
 */
export async function vet(db: Db, request: VetRequest, models?: VetModels): Promise<VetResult> {
  if (!hasIndex(db)) throw new OocError('INDEX_MISSING', 'index a dataset before vetting images against it');
  if (request.images.length === 0) throw new OocError('BAD_ARGUMENT', 'give at least one image to vet');
  const reference = referenceFile(db, request.split, request.subset);
  const images = [];
  for (const source of request.images) images.push(await readNewImage(source));
  const caption = request.caption?.trim() ?? '';
  const claims = await encodeClaim(models, caption);
  const results: VetImageResult[] = [];
  for (const image of images) results.push(await imageEvidence(db, image, claims, reference, models, request.maxDistance, request.place));
  return { caption: caption === '' ? null : caption, reference, images: results };
}
