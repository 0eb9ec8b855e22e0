import nlp from 'compromise';
import type { CaptionEntities, Entity, EntityKind } from '../../common/candidates.ts';
import type { Db } from '../store/db.ts';
import { getMetadata } from '../store/metadata.ts';
import { cachedEntities, entityCoverage, itemsWithoutEntities, storeEntities } from '../store/entities.ts';

/**
 * Named entities of captions, for the constraints NewsCLIPpings matched under: from its metadata
 * (spaCy + REL) where that is indexed, else from compromise (an offline English NER library, MIT,
 * pure JavaScript, about 1 ms a caption) — an approximation of spaCy + REL that finds fewer
 * entities, and says so. Computed once per item and kept (store/entities.ts).
 */

/** spaCy's labels (and REL's, CoNLL's) as the kinds the constraints need; dates, numbers and the like are not named entities here. */
const LABELS: Record<string, EntityKind> = {
  PERSON: 'PERSON', PER: 'PERSON', PEOPLE: 'PERSON', PERSONS: 'PERSON',
  GPE: 'PLACE', LOC: 'PLACE', FAC: 'PLACE', LOCATION: 'PLACE', PLACE: 'PLACE', PLACES: 'PLACE',
  ORG: 'ORG', NORP: 'ORG', ORGANIZATION: 'ORG', ORGANISATION: 'ORG', ORGS: 'ORG',
  EVENT: 'OTHER', WORK_OF_ART: 'OTHER', LAW: 'OTHER', PRODUCT: 'OTHER', LANGUAGE: 'OTHER', MISC: 'OTHER',
};
const NOT_NAMED = new Set(['DATE', 'TIME', 'CARDINAL', 'ORDINAL', 'QUANTITY', 'MONEY', 'PERCENT']);
const TEXT_KEYS = ['text', 'mention', 'name', 'entity', 'word', 'span', 'surface', 'ent_text'];
const LABEL_KEYS = ['label', 'label_', 'type', 'tag', 'ner', 'entity_type', 'ent_type', 'category'];
/** Field names that hold entity lists: ents, entities, spacy_ents, ner, rel, rel_entities, persons, orgs, places … */
const ENTITY_FIELD = /^(?:\w+_)?(?:ents?|entities|named_entities|ner|rel|persons?|people|orgs?|organi[sz]ations?|places?|locations?|gpes?)(?:_\w+)?$/i;

const labelOf = (v: unknown): EntityKind | 'skip' | null => {
  if (typeof v !== 'string') return null;
  const t = v.trim().toUpperCase().replace(/^[BI]-/, '');
  return LABELS[t] ?? (NOT_NAMED.has(t) ? 'skip' : null);
};

/** The comparable form of an entity: lower case, possessive and punctuation at the ends dropped. */
export function entityKey(text: string): string {
  const ends = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
  return text.normalize('NFKC').toLowerCase().replace(ends, '').replace(/['’]s$/u, '').replace(ends, '').replace(/\s+/g, ' ');
}

function one(value: unknown, fieldKind: EntityKind | null): Entity | 'skip' | null {
  if (typeof value === 'string') return fieldKind === null ? null : { text: value, kind: fieldKind };
  if (Array.isArray(value)) {
    // A tuple such as [text, label] or REL's [start, length, mention, title, score, score, tag].
    const strings = value.filter((x): x is string => typeof x === 'string');
    const label = strings.map(labelOf).find((l) => l !== null) ?? fieldKind;
    const text = strings.find((s) => labelOf(s) === null);
    if (label === 'skip') return 'skip';
    return label === null || text === undefined ? null : { text, kind: label };
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const text = TEXT_KEYS.map((k) => record[k]).find((v): v is string => typeof v === 'string');
    const label = LABEL_KEYS.map((k) => labelOf(record[k])).find((l) => l !== null) ?? fieldKind;
    if (label === 'skip') return 'skip';
    return label === null || text === undefined ? null : { text, kind: label };
  }
  return null;
}

/**
 * Entities in a metadata record whose schema is not documented: any list under a field whose name
 * speaks of entities (ents, ner, rel, persons …), up to two levels down, of strings (the field's
 * name giving the kind), [text, label] tuples or {text, label} objects. Null: none found.
 */
export function metadataEntities(record: unknown): Entity[] | null {
  const found: Entity[] = [];
  let any = false;
  const visit = (value: unknown, key: string, depth: number): void => {
    if (depth > 3 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value) && ENTITY_FIELD.test(key)) {
      const fieldKind = labelOf(key.replace(/s$/i, '')) ?? labelOf(key);
      any = true;
      for (const element of value) {
        const entity = one(element, fieldKind === 'skip' ? null : fieldKind);
        if (entity !== null && entity !== 'skip' && entityKey(entity.text) !== '') found.push(entity);
      }
      return;
    }
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, Array.isArray(value) ? key : k, depth + 1);
  };
  visit(record, '', 0);
  return any ? dedupe(found) : null;
}

