import { materializeCustomSplits } from './custom-splits.ts';
import type { Db } from './db.ts';
import { getMeta, setMeta } from './meta.ts';

/**
 * The index tables hold what is derived from the input files. A build writes them under the
 * `stage_` prefix, committing in chunks so an interrupted build resumes, and publishes them by
 * renaming in one transaction: readers see the old index or the new one, never a mix, and a
 * failed build leaves the last good index in place.
 */

/** Bump when the index tables change shape: an older index is then rebuilt, not migrated. */
export const INDEX_FORMAT = 4;

export const INDEX_TABLES = [
  'sources',
  'items_raw',
  'items',
  'items_fts',
  'annotation_files',
  'annotations',
  'pairs',
  'pairs_fts',
  'metadata',
  'index_log',
  'index_samples',
] as const;

export const STAGE = 'stage_';

export function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** Whether a published index exists and is of the current format. */
export function hasIndex(db: Db): boolean {
  return getMeta(db, 'index_format') === String(INDEX_FORMAT) && tableExists(db, 'items');
}

/** Whether a table has a column (index tables written by an older version may lack newer ones). */
export function hasColumn(db: Db, table: string, column: string): boolean {
  return (db.prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`).get(table, column)) !== undefined;
}

/** A staged build this version can continue (one an older version began, with fewer columns, is started again). */
export function hasStagedBuild(db: Db): boolean {
  return tableExists(db, `${STAGE}items`) && hasColumn(db, `${STAGE}items_raw`, 'source_start');
}

/** The input files a build reads, with what identifies their content and whether each is done (IndexLog's and sources.ts's tables, for any index). */
export function sourcesTable(prefix: string): string {
  return `CREATE TABLE ${prefix}sources (
        path TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        split TEXT,
        subset TEXT,
        bytes INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        records INTEGER,
        done INTEGER NOT NULL DEFAULT 0
      ) STRICT;`;
}

/** Records skipped or flagged, counted per reason and file, with a few examples (index-log.ts). */
export function logTables(prefix: string): string {
  return `CREATE TABLE ${prefix}index_log (
        kind TEXT NOT NULL CHECK (kind IN ('skip', 'note')),
        reason TEXT NOT NULL,
        file TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (kind, reason, file)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE ${prefix}index_samples (
        kind TEXT NOT NULL,
        reason TEXT NOT NULL,
        file TEXT NOT NULL,
        record INTEGER,
        offset INTEGER,
        detail TEXT NOT NULL
      ) STRICT;`;
}

/** Creates empty staging tables. Index names carry the generation so they never collide with the live ones. */
export function createStaged(db: Db): void {
  const generation = Number(getMeta(db, 'index_generation') ?? '0') + 1;
  const s = STAGE;
  const ix = `ix${generation}_`;
  db.transaction(() => {
    for (const t of INDEX_TABLES) db.exec(`DROP TABLE IF EXISTS ${s}${t}`);
    db.exec(`
      ${sourcesTable(s)}

      -- data.json records in file order while it is read (appending is fast; inserting by id in
      -- the file's random order is not), copied sorted into items once the file is done.
      CREATE TABLE ${s}items_raw (
        record INTEGER PRIMARY KEY,
        id INTEGER NOT NULL,
        caption TEXT NOT NULL,
        topic TEXT,
        source TEXT,
        image_path TEXT,
        article_path TEXT,
        source_start INTEGER,
        source_end INTEGER
      ) STRICT;

      -- source_start/end: the record's bytes in data.json, so an export can copy it exactly.
      CREATE TABLE ${s}items (
        id INTEGER PRIMARY KEY,
        caption TEXT NOT NULL,
        topic TEXT,
        source TEXT,
        image_path TEXT,
        article_path TEXT,
        record INTEGER NOT NULL,
        source_start INTEGER,
        source_end INTEGER
      ) STRICT;

      -- prefix = '3': searching as one types makes the last word a prefix from its third letter on
      -- (PREFIX_FROM), and a three-letter prefix such as "shi" stands for every word it begins,
      -- whose lists FTS5 would merge at each keystroke; indexed, the prefix is one list.
      CREATE VIRTUAL TABLE ${s}items_fts USING fts5 (
        caption, content = '', tokenize = 'unicode61 remove_diacritics 2', prefix = '3'
      );

      CREATE TABLE ${s}annotation_files (
        file_id INTEGER PRIMARY KEY,
        split TEXT NOT NULL,
        subset TEXT NOT NULL,
        path TEXT NOT NULL,
        rows INTEGER NOT NULL,
        pairs INTEGER NOT NULL,
        source_datasets TEXT,
        UNIQUE (split, subset)
      ) STRICT;

      CREATE TABLE ${s}annotations (
        file_id INTEGER NOT NULL,
        row INTEGER NOT NULL,
        id INTEGER NOT NULL,
        image_id INTEGER NOT NULL,
        similarity_score REAL,
        falsified INTEGER NOT NULL,
        source_dataset INTEGER,
        PRIMARY KEY (file_id, row)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE ${s}pairs (
        pair_id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL,
        caption_id INTEGER NOT NULL,
        pristine_row INTEGER,
        falsified_row INTEGER,
        pristine_image_id INTEGER,
        falsified_image_id INTEGER,
        pristine_score REAL,
        falsified_score REAL,
        source_dataset INTEGER,
        source TEXT,
        topic TEXT
      ) STRICT;
      CREATE INDEX ${ix}pairs_file ON ${s}pairs (file_id);
      CREATE INDEX ${ix}pairs_source ON ${s}pairs (file_id, source);
      CREATE INDEX ${ix}pairs_topic ON ${s}pairs (file_id, topic);
      CREATE INDEX ${ix}pairs_subsplit ON ${s}pairs (file_id, source_dataset);
      CREATE INDEX ${ix}pairs_score ON ${s}pairs (file_id, coalesce(falsified_score, -1.0));
      CREATE INDEX ${ix}pairs_pristine_score ON ${s}pairs (file_id, coalesce(pristine_score, -1.0));
      CREATE INDEX ${ix}pairs_caption ON ${s}pairs (caption_id);
      CREATE INDEX ${ix}pairs_pristine_image ON ${s}pairs (pristine_image_id);
      CREATE INDEX ${ix}pairs_falsified_image ON ${s}pairs (falsified_image_id);

      -- Each pair's caption, keyed by pair_id: a split file's pairs have contiguous ids, so a
      -- search within one file is a rowid range of this index, read in pair order.
      CREATE VIRTUAL TABLE ${s}pairs_fts USING fts5 (
        caption, content = '', tokenize = 'unicode61 remove_diacritics 2', prefix = '3'
      );

      CREATE TABLE ${s}metadata (
        subset TEXT NOT NULL,
        id INTEGER NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (subset, id)
      ) STRICT, WITHOUT ROWID;

      ${logTables(s)}
    `);
    setMeta(db, 'stage_generation', String(generation));
  })();
}

/** Moves the items read from data.json into their final, id-ordered table and builds their indexes. */
export function finalizeStagedItems(db: Db): void {
  const s = STAGE;
  const ix = `ix${getMeta(db, 'stage_generation') ?? '1'}_`;
  db.exec(`
    INSERT INTO ${s}items (id, caption, topic, source, image_path, article_path, record, source_start, source_end)
      SELECT id, caption, topic, source, image_path, article_path, record, source_start, source_end FROM ${s}items_raw ORDER BY id;
    INSERT INTO ${s}items_fts (rowid, caption) SELECT id, ooc_search_text(caption) FROM ${s}items WHERE caption <> '';
    CREATE INDEX ${ix}items_source ON ${s}items (source, topic);
    DELETE FROM ${s}items_raw;
  `);
}

/** Swaps the staged tables in for the live ones, atomically, after indexing the pairs' captions. */
export function publishStaged(db: Db, stats: unknown): void {
  db.transaction(() => {
    db.exec(`INSERT INTO ${STAGE}pairs_fts (rowid, caption) SELECT p.pair_id, ooc_search_text(i.caption) FROM ${STAGE}pairs p JOIN ${STAGE}items i ON i.id = p.caption_id WHERE i.caption <> ''`);
    for (const t of INDEX_TABLES) {
      db.exec(`DROP TABLE IF EXISTS ${t}`);
      db.exec(`ALTER TABLE ${STAGE}${t} RENAME TO ${t}`);
    }
    // Pair scores are keyed by pair_id, which a new index renumbers: they are computed again.
    db.exec('DELETE FROM pair_scores; DELETE FROM pair_score_runs');
    // Captions' entities come from the captions and metadata just replaced: computed again when asked.
    db.exec('DELETE FROM item_entities');
    // The analyst's own split files, written again beside the new ones.
    materializeCustomSplits(db);
    setMeta(db, 'index_generation', getMeta(db, 'stage_generation') ?? '1');
    setMeta(db, 'index_format', String(INDEX_FORMAT));
    setMeta(db, 'indexed_at', new Date().toISOString());
    setMeta(db, 'stats', JSON.stringify(stats));
  }).immediate();
}
