import type { SaliencyMethod, SaliencyResult } from '../../common/saliency.ts';
import type { Db } from './db.ts';

/** Saliency results kept per model, image, caption, method and parameters (migration 5). */

export interface SaliencyKey {
  model: string;
  imageId: number;
  captionId: number;
  method: SaliencyMethod;
  /** The parameters that change the result, serialised. */
  params: string;
}

export function cachedSaliency(db: Db, k: SaliencyKey): SaliencyResult | undefined {
  const row = db
    .prepare('SELECT result FROM saliency_maps WHERE model = ? AND image_id = ? AND caption_id = ? AND method = ? AND params = ?')
    .pluck()
    .get(k.model, k.imageId, k.captionId, k.method, k.params) as string | undefined;
  return row === undefined ? undefined : (JSON.parse(row) as SaliencyResult);
}

export function saveSaliency(db: Db, k: SaliencyKey, result: SaliencyResult): void {
  db.prepare('INSERT OR REPLACE INTO saliency_maps (model, image_id, caption_id, method, params, result, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    k.model,
    k.imageId,
    k.captionId,
    k.method,
    k.params,
    JSON.stringify(result),
    new Date().toISOString(),
  );
}
