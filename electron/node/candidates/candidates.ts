import type { Candidate, CandidateList, CaptionEntities, ConstraintVerdict, Entity, Strategy } from '../../common/candidates.ts';
import { OocError } from '../../common/errors.ts';
import { normalizeRows } from '../inference/clip.ts';
import type { Neighbour, NeighbourSearch } from '../inference/neighbours.ts';
import { itemDate } from '../item-dates.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { falsifiedImagesOf } from '../store/pairs.ts';
import { itemsWithWord } from '../store/search.ts';
import { getSet, listSets, readVectors, type EmbeddingKind, type EmbeddingSet } from '../store/vectors.ts';
import { itemEntities, nerEntities, sharedEntities } from './entities.ts';

/**
 * Candidates for one caption, as NewsCLIPpings built its splits (paper, section 3): the other
 * images ranked by a strategy, each constraint checked with its reason, and the one Algorithm 1
 * picks — the best-ranked candidate passing the constraints whose CLIP text–image similarity
 * (CTI_f) is at least the pristine pair's (CTI_p), or else the best-ranked one below it.
 */

export interface CandidateOptions {
  /** A caption of the corpus, by its item id … */
  captionId?: number;
  /** … or a caption typed in (not in the corpus): CLIP strategies only, encoded by `encodeText`, with no pristine image and so no pick. */
  text?: string;
  strategy: Strategy;
  /** Candidates to rank (default 50). */
  k?: number;
  /** The CLIP embeddings (a model id or imported set name) for CTI and the CLIP strategies. */
  model?: string;
}

export const MAX_CANDIDATES = 1000;
const MIN_DAYS = 30;
const PLACES_LIMIT = 0.9;

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const unit = (v: Float32Array | undefined): Float32Array | undefined => {
  if (v !== undefined) normalizeRows(v, v.length);
  return v;
};

/** The set names to use: CLIP (both kinds), SBERT-WK (captions) and Places365 (images), each null when not in the database. */
export function candidateInputs(db: Db, model?: string): { clip: string | null; sbert: EmbeddingSet | null; places: EmbeddingSet | null } {
  const sets = listSets(db).filter((s) => s.rows > 0);
  const both = (name: string) => sets.some((s) => s.name === name && s.kind === 'image') && sets.some((s) => s.name === name && s.kind === 'text');
  let clip: string | null;
  if (model !== undefined) {
    if (!both(model)) throw new OocError('NOT_FOUND', `no image and caption embeddings named "${model}" in this database (${[...new Set(sets.filter((s) => both(s.name)).map((s) => s.name))].join(', ') || 'none: run ooc embed or import-embeddings'})`);
    clip = model;
  } else {
    // NewsCLIPpings' own ViT-B/32 vectors where imported (what the paper used), else a model's.
    const names = [...new Set(sets.map((s) => s.name))].filter(both);
    clip = names.find((n) => n === 'newsclippings-clip') ?? names.find((n) => /clip/i.test(n)) ?? names[0] ?? null;
  }
  return {
    clip,
    sbert: sets.find((s) => s.kind === 'text' && /sbert/i.test(s.name)) ?? null,
    places: sets.find((s) => s.kind === 'image' && /place|resnet/i.test(s.name)) ?? null,
  };
}

export const MISSING = {
  clip: 'no CLIP embeddings of both images and captions: run ooc embed, or import NewsCLIPpings\' clip pickles with ooc import-embeddings',
  sbert: 'no SBERT-WK caption embeddings: import NewsCLIPpings\' embeddings/sbert_wk pickles with ooc import-embeddings',
  places: 'no Places365 ResNet-50 image embeddings: import NewsCLIPpings\' embeddings/places365 pickles with ooc import-embeddings',
};

const quoted = (entities: readonly Entity[]): string => entities.slice(0, 3).map((e) => `'${e.text}'`).join(', ') + (entities.length > 3 ? ` and ${entities.length - 3} more` : '');
const persons = (e: CaptionEntities): Entity[] => e.entities.filter((x) => x.kind === 'PERSON');

