import sharp from 'sharp';

/**
 * A perceptual hash for finding earlier appearances of a photo: the signs of the 63 lowest
 * non-constant 2-D DCT coefficients of the grey image's central window, resampled to 32 × 32.
 *
 * - Re-encoding, resizing and greyscale barely move low frequencies, so they flip few bits.
 * - Mirroring left–right negates exactly the coefficients of odd horizontal frequency, so a
 *   mirrored copy's hash is the original's with those bits flipped: `distance` takes the smaller
 *   of the two readings, and no second hash is stored.
 * - Cropping: the corpus hash leaves out MAX_CROP at each end of both dimensions. A copy that
 *   lost up to MAX_CROP of a dimension still shows that window, somewhere and a little larger:
 *   `queryHashes` hashes the window where each way of cropping would have put it.
 *
 * Hashes are 63 bits as two unsigned 32-bit words (see Hash), so they stay plain numbers in
 * JavaScript and SQLite.
 */

/** Side of the grey image every hash is computed from. */
const GREY = 128;
/** Side of the resampled window the DCT runs on. */
const SIDE = 32;
/** Frequencies kept per axis. */
const FREQS = 8;
/** The largest share of a dimension a cropped copy may have lost (from one side or both) and still be found. */
export const MAX_CROP = 0.1;
/** The corpus hash covers each dimension but MAX_CROP at either end: what every such copy still shows. */
const MARGIN = MAX_CROP;

/**
 * The coefficients of even horizontal frequency (31 bits: (0, 0) is left out) and of odd
 * horizontal frequency (32 bits), each a bit set when the coefficient is positive.
 */
export interface Hash {
  even: number;
  odd: number;
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Bits that differ between two hashes, reading the second as it is or mirrored (its odd bits
 * flipped), whichever is closer.
 */
export function distance(a: Hash, b: Hash): number {
  const odd = popcount(a.odd ^ b.odd);
  return popcount(a.even ^ b.even) + Math.min(odd, 32 - odd);
}

/** The hash of the image mirrored left–right. */
export const mirrored = (h: Hash): Hash => ({ even: h.even, odd: ~h.odd >>> 0 });

/** The grey image, GREY × GREY, whatever its aspect: oriented, first frame, flattened on white. */
export async function greyImage(input: string | Buffer): Promise<Float32Array> {
  const data = await sharp(input, { animated: false, failOn: 'truncated' })
    .rotate()
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(GREY, GREY, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  if (data.length !== GREY * GREY) throw new Error(`the grey image has ${data.length} bytes, expected ${GREY * GREY}`);
  return Float32Array.from(data);
}

/** For each of SIDE cells, the GREY samples it averages over [start, end) (fractions of the side) and their weights. */
interface AreaWeights {
  first: Int32Array;
  weights: Float32Array[];
}

function areaWeights(start: number, end: number): AreaWeights {
  const step = ((end - start) * GREY) / SIDE;
  const first = new Int32Array(SIDE);
  const weights: Float32Array[] = [];
  for (let i = 0; i < SIDE; i++) {
    const a = start * GREY + i * step;
    const b = a + step;
    const [lo, hi] = [Math.max(0, Math.floor(a)), Math.min(GREY, Math.ceil(b))];
    const w = new Float32Array(Math.max(0, hi - lo));
    for (let x = lo; x < hi; x++) w[x - lo] = (Math.min(b, x + 1) - Math.max(a, x)) / step;
    first[i] = lo;
    weights.push(w);
  }
  return { first, weights };
}

const COS = (() => {
  const c = new Float32Array(FREQS * SIDE);
  for (let u = 0; u < FREQS; u++) for (let x = 0; x < SIDE; x++) c[u * SIDE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIDE));
  return c;
})();

/**
 * A window of the grey image, columns [x0, x1) and rows [y0, y1) as fractions of its sides,
 * averaged into SIDE × SIDE cells (mirrored left–right when asked).
 */
function windowPixels(grey: Float32Array, x0: number, x1: number, y0: number, y1: number, mirror = false): Float32Array {
  const wx = areaWeights(x0, x1);
  const wy = areaWeights(y0, y1);
  // rows[y][i] = Σx wx[i][x] grey[y][x]; out[j][i] = Σy wy[j][y] rows[y][i].
  const rows = new Float32Array(GREY * SIDE);
  for (let y = 0; y < GREY; y++)
    for (let i = 0; i < SIDE; i++) {
      const [first, w] = [wx.first[i]! + y * GREY, wx.weights[i]!];
      let s = 0;
      for (let k = 0; k < w.length; k++) s += w[k]! * grey[first + k]!;
      rows[y * SIDE + (mirror ? SIDE - 1 - i : i)] = s;
    }
  const out = new Float32Array(SIDE * SIDE);
  for (let j = 0; j < SIDE; j++) {
    const [first, w] = [wy.first[j]!, wy.weights[j]!];
    for (let i = 0; i < SIDE; i++) {
      let s = 0;
      for (let k = 0; k < w.length; k++) s += w[k]! * rows[(first + k) * SIDE + i]!;
      out[j * SIDE + i] = s;
    }
  }
  return out;
}

/** The signs of the low DCT frequencies of SIDE × SIDE pixels (see Hash). */
function hashOf(pixels: Float32Array): Hash {
  // t[u][y] = Σx cos[u][x] p[y][x]; c[v][u] = Σy cos[v][y] t[u][y].
  const t = new Float32Array(FREQS * SIDE);
  for (let u = 0; u < FREQS; u++)
    for (let y = 0; y < SIDE; y++) {
      let s = 0;
      for (let x = 0; x < SIDE; x++) s += COS[u * SIDE + x]! * pixels[y * SIDE + x]!;
      t[u * SIDE + y] = s;
    }
  let [even, odd] = [0, 0];
  for (let v = 0; v < FREQS; v++)
    for (let u = 0; u < FREQS; u++) {
      if (u + v === 0) continue;
      let s = 0;
      for (let y = 0; y < SIDE; y++) s += COS[v * SIDE + y]! * t[u * SIDE + y]!;
      if (s <= 0) continue;
      // Bit (v, u >> 1) of its word; the even word starts at (0, 2), its (0, 0) being the mean.
      const bit = v * (FREQS / 2) + (u >> 1);
      if (u % 2 === 1) odd |= 1 << bit;
      else even |= 1 << (bit - 1);
    }
  return { even: even >>> 0, odd: odd >>> 0 };
}

/**
 * How alike two windows look: the correlation of their pixels (−1 to 1), which a copy keeps
 * near 1 and two photos that merely share a hash do not; 0 when either is a single colour.
 */
function similarity(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  let [ma, mb] = [0, 0];
  for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i]!, mb + b[i]!];
  [ma, mb] = [ma / n, mb / n];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [x, y] = [a[i]! - ma, b[i]! - mb];
    [ab, aa, bb] = [ab + x * y, aa + x * x, bb + y * y];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** Grey levels of spread (standard deviation) below which an image is too plain to tell its copies from other plain images. */
