import type { HashSearch, NearDuplicate } from '../../common/vetting.ts';
import { resolveInRoot } from '../dataset-paths.ts';
import { itemDate } from '../item-dates.ts';
import type { Db } from '../store/db.ts';
import { allHashes, hashCounts, hashesVersion, type HashCounts } from '../store/image-hashes.ts';
import { getItem } from '../store/items.ts';
import { pairsUsingItem } from '../store/pairs.ts';
import { getRoots } from '../store/roots.ts';
import { HashIndex } from './hash-index.ts';
import { corpusWindow, greyImage, isPlain, matchSimilarity, queryHashes } from './phash.ts';

/** Hash distance searched (bits of 63): every tested transformation of a copy lands within it. */
export const DEFAULT_MAX_DISTANCE = 10;
/**
 * The least pixel correlation between the new image and a candidate's corpus window (lined up:
 * phash.ts matchSimilarity) for the candidate to count as the same photo. On generated photos,
 * copies measured 0.93–1.0 and photos that merely share a hash at most 0.83
 * (`npm run bench -- vetting`).
 */
export const MIN_SIMILARITY = 0.88;
/** Candidates confirmed at most; the nearest by hash first. */
const MAX_CANDIDATES = 200;

interface CorpusHashes {
  index: HashIndex;
  /** How much of the corpus the index covers. */
  counts: HashCounts;
}

const indexes = new WeakMap<Db, { version: string; hashes: CorpusHashes }>();

/** The corpus's hashes as a search index with its coverage, built once and again when hashes or items changed. */
export function corpusHashIndex(db: Db): CorpusHashes {
  const version = hashesVersion(db);
  const cached = indexes.get(db);
  if (cached?.version === version) return cached.hashes;
  const { ids, even, odd } = allHashes(db);
  const hashes = { index: new HashIndex(ids, even, odd), counts: hashCounts(db) };
  indexes.set(db, { version, hashes });
  return hashes;
}

/**
 * Earlier appearances of an image in the corpus: the indexed images whose hash lies within
 * `maxDistance` bits of the new image's (however it was re-encoded, resized, turned grey,
 * mirrored or cropped by up to 10%), each confirmed by comparing pixels with the corpus image
 * itself, with its caption, source, topic, and every pair that uses it as the pristine or the
 * swapped-in image. Candidates whose corpus image cannot be read any more are kept, unconfirmed.
 * A nearly single-coloured image is not searched: it would "match" every other plain image.
 */
export async function findEarlierAppearances(db: Db, grey: Float32Array, maxDistance = DEFAULT_MAX_DISTANCE): Promise<{ nearDuplicates: NearDuplicate[]; hashSearch: HashSearch }> {
  const started = performance.now();
  const { index, counts } = corpusHashIndex(db);
  const plain = isPlain(grey);
  const candidates = plain ? [] : index.search(queryHashes(grey), maxDistance).slice(0, MAX_CANDIDATES);
  const searchMs = performance.now() - started;
  const root = getRoots(db).visualnews;
  const found: NearDuplicate[] = [];
  let rejected = 0;
  for (const c of candidates) {
    const item = getItem(db, c.id);
    if (item === undefined) continue;
    let pixels: number | null = null;
    let note: string | null = null;
    try {
      if (item.image_path === null || root === undefined) throw new Error('the item has no image path');
      const corpus = await greyImage(resolveInRoot(root, item.image_path));
      pixels = matchSimilarity(grey, c.query, c.mirrored, corpusWindow(corpus));
    } catch (err) {
      note = `not confirmed: the corpus image could not be read (${err instanceof Error ? err.message : String(err)})`;
    }
    if (pixels !== null && pixels < MIN_SIMILARITY) {
      rejected++;
      continue;
    }
    const uses = pairsUsingItem(db, c.id).filter((u) => u.role !== 'caption');
    found.push({
      itemId: c.id,
      distance: c.distance,
      similarity: pixels,
      mirrored: c.mirrored,
      note,
      caption: item.caption,
      source: item.source,
      topic: item.topic,
      published: itemDate(db, c.id),
      imagePath: item.image_path,
      pairs: uses.map(({ role, pair }) => ({ pairId: pair.pairId, split: pair.split, subset: pair.subset, role: role === 'pristine image' ? 'pristine' : 'swapped in', caption: pair.caption, captionId: pair.captionId })),
    });
  }
  return {
    nearDuplicates: found,
    hashSearch: {
      plain,
      candidates: candidates.length,
      rejected,
      maxDistance,
      minSimilarity: MIN_SIMILARITY,
      corpus: { items: counts.items, hashed: counts.hashed, failed: counts.failed },
      searchMs,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
