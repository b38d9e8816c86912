// Ring: a multi-producer, single-consumer queue of variable-size records in a
// SharedArrayBuffer.
//
//   at+0    tail  (u32, producers reserve by compare-and-swap)   own 64-byte line
//   at+64   head  (u32, the consumer's position)                 own 64-byte line
//   at+128  spaceSeq, spaceWaiting (producers parked on a full ring)
//   at+256  data: `size` bytes, a power of two
//
// Positions are byte counters that wrap at 2^32; `pos & (size - 1)` is the
// offset into data. Every record starts with its length word (u32, a multiple
// of 8): 0 means "reserved but not yet published", a set top bit marks a wrap
// pad that fills the ring's end. What must stay true:
//   - free space is all zero bytes, so an unpublished record reads length 0
//     (the consumer zeroes each record before it moves `head` past it);
//   - a producer publishes by one atomic store of the length word, after the
//     rest of the record is written;
//   - tail - head <= size: a full ring refuses (back-pressure), it never
//     overwrites.
// The consumer's doorbell lives outside the ring (several rings may share one,
// see channel.ts); producers blocked on a full ring wait on spaceSeq.

import { Bell } from "./doorbell.ts";

/** Bytes of ring header before the data area. */
export const RING_HEADER_BYTES = 256;
const TAIL = 0;
const HEAD = 16;
const SPACE_SEQ = 32;
const PAD_FLAG = 0x80000000;

/** Round `n` up to a multiple of 8 (record alignment). */
export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** A ring at byte offset `at` of `sab`, with `size` bytes of data. */
export class Ring {
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  readonly base: number; // byte offset of data in the SAB
  readonly mask: number;
  readonly #ctl: number; // i32 index of the ring header
  readonly spaceBell: Bell;
  #head = 0; // the consumer's private copy of head (only the consumer uses it)

  constructor(readonly sab: SharedArrayBuffer, readonly at: number, readonly size: number) {
    if ((size & (size - 1)) !== 0 || size < 64) throw new RangeError("ring size must be 2^k >= 64");
    if (at % 64 !== 0) throw new RangeError("ring must be 64-byte aligned");
    this.i32 = new Int32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.dv = new DataView(sab);
    this.base = at + RING_HEADER_BYTES;
    this.mask = size - 1;
    this.#ctl = at >> 2;
    this.spaceBell = new Bell(this.i32, this.#ctl + SPACE_SEQ);
    this.#head = Atomics.load(this.i32, this.#ctl + HEAD) >>> 0;
  }

  /** Bytes a ring of `size` data bytes occupies. */
  static bytesFor(size: number): number {
    return RING_HEADER_BYTES + size;
  }

  /** Largest record this ring can ever hold. */
  get maxRecord(): number {
    return this.size;
  }

  /**
   * Producer: reserve `bytes` (a multiple of 8). Returns the record's byte
   * offset in the SAB, or -1 when the ring is full. The caller writes the
   * record, then calls publish().
   */
  reserve(bytes: number): number {
    if (bytes > this.size || bytes <= 0 || (bytes & 7) !== 0) {
      throw new RangeError(`bad record size ${bytes}`);
    }
    const i32 = this.i32;
    const tailIdx = this.#ctl + TAIL;
    for (;;) {
      const tail = Atomics.load(i32, tailIdx);
      const head = Atomics.load(i32, this.#ctl + HEAD);
      const used = (tail - head) >>> 0;
      const off = tail & this.mask;
      const toEnd = this.size - off;
      if (bytes > toEnd) {
        // The record would straddle the end: fill the end with a pad first.
        if (used + toEnd > this.size) return -1;
        if (Atomics.compareExchange(i32, tailIdx, tail, (tail + toEnd) | 0) === tail) {
          Atomics.store(i32, (this.base + off) >> 2, (PAD_FLAG | toEnd) | 0);
        }
        continue;
      }
      if (used + bytes > this.size) return -1;
      if (Atomics.compareExchange(i32, tailIdx, tail, (tail + bytes) | 0) === tail) {
        return this.base + off;
      }
    }
  }

  /** Producer: make the record at `off` (from reserve) visible to the consumer. */
  publish(off: number, bytes: number): void {
    Atomics.store(this.i32, off >> 2, bytes);
  }

  /** Consumer: byte offset of the next published record, or -1 if none yet. */
  peek(): number {
    for (;;) {
      const off = this.base + (this.#head & this.mask);
      const len = Atomics.load(this.i32, off >> 2);
      if (len === 0) return -1;
      if (len > 0) return off;
      // A wrap pad: only its length word was ever written.
      Atomics.store(this.i32, off >> 2, 0);
      this.#head = (this.#head + (len & 0x7fffffff)) >>> 0;
      // Free its room at once: the producer that wrote it may be waiting for
      // that room to publish the record it is for (one over half the ring),
      // and nothing else may come along to make the consumer commit.
      this.commit();
    }
  }

  /** Length word of the record at `off`. */
  recordBytes(off: number): number {
    return this.i32[off >> 2];
  }

  /** Consumer: drop the record at `off` (zeroing it) and move past it locally. */
  consume(off: number): void {
    const bytes = this.i32[off >> 2];
    // Zero the body first and the length word last: a producer that reuses
    // this space after commit() must find it all zero.
    this.u8.fill(0, off + 4, off + bytes);
    Atomics.store(this.i32, off >> 2, 0);
    this.#head = (this.#head + bytes) >>> 0;
  }

  /** Consumer: publish the new head so producers see the freed space. */
  commit(): void {
    Atomics.store(this.i32, this.#ctl + HEAD, this.#head | 0);
    this.spaceBell.ring();
  }

  /** True when no record (published or not) is in the ring. */
  /** Bytes ever reserved, mod 2^32 (moves with every record; a reset zeroes it). */
  produced(): number {
    return Atomics.load(this.i32, this.#ctl + TAIL) >>> 0;
  }

  isEmpty(): boolean {
    return Atomics.load(this.i32, this.#ctl + TAIL) === Atomics.load(this.i32, this.#ctl + HEAD);
  }

  /** True when the consumer has a published record waiting. */
  hasRecord(): boolean {
    return this.peek() >= 0;
  }

  /** Bytes reserved and not yet consumed. */
  usedBytes(): number {
    return (Atomics.load(this.i32, this.#ctl + TAIL) - Atomics.load(this.i32, this.#ctl + HEAD)) >>>
      0;
  }

  /**
   * Empty the ring (the kernel does this to a channel whose server died, while
   * no producer can be writing). Zeroes the data so the invariant holds.
   */
  reset(): void {
    this.u8.fill(0, this.base, this.base + this.size);
    Atomics.store(this.i32, this.#ctl + TAIL, 0);
    Atomics.store(this.i32, this.#ctl + HEAD, 0);
    this.#head = 0;
    this.spaceBell.force();
  }

  /** A consumer object created after reset() or in another Worker re-reads head. */
  resync(): void {
    this.#head = Atomics.load(this.i32, this.#ctl + HEAD) >>> 0;
  }
}
