import { createHash } from 'node:crypto';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { OocError } from '../../common/errors.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';

export const THUMBNAIL_SIZES = [128, 256, 512] as const;

const inFlight = new Map<string, Promise<string>>();

/**
 * The path of a cached JPEG thumbnail of an item's image, made on first request: EXIF rotation
 * applied, first frame of a GIF, longest side `size`. Written atomically; keyed by the source
 * file's path, size and mtime, so a replaced image gets a new thumbnail.
 */
export async function thumbnailFor(db: Db, cacheDir: string, itemId: number, size: number = 256): Promise<string> {
  if (!(THUMBNAIL_SIZES as readonly number[]).includes(size)) {
    throw new OocError('BAD_ARGUMENT', `thumbnail size must be one of ${THUMBNAIL_SIZES.join(', ')}, got ${size}`);
  }
  const item = getItem(db, itemId);
  if (item === undefined) throw new OocError('NOT_FOUND', `no item with id ${itemId} in the index`);
  const root = getRoots(db).visualnews;
  if (item.image_path === null || root === undefined) throw new OocError('IMAGE_MISSING', `item ${itemId} has no image path in data.json`);
  const source = resolveInRoot(root, item.image_path);
  let info;
  try {
    info = await stat(source);
  } catch {
    throw new OocError('IMAGE_MISSING', `the image of item ${itemId} is missing: ${item.image_path}`);
  }
  const key = createHash('sha1').update(`${source}\0${info.size}\0${info.mtimeMs}\0${size}`).digest('hex');
  const target = path.join(cacheDir, key.slice(0, 2), `${key}.jpg`);
  const pending = inFlight.get(target);
  if (pending) return pending;
  const work = makeThumbnail(source, target, size, itemId, item.image_path).finally(() => inFlight.delete(target));
  inFlight.set(target, work);
  return work;
}

async function makeThumbnail(source: string, target: string, size: number, itemId: number, relative: string): Promise<string> {
  try {
    await stat(target);
    return target;
  } catch {
    // not cached yet
  }
  await mkdir(path.dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await sharp(source, { animated: false, failOn: 'truncated' })
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .jpeg({ quality: 82, mozjpeg: true })
      .toFile(temp);
    await rename(temp, target);
    return target;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw new OocError('IMAGE_CORRUPT', `the image of item ${itemId} cannot be decoded (${relative}): ${err instanceof Error ? err.message : String(err)}`);
  }
}