/** The candidates one strategy ranks for a caption, with every constraint's verdict and Algorithm 1's pick. */
export async function candidatesFor(db: Db, search: NeighbourSearch, options: CandidateOptions, encodeText?: (model: string, text: string) => Promise<Float32Array>): Promise<CandidateList> {
  const started = performance.now();
  const { strategy } = options;
  const k = Math.min(MAX_CANDIDATES, Math.max(1, options.k ?? 50));
  const typed = options.captionId === undefined ? (options.text ?? '').trim() : null;
  if (typed === '') throw new OocError('BAD_ARGUMENT', 'give a caption: an item id, or its text');
  const captionId = options.captionId ?? null;
  const item = captionId === null ? null : getItem(db, captionId);
  if (item === undefined) throw new OocError('NOT_FOUND', `no item ${captionId} in the index`);
  if (item !== null && item.caption.trim() === '') throw new OocError('BAD_ARGUMENT', `item ${captionId} has no caption`);
  const inputs = candidateInputs(db, options.model);
  const entities: CaptionEntities = item === null ? { entities: nerEntities(typed!), from: 'ner' } : itemEntities(db, item.id, item.caption);
  const set = (name: string | null, kind: EmbeddingKind): EmbeddingSet | null => (name === null ? null : (getSet(db, name, kind) ?? null));
  const clipText = set(inputs.clip, 'text');
  const clipImage = set(inputs.clip, 'image');
  let captionVector: Float32Array | undefined;
  let encodeProblem: string | null = null;
  if (clipText !== null && item !== null) captionVector = unit(readVectors(db, clipText, [item.id]).get(item.id));
  else if (clipText !== null && encodeText !== undefined && strategy.startsWith('clip_')) {
    // A typed caption, encoded by the model that made the set (only a set named after an installed model has one); only the CLIP strategies use it.
    captionVector = await encodeText(clipText.name, typed!).then(unit, (err: Error) => {
      encodeProblem = `a typed caption is encoded by the model that made the "${clipText.name}" embeddings, and it cannot be loaded (${err.message}): choose a set made by an installed model`;
      return undefined;
    });
  }
  const pristineImageId = item === null || item.image_path === null ? null : item.id;
  const ctiP = captionVector !== undefined && clipImage !== null && pristineImageId !== null ? vectorDot(db, clipImage, captionVector, pristineImageId) : null;
  const used: Record<string, string> = {};
  if (inputs.clip !== null) used.clip = inputs.clip;
  const check = constraintsOf(db, strategy, captionId, entities, inputs.places);
  const result = (missing: string | null, ranked: Neighbour[] = []): CandidateList => {
    const candidates = ranked.length === 0 ? [] : describe(db, { captionVector, clipImage, ranked, constraints: check });
    const pick = pickAdversarial(candidates, ctiP);
    const datasetMatches = (captionId === null ? [] : falsifiedImagesOf(db, captionId)).map((m) => {
      const at = candidates.findIndex((c) => c.imageId === m.imageId);
      return { ...m, rank: at === -1 ? null : at + 1 };
    });
    return { captionId, caption: item?.caption ?? typed!, pristineImageId, ctiP, strategy, inputs: used, missing, entities, candidates, pick, datasetMatches, seconds: (performance.now() - started) / 1000 };
  };
  if (captionId === null && (strategy === 'person_sbert' || strategy === 'scene_resnet')) {
    return result(strategy === 'person_sbert' ? "SBERT-WK vectors exist for the corpus's captions only: a typed caption cannot be ranked by them" : 'a typed caption has no image of its own to compare scenes with');
  }
  if (encodeProblem !== null) return result(encodeProblem);

  switch (strategy) {
    case 'clip_text_image': {
      if (captionVector === undefined || clipImage === null) return result(MISSING.clip);
      return result(null, await search.search(clipImage, captionVector, k));
    }
    case 'clip_text_text': {
      if (captionVector === undefined || clipText === null) return result(MISSING.clip);
      // Captions like this one, each standing for its item's image (items without an image left out).
      const similar = await search.search(clipText, captionVector, k + 1, captionId ?? undefined);
      return result(null, similar.filter((n) => getItem(db, n.itemId)?.image_path != null).slice(0, k));
    }
    case 'person_sbert': {
      if (inputs.sbert === null) return result(MISSING.sbert);
      used.sbert = inputs.sbert.name;
      if (inputs.places !== null) used.places = inputs.places.name;
      const names = persons(entities);
      if (names.length === 0) return result(`the caption names no person (${entities.from === 'ner' ? 'by the offline NER' : "by NewsCLIPpings' metadata"}), so no caption can share one with it`);
      const ranked = personCandidates(db, inputs.sbert, captionId!, entities, k);
      return ranked === null ? result(`item ${captionId} has no SBERT-WK embedding in ${inputs.sbert.name}`) : result(null, ranked);
    }
    case 'scene_resnet': {
      if (inputs.places === null) return result(MISSING.places);
      used.places = inputs.places.name;
      if (persons(entities).length > 0) return result(`the caption names ${quoted(persons(entities))}: the Scene strategy takes only captions without PERSON entities`);
      const query = readVectors(db, inputs.places, [captionId!]).get(captionId!);
      if (query === undefined) return result(`item ${captionId} has no Places365 embedding in ${inputs.places.name}`);
      // The paper's dot product, on the vectors as stored.
      return result(null, await search.search(inputs.places, query, k, captionId!, undefined, true));
    }
  }
}

