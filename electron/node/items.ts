import { readFile, stat } from 'node:fs/promises';
import { OocError } from '../common/errors.ts';
import { resolveInRoot } from './dataset-paths.ts';
import { inspectImage } from './images/inspect.ts';
import type { Db } from './store/db.ts';
import { getItem } from './store/items.ts';
import { getRoots } from './store/roots.ts';

/** An item's files on disk: its article and its image, read inside the VisualNews folder only. */

const ARTICLE_MAX_BYTES = 1 << 20;

function visualNewsRoot(db: Db): string {
  const r = getRoots(db).visualnews;
  if (r === undefined) throw new OocError('INDEX_MISSING', 'no dataset has been indexed yet');
  return r;
}

/** The article text of an item (the first MiB), or why there is none. */
export async function readArticle(db: Db, id: number): Promise<{ id: number; text: string | null; problem: string | null }> {
  const item = getItem(db, id);
  if (item === undefined) throw new OocError('NOT_FOUND', `no item ${id}`);
  if (item.article_path === null) return { id, text: null, problem: 'data.json gives no article_path for this item' };
  const file = resolveInRoot(visualNewsRoot(db), item.article_path);
  try {
    const info = await stat(file);
    const text = (await readFile(file)).subarray(0, ARTICLE_MAX_BYTES).toString('utf8');
    return { id, text: info.size > ARTICLE_MAX_BYTES ? `${text}…` : text, problem: null };
  } catch {
    return { id, text: null, problem: `the article file is missing: ${item.article_path}` };
  }
}

/** Why an item's image cannot be shown (missing, corrupt …), or null where it can. */
export async function imageProblem(db: Db, id: number): Promise<string | null> {
  const item = getItem(db, id);
  if (item === undefined) return `no item ${id} in the index`;
  if (item.image_path === null) return 'data.json gives no usable image_path for this item';
  const result = await inspectImage(resolveInRoot(visualNewsRoot(db), item.image_path));
  return result.status === 'ok' ? null : `${result.status}: ${result.detail ?? ''} (${item.image_path})`;
}
