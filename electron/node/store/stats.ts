import type { IndexStats, SplitCounts } from '../../common/index-types.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from './db.ts';
import { embeddingCounts } from './vectors.ts';
import { hasIndex, INDEX_FORMAT } from './index-tables.ts';
import { logTotals } from './index-log.ts';
import { getMeta } from './meta.ts';
import { getRoots } from './roots.ts';

/** Counts over an index (live or staged); computed once per build and stored with it. */
export function computeStats(db: Db, prefix: string): Omit<IndexStats, 'roots' | 'indexedAt' | 'imageChecks' | 'embeddings'> {
  const bySourceRows = db.prepare(`SELECT source, count(*) AS n FROM ${prefix}items GROUP BY source ORDER BY source`).all() as {
    source: string | null;
    n: number;
  }[];
  const bySource: Record<string, number> = {};
  let total = 0;
  for (const r of bySourceRows) {
    bySource[r.source ?? '(none)'] = r.n;
    total += r.n;
  }
  const topics = db.prepare(`SELECT coalesce(topic, '(none)') AS topic, count(*) AS n FROM ${prefix}items GROUP BY topic ORDER BY n DESC, topic`).all() as {
    topic: string;
    n: number;
  }[];
  const byTopic = Object.fromEntries(topics.map((t) => [t.topic, t.n]));
  const emptyCaptions = db.prepare(`SELECT count(*) FROM ${prefix}items WHERE trim(caption) = ''`).pluck().get() as number;
  const annotationRows = db
    .prepare(
      `SELECT f.split, f.subset, count(a.row) AS total, coalesce(sum(a.falsified), 0) AS falsified
       FROM ${prefix}annotation_files f LEFT JOIN ${prefix}annotations a USING (file_id)
       GROUP BY f.file_id ORDER BY f.split, f.subset`,
    )
    .all() as { split: string; subset: string; total: number; falsified: number }[];
  const annotations: Record<string, Record<string, SplitCounts>> = {};
  for (const r of annotationRows) {
    (annotations[r.split] ??= {})[r.subset] = { total: r.total, pristine: r.total - r.falsified, falsified: r.falsified };
  }
  return {
    items: { total, bySource, byTopic, emptyCaptions },
    annotations,
    pairs: db.prepare(`SELECT count(*) FROM ${prefix}pairs`).pluck().get() as number,
    metadata: db.prepare(`SELECT count(*) FROM ${prefix}metadata`).pluck().get() as number,
    skipped: logTotals(db, 'skip', prefix),
    notes: logTotals(db, 'note', prefix),
  };
}

/** The published index's counts, with the dataset roots and image-check results. */
export function readStats(db: Db): IndexStats {
  if (!hasIndex(db)) {
    const format = getMeta(db, 'index_format');
    throw new OocError(
      'INDEX_MISSING',
      format === undefined
        ? 'this database holds no index yet: run `ooc index --visualnews <origin dir>` first'
        : `this database's index was built by another version (index format ${format}, this version reads ${INDEX_FORMAT}): run \`ooc index\` again to rebuild it`,
    );
  }
  const stored = JSON.parse(getMeta(db, 'stats') ?? '{}') as Omit<IndexStats, 'roots' | 'indexedAt' | 'embeddings'>;
  const checks = db.prepare('SELECT status, count(*) AS n FROM image_checks GROUP BY status ORDER BY status').all() as { status: string; n: number }[];
  return {
    ...stored,
    roots: getRoots(db),
    indexedAt: getMeta(db, 'indexed_at') ?? null,
    ...(checks.length > 0 ? { imageChecks: Object.fromEntries(checks.map((c) => [c.status, c.n])) } : {}),
    embeddings: embeddingCounts(db),
  };
}
