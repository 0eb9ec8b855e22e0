import { OocError, type ErrorCode } from '../../common/errors.ts';
import type { HashImagesProgress, HashImagesSummary } from '../../common/vetting.ts';
import { mapLimited } from '../concurrency.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { decodeError } from '../inference/preprocess.ts';
import type { Db } from '../store/db.ts';
import { forgetHashFailures, hashCounts, itemsToHash, saveHashes, type HashFailure, type HashRow } from '../store/image-hashes.ts';
import { hasIndex } from '../store/index-tables.ts';
import { claimJob, finishJob } from '../store/jobs.ts';
import { getRoots } from '../store/roots.ts';
import { corpusHash, greyImage } from './phash.ts';

export interface HashImagesOptions {
  /** Try again the images that failed before (a missing image since restored, say). */
  retryFailed?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: HashImagesProgress) => void;
  /** The run's token (store/jobs.ts). */
  runToken?: string;
}

const BATCH = 256;

/** The reason an image is skipped, by its error's code. */
const REASONS: Partial<Record<ErrorCode, string>> = { IMAGE_MISSING: 'missing image', IMAGE_CORRUPT: 'corrupt image', PATH_OUTSIDE_ROOT: 'path outside the dataset folder' };

/**
 * Computes the perceptual hash of every indexed image that has none, in id order, committing
 * batch by batch: a cancelled or killed run continues where it stopped. Images that cannot be
 * decoded are recorded with the reason and skipped by later runs unless `retryFailed`.
 */
export async function hashImages(db: Db, options: HashImagesOptions = {}): Promise<HashImagesSummary> {
  if (!hasIndex(db)) throw new OocError('INDEX_MISSING', 'index a dataset before hashing its images');
  const root = getRoots(db).visualnews;
  if (root === undefined) throw new OocError('INDEX_MISSING', 'the index has no VisualNews folder recorded; run index again');
  const started = performance.now();
  const { job } = claimJob(db, 'hash-images', { retryFailed: options.retryFailed ?? false }, options.runToken);
  try {
    if (options.retryFailed === true) forgetHashFailures(db);
    const before = hashCounts(db);
    const alreadyDone = before.hashed + before.failed;
    const total = before.items - alreadyDone;
    const skipped: Record<string, number> = {};
    let [done, hashed, afterId] = [0, 0, -1];
    options.onProgress?.({ done, total });
    for (;;) {
      if (options.signal?.aborted) throw new OocError('CANCELLED', 'hashing was cancelled; run it again to continue');
      const batch = itemsToHash(db, afterId, BATCH);
      if (batch.length === 0) break;
      const rows = await mapLimited(batch, options.concurrency ?? 4, async (item): Promise<HashRow | HashFailure> => {
        if (item.image_path === null) return { itemId: item.id, failure: 'no image path' };
        let file = item.image_path;
        try {
          file = resolveInRoot(root, item.image_path);
          return { itemId: item.id, ...corpusHash(await greyImage(file)) };
        } catch (err) {
          const known = err instanceof OocError ? err : await decodeError(file, err);
          return { itemId: item.id, failure: REASONS[known.code] ?? known.message };
        }
      });
      db.transaction(() => saveHashes(db, rows))();
      for (const r of rows) {
        if ('failure' in r) skipped[r.failure] = (skipped[r.failure] ?? 0) + 1;
        else hashed++;
      }
      afterId = batch.at(-1)!.id;
      done += batch.length;
      options.onProgress?.({ done, total });
    }
    finishJob(db, job.id, 'done');
    const seconds = (performance.now() - started) / 1000;
    return { hashed, skipped, alreadyDone, seconds, perSecond: seconds > 0 ? hashed / seconds : 0 };
  } catch (err) {
    finishJob(db, job.id, err instanceof OocError && err.code === 'CANCELLED' ? 'cancelled' : 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}
