import type { Verdict } from '../../common/curation.ts';
import { OocError } from '../../common/errors.ts';
import { classesOfBits, DGM4_CURATION, type Box, type Dgm4Page, type Dgm4Query, type Dgm4Sample, type Dgm4SplitCount, type Dgm4Status } from '../../common/dgm4.ts';
import { logTotals } from './index-log.ts';
import { logTables, sourcesTable, tableExists } from './index-tables.ts';
import type { Db } from './db.ts';
import { getMeta, setMeta } from './meta.ts';

/**
 * The DGM4 index, beside the VisualNews one: derived from DGM4's metadata files, built under the
 * `dgm4_next_` prefix (resumable) and published by renaming in one transaction, as index-tables.ts
 * does for the main index, so readers see the old samples or the new ones, never a mix.
 */

export const DGM4_LIVE = 'dgm4_';
export const DGM4_NEXT = 'dgm4_next_';
const TABLES = ['sources', 'samples', 'index_log', 'index_samples'] as const;

export function hasDgm4(db: Db): boolean {
  return tableExists(db, `${DGM4_LIVE}samples`);
}

export function hasStagedDgm4(db: Db): boolean {
  return tableExists(db, `${DGM4_NEXT}samples`);
}

/** Creates empty staging tables (index names carry a generation so they never collide with the live ones). */
export function createStagedDgm4(db: Db): void {
  const generation = Number(getMeta(db, 'dgm4_generation') ?? '0') + 1;
  const s = DGM4_NEXT;
  const ix = `dgm4ix${generation}_`;
  db.transaction(() => {
    for (const t of TABLES) db.exec(`DROP TABLE IF EXISTS ${s}${t}`);
    db.exec(`
      ${sourcesTable(s)}

      CREATE TABLE ${s}samples (
        split TEXT NOT NULL,
        position INTEGER NOT NULL,
        id INTEGER NOT NULL,
        image TEXT NOT NULL,
        text TEXT NOT NULL,
        fake_cls TEXT NOT NULL,
        classes INTEGER NOT NULL,
        -- The generator (DGM4/manipulation/<method>/…) or the outlet (DGM4/origin/<outlet>/…).
        source TEXT NOT NULL,
        box TEXT,
        text_pos TEXT NOT NULL,
        face_boxes TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        -- The record as the file has it, for exports in DGM4's own format.
        json TEXT NOT NULL,
        PRIMARY KEY (split, position)
      ) STRICT;
      CREATE INDEX ${ix}samples_id ON ${s}samples (id);
      CREATE INDEX ${ix}samples_class ON ${s}samples (split, classes);
      CREATE UNIQUE INDEX ${ix}samples_image ON ${s}samples (split, image, id);

      ${logTables(s)}
    `);
    setMeta(db, 'dgm4_next_generation', String(generation));
  })();
}

/** Swaps the staged DGM4 tables in for the live ones, atomically. */
export function publishStagedDgm4(db: Db, root: string): void {
  // Counted once here: the overview (every app start) reads them, and they change only now.
  const counts = countSamples(db, DGM4_NEXT);
  db.transaction(() => {
    setMeta(db, 'dgm4_counts', JSON.stringify(counts));
    for (const t of TABLES) {
      db.exec(`DROP TABLE IF EXISTS ${DGM4_LIVE}${t}`);
      db.exec(`ALTER TABLE ${DGM4_NEXT}${t} RENAME TO ${DGM4_LIVE}${t}`);
    }
    setMeta(db, 'dgm4_generation', getMeta(db, 'dgm4_next_generation') ?? '1');
    setMeta(db, 'dgm4_root', root);
    setMeta(db, 'dgm4_indexed_at', new Date().toISOString());
  }).immediate();
}

/** The folder holding DGM4/ that the live samples came from. */
export function dgm4Root(db: Db): string | undefined {
  return getMeta(db, 'dgm4_root');
}

