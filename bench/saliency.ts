/**
 * Saliency latency per pair with the full-size random ViT-B/32 on this CPU: relevance (target
 * ≤ 1.5 s), 7×7 occlusion (target ≤ 3 s), RISE with 500 masks, and the deletion curve, each measured on
 * a news-size JPEG from the CLIP benchmark's corpus with the cache cleared.
 */
import { ClipModel } from '../electron/node/inference/clip.ts';
import { readModel } from '../electron/node/inference/manifest.ts';
import { explainPair, type ExplainRequest } from '../electron/node/saliency/explain.ts';
import { openDatabase } from '../electron/node/store/db.ts';
import { ensureJpegCorpus, ensureModel, MODEL_DIR } from './clip.ts';

export async function benchSaliency(): Promise<void> {
  ensureModel();
  const db = openDatabase(await ensureJpegCorpus(480));
  const clip = new ClipModel(await readModel(MODEL_DIR), 'cpu');
  try {
    // Sessions opened and warm (opening the 600 MB relevance graph alone takes seconds).
    await explainPair(db, clip, { imageId: 1, captionId: 1, method: 'occlusion', faithfulness: false });
    await explainPair(db, clip, { imageId: 1, captionId: 1, method: 'chefer', faithfulness: false });
    const time = async (label: string, request: ExplainRequest, target?: number): Promise<void> => {
      db.exec('DELETE FROM saliency_maps');
      const started = performance.now();
      const result = await explainPair(db, clip, request);
      const seconds = (performance.now() - started) / 1000;
      const passes = request.method === 'chefer' ? '1 relevance pass' : `${request.method === 'rise' ? request.params?.masks ?? 500 : 49} masked images + ${result.tokens.length} captions without a word`;
      console.log(`  ${label}: ${seconds.toFixed(2)} s${target ? ` (target ≤ ${target} s)` : ''}; ${passes}${result.deletion ? ' + 20 for the deletion curves' : ''}`);
    };
    console.log('\nSaliency per pair, CLIP ViT-B/32 (random weights), CPU, 1024×683 JPEG, cache cleared');
    await time('relevance (Chefer, one forward and backward pass)', { imageId: 2, captionId: 2, method: 'chefer', faithfulness: false }, 1.5);
    await time('7×7 occlusion + word deletion', { imageId: 2, captionId: 2, method: 'occlusion', faithfulness: false }, 3);
    await time('7×7 occlusion + words + deletion curve', { imageId: 2, captionId: 2, method: 'occlusion' });
    await time('RISE, 500 masks + words', { imageId: 2, captionId: 2, method: 'rise', faithfulness: false });
  } finally {
    await clip.release();
    db.close();
  }
}