/**
 * Candidates sharing a PERSON with the caption, lowest SBERT-WK similarity first. Every caption
 * that contains one of its people's surnames (full-text search, however many) is scored; then,
 * lowest first, each is confirmed by its own entities (computed only for those looked at) until
 * k share a person. Null: the caption has no SBERT-WK vector.
 */
export function personCandidates(db: Db, sbert: EmbeddingSet, captionId: number, entities: CaptionEntities, k: number): Neighbour[] | null {
  const pool = new Set<number>();
  for (const p of persons(entities)) for (const id of itemsWithWord(db, p.text.split(/\s+/).at(-1)!)) if (id !== captionId) pool.add(id);
  const vectors = readVectors(db, sbert, [captionId, ...pool]);
  const query = unit(vectors.get(captionId));
  if (query === undefined) return null;
  const ranked = [...pool]
    .flatMap((id) => {
      const v = unit(vectors.get(id));
      return v === undefined ? [] : [{ itemId: id, score: dot(query, v) }];
    })
    .sort((a, b) => a.score - b.score || a.itemId - b.itemId);
  const found: Neighbour[] = [];
  for (const candidate of ranked) {
    if (found.length === k) break;
    const other = getItem(db, candidate.itemId);
    if (other?.image_path != null && sharedEntities(persons(entities), persons(itemEntities(db, candidate.itemId, other.caption))).length > 0) found.push(candidate);
  }
  return found;
}

/**
 * The constraints a strategy keeps for a caption, as a check of one candidate image (given that
 * image's caption entities): every strategy, another item a month apart; no entity in common
 * (Person instead: a PERSON in common, and scenes below 0.9 apart; Scene: no PERSON either side).
 */
export function constraintsOf(db: Db, strategy: Strategy, captionId: number | null, entities: CaptionEntities, places: EmbeddingSet | null): (imageId: number, other: CaptionEntities) => Record<string, ConstraintVerdict> {
  const common = (imageId: number): Record<string, ConstraintVerdict> => ({
    different_item: imageId === captionId ? { pass: false, reason: "the caption's own image" } : { pass: true, reason: `item ${imageId}` },
    days_apart: captionId === null ? { pass: null, reason: 'a typed caption has no date' } : daysApart(db, captionId, imageId),
  });
  const noSharedEntities = (other: CaptionEntities): ConstraintVerdict => {
    const shared = sharedEntities(entities.entities, other.entities);
    return shared.length > 0 ? { pass: false, reason: `shares entity ${quoted(shared)}` } : { pass: true, reason: `no shared entity${entityNote(entities, other)}` };
  };
  switch (strategy) {
    case 'clip_text_image':
    case 'clip_text_text':
      return (id, other) => ({ ...common(id), no_shared_entities: noSharedEntities(other) });
    case 'person_sbert':
      return (id, other) => {
        const shared = sharedEntities(persons(entities), persons(other));
        return {
          ...common(id),
          shares_person: shared.length > 0 ? { pass: true, reason: `shares PERSON ${quoted(shared)}` } : { pass: false, reason: 'shares no PERSON' },
          places_below_0_9: places === null || captionId === null ? { pass: null, reason: 'no Places365 embeddings' } : placesVerdict(db, places, captionId, id),
        };
      };
    case 'scene_resnet':
      return (id, other) => ({
        ...common(id),
        no_person: persons(other).length > 0 ? { pass: false, reason: `the candidate's caption names ${quoted(persons(other))}` } : { pass: true, reason: 'no PERSON in either caption' },
        no_shared_entities: noSharedEntities(other),
      });
  }
}