/** The generator or outlet an image path names: DGM4/manipulation/HFGI/… → HFGI, DGM4/origin/bbc/… → bbc. */
export function sourceOf(image: string): string {
  const parts = image.split('/');
  const at = parts.findIndex((p) => p === 'manipulation' || p === 'origin');
  return at >= 0 && parts.length > at + 2 ? parts[at + 1]! : '';
}

/** A sample as staged: its fields, its classes as bits, and the record as the file had it. */
export type Dgm4Row = Pick<Dgm4Sample, 'split' | 'position' | 'id' | 'image' | 'text' | 'fakeCls' | 'box' | 'textPos' | 'faceBoxes' | 'width' | 'height'> & { classes: number; json: string };

/** Adds staged samples; false when the split already has this image for this id (a repeated record). */
export class Dgm4Writer {
  private readonly insert;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO ${DGM4_NEXT}samples (split, position, id, image, text, fake_cls, classes, source, box, text_pos, face_boxes, width, height, json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(r: Dgm4Row): boolean {
    return (
      this.insert.run(r.split, r.position, r.id, r.image, r.text, r.fakeCls, r.classes, sourceOf(r.image), r.box === null ? null : JSON.stringify(r.box), JSON.stringify(r.textPos), JSON.stringify(r.faceBoxes), r.width, r.height, r.json)
        .changes > 0
    );
  }
}

interface SampleRow {
  split: string;
  position: number;
  id: number;
  image: string;
  text: string;
  fake_cls: string;
  classes: number;
  source: string;
  box: string | null;
  text_pos: string;
  face_boxes: string;
  width: number;
  height: number;
  in_visualnews: number;
  verdict: Verdict | null;
}

function toSample(r: SampleRow): Dgm4Sample {
  return {
    split: r.split,
    position: r.position,
    id: r.id,
    image: r.image,
    text: r.text,
    fakeCls: r.fake_cls,
    classes: classesOfBits(r.classes),
    source: r.source,
    box: r.box === null ? null : (JSON.parse(r.box) as Box),
    textPos: JSON.parse(r.text_pos) as number[],
    faceBoxes: JSON.parse(r.face_boxes) as Box[],
    width: r.width,
    height: r.height,
    inVisualNews: r.in_visualnews === 1,
    verdict: r.verdict,
  };
}

/** The sample's columns, and whether its VisualNews item is indexed (never, without a VisualNews index). */
const sampleColumns = (db: Db): string =>
  `s.split, s.position, s.id, s.image, s.text, s.fake_cls, s.classes, s.source, s.box, s.text_pos, s.face_boxes, s.width, s.height,
   ${tableExists(db, 'items') ? 'EXISTS (SELECT 1 FROM items i WHERE i.id = s.id)' : '0'} AS in_visualnews, ${VERDICT_OF} AS verdict`;

/** A sample's verdict (curation keyed "dgm4" / split / id). */
const VERDICT_OF = `(SELECT c.verdict FROM curation c WHERE c.split = '${DGM4_CURATION}' AND c.subset = s.split AND c.caption_id = s.id)`;

export function getDgm4Sample(db: Db, split: string, position: number): Dgm4Sample | undefined {
  if (!hasDgm4(db)) return undefined;
  const row = db.prepare(`SELECT ${sampleColumns(db)} FROM ${DGM4_LIVE}samples s WHERE s.split = ? AND s.position = ?`).get(split, position) as SampleRow | undefined;
  return row === undefined ? undefined : toSample(row);
}

/** Samples and their class mix per split (as counted when the samples were published). */
export function dgm4Counts(db: Db): Dgm4SplitCount[] {
  if (!hasDgm4(db)) return [];
  const stored = getMeta(db, 'dgm4_counts');
  return stored === undefined ? countSamples(db, DGM4_LIVE) : (JSON.parse(stored) as Dgm4SplitCount[]);
}

function countSamples(db: Db, prefix: string): Dgm4SplitCount[] {
  const rows = db.prepare(`SELECT split, fake_cls, count(*) AS n FROM ${prefix}samples GROUP BY split, fake_cls ORDER BY split, fake_cls`).all() as { split: string; fake_cls: string; n: number }[];
  const splits = new Map<string, Dgm4SplitCount>();
  for (const r of rows) {
    const entry = splits.get(r.split) ?? { split: r.split, samples: 0, byClass: {} };
    entry.samples += r.n;
    entry.byClass[r.fake_cls] = r.n;
    splits.set(r.split, entry);
  }
  return [...splits.values()];
}

/** A split's counts, or a NOT_FOUND error saying what is indexed (or that DGM4 is not). */
export function requireDgm4Split(db: Db, split: string): Dgm4SplitCount {
  const splits = dgm4Counts(db);
  const found = splits.find((s) => s.split === split);
  if (found !== undefined) return found;
  if (splits.length === 0) throw new OocError('NOT_FOUND', 'DGM4 is not indexed: run ooc index --dgm4 <folder holding DGM4/> (or index it from the Dataset view)');
  throw new OocError('NOT_FOUND', `DGM4 has no indexed ${split} file (it has ${splits.map((s) => s.split).join(', ')})`);
}

/** Samples whose VisualNews item is indexed. */
export function dgm4Linked(db: Db, prefix = DGM4_LIVE): number {
  if (!tableExists(db, `${prefix}samples`) || !tableExists(db, 'items')) return 0;
  return db.prepare(`SELECT count(*) FROM ${prefix}samples s WHERE EXISTS (SELECT 1 FROM items i WHERE i.id = s.id)`).pluck().get() as number;
}

/** The texts of a split's samples whose text is real (not swapped or edited: pristine or a face manipulated) and of those whose text was manipulated. */
export function dgm4Texts(db: Db, split: string): { real: string[]; manipulated: string[] } {
  const texts = (where: string): string[] => db.prepare(`SELECT text FROM ${DGM4_LIVE}samples WHERE split = ? AND ${where} ORDER BY position`).pluck().all(split) as string[];
  return { real: texts('(classes & 12) = 0'), manipulated: texts('(classes & 12) <> 0') };
}

export function dgm4Status(db: Db): Dgm4Status {
  if (!hasDgm4(db)) return { root: null, indexedAt: null, splits: [], linked: 0, skipped: {}, notes: {} };
  return {
    root: dgm4Root(db) ?? null,
    indexedAt: getMeta(db, 'dgm4_indexed_at') ?? null,
    splits: dgm4Counts(db),
    linked: dgm4Linked(db),
    skipped: logTotals(db, 'skip', DGM4_LIVE),
    notes: logTotals(db, 'note', DGM4_LIVE),
  };
}

/** The filters of the Manipulations view, as SQL over a split's samples. */
function filterSql(db: Db, q: Dgm4Query, without?: 'cls' | 'source' | 'verdict'): { where: string; args: unknown[] } {
  const parts = ['s.split = ?'];
  const args: unknown[] = [q.split];
  if (q.cls !== undefined && without !== 'cls') {
    parts.push('s.fake_cls = ?');
    args.push(q.cls);
  }
  if (q.kind === 'single') parts.push("instr(s.fake_cls, '&') = 0 AND s.classes <> 0");
  if (q.kind === 'mixed') parts.push("instr(s.fake_cls, '&') > 0");
  if (q.kind === 'image') parts.push('(s.classes & 3) <> 0');
  if (q.kind === 'text') parts.push('(s.classes & 12) <> 0');
  if (q.source !== undefined && without !== 'source') {
    parts.push('s.source = ?');
    args.push(q.source);
  }
  if (q.linked !== undefined) {
    const linked = tableExists(db, 'items') ? 'EXISTS (SELECT 1 FROM items i WHERE i.id = s.id)' : '0';
    parts.push(q.linked ? linked : `NOT ${linked}`);
  }
  if (q.verdict !== undefined && without !== 'verdict') {
    parts.push(q.verdict === 'none' ? `${VERDICT_OF} IS NULL` : `${VERDICT_OF} = ?`);
    if (q.verdict !== 'none') args.push(q.verdict);
  }
  if (q.q !== undefined && q.q.trim() !== '') {
    parts.push('(instr(lower(s.text), lower(?)) > 0 OR CAST(s.id AS TEXT) = ?)');
    args.push(q.q.trim(), q.q.trim());
  }
  return { where: parts.join(' AND '), args };
}

/** A page of a split's samples in file order, with the counts each filter would give. */
export function dgm4Page(db: Db, q: Dgm4Query): Dgm4Page {
  if (!hasDgm4(db)) return { total: 0, samples: [], classes: {}, sources: {}, verdicts: {} };
  const { where, args } = filterSql(db, q);
  const total = db.prepare(`SELECT count(*) FROM ${DGM4_LIVE}samples s WHERE ${where}`).pluck().get(...args) as number;
  const rows = db.prepare(`SELECT ${sampleColumns(db)} FROM ${DGM4_LIVE}samples s WHERE ${where} ORDER BY s.position LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as SampleRow[];
  const countBy = (column: string, without: 'cls' | 'source' | 'verdict'): Record<string, number> => {
    const f = filterSql(db, q, without);
    const counts = db.prepare(`SELECT ${column} AS k, count(*) AS n FROM ${DGM4_LIVE}samples s WHERE ${f.where} GROUP BY k ORDER BY n DESC`).all(...f.args) as { k: string | null; n: number }[];
    return Object.fromEntries(counts.map((c) => [c.k ?? 'none', c.n]));
  };
  return { total, samples: rows.map(toSample), classes: countBy('s.fake_cls', 'cls'), sources: countBy('s.source', 'source'), verdicts: countBy(VERDICT_OF, 'verdict') };
}

/** The records of samples as the metadata file has them, in file order (for exports in DGM4's format). */
export function* dgm4Records(db: Db, q: Omit<Dgm4Query, 'offset' | 'limit'>): Generator<string> {
  const { where, args } = filterSql(db, { ...q, offset: 0, limit: 0 });
  for (const json of db.prepare(`SELECT s.json FROM ${DGM4_LIVE}samples s WHERE ${where} ORDER BY s.position`).pluck().iterate(...args)) yield json as string;
}

/** The first `limit` manipulated samples of a split (a face box or manipulated words), in file order. */
export function dgm4SamplesForGrounding(db: Db, split: string, limit: number): Dgm4Sample[] {
  const rows = db.prepare(`SELECT ${sampleColumns(db)} FROM ${DGM4_LIVE}samples s WHERE s.split = ? AND (s.box IS NOT NULL OR s.text_pos <> '[]') ORDER BY s.position LIMIT ?`).all(split, limit) as SampleRow[];
  return rows.map(toSample);
}

/** Which of these ids are samples of the split (curation may only name samples). */
export function dgm4IdsIn(db: Db, split: string, ids: readonly number[]): Set<number> {
  const found = new Set<number>();
  const has = db.prepare(`SELECT 1 FROM ${DGM4_LIVE}samples WHERE split = ? AND id = ? LIMIT 1`).pluck();
  for (const id of ids) if (has.get(split, id) !== undefined) found.add(id);
  return found;
}

/** The ids of a selection's samples (for curating every sample shown). */
export function dgm4SelectionIds(db: Db, q: Omit<Dgm4Query, 'offset' | 'limit'>): number[] {
  const { where, args } = filterSql(db, { ...q, offset: 0, limit: 0 });
  return db.prepare(`SELECT DISTINCT s.id FROM ${DGM4_LIVE}samples s WHERE ${where} ORDER BY s.id`).pluck().all(...args) as number[];
}
