import { VERDICTS, type Collection, type CurationChange, type CurationResult, type PairCuration, type PairKey, type Verdict } from '../../common/curation.ts';
import { OocError } from '../../common/errors.ts';
import type { Db } from './db.ts';

/**
 * Verdicts, notes, tags and collections, applied to one pair or to many at once, each edit in
 * one transaction (acknowledged means on disk) with the state it replaced kept for undo.
 */

type KeyRow = [split: string, subset: string, captionId: number];

/** The rows an edit replaced, to put back on undo. */
interface Snapshot {
  curation?: [...KeyRow, verdict: string | null, note: string | null, updatedAt: string][];
  tags?: { touched: string[]; present: [...KeyRow, tag: string][] };
  collection?: { id: number; present: KeyRow[] };
}

const UNDO_DEPTH = 50;
const MAX_TAG = 100;
const MAX_NOTE = 20_000;

function cleanTag(tag: string): string {
  const t = tag.normalize('NFC').trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (t === '' || t.length > MAX_TAG || /[\u0000-\u001f\u007f]/.test(t)) {
    throw new OocError('BAD_ARGUMENT', `a tag must be 1 to ${MAX_TAG} printable characters, got ${JSON.stringify(tag)}`);
  }
  return t;
}

function cleanName(name: string): string {
  const n = name.normalize('NFC').trim();
  if (n === '' || n.length > 200) throw new OocError('BAD_ARGUMENT', `a collection name must be 1 to 200 characters, got ${JSON.stringify(name)}`);
  return n;
}

/** What an edit's rows are called in Undo's label, and their verdicts' names there (DGM4's differ). */
export interface EditedRows {
  noun: string;
  verdictNames?: Record<Verdict, string>;
}

function describe(change: CurationChange, pairs: number, { noun, verdictNames }: EditedRows): string {
  const parts = [
    change.verdict !== undefined ? (change.verdict === null ? 'clear verdict' : `verdict ${verdictNames?.[change.verdict] ?? change.verdict}`) : '',
    change.note !== undefined ? 'note' : '',
    change.addTags?.length ? `tag ${change.addTags.join(', ')}` : '',
    change.removeTags?.length ? `untag ${change.removeTags.join(', ')}` : '',
    change.addToCollection ? `add to ${change.addToCollection}` : '',
    change.removeFromCollection ? `remove from ${change.removeFromCollection}` : '',
  ].filter(Boolean);
  return `${parts.join(', ')} on ${pairs} ${noun}${pairs === 1 ? '' : 's'}`;
}

function collectionId(db: Db, name: string, create: boolean): number {
  const clean = cleanName(name);
  const id = db.prepare('SELECT collection_id FROM collections WHERE name = ?').pluck().get(clean) as number | undefined;
  if (id !== undefined) return id;
  if (!create) throw new OocError('NOT_FOUND', `no collection named ${JSON.stringify(clean)}`);
  return Number(db.prepare('INSERT INTO collections (name, created_at) VALUES (?, ?)').run(clean, new Date().toISOString()).lastInsertRowid);
}

/** Fills the temp table of keys an edit or an undo works on. */
function loadKeys(db: Db, keys: readonly PairKey[]): void {
  db.exec('CREATE TEMP TABLE IF NOT EXISTS curation_keys (split TEXT NOT NULL, subset TEXT NOT NULL, caption_id INTEGER NOT NULL, PRIMARY KEY (split, subset, caption_id)) WITHOUT ROWID');
  db.exec('DELETE FROM curation_keys');
  const insert = db.prepare('INSERT OR IGNORE INTO curation_keys VALUES (?, ?, ?)');
  for (const k of keys) insert.run(k.split, k.subset, k.captionId);
}

/** The keys of an edit as stored for undo: caption ids grouped by split file (a bulk edit can touch 500 k). */
type CompactKeys = [split: string, subset: string, captionIds: number[]][];

