import { OocError } from '../../common/errors.ts';
import type { PairPage, PairQuery, PairSummary } from '../../common/pairs.ts';
import type { Db } from './db.ts';

interface PairDbRow {
  pair_id: number;
  caption_id: number;
  caption: string;
  source: string | null;
  topic: string | null;
  pristine_image_id: number | null;
  pristine_path: string | null;
  pristine_score: number | null;
  falsified_image_id: number | null;
  falsified_path: string | null;
  falsified_caption: string | null;
  falsified_score: number | null;
  source_dataset: number | null;
}

const MAX_LIMIT = 500;

function fileFor(db: Db, split: string, subset: string): { file_id: number; source_datasets: string | null } {
  const row = db.prepare('SELECT file_id, source_datasets FROM annotation_files WHERE split = ? AND subset = ?').get(split, subset) as
    | { file_id: number; source_datasets: string | null }
    | undefined;
  if (row === undefined) throw new OocError('NOT_FOUND', `no ${split}/${subset}.json was indexed`);
  return row;
}

function decodeCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined || cursor === '') return 0;
  const value = Number(cursor);
  if (!Number.isSafeInteger(value) || value < 0) throw new OocError('BAD_ARGUMENT', `not a page cursor: ${JSON.stringify(cursor)}`);
  return value;
}

/**
 * One page of pairs of a split file in file order. Keyset paging on pair_id: page 1,000 costs
 * what page 1 does.
 */
export function pairsPage(db: Db, query: PairQuery): PairPage {
  const limit = Math.min(Math.max(1, query.limit ?? 50), MAX_LIMIT);
  const file = fileFor(db, query.split, query.subset);
  const names = file.source_datasets === null ? [] : (JSON.parse(file.source_datasets) as string[]);
  const rows = db
    .prepare(
      `SELECT p.pair_id, p.caption_id, c.caption, p.source, p.topic,
              p.pristine_image_id, pi.image_path AS pristine_path, p.pristine_score,
              p.falsified_image_id, fi.image_path AS falsified_path, fi.caption AS falsified_caption, p.falsified_score,
              p.source_dataset
       FROM pairs p
       JOIN items c ON c.id = p.caption_id
       LEFT JOIN items pi ON pi.id = p.pristine_image_id
       LEFT JOIN items fi ON fi.id = p.falsified_image_id
       WHERE p.file_id = ? AND p.pair_id > ?
       ORDER BY p.pair_id
       LIMIT ?`,
    )
    .all(file.file_id, decodeCursor(query.cursor), limit + 1) as PairDbRow[];
  const items = rows.slice(0, limit).map((r) => toSummary(r, query.split, query.subset, names));
  return { items, next: rows.length > limit ? String(rows[limit - 1]!.pair_id) : null };
}

function toSummary(r: PairDbRow, split: string, subset: string, sourceDatasets: string[]): PairSummary {
  return {
    pairId: r.pair_id,
    split,
    subset,
    captionId: r.caption_id,
    caption: r.caption,
    source: r.source,
    topic: r.topic,
    pristine: r.pristine_image_id === null ? null : { imageId: r.pristine_image_id, imagePath: r.pristine_path, similarityScore: r.pristine_score },
    falsified:
      r.falsified_image_id === null
        ? null
        : { imageId: r.falsified_image_id, imagePath: r.falsified_path, similarityScore: r.falsified_score, originalCaption: r.falsified_caption },
    sourceDataset: r.source_dataset === null ? null : (sourceDatasets[r.source_dataset] ?? String(r.source_dataset)),
  };
}
