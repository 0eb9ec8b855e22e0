import { OocError } from '../../common/errors.ts';
import type { VetImageResult, VetResult } from '../../common/vetting.ts';
import type { ClipModel } from '../inference/clip.ts';
import type { NeighbourSearch } from '../inference/neighbours.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import { fileFor, splitFiles } from '../store/pairs.ts';
import { modelEvidence } from './consistency.ts';
import { readNewImage } from './new-image.ts';
import { findEarlierAppearances } from './provenance.ts';

export interface VetRequest {
  images: ({ file: string } | { bytes: Buffer; name: string })[];
  /** The claim made about the images. */
  caption?: string;
  /** Hash distance searched (default: provenance.ts). */
  maxDistance?: number;
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
function referenceFile(db: Db, split: string | undefined, subset: string | undefined): { split: string; subset: string } | null {
  if (split === undefined) {
    if (subset !== undefined) throw new OocError('BAD_ARGUMENT', 'a subset needs its split');
    return splitFiles(db).some((f) => f.split === 'merged_balanced' && f.subset === 'test') ? { split: 'merged_balanced', subset: 'test' } : null;
  }
  const chosen = { split, subset: subset ?? 'test' };
  fileFor(db, chosen.split, chosen.subset);
  return chosen;
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
  const clips = models?.clips ?? [];
  const claims = await Promise.all(clips.map(async (clip) => (caption === '' ? null : await clip.encodeTexts([caption]))));
  const results: VetImageResult[] = [];
  for (const image of images) {
    const scores = [];
    for (const [i, clip] of clips.entries()) scores.push(await modelEvidence(db, clip, models!.search, image.bytes, claims[i]!, reference));
    results.push({ image: image.info, ...(await findEarlierAppearances(db, image.grey, request.maxDistance)), scores });
  }
  return { caption: caption === '' ? null : caption, reference, images: results };
}