function compactKeys(db: Db): CompactKeys {
  const groups = new Map<string, [string, string, number[]]>();
  for (const [split, subset, id] of db.prepare('SELECT split, subset, caption_id FROM curation_keys').raw().iterate() as Iterable<KeyRow>) {
    const key = `${split}\u0000${subset}`;
    const group = groups.get(key) ?? [split, subset, []];
    group[2].push(id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const IN_KEYS = '(split, subset, caption_id) IN (SELECT split, subset, caption_id FROM curation_keys)';

/** Applies one change to every pair in `keys`, as one transaction that can be undone. */
export function applyCuration(db: Db, keys: readonly PairKey[], change: CurationChange, rows: EditedRows = { noun: 'pair' }): CurationResult {
  if (change.verdict !== undefined && change.verdict !== null && !VERDICTS.includes(change.verdict)) {
    throw new OocError('BAD_ARGUMENT', `a verdict is one of ${VERDICTS.join(', ')}, got ${JSON.stringify(change.verdict)}`);
  }
  if (typeof change.note === 'string' && change.note.length > MAX_NOTE) throw new OocError('BAD_ARGUMENT', `a note is at most ${MAX_NOTE} characters`);
  const addTags = (change.addTags ?? []).map(cleanTag);
  const removeTags = (change.removeTags ?? []).map(cleanTag);
  const now = new Date().toISOString();
  return db.transaction((): CurationResult => {
    loadKeys(db, keys);
    const snapshot: Snapshot = {};
    if (change.verdict !== undefined || change.note !== undefined) {
      snapshot.curation = db.prepare(`SELECT split, subset, caption_id, verdict, note, updated_at FROM curation WHERE ${IN_KEYS}`).raw().all() as NonNullable<Snapshot['curation']>;
      db.prepare('INSERT OR IGNORE INTO curation (split, subset, caption_id, updated_at) SELECT split, subset, caption_id, ? FROM curation_keys').run(now);
      if (change.verdict !== undefined) db.prepare(`UPDATE curation SET verdict = ?, updated_at = ? WHERE ${IN_KEYS}`).run(change.verdict, now);
      if (change.note !== undefined) db.prepare(`UPDATE curation SET note = ?, updated_at = ? WHERE ${IN_KEYS}`).run(change.note === '' ? null : change.note, now);
      db.exec('DELETE FROM curation WHERE verdict IS NULL AND note IS NULL');
    }
    const touched = [...new Set([...addTags, ...removeTags])];
    if (touched.length > 0) {
      const placeholders = touched.map(() => '?').join(', ');
      snapshot.tags = { touched, present: db.prepare(`SELECT split, subset, caption_id, tag FROM pair_tags WHERE tag IN (${placeholders}) AND ${IN_KEYS}`).raw().all(...touched) as [...KeyRow, string][] };
      const add = db.prepare('INSERT OR IGNORE INTO pair_tags (split, subset, caption_id, tag) SELECT split, subset, caption_id, ? FROM curation_keys');
      for (const tag of addTags) add.run(tag);
      const remove = db.prepare(`DELETE FROM pair_tags WHERE tag = ? AND ${IN_KEYS}`);
      for (const tag of removeTags) remove.run(tag);
    }
    const collection = change.addToCollection ?? change.removeFromCollection;
    if (collection !== undefined) {
      const id = collectionId(db, collection, change.addToCollection !== undefined);
      snapshot.collection = { id, present: db.prepare(`SELECT split, subset, caption_id FROM collection_pairs WHERE collection_id = ? AND ${IN_KEYS}`).raw().all(id) as KeyRow[] };
      if (change.addToCollection !== undefined) db.prepare('INSERT OR IGNORE INTO collection_pairs SELECT ?, split, subset, caption_id FROM curation_keys').run(id);
      else db.prepare(`DELETE FROM collection_pairs WHERE collection_id = ? AND ${IN_KEYS}`).run(id);
    }
    const pairs = db.prepare('SELECT count(*) FROM curation_keys').pluck().get() as number;
    db.prepare('INSERT INTO curation_undo (label, at, before) VALUES (?, ?, ?)').run(describe(change, pairs, rows), now, JSON.stringify({ keys: compactKeys(db), snapshot }));
    db.prepare('DELETE FROM curation_undo WHERE seq <= (SELECT max(seq) FROM curation_undo) - ?').run(UNDO_DEPTH);
    return { pairs, undo: undoLabel(db) };
  }).immediate();
}

/** What `undoCuration` would undo now, or null. */
export function undoLabel(db: Db): string | null {
  return (db.prepare('SELECT label FROM curation_undo ORDER BY seq DESC LIMIT 1').pluck().get() as string | undefined) ?? null;
}

/** Puts back what the last edit replaced; returns what was undone, or null when there is nothing to undo. */
export function undoCuration(db: Db): { undone: string | null; undo: string | null } {
  return db.transaction(() => {
    const last = db.prepare('SELECT seq, label, before FROM curation_undo ORDER BY seq DESC LIMIT 1').get() as { seq: number; label: string; before: string } | undefined;
    if (last === undefined) return { undone: null, undo: null };
    const { keys, snapshot } = JSON.parse(last.before) as { keys: CompactKeys; snapshot: Snapshot };
    loadKeys(db, keys.flatMap(([split, subset, ids]) => ids.map((captionId) => ({ split, subset, captionId }))));
    if (snapshot.curation) {
      db.exec(`DELETE FROM curation WHERE ${IN_KEYS}`);
      const insert = db.prepare('INSERT INTO curation (split, subset, caption_id, verdict, note, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
      for (const row of snapshot.curation) insert.run(...row);
    }
    if (snapshot.tags) {
      const remove = db.prepare(`DELETE FROM pair_tags WHERE tag = ? AND ${IN_KEYS}`);
      for (const tag of snapshot.tags.touched) remove.run(tag);
      const insert = db.prepare('INSERT INTO pair_tags (split, subset, caption_id, tag) VALUES (?, ?, ?, ?)');
      for (const row of snapshot.tags.present) insert.run(...row);
    }
    if (snapshot.collection) {
      const { id, present } = snapshot.collection;
      db.prepare(`DELETE FROM collection_pairs WHERE collection_id = ? AND ${IN_KEYS}`).run(id);
      const insert = db.prepare('INSERT OR IGNORE INTO collection_pairs VALUES (?, ?, ?, ?)');
      for (const row of present) insert.run(id, ...row);
    }
    db.prepare('DELETE FROM curation_undo WHERE seq = ?').run(last.seq);
    return { undone: last.label, undo: undoLabel(db) };
  }).immediate();
}

export function pairCuration(db: Db, key: PairKey): PairCuration {
  const args = [key.split, key.subset, key.captionId];
  const row = db.prepare('SELECT verdict, note FROM curation WHERE split = ? AND subset = ? AND caption_id = ?').get(...args) as Pick<PairCuration, 'verdict' | 'note'> | undefined;
  return {
    verdict: row?.verdict ?? null,
    note: row?.note ?? null,
    tags: db.prepare('SELECT tag FROM pair_tags WHERE split = ? AND subset = ? AND caption_id = ? ORDER BY tag').pluck().all(...args) as string[],
    collections: db
      .prepare('SELECT c.name FROM collection_pairs p JOIN collections c USING (collection_id) WHERE p.split = ? AND p.subset = ? AND p.caption_id = ? ORDER BY c.name')
      .pluck()
      .all(...args) as string[],
  };
}

export function listCollections(db: Db): Collection[] {
  return db
    .prepare('SELECT c.name, c.created_at AS createdAt, (SELECT count(*) FROM collection_pairs p WHERE p.collection_id = c.collection_id) AS pairs FROM collections c ORDER BY c.name')
    .all() as Collection[];
}

export function createCollection(db: Db, name: string): Collection {
  collectionId(db, name, true);
  return listCollections(db).find((c) => c.name === cleanName(name))!;
}

export function deleteCollection(db: Db, name: string): void {
  const id = collectionId(db, name, false);
  db.transaction(() => {
    db.prepare('DELETE FROM collection_pairs WHERE collection_id = ?').run(id);
    db.prepare('DELETE FROM collections WHERE collection_id = ?').run(id);
  })();
}

/** Every tag in use, with how many pairs carry it. */
export function listTags(db: Db): { tag: string; pairs: number }[] {
  return db.prepare('SELECT tag, count(*) AS pairs FROM pair_tags GROUP BY tag ORDER BY tag').all() as { tag: string; pairs: number }[];
}
