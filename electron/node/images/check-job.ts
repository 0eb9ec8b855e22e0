import { OocError } from '../../common/errors.ts';
import type { Db } from '../store/db.ts';
import { hasIndex } from '../store/index-tables.ts';
import type { ImageCheckSummary, ImageStatus } from '../../common/index-types.ts';
import { itemsToCheck, saveImageChecks, type ImageCheckRow } from '../store/image-checks.ts';
import { itemsAfter, itemsUpTo } from '../store/items.ts';
import { claimJob, finishJob, saveCheckpoint } from '../store/jobs.ts';
import { getRoots } from '../store/roots.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { inspectImage } from './inspect.ts';
import { mapLimited } from '../concurrency.ts';

export interface ImageCheckOptions {
  /** Check every image again, not only those never checked. */
  recheck?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
  /** The run's token (store/jobs.ts). */
  runToken?: string;
}

export type { ImageCheckSummary };

const BATCH = 256;

/**
 * Checks every indexed item's image (present, real format, complete, decodable) and stores the
 * result per item. Committed in batches with a checkpoint: an interrupted run continues.
 */
export async function checkImages(db: Db, options: ImageCheckOptions = {}): Promise<ImageCheckSummary> {
  if (!hasIndex(db)) throw new OocError('INDEX_MISSING', 'index a dataset before checking its images');
  const root = getRoots(db).visualnews;
  if (root === undefined) throw new OocError('INDEX_MISSING', 'the index has no VisualNews folder recorded; run index again');
  const started = performance.now();
  const { job, resumed } = claimJob<{ afterId: number; recheck: boolean }>(db, 'image-check', { recheck: options.recheck ?? false }, options.runToken);
  const recheck = resumed && job.checkpoint ? job.checkpoint.recheck : (options.recheck ?? false);
  let afterId = resumed && job.checkpoint ? job.checkpoint.afterId : -1;
  const total = itemsAfter(db, afterId);
  const byStatus: Partial<Record<ImageStatus, number>> = {};
  let checked = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new OocError('CANCELLED', 'the image check was cancelled; run it again to continue');
      const batch = itemsToCheck(db, afterId, BATCH, recheck);
      if (batch.length === 0) break;
      const rows = await mapLimited(batch, options.concurrency ?? 8, async (item): Promise<ImageCheckRow> => {
        if (item.image_path === null) {
          return { itemId: item.id, imagePath: '', status: 'missing', format: null, width: null, height: null, bytes: null, detail: 'no image_path in data.json' };
        }
        return { itemId: item.id, imagePath: item.image_path, ...(await inspectImage(resolveInRoot(root, item.image_path))) };
      });
      afterId = batch.at(-1)!.id;
      db.transaction(() => {
        saveImageChecks(db, rows);
        saveCheckpoint(db, job.id, { afterId, recheck });
      })();
      for (const r of rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      checked += rows.length;
      const done = itemsUpTo(db, afterId);
      options.onProgress?.({ done: Math.min(done, total), total });
    }
    finishJob(db, job.id, 'done');
  } catch (err) {
    finishJob(db, job.id, err instanceof OocError && err.code === 'CANCELLED' ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
  return { checked, byStatus, seconds: (performance.now() - started) / 1000 };
}
