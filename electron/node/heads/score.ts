import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import type { HeadInfo, HeadScore } from '../../common/heads.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { readVector } from '../store/vectors.ts';
import { requirePairedSets } from './data.ts';
import { embeddingInputs } from './graphs.ts';
import { requireHead } from './store.ts';

/** A saved head's probability that an image and a caption (their vectors) are a falsified pair. */
export async function scoreVectors(head: HeadInfo, image: Float32Array, text: Float32Array): Promise<HeadScore> {
  const session = await ort.InferenceSession.create(readFileSync(head.model), { executionProviders: ['cpu'], logSeverityLevel: 3 });
  try {
    const vectors = { image_embeds: image, text_embeds: text };
    const feeds = Object.fromEntries(embeddingInputs(head).map((i) => [i.name, new ort.Tensor('float32', vectors[i.name as keyof typeof vectors], [1, head.dim])]));
    const out = await session.run(feeds);
    const probability = (out.falsified_probability!.data as Float32Array)[0]!;
    return { head: head.name, probability, falsified: probability >= head.threshold };
  } finally {
    await session.release();
  }
}

/** A head's score for an image and a caption of the corpus, from the vectors of the set it was trained on. */
export async function scorePair(db: Db, name: string, imageId: number, captionId: number): Promise<HeadScore> {
  const head = requireHead(db, name);
  const sets = requirePairedSets(db, head.set);
  const image = readVector(db, sets.image, imageId);
  const text = readVector(db, sets.text, captionId);
  if (image === undefined || text === undefined) {
    throw new OocError('NOT_FOUND', `embeddings "${head.set}" have no vector for ${image === undefined ? `image ${imageId}` : `caption ${captionId}`}: embed it first`);
  }
  return scoreVectors(head, image, text);
}
