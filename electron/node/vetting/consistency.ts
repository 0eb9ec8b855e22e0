import type { ModelEvidence, NeighbourHit, ScorePlace } from '../../common/vetting.ts';
import { scoreVectors } from '../heads/score.ts';
import { listHeads } from '../heads/store.ts';
import type { ClipModel } from '../inference/clip.ts';
import type { NeighbourSearch } from '../inference/neighbours.ts';
import { preprocessImage } from '../inference/preprocess.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { scoreDistribution } from '../store/pair-scores.ts';
import { fileFor } from '../store/pairs.ts';
import { getSet, type EmbeddingKind } from '../store/vectors.ts';

/** Neighbours listed per kind. */
const NEIGHBOURS = 10;

/** Percent of `sorted` below `x`, ties counted half. */
export function percentile(sorted: Float64Array, x: number): number {
  const below = (strict: boolean): number => {
    let [lo, hi] = [0, sorted.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (strict ? sorted[mid]! < x : sorted[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return sorted.length === 0 ? 0 : (100 * (below(true) + below(false))) / 2 / sorted.length;
}

/** Where a cosine falls among a split file's pair scores under a model, or why it cannot be placed. */
function place(db: Db, model: string, cosine: number, reference: { split: string; subset: string }): ScorePlace | string {
  const file = fileFor(db, reference.split, reference.subset);
  const { pristine, falsified } = scoreDistribution(db, model, file.file_id);
  if (pristine.length === 0 && falsified.length === 0) return `the pairs of ${reference.split}/${reference.subset} have no scores under ${model}: embed the corpus with it (ooc embed) to compare`;
  return {
    ...reference,
    pristinePairs: pristine.length,
    falsifiedPairs: falsified.length,
    percentilePristine: percentile(pristine, cosine),
    percentileFalsified: percentile(falsified, cosine),
  };
}

/**
 * The new image and the claim under one model: their cosine, placed among the reference split
 * file's pristine and falsified pair scores; each head trained on this model's embeddings; and
 * the corpus images nearest the image, the captions and images nearest the claim.
 */
export async function modelEvidence(
  db: Db,
  clip: ClipModel,
  search: NeighbourSearch,
  image: Buffer,
  claim: Float32Array | null,
  reference: { split: string; subset: string } | null,
): Promise<ModelEvidence> {
  const model = clip.manifest.id;
  const notes: string[] = [];
  const vector = await clip.encodeImages(await preprocessImage(image, clip.manifest.preprocess), 1);
  let cosine: number | null = null;
  let where: ScorePlace | null = null;
  const heads: ModelEvidence['heads'] = [];
  if (claim !== null) {
    cosine = 0;
    for (let i = 0; i < vector.length; i++) cosine += vector[i]! * claim[i]!;
    if (reference !== null) {
      const placed = place(db, model, cosine, reference);
      if (typeof placed === 'string') notes.push(placed);
      else where = placed;
    }
    for (const head of listHeads(db).filter((h) => h.set === model)) {
      const { probability, falsified } = await scoreVectors(head, vector, claim);
      heads.push({ head: head.name, probability, falsified });
    }
  }
  const nearest = async (query: Float32Array, kind: EmbeddingKind): Promise<NeighbourHit[]> => {
    const set = getSet(db, model, kind);
    if (set === undefined || set.rows === 0) {
      notes.push(`no ${kind === 'image' ? 'image' : 'caption'} embeddings under ${model}: run ooc embed to find neighbours`);
      return [];
    }
    return (await search.search(set, query, NEIGHBOURS)).flatMap(({ itemId, score }) => {
      const item = getItem(db, itemId);
      return item === undefined ? [] : [{ itemId, score, caption: item.caption, source: item.source, topic: item.topic }];
    });
  };
  const images = await nearest(vector, 'image');
  const captions = claim === null ? [] : await nearest(claim, 'text');
  const claimImages = claim === null || images.length === 0 ? [] : await nearest(claim, 'image');
  return { model, randomWeights: !clip.manifest.weights.meaningfulScores, cosine, place: where, heads, neighbours: { images, captions, claimImages }, notes: [...new Set(notes)] };
}
