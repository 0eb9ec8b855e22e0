import { OocError } from '../../common/errors.ts';
import type { ScoreRun } from '../../common/pairs.ts';
import type { Db } from './db.ts';
import { hasIndex } from './index-tables.ts';
import { getSet, listSets, VectorReader, type EmbeddingSet } from './vectors.ts';

/**
 * Scores every pair under one set of embeddings, as the paper's adversarial filtering does with
 * CLIP: the caption against its pristine image and against the swapped-in image (text–image,
 * where the set has both kinds of the same size), and the caption against the swapped-in
 * image's own caption (text–text). Cosine similarity, so imported vectors that are not
 * normalised score the same as a model's. A pair whose vectors are missing gets nulls.
 */

const CHUNK = 8192;

/** The names that can score pairs: those with a caption set (text–text), with or without an image set. */
export function scorableNames(db: Db): string[] {
  return [...new Set(listSets(db).filter((s) => s.kind === 'text').map((s) => s.name))];
}

export function scoreRuns(db: Db): ScoreRun[] {
  return (
    db.prepare('SELECT name, complete, pairs, text_image AS textImage, text_text AS textText, updated_at AS updatedAt FROM pair_score_runs ORDER BY name').all() as (Omit<
      ScoreRun,
      'complete'
    > & { complete: number })[]
  ).map((r) => ({ ...r, complete: r.complete === 1 }));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface ScoreProgress {
  done: number;
  total: number;
}

interface ChunkRow {
  pair_id: number;
  file_id: number;
  caption: number | null;
  pristine: number | null;
  falsified: number | null;
  falsified_caption: number | null;
}

/**
 * (Re)computes the scores of every pair under `name`, in chunks committed one by one. A run that
 * was stopped continues after the last pair it scored; a complete one starts over, since the
 * embeddings may have grown since.
 */
export async function computePairScores(
  db: Db,
  name: string,
  options: { signal?: AbortSignal; onProgress?: (p: ScoreProgress) => void } = {},
): Promise<ScoreRun> {
  if (!hasIndex(db)) throw new OocError('INDEX_MISSING', 'index a dataset before scoring its pairs');
  const text = getSet(db, name, 'text');
  if (text === undefined) throw new OocError('NOT_FOUND', `no caption embeddings named "${name}"; embed captions first (ooc embed --what all)`);
  const found = getSet(db, name, 'image');
  const image = found !== undefined && found.dim === text.dim ? found : undefined;

  const previous = db.prepare('SELECT complete FROM pair_score_runs WHERE name = ?').pluck().get(name) as number | undefined;
  if (previous !== 0) {
    db.transaction(() => {
      db.prepare('DELETE FROM pair_scores WHERE name = ?').run(name);
      db.prepare('INSERT OR REPLACE INTO pair_score_runs (name, complete, pairs, text_image, text_text, updated_at) VALUES (?, 0, 0, 0, 0, ?)').run(name, new Date().toISOString());
    })();
  }
  const total = db.prepare('SELECT count(*) FROM pairs').pluck().get() as number;
  let after = (db.prepare('SELECT max(pair_id) FROM pair_scores WHERE name = ?').pluck().get(name) as number | null) ?? -1;
  let done = db.prepare('SELECT count(*) FROM pair_scores WHERE name = ?').pluck().get(name) as number;

  const rowOf = (alias: string, set: EmbeddingSet | undefined, item: string): string =>
    set === undefined ? `NULL AS ${alias}` : `(SELECT row FROM embedding_rows WHERE set_id = ${set.setId} AND item_id = ${item}) AS ${alias}`;
  const chunk = db.prepare(
    `SELECT p.pair_id, p.file_id,
            ${rowOf('caption', text, 'p.caption_id')},
            ${rowOf('pristine', image, 'p.pristine_image_id')},
            ${rowOf('falsified', image, 'p.falsified_image_id')},
            ${rowOf('falsified_caption', text, 'p.falsified_image_id')}
     FROM pairs p WHERE p.pair_id > ? ORDER BY p.pair_id LIMIT ?`,
  );
  const insert = db.prepare('INSERT INTO pair_scores (name, pair_id, file_id, pristine, falsified, text_text) VALUES (?, ?, ?, ?, ?, ?)');
  const tally = db.prepare(
    `UPDATE pair_score_runs SET pairs = (SELECT count(*) FROM pair_scores WHERE name = @name),
       text_image = (SELECT count(*) FROM pair_scores WHERE name = @name AND (pristine IS NOT NULL OR falsified IS NOT NULL)),
       text_text = (SELECT count(*) FROM pair_scores WHERE name = @name AND text_text IS NOT NULL),
       complete = @complete, updated_at = @at
     WHERE name = @name`,
  );

  const texts = new VectorReader(text);
  const images = image === undefined ? null : new VectorReader(image);
  const [a, b] = [new Float32Array(text.dim), new Float32Array(text.dim)];
  const score = (reader: VectorReader | null, row: number | null, captionRow: number | null): number | null => {
    if (reader === null || row === null || captionRow === null) return null;
    texts.read(captionRow, a);
    return cosine(a, reader.read(row, b));
  };
  try {
    for (;;) {
      if (options.signal?.aborted) throw new OocError('CANCELLED', `scoring stopped after ${done} of ${total} pairs; run it again to continue`);
      const rows = chunk.all(after, CHUNK) as ChunkRow[];
      if (rows.length === 0) break;
      db.transaction(() => {
        for (const r of rows) {
          insert.run(name, r.pair_id, r.file_id, score(images, r.pristine, r.caption), score(images, r.falsified, r.caption), score(texts, r.falsified_caption, r.caption));
        }
      })();
      after = rows[rows.length - 1]!.pair_id;
      done += rows.length;
      options.onProgress?.({ done, total });
      await new Promise((resolve) => setImmediate(resolve));
    }
    tally.run({ name, complete: 1, at: new Date().toISOString() });
  } catch (err) {
    tally.run({ name, complete: 0, at: new Date().toISOString() });
    throw err;
  } finally {
    texts.close();
    images?.close();
  }
  return scoreRuns(db).find((r) => r.name === name)!;
}

/** The caption–image scores of a split file's pairs under `name`, pristine and swapped-in, each sorted ascending (pairs without one left out). */
export function scoreDistribution(db: Db, name: string, fileId: number): { pristine: Float64Array; falsified: Float64Array } {
  const column = (c: 'pristine' | 'falsified') =>
    Float64Array.from(db.prepare(`SELECT ${c} FROM pair_scores WHERE name = ? AND file_id = ? AND ${c} IS NOT NULL ORDER BY ${c}`).pluck().all(name, fileId) as number[]);
  return { pristine: column('pristine'), falsified: column('falsified') };
}
