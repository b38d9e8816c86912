// Copies of message payloads, carved from large slabs.
//
// A payload must be copied out of its ring before the record is consumed
// (an async handler may read its arguments later). Copying each into a
// buffer of its own costs an ArrayBuffer per message, and a DataView over
// it moves even a small one off V8's heap: at 200,000 messages a second
// that kept the garbage collector busy enough to stall a server for
// milliseconds several times a second (measured: a fifth of the time of a
// 4 KiB read loop went to stalls over 1 ms).
//
// So copies are carved from a slab, a bump pointer at a time, and all share
// the slab's one DataView. A full slab is never reused: a fresh one takes
// its place, and the old one lives on while any copy in it is referenced, so
// no copy is ever overwritten however long its reader keeps it.

/** Bytes of one slab; a payload longer than a quarter of it gets its own buffer. */
const SLAB_BYTES = 1 << 20;
const ALIGN = 8;

/** A copy: its bytes, and a DataView over the whole buffer they are in. */
export interface SlabCopy {
  bytes: Uint8Array;
  dv: DataView;
}

export class CopySlab {
  #u8 = new Uint8Array(SLAB_BYTES);
  #dv = new DataView(this.#u8.buffer);
  #used = 0;

  /** A copy of `src[from, to)`. */
  copy(src: Uint8Array, from: number, to: number): SlabCopy {
    const n = to - from;
    if (n > SLAB_BYTES / 4) {
      const bytes = src.slice(from, to);
      return { bytes, dv: new DataView(bytes.buffer) };
    }
    if (this.#used + n > SLAB_BYTES) {
      this.#u8 = new Uint8Array(SLAB_BYTES);
      this.#dv = new DataView(this.#u8.buffer);
      this.#used = 0;
    }
    const at = this.#used;
    this.#u8.set(src.subarray(from, to), at);
    this.#used = (at + n + ALIGN - 1) & ~(ALIGN - 1);
    return { bytes: this.#u8.subarray(at, at + n), dv: this.#dv };
  }
}