function dedupe(entities: Entity[]): Entity[] {
  const seen = new Set<string>();
  return entities.filter((e) => {
    const key = `${e.kind}\0${entityKey(e.text)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The offline approximation: people (without titles such as "Chancellor"), places and organisations. */
export function nerEntities(caption: string): Entity[] {
  const doc = nlp(caption);
  const found: Entity[] = [];
  const add = (kind: EntityKind, texts: string[]) => {
    for (const text of texts) if (entityKey(text) !== '') found.push({ text: text.replace(/['’]s$/u, '').replace(/[^\p{L}\p{N})]+$/u, ''), kind });
  };
  add('PERSON', doc.people().not('#Honorific').out('array') as string[]);
  add('PLACE', doc.places().out('array') as string[]);
  add('ORG', doc.organizations().out('array') as string[]);
  return dedupe(found);
}

function computeOne(db: Db, itemId: number, caption: string): CaptionEntities {
  let result: CaptionEntities | null = null;
  for (const { value } of getMetadata(db, itemId)) {
    const entities = metadataEntities(value);
    if (entities !== null) result = { entities, from: 'metadata' };
  }
  return result ?? { entities: nerEntities(caption), from: 'ner' };
}

/** An item's caption entities: its metadata's where indexed, else the NER's; computed once and kept. */
export function itemEntities(db: Db, itemId: number, caption: string): CaptionEntities {
  const cached = cachedEntities(db, [itemId]).get(itemId);
  if (cached !== undefined) return cached;
  const result = computeOne(db, itemId, caption);
  storeEntities(db, [[itemId, result]]);
  return result;
}

export interface EntitiesProgress {
  done: number;
  total: number;
}

/**
 * Every caption's entities computed ahead (generating a split checks thousands of candidates),
 * a batch a transaction; what is done stays done, so an interrupted run continues.
 */
export async function computeAllEntities(db: Db, options: { signal?: AbortSignal; onProgress?: (p: EntitiesProgress) => void } = {}): Promise<{ computed: number; fromMetadata: number; captions: number; seconds: number }> {
  const started = performance.now();
  const { computed: before, captions } = entityCoverage(db);
  let [computed, fromMetadata, after] = [0, 0, 0];
  for (;;) {
    // A turn of the event loop between batches, so Ctrl-C is heard.
    await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    const batch = itemsWithoutEntities(db, after, 2000);
    if (batch.length === 0) break;
    const rows = batch.map(({ id, caption }): [number, CaptionEntities] => [id, computeOne(db, id, caption)]);
    storeEntities(db, rows);
    computed += rows.length;
    fromMetadata += rows.filter(([, e]) => e.from === 'metadata').length;
    after = batch.at(-1)!.id;
    options.onProgress?.({ done: before + computed, total: captions });
  }
  return { computed, fromMetadata, captions, seconds: (performance.now() - started) / 1000 };
}

/** The entities two captions share (a person also by surname: "Merkel" and "Angela Merkel"), by kind. */
export function sharedEntities(a: readonly Entity[], b: readonly Entity[]): Entity[] {
  const shared: Entity[] = [];
  for (const x of a) {
    const kx = entityKey(x.text);
    const match = b.find((y) => {
      const ky = entityKey(y.text);
      if (kx === ky) return true;
      if (x.kind !== 'PERSON' || y.kind !== 'PERSON') return false;
      const [sx, sy] = [kx.split(' ').at(-1), ky.split(' ').at(-1)];
      return sx === sy && (kx.split(' ').length === 1 || ky.split(' ').length === 1);
    });
    if (match !== undefined) shared.push(x);
  }
  return shared;
}
