import type { CaptionEntities, CustomSplit, GenerateProgress, GenerateSummary, Strategy } from '../../common/candidates.ts';
import { OocError } from '../../common/errors.ts';
import type { Neighbour, NeighbourSearch } from '../inference/neighbours.ts';
import { mulberry32 } from '../random.ts';
import { captionedItemIds, customSplitPairs, readPicks, savePicks, startGeneration, writeCustomSplit, type AcceptedPair, type GeneratedPick } from '../store/custom-splits.ts';
import type { Db } from '../store/db.ts';
import { getItem } from '../store/items.ts';
import { candidatePairs } from '../store/selection.ts';
import { getSet, type EmbeddingSet, type Matrix } from '../store/vectors.ts';
import { candidateInputs, constraintsOf, MISSING, personCandidates } from './candidates.ts';
import { itemEntities } from './entities.ts';

/**
 * Algorithm 1 over many captions: each caption's candidates retrieved by a strategy (the CLIP and
 * Scene strategies as batched matrix products with top-k, a block of captions at a time), the
 * best-ranked candidate passing the constraints with CTI_f ≥ CTI_p picked, else the best below;
 * then, over the split, the samples with the largest CTI_p − CTI_f dropped from the larger case
 * until half come from each, so CLIP picks the pristine image half the time. Picks are
 * checkpointed per block (an interrupted run continues) and the split is written at the end as
 * a custom split.
 */

export interface GenerateRequest {
  name: string;
  strategy: Strategy;
  /** The CLIP embeddings (CTI, and the CLIP strategies); NewsCLIPpings' own or the first model's by default. */
  model?: string;
  /** The captions: a split file's ("<split>/<subset>"), a collection's, or (neither) every item with a caption and an image. */
  from?: string;
  collection?: string;
  /** The custom split's subset: the source file's by default, else test. */
  subset?: string;
  /** Candidates considered per caption (default 100). */
  k?: number;
  /** Filter to 50/50 (default true). */
  balance?: boolean;
  /** Orders samples whose gaps tie when the larger case is cut. */
  seed?: number;
  /** Captions per batched search and checkpoint (default 256). */
  blockSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: GenerateProgress) => void;
}

const BLOCK = 256;

/** Looks up an item's row of a loaded matrix. */
function rowsOf(matrix: Matrix, dim: number): (id: number) => Float32Array | undefined {
  const at = new Map<number, number>();
  matrix.ids.forEach((id, row) => at.set(id, row));
  const perBlock = matrix.blocks[0] === undefined ? 1 : matrix.blocks[0].length / dim;
  return (id) => {
    const row = at.get(id);
    if (row === undefined) return undefined;
    const block = matrix.blocks[Math.floor(row / perBlock)]!;
    const offset = (row % perBlock) * dim;
    return block.subarray(offset, offset + dim);
  };
}

const dot = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** The captions a request names, in their file's order (or id order), each once. */
function captionsOf(db: Db, request: GenerateRequest): { ids: number[]; subset: string } {
  if (request.from !== undefined && request.collection !== undefined) throw new OocError('BAD_ARGUMENT', 'take the captions from a split file or a collection, not both');
  if (request.collection !== undefined) return { ids: [...new Set(candidatePairs(db, { collection: request.collection }).map((p) => p.captionId))], subset: request.subset ?? 'test' };
  if (request.from !== undefined) {
    const [split, subset, ...rest] = request.from.split('/');
    if (split === undefined || subset === undefined || rest.length > 0 || split === '' || subset === '') throw new OocError('BAD_ARGUMENT', `--from is <split>/<subset>, e.g. merged_balanced/test; got ${JSON.stringify(request.from)}`);
    return { ids: [...new Set(candidatePairs(db, { query: { split, subset } }).map((p) => p.captionId))], subset: request.subset ?? subset };
  }
  return { ids: captionedItemIds(db), subset: request.subset ?? 'test' };
}

/**
 * Algorithm 1's pick among ranked candidates, checking constraints only where they could decide
 * it (entities are the costly part): the first candidate at or above CTI_p that passes, else the
 * first below that passes.
 */
function pick(ranked: Neighbour[], ctiP: number, ctiOf: (id: number) => number | null, passes: (id: number) => boolean): { neighbour: Neighbour; ctiF: number; outcome: 'at-or-above' | 'below' } | null {
  const scored = ranked.flatMap((n) => {
    const ctiF = ctiOf(n.itemId);
    return ctiF === null ? [] : [{ neighbour: n, ctiF }];
  });
  const above = scored.find((c) => c.ctiF >= ctiP && passes(c.neighbour.itemId));
  if (above) return { ...above, outcome: 'at-or-above' };
  const below = scored.find((c) => c.ctiF < ctiP && passes(c.neighbour.itemId));
  return below ? { ...below, outcome: 'below' } : null;
}

/**
 * The 50/50 filtering: from the larger of the two cases, the samples with the largest
 * CTI_p − CTI_f are dropped until both are the same size (ties in an order the seed fixes).
 */