const PLAIN = 2;

/** Whether an image is nearly one colour: its hash is noise, and no pixel check can confirm a copy. */
export function isPlain(grey: Float32Array): boolean {
  const w = corpusWindow(grey);
  let [sum, squares] = [0, 0];
  for (const v of w) [sum, squares] = [sum + v, squares + v * v];
  const mean = sum / w.length;
  return squares / w.length - mean * mean < PLAIN * PLAIN;
}

/** The hash the corpus stores: the central window. */
export function corpusHash(grey: Float32Array): Hash {
  return hashOf(corpusWindow(grey));
}

/** The pixels the corpus hash is made from. */
export const corpusWindow = (grey: Float32Array): Float32Array => windowPixels(grey, MARGIN, 1 - MARGIN, MARGIN, 1 - MARGIN);

/**
 * Where the corpus window lies, along one axis, in a copy that lost `before` of that dimension at
 * its start and `after` at its end: [(MARGIN − before), (1 − MARGIN − before)] / (1 − before −
 * after). Guessed uncropped, cropped by MAX_CROP or half of it from either side, and cropped
 * evenly: within about 2.5% of the side of where any cropping up to MAX_CROP puts it.
 */
const CROP_GUESSES = (
  [
    [0, 0],
    [MAX_CROP / 2, 0],
    [0, MAX_CROP / 2],
    [MAX_CROP, 0],
    [0, MAX_CROP],
    [MAX_CROP / 2, MAX_CROP / 2],
  ] as const
).map(([before, after]) => [(MARGIN - before) / (1 - before - after), (1 - MARGIN - before) / (1 - before - after)] as const);

/** Each guess of where the corpus window lies in a new image: columns × rows. */
const GUESSES = CROP_GUESSES.flatMap(([x0, x1]) => CROP_GUESSES.map(([y0, y1]) => [x0, x1, y0, y1] as const));

/** The hashes to look a new image up with: the corpus window under each guess of how it was cropped. */
export function queryHashes(grey: Float32Array): Hash[] {
  return GUESSES.map(([x0, x1, y0, y1]) => hashOf(windowPixels(grey, x0, x1, y0, y1)));
}

/** How far (a fraction of the side) `matchSimilarity` moves each edge of a guessed window to line it up. */
const NUDGE = 0.0125;

/**
 * How alike a new image and a corpus image look where a hash match says they overlap: the best
 * pixel correlation of the corpus window with the new image's window under the matching guess,
 * each edge of it nudged by up to NUDGE (a guess can be off by about twice that; see CROP_GUESSES).
 */
export function matchSimilarity(grey: Float32Array, guess: number, mirror: boolean, corpus: Float32Array): number {
  const [x0, x1, y0, y1] = GUESSES[guess]!;
  // Mirrored, the new image's columns run the other way: its window's left edge is the corpus window's right.
  let best = -1;
  for (const dx0 of [-NUDGE, 0, NUDGE])
    for (const dx1 of [-NUDGE, 0, NUDGE])
      for (const dy0 of [-NUDGE, 0, NUDGE])
        for (const dy1 of [-NUDGE, 0, NUDGE]) best = Math.max(best, similarity(windowPixels(grey, x0 + dx0, x1 + dx1, y0 + dy0, y1 + dy1, mirror), corpus));
  return best;
}
