// The chunk arena: every byte of file data, in fixed CHUNK_BYTES chunks
// inside the state buffer, and the bitmap saying which chunks are in use.
// Data is written and read in place (a write copies from the caller's data
// area straight into a chunk, a read copies out), never through the JS heap,
// so it outlives the Worker the moment it is copied.
//
// What must stay true:
//   - bit c of the bitmap is set iff chunk c belongs to some file's chunk
//     map; recovery re-establishes this with rebuild(), because a Worker can
//     die between allocating a chunk and committing the write that uses it
//     (the chunk is then an orphan) or between freeing one and committing
//     the truncate (then it is still referenced);
//   - a newly allocated chunk reads as zeros wherever its writer does not
//     fill it (alloc() callers zero the rest: chunks are reused unwiped).

import { CHUNK_BYTES } from "./params.ts";

/** The data chunks and their allocation bitmap. */
export class Arena {
  readonly data: Uint8Array;
  readonly #bits: Int32Array;
  readonly chunks: number;
  #free: number;
  #cursor = 0;

  constructor(
    sab: SharedArrayBuffer,
    opts: { bitmapOffset: number; dataOffset: number; chunks: number },
  ) {
    this.chunks = opts.chunks;
    this.#bits = new Int32Array(sab, opts.bitmapOffset, Math.ceil(opts.chunks / 32));
    this.data = new Uint8Array(sab, opts.dataOffset, opts.chunks * CHUNK_BYTES);
    this.#free = 0;
    for (let c = 0; c < this.chunks; c++) if (!this.isUsed(c)) this.#free++;
  }

  get freeChunks(): number {
    return this.#free;
  }

  isUsed(c: number): boolean {
    return (this.#bits[c >>> 5] & (1 << (c & 31))) !== 0;
  }

  /** Take a free chunk (next fit from the last one taken); -1 if none is left. */
  alloc(): number {
    if (this.#free === 0) return -1;
    const words = this.#bits.length;
    for (let n = 0; n <= words; n++) {
      const wi = (this.#cursor + n) % words;
      const word = this.#bits[wi];
      if (word === -1) continue;
      const bit = 31 - Math.clz32(~word & (word + 1)); // lowest clear bit
      const c = wi * 32 + bit;
      if (c >= this.chunks) continue;
      this.#bits[wi] = word | (1 << bit);
      this.#free--;
      this.#cursor = wi;
      return c;
    }
    return -1;
  }

  free(c: number): void {
    if (!this.isUsed(c)) throw new Error(`mfs_ram: free of a free chunk ${c}`);
    this.#bits[c >>> 5] &= ~(1 << (c & 31));
    this.#free++;
  }

  /** Byte offset of chunk `c` in `data`. */
  offsetOf(c: number): number {
    return c * CHUNK_BYTES;
  }

  /**
   * Make the bitmap say exactly `inUse` (recovery). Returns the chunks that
   * were marked but unreferenced (orphans of an uncommitted write) and those
   * referenced but unmarked (freed by an uncommitted truncate).
   */
  rebuild(inUse: Uint8Array): { orphans: number; revived: number } {
    let orphans = 0;
    let revived = 0;
    for (let c = 0; c < this.chunks; c++) {
      const want = inUse[c] !== 0;
      const has = this.isUsed(c);
      if (want === has) continue;
      if (has) orphans++;
      else revived++;
      this.#bits[c >>> 5] ^= 1 << (c & 31);
    }
    this.#free = 0;
    for (let c = 0; c < this.chunks; c++) if (!this.isUsed(c)) this.#free++;
    return { orphans, revived };
  }
}