function vectorDot(db: Db, set: EmbeddingSet, query: Float32Array, itemId: number): number | null {
  const v = unit(readVectors(db, set, [itemId]).get(itemId));
  return v === undefined ? null : dot(query, v);
}

const entityNote = (a: CaptionEntities, b: CaptionEntities): string => (a.from === 'ner' || b.from === 'ner' ? ' (offline NER, an approximation of spaCy + REL)' : '');

function daysApart(db: Db, a: number, b: number): ConstraintVerdict {
  const [da, dbb] = [itemDate(db, a), itemDate(db, b)];
  if (da === null || dbb === null) return { pass: null, reason: da === null && dbb === null ? 'no dates known' : `no date for item ${da === null ? a : b}` };
  const days = Math.round(Math.abs(Date.parse(da.date) - Date.parse(dbb.date)) / 86_400_000);
  return { pass: days >= MIN_DAYS, reason: `${days} day${days === 1 ? '' : 's'} apart` };
}

function placesVerdict(db: Db, places: EmbeddingSet, a: number, b: number): ConstraintVerdict {
  const vectors = readVectors(db, places, [a, b]);
  const [va, vb] = [unit(vectors.get(a)), unit(vectors.get(b))];
  if (va === undefined || vb === undefined) return { pass: null, reason: `no Places365 embedding for item ${va === undefined ? a : b}` };
  const s = dot(va, vb);
  return { pass: s < PLACES_LIMIT, reason: `Places365 similarity ${s.toFixed(2)}` };
}

/** Each ranked image with its caption, CTI_f and constraints. */
function describe(
  db: Db,
  q: { captionVector: Float32Array | undefined; clipImage: EmbeddingSet | null; ranked: Neighbour[]; constraints: (imageId: number, other: CaptionEntities) => Record<string, ConstraintVerdict> },
): Candidate[] {
  const images = q.captionVector !== undefined && q.clipImage !== null ? readVectors(db, q.clipImage, q.ranked.map((r) => r.itemId)) : new Map<number, Float32Array>();
  return q.ranked.map(({ itemId, score }) => {
    const other = getItem(db, itemId);
    const v = unit(images.get(itemId));
    return {
      imageId: itemId,
      score,
      ctiF: v === undefined || q.captionVector === undefined ? null : dot(q.captionVector, v),
      constraints: q.constraints(itemId, itemEntities(db, itemId, other?.caption ?? '')),
      picked: false,
      caption: other?.caption ?? null,
      source: other?.source ?? null,
    };
  });
}

/**
 * Algorithm 1's adversarial pick, marked on the list: the best-ranked candidate that no
 * constraint fails (an unknown verdict does not block it) with CTI_f ≥ CTI_p, else the
 * best-ranked one below. Needs CTI_p and CTI_f.
 */
export function pickAdversarial(candidates: Candidate[], ctiP: number | null): CandidateList['pick'] {
  if (ctiP === null) return null;
  const eligible = candidates.filter((c) => c.ctiF !== null && Object.values(c.constraints).every((v) => v.pass !== false));
  const above = eligible.find((c) => c.ctiF! >= ctiP);
  const chosen = above ?? eligible[0];
  if (chosen === undefined) return null;
  chosen.picked = true;
  return above === undefined ? 'below' : 'at-or-above';
}
