/**
 * A split file's rows by (caption id, image id): an open-addressing hash table over typed arrays,
 * so a 900 k-row file is looked up without a million boxed keys for the garbage collector (a Map
 * keyed by caption × 2^26 + image spent more time collecting than matching). Each row holds a
 * value, e.g. its truth or the index of its pair.
 */
export class RowTable {
  private readonly captions: Int32Array;
  private readonly images: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  size = 0;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.captions = new Int32Array(capacity).fill(-1);
    this.images = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  private slot(caption: number, image: number): number {
    let h = (Math.imul(caption, 0x9e3779b1) ^ Math.imul(image, 0x85ebca6b)) >>> 0;
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** Sets a row's value (ids are non-negative 31-bit integers); a row set twice keeps the first value. */
  set(caption: number, image: number, value: number): void {
    if (this.size * 2 >= this.captions.length) throw new RangeError('RowTable is full');
    for (let i = this.slot(caption, image); ; i = (i + 1) & this.mask) {
      if (this.captions[i] === -1) {
        this.captions[i] = caption;
        this.images[i] = image;
        this.values[i] = value;
        this.size++;
        return;
      }
      if (this.captions[i] === caption && this.images[i] === image) return;
    }
  }

  /** The row's value, or -1 when the file has no such row. */
  get(caption: number, image: number): number {
    if (caption < 0 || image < 0 || caption > 0x7fffffff || image > 0x7fffffff) return -1;
    for (let i = this.slot(caption, image); ; i = (i + 1) & this.mask) {
      const c = this.captions[i]!;
      if (c === -1) return -1;
      if (c === caption && this.images[i] === image) return this.values[i]!;
    }
  }
}