export function balance(picks: readonly GeneratedPick[], seed: number): { kept: GeneratedPick[]; dropped: number } {
  const above = picks.filter((p) => p.outcome === 'at-or-above');
  const below = picks.filter((p) => p.outcome === 'below');
  const [larger, smaller] = above.length > below.length ? [above, below] : [below, above];
  const random = mulberry32(seed);
  const tie = new Map(larger.map((p) => [p.captionId, random()]));
  const gap = (p: GeneratedPick): number => p.ctiP! - p.ctiF!;
  const drop = new Set(
    [...larger]
      .sort((a, b) => gap(b) - gap(a) || tie.get(a.captionId)! - tie.get(b.captionId)!)
      .slice(0, larger.length - smaller.length)
      .map((p) => p.captionId),
  );
  return { kept: picks.filter((p) => (p.outcome === 'at-or-above' || p.outcome === 'below') && !drop.has(p.captionId)), dropped: drop.size };
}

export async function generateSplit(db: Db, search: NeighbourSearch, request: GenerateRequest): Promise<GenerateSummary> {
  const started = performance.now();
  const { name, strategy } = request;
  const k = Math.max(1, Math.min(1000, request.k ?? 100));
  const seed = request.seed ?? 0;
  const progress = (phase: GenerateProgress['phase'], done: number, total: number) => request.onProgress?.({ phase, done, total });
  const inputs = candidateInputs(db, request.model);
  if (inputs.clip === null) throw new OocError('NOT_FOUND', `${MISSING.clip} (CLIP scores every pick)`);
  const need = (set: EmbeddingSet | null, missing: string): EmbeddingSet => {
    if (set === null) throw new OocError('NOT_FOUND', missing);
    return set;
  };
  const clipText = need(getSet(db, inputs.clip, 'text') ?? null, MISSING.clip);
  const clipImage = need(getSet(db, inputs.clip, 'image') ?? null, MISSING.clip);
  const sbert = strategy === 'person_sbert' ? need(inputs.sbert, MISSING.sbert) : null;
  // Scene ranks by Places365; Person checks with it where it is there.
  const places = strategy === 'scene_resnet' ? need(inputs.places, MISSING.places) : strategy === 'person_sbert' ? inputs.places : null;
  const { ids, subset } = captionsOf(db, request);
  if (ids.length === 0) throw new OocError('BAD_ARGUMENT', 'no captions to pick images for');
  const params = { strategy, clip: inputs.clip, sbert: sbert?.name ?? null, places: places?.name ?? null, from: request.from ?? null, collection: request.collection ?? null, subset, k, balance: request.balance !== false, seed, captions: ids.length };
  const done = startGeneration(db, name, params);

  progress('loading', 0, ids.length);
  const textOf = rowsOf(await search.matrix(clipText), clipText.dim);
  const imageOf = rowsOf(await search.matrix(clipImage), clipImage.dim);
  const placesOf = strategy === 'scene_resnet' ? rowsOf(await search.matrix(places!, true), places!.dim) : null;
  const entities = new Map<number, CaptionEntities>();
  const entitiesOf = (id: number): CaptionEntities => {
    let e = entities.get(id);
    if (e === undefined) {
      e = itemEntities(db, id, getItem(db, id)?.caption ?? '');
      if (entities.size > 100_000) entities.clear();
      entities.set(id, e);
    }
    return e;
  };

  const todo = ids.map((id, position) => ({ id, position })).filter((c) => !done.has(c.id));
  const blockSize = Math.max(1, request.blockSize ?? BLOCK);
  let ranked = 0;
  for (let start = 0; start < todo.length; start += blockSize) {
    request.signal?.throwIfAborted();
    const block = todo.slice(start, start + blockSize);
    const picks: GeneratedPick[] = [];
    const none = (c: { id: number; position: number }, outcome: string, ctiP: number | null = null): GeneratedPick => ({ captionId: c.id, position: c.position, outcome, imageId: null, score: null, ctiP, ctiF: null });
    // Each caption's query (and CTI_p), or why it has none.
    const ready: { c: { id: number; position: number }; text: Float32Array; ctiP: number; query: Float32Array | null }[] = [];
    for (const c of block) {
      const text = textOf(c.id);
      const own = imageOf(c.id);
      if (text === undefined) picks.push(none(c, 'no_caption_vector'));
      else if (own === undefined) picks.push(none(c, 'no_image_vector'));
      else if (strategy === 'scene_resnet' && entitiesOf(c.id).entities.some((e) => e.kind === 'PERSON')) picks.push(none(c, 'names_a_person', dot(text, own)));
      else if (strategy === 'person_sbert' && !entitiesOf(c.id).entities.some((e) => e.kind === 'PERSON')) picks.push(none(c, 'names_no_person', dot(text, own)));
      else {
        const query = strategy === 'scene_resnet' ? (placesOf!(c.id) ?? null) : strategy === 'person_sbert' ? null : text;
        if (strategy === 'scene_resnet' && query === null) picks.push(none(c, 'no_places_vector', dot(text, own)));
        else ready.push({ c, text, ctiP: dot(text, own), query });
      }
    }
    // Candidates: one batched search for the block (CLIP, Scene), or each caption's (Person).
    let lists: Neighbour[][];
    if (strategy === 'person_sbert') lists = ready.map((r) => personCandidates(db, sbert!, r.c.id, entitiesOf(r.c.id), k) ?? []);
    else {
      const target = strategy === 'clip_text_image' ? clipImage : strategy === 'clip_text_text' ? clipText : places!;
      const found = ready.length === 0 ? [] : await search.searchBatch(target, ready.map((r) => r.query!), k + 1, undefined, strategy === 'scene_resnet');
      lists = found.map((list, i) => list.filter((n) => n.itemId !== ready[i]!.c.id && (strategy !== 'clip_text_text' || imageOf(n.itemId) !== undefined)).slice(0, k));
    }
    ready.forEach((r, i) => {
      const check = constraintsOf(db, strategy, r.c.id, entitiesOf(r.c.id), places);
      const chosen = pick(
        lists[i]!,
        r.ctiP,
        (id) => {
          const v = imageOf(id);
          return v === undefined ? null : dot(r.text, v);
        },
        (id) => Object.values(check(id, entitiesOf(id))).every((v) => v.pass !== false),
      );
      picks.push(chosen === null ? none(r.c, lists[i]!.length === 0 ? 'no_candidate' : 'no_candidate_passes', r.ctiP) : { captionId: r.c.id, position: r.c.position, outcome: chosen.outcome, imageId: chosen.neighbour.itemId, score: chosen.neighbour.score, ctiP: r.ctiP, ctiF: chosen.ctiF });
    });
    savePicks(db, name, picks);
    ranked += block.length;
    progress('ranking', done.size + ranked, ids.length);
  }

  progress('writing', ids.length, ids.length);
  const all = readPicks(db, name);
  const picked = all.filter((p) => p.outcome === 'at-or-above' || p.outcome === 'below');
  const { kept, dropped } = request.balance === false ? { kept: picked, dropped: 0 } : balance(all, seed);
  if (kept.length === 0) {
    const counts = Object.entries(countBy(all)).map(([o, n]) => `${n} ${o.replace(/_/g, ' ')}`).join(', ');
    throw new OocError('BAD_ARGUMENT', picked.length > 0 ? `the 50/50 filtering keeps no pair: every pick is in one case (${counts}); generate without it (--no-balance) to keep them all. Nothing was written` : `no caption got a pick (${counts}); nothing was written`);
  }
  const split = writeCustomSplit(db, name, subset, kept.map((p) => ({ captionId: p.captionId, imageId: p.imageId!, strategy, score: p.score!, ctiP: p.ctiP })));
  const counts = countBy(all);
  const seconds = (performance.now() - started) / 1000;
  return {
    split,
    subset,
    strategy,
    clip: inputs.clip,
    captions: ids.length,
    picked: { atOrAbove: counts['at-or-above'] ?? 0, below: counts.below ?? 0 },
    unpicked: Object.fromEntries(Object.entries(counts).filter(([o]) => o !== 'at-or-above' && o !== 'below')),
    kept: kept.length,
    dropped,
    ranked,
    seconds,
    captionsPerSecond: ranked / seconds,
  };
}

