import type { Verdict } from '../../common/curation.ts';
import type { Db } from './db.ts';
import { hasColumn } from './index-tables.ts';
import type { Item } from './items.ts';

/** What an export reads: every annotation row of the chosen pairs, the items they use, the inputs' fingerprints. */

export interface ScanRow {
  pair_id: number;
  source_datasets: string | null;
  id: number;
  image_id: number;
  similarity_score: number | null;
  falsified: number;
  source_dataset: number | null;
  caption: string | null;
  image_caption: string | null;
  image_path: string | null;
  verdict: Verdict | null;
  note: string | null;
  tags: string | null;
}

/**
 * One pass over every row of the given pairs, in pair order, pristine before falsified (CROSS
 * JOIN keeps SQLite from scanning every pair of the index instead).
 */
export function* exportRows(db: Db, pairIds: number[]): Generator<ScanRow> {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS export_pairs (pair_id INTEGER PRIMARY KEY)');
  db.exec('DELETE FROM export_pairs');
  const mark = db.prepare('INSERT INTO export_pairs VALUES (?)');
  db.transaction(() => {
    for (const id of pairIds) mark.run(id);
  })();
  const scan = db.prepare(
    `SELECT p.pair_id, f.source_datasets, a.id, a.image_id, a.similarity_score, a.falsified, a.source_dataset,
            ci.caption, ii.caption AS image_caption, ii.image_path, cur.verdict, cur.note,
            (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM pair_tags t
               WHERE t.split = f.split AND t.subset = f.subset AND t.caption_id = p.caption_id ORDER BY tag)) AS tags
     FROM export_pairs s
     CROSS JOIN pairs p ON p.pair_id = s.pair_id
     CROSS JOIN annotation_files f ON f.file_id = p.file_id
     CROSS JOIN annotations a ON a.file_id = p.file_id AND a.row IN (p.pristine_row, p.falsified_row)
     LEFT JOIN items ci ON ci.id = p.caption_id
     LEFT JOIN items ii ON ii.id = a.image_id
     LEFT JOIN curation cur ON cur.split = f.split AND cur.subset = f.subset AND cur.caption_id = p.caption_id
     ORDER BY s.pair_id, a.row`,
  );
  try {
    yield* scan.iterate() as Iterable<ScanRow>;
  } finally {
    db.exec('DELETE FROM export_pairs');
  }
}

export interface ExportItem extends Item {
  /** The record's bytes in data.json (null in indexes built before they were kept). */
  source_start: number | null;
  source_end: number | null;
}

/** The items with these ids, in data.json's order. */
export function itemsById(db: Db, ids: Set<number>): ExportItem[] {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS export_items (id INTEGER PRIMARY KEY)');
  db.exec('DELETE FROM export_items');
  const add = db.prepare('INSERT INTO export_items VALUES (?)');
  db.transaction(() => {
    for (const id of ids) add.run(id);
  })();
  const offsets = hasColumn(db, 'items', 'source_start') ? 'i.source_start, i.source_end' : 'NULL AS source_start, NULL AS source_end';
  const items = db.prepare(`SELECT i.id, i.caption, i.topic, i.source, i.image_path, i.article_path, i.record, ${offsets} FROM export_items e JOIN items i ON i.id = e.id ORDER BY i.record`).all() as ExportItem[];
  db.exec('DELETE FROM export_items');
  return items;
}

/** Each input file's kind, split, subset, fingerprint and record count. */
export function sourceFingerprints(db: Db): unknown[] {
  return db.prepare('SELECT kind, split, subset, fingerprint, records FROM sources ORDER BY kind, split, subset, fingerprint').raw().all();
}

/** data.json as it was indexed: its path, size and modification time. */
export function visualNewsSource(db: Db): { path: string; bytes: number; mtime_ms: number } | undefined {
  return db.prepare("SELECT path, bytes, mtime_ms FROM sources WHERE kind = 'visualnews'").get() as { path: string; bytes: number; mtime_ms: number } | undefined;
}
