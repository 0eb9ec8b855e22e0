import { mirrored, popcount, type Hash } from './phash.ts';

/**
 * Finds the stored hashes within a distance of any of a few query hashes, without comparing
 * against all of them: multi-index hashing (Norouzi, Punjani and Fleet 2012). Each 63-bit hash is
 * cut into four chunks of 15–16 bits, and each chunk has a table from its value to the hashes
 * holding it. Two hashes within `r` bits agree to within ⌊r/4⌋ bits on at least one chunk, so
 * looking up every value that close to the query's chunks (137 values for ⌊r/4⌋ = 2) finds
 * them all; each one found is then measured whole. A mirrored copy is found through the
 * mirrored query. Up to MAX_DISTANCE bits the search is exact, not approximate.
 */

/** The farthest a search reaches (⌊11/4⌋ = 2 bits per chunk). */
export const MAX_DISTANCE = 11;

const CHUNKS = 4;
const KEYS = 1 << 16;

/** Chunk `c` of a hash: the low and high halves of its even word, then of its odd word. */
function chunk(even: number, odd: number, c: number): number {
  return c === 0 ? even & 0xffff : c === 1 ? even >>> 16 : c === 2 ? odd & 0xffff : odd >>> 16;
}

/** Every 16-bit value within `radius` (≤ 2) bits of `key`. */
function around(key: number, radius: number, visit: (key: number) => void): void {
  visit(key);
  if (radius < 1) return;
  for (let i = 0; i < 16; i++) {
    const one = key ^ (1 << i);
    visit(one);
    if (radius < 2) continue;
    for (let j = i + 1; j < 16; j++) visit(one ^ (1 << j));
  }
}

export interface Match {
  /** The stored id. */
  id: number;
  distance: number;
  /** Which query hash came closest. */
  query: number;
  /** Whether that closest reading was the mirror image. */
  mirrored: boolean;
}

export class HashIndex {
  readonly size: number;
  private readonly ids: Int32Array;
  /**
   * Per chunk: where each key's members start (counting sort), the members, and their hashes in
   * the same order, so that a bucket is read front to back rather than gathered from all over.
   */
  private readonly starts: Uint32Array[] = [];
  private readonly members: Uint32Array[] = [];
  private readonly memberEven: Uint32Array[] = [];
  private readonly memberOdd: Uint32Array[] = [];

  constructor(ids: Int32Array, even: Uint32Array, odd: Uint32Array) {
    this.size = ids.length;
    this.ids = ids;
    for (let c = 0; c < CHUNKS; c++) {
      const starts = new Uint32Array(KEYS + 1);
      const keys = new Uint16Array(this.size);
      for (let i = 0; i < this.size; i++) {
        const key = chunk(even[i]!, odd[i]!, c);
        keys[i] = key;
        starts[key + 1]!++;
      }
      for (let k = 0; k < KEYS; k++) starts[k + 1]! += starts[k]!;
      const fill = starts.slice(0, KEYS);
      const members = new Uint32Array(this.size);
      for (let i = 0; i < this.size; i++) members[fill[keys[i]!]!++] = i;
      this.starts.push(starts);
      this.members.push(members);
      const [memberEven, memberOdd] = [new Uint32Array(this.size), new Uint32Array(this.size)];
      for (let m = 0; m < this.size; m++) {
        const i = members[m]!;
        memberEven[m] = even[i]!;
        memberOdd[m] = odd[i]!;
      }
      this.memberEven.push(memberEven);
      this.memberOdd.push(memberOdd);
    }
  }

  /**
   * The stored hashes within `maxDistance` bits of any query hash (read as is or mirrored), each
   * once with its smallest distance, nearest first (ties by id).
   */
  search(queries: readonly Hash[], maxDistance: number): Match[] {
    if (!(maxDistance >= 0 && maxDistance <= MAX_DISTANCE)) throw new RangeError(`the distance must be between 0 and ${MAX_DISTANCE}, got ${maxDistance}`);
    const radius = Math.floor(maxDistance / CHUNKS);
    const best = new Map<number, Match>();
    const ids = this.ids;
    queries.forEach((query, q) => {
      for (const flipped of [false, true]) {
        const probe = flipped ? mirrored(query) : query;
        const [pe, po] = [probe.even, probe.odd];
        // Mirroring leaves the even chunks as they are: the flipped probe would find nothing new there.
        for (let c = flipped ? 2 : 0; c < CHUNKS; c++) {
          const [starts, members, even, odd] = [this.starts[c]!, this.members[c]!, this.memberEven[c]!, this.memberOdd[c]!];
          around(chunk(pe, po, c), radius, (key) => {
            const end = starts[key + 1]!;
            for (let m = starts[key]!; m < end; m++) {
              const oddBits = popcount(po ^ odd[m]!);
              const d = popcount(pe ^ even[m]!) + (oddBits < 16 ? oddBits : 32 - oddBits);
              if (d > maxDistance) continue;
              const i = members[m]!;
              const seen = best.get(i);
              if (seen !== undefined && seen.distance <= d) continue;
              // The closer reading is the flipped one when most odd bits differ; the mirrored probe flips it back.
              best.set(i, { id: ids[i]!, distance: d, query: q, mirrored: oddBits > 16 !== flipped });
            }
          });
        }
      }
    });
    return [...best.values()].sort((a, b) => a.distance - b.distance || a.id - b.id);
  }
}