function countBy(picks: readonly GeneratedPick[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of picks) counts[p.outcome] = (counts[p.outcome] ?? 0) + 1;
  return counts;
}

/**
 * Merges custom splits as Merged / Balanced was made: equal parts of each, captions and images
 * disjoint across them. Each source's pairs are shuffled by the seed; a pair is taken from each
 * source in turn while its caption and both images are unused, until a source has none left.
 */
export function mergeSplits(db: Db, name: string, sources: readonly string[], subset: string, seed = 0): { split: CustomSplit; perSource: number; skipped: number } {
  if (sources.length < 2) throw new OocError('BAD_ARGUMENT', 'merge two or more custom splits');
  const random = mulberry32(seed);
  const queues = sources.map((source) => {
    const pairs = customSplitPairs(db, source, subset);
    if (pairs.length === 0) throw new OocError('BAD_ARGUMENT', `custom split ${source} has no ${subset} pairs`);
    for (let i = pairs.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
    }
    return pairs;
  });
  const used = { captions: new Set<number>(), images: new Set<number>() };
  const taken: AcceptedPair[][] = sources.map(() => []);
  let skipped = 0;
  const next = (queue: AcceptedPair[]): AcceptedPair | null => {
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
      if (!used.captions.has(p.captionId) && !used.images.has(p.captionId) && !used.images.has(p.imageId)) return p;
      skipped++;
    }
    return null;
  };
  // A round takes one pair from each source, or none: the parts stay equal.
  rounds: for (;;) {
    const round: AcceptedPair[] = [];
    for (const queue of queues) {
      const p = next(queue);
      if (p === null) break rounds;
      round.push(p);
      used.captions.add(p.captionId);
      used.images.add(p.captionId).add(p.imageId);
    }
    round.forEach((p, i) => taken[i]!.push(p));
  }
  const perSource = taken[0]!.length;
  if (perSource === 0) throw new OocError('BAD_ARGUMENT', 'the splits share so many captions and images that no disjoint pairs are left');
  return { split: writeCustomSplit(db, name, subset, taken.flat()), perSource, skipped };
}
