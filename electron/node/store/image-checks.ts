import type { ImageProblems, ImageStatus } from '../../common/index-types.ts';
import type { Db } from './db.ts';

export type { ImageStatus };
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'tiff';

export interface ImageInspection {
  status: ImageStatus;
  format: ImageFormat | null;
  width: number | null;
  height: number | null;
  bytes: number | null;
  /** Why it is not ok, or what is odd about it (a GIF named .jpg). */
  detail: string | null;
}

export interface ImageCheckRow extends ImageInspection {
  itemId: number;
  imagePath: string;
}

export function saveImageChecks(db: Db, rows: readonly ImageCheckRow[]): void {
  const insert = db.prepare(
    `INSERT INTO image_checks (item_id, image_path, status, format, width, height, bytes, detail, checked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (item_id) DO UPDATE SET image_path = excluded.image_path, status = excluded.status, format = excluded.format,
       width = excluded.width, height = excluded.height, bytes = excluded.bytes, detail = excluded.detail, checked_at = excluded.checked_at`,
  );
  const now = new Date().toISOString();
  for (const r of rows) insert.run(r.itemId, r.imagePath, r.status, r.format, r.width, r.height, r.bytes, r.detail, now);
}

export function getImageCheck(db: Db, itemId: number): (ImageInspection & { imagePath: string }) | undefined {
  return db
    .prepare('SELECT image_path AS imagePath, status, format, width, height, bytes, detail FROM image_checks WHERE item_id = ?')
    .get(itemId) as (ImageInspection & { imagePath: string }) | undefined;
}

/**
 * Items whose image still needs checking, after `afterId`, in id order: never checked, or checked
 * under another path (the index was rebuilt from a changed data.json).
 */
export function itemsToCheck(db: Db, afterId: number, limit: number, recheck: boolean): { id: number; image_path: string | null }[] {
  const filter = recheck ? '' : 'AND (c.item_id IS NULL OR c.image_path IS NOT coalesce(i.image_path, \'\'))';
  return db
    .prepare(`SELECT i.id, i.image_path FROM items i LEFT JOIN image_checks c ON c.item_id = i.id WHERE i.id > ? ${filter} ORDER BY i.id LIMIT ?`)
    .all(afterId, limit) as { id: number; image_path: string | null }[];
}

/** Examples kept per image status in the overview. */
const PROBLEM_EXAMPLES = 20;

/** Each status other than ok, with its count and the first items (by id) that have it. */
export function imageProblems(db: Db): ImageProblems[] {
  const counts = db.prepare("SELECT status, count(*) AS n FROM image_checks WHERE status != 'ok' GROUP BY status ORDER BY n DESC").all() as {
    status: ImageStatus;
    n: number;
  }[];
  const examples = db.prepare('SELECT item_id AS itemId, image_path AS path, detail FROM image_checks WHERE status = ? ORDER BY item_id LIMIT ?');
  return counts.map((c) => ({ ...c, examples: examples.all(c.status, PROBLEM_EXAMPLES) as ImageProblems['examples'] }));
}
