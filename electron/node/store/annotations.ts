import type { Db } from './db.ts';

export interface AnnotationRow {
  id: number;
  image_id: number;
  similarity_score: number | null;
  falsified: boolean;
  source_dataset: number | null;
}

/** One caption with its pristine image and the image swapped in for it. */
export interface PairRow {
  captionId: number;
  pristine: NumberedAnnotation | null;
  falsified: NumberedAnnotation | null;
}

/** A validated annotation row with its position in the source file. */
export interface NumberedAnnotation extends AnnotationRow {
  row: number;
}

/** Writes one NewsCLIPpings split file: its header row, its annotation rows and its pairs. */
export function writeAnnotationFile(
  db: Db,
  prefix: string,
  file: { split: string; subset: string; path: string; rows: number; sourceDatasets: string[] | null },
  annotations: readonly NumberedAnnotation[],
  pairs: readonly PairRow[],
  captionInfo: (id: number) => { source: string | null; topic: string | null } | undefined,
): number {
  const fileId = db
    .prepare(`INSERT INTO ${prefix}annotation_files (split, subset, path, rows, pairs, source_datasets) VALUES (?, ?, ?, ?, ?, ?)`)
    .run(file.split, file.subset, file.path, file.rows, pairs.length, file.sourceDatasets === null ? null : JSON.stringify(file.sourceDatasets))
    .lastInsertRowid as number;
  const insertRow = db.prepare(
    `INSERT INTO ${prefix}annotations (file_id, row, id, image_id, similarity_score, falsified, source_dataset) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const a of annotations) {
    insertRow.run(fileId, a.row, a.id, a.image_id, a.similarity_score, a.falsified ? 1 : 0, a.source_dataset);
  }
  const insertPair = db.prepare(
    `INSERT INTO ${prefix}pairs (file_id, caption_id, pristine_row, falsified_row, pristine_image_id, falsified_image_id,
       pristine_score, falsified_score, source_dataset, source, topic) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const p of pairs) {
    const info = captionInfo(p.captionId);
    insertPair.run(
      fileId,
      p.captionId,
      p.pristine?.row ?? null,
      p.falsified?.row ?? null,
      p.pristine?.image_id ?? null,
      p.falsified?.image_id ?? null,
      p.pristine?.similarity_score ?? null,
      p.falsified?.similarity_score ?? null,
      p.falsified?.source_dataset ?? p.pristine?.source_dataset ?? null,
      info?.source ?? null,
      info?.topic ?? null,
    );
  }
  return fileId;
}
