import { open } from 'node:fs/promises';
import { OocError, toErrorInfo } from '../../common/errors.ts';
import { mimeType, sniffFormat } from '../images/formats.ts';
import { thumbnailFor } from '../images/thumbnails.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import type { Db } from '../store/db.ts';
import { dgm4Root, getDgm4Sample } from '../store/dgm4.ts';
import { getItem } from '../store/items.ts';
import { getRoots } from '../store/roots.ts';

/**
 * Image files for the UI, addressed by item id only: `/media/thumb/<id>?size=256` and
 * `/media/image/<id>`, and DGM4 images by split and row: `/media/dgm4/<split>/<row>`. Shared by
 * browser mode (HTTP) and the desktop app (its ooc-media: protocol), so both resolve paths inside
 * the dataset roots the same way.
 */

export type MediaRequest = { kind: 'thumb' | 'image'; id: number; size: number } | { kind: 'dgm4'; split: string; position: number };

export type MediaResponse =
  | { status: 200; contentType: string; file: string }
  | { status: number; contentType: 'application/json; charset=utf-8'; body: string };

const STATUS_FOR: Record<string, number> = { NOT_FOUND: 404, BAD_ARGUMENT: 400, IMAGE_MISSING: 404, IMAGE_CORRUPT: 422, PATH_OUTSIDE_ROOT: 403 };

/** Reads `/media/<kind>/<id>[?size=n]` (any scheme and host); null when the path is anything else. */
export function parseMediaPath(pathname: string, search: string): MediaRequest | null {
  const dgm4 = /^\/media\/dgm4\/([A-Za-z0-9_.-]{1,64})\/(\d{1,9})$/.exec(pathname);
  if (dgm4 !== null) return { kind: 'dgm4', split: dgm4[1]!, position: Number(dgm4[2]) };
  const match = /^\/media\/(thumb|image)\/(\d{1,15})$/.exec(pathname);
  if (match === null) return null;
  const size = Number(new URLSearchParams(search).get('size') ?? '256');
  return { kind: match[1] as 'thumb' | 'image', id: Number(match[2]), size };
}

async function originalImage(db: Db, id: number): Promise<MediaResponse> {
  const item = getItem(db, id);
  const root = getRoots(db).visualnews;
  if (item === undefined) throw new OocError('NOT_FOUND', `no item ${id}`);
  if (item.image_path === null || root === undefined) throw new OocError('IMAGE_MISSING', `item ${id} has no image path`);
  return imageInRoot(root, item.image_path, `item ${id}`);
}

async function dgm4Image(db: Db, split: string, position: number): Promise<MediaResponse> {
  const sample = getDgm4Sample(db, split, position);
  const root = dgm4Root(db);
  if (sample === undefined || root === undefined) throw new OocError('NOT_FOUND', `DGM4 ${split} has no sample at row ${position}`);
  return imageInRoot(root, sample.image, `DGM4 sample ${sample.id}`);
}

/** An image file inside a dataset root (real path checked), sent as the type its first bytes say. */
async function imageInRoot(root: string, relative: string, what: string): Promise<MediaResponse> {
  const file = resolveInRoot(root, relative);
  const handle = await open(file, 'r').catch(() => {
    throw new OocError('IMAGE_MISSING', `the image of ${what} is missing: ${relative}`);
  });
  const head = Buffer.alloc(16);
  try {
    await handle.read(head, 0, 16, 0);
  } finally {
    await handle.close();
  }
  const format = sniffFormat(head);
  if (format === null) throw new OocError('IMAGE_CORRUPT', `the file of ${what} is not an image: ${relative}`);
  return { status: 200, contentType: mimeType(format), file };
}

/** The file to send for a media request, or the error to send instead. */
export async function resolveMedia(db: Db, thumbnailDir: string, request: MediaRequest): Promise<MediaResponse> {
  try {
    if (request.kind === 'dgm4') return await dgm4Image(db, request.split, request.position);
    if (request.kind === 'thumb') return { status: 200, contentType: 'image/jpeg', file: await thumbnailFor(db, thumbnailDir, request.id, request.size) };
    return await originalImage(db, request.id);
  } catch (err) {
    const info = toErrorInfo(err);
    return { status: STATUS_FOR[info.code] ?? 500, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ ok: false, error: info }) };
  }
}
