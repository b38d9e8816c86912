// Attribute epochs: how the VFS knows, without asking, that a file's
// attributes have not changed since it last fetched them.
//
// Sizes and times change behind the VFS's back (reads and writes go straight
// from programs to the filesystem server), so stat() had to ask the server
// every time: a second hop, two thread wake-ups, most of a stat's cost. Now
// the filesystem server bumps a counter for an inode in shared memory as it
// changes it, before its reply (mfs_ram: in the one function through which
// every change goes, model.apply), and the VFS keeps the attributes it
// fetched together with the counter it read BEFORE asking. They are still
// current while the counter has not moved: a change made while the request
// was on its way moves it, so a stale answer is never kept as fresh.
//
// The buffer (kernel-made, shared by one filesystem server and the VFS only:
// it holds counters, never data):
//   word 0        generation: bumped when the server (re)starts or drops a
//                 whole instance; every tag changes with it
//   word 1 + s    counter of slot s, for the inodes hashing to s (a shared
//                 slot costs only a needless fetch)

/** Slots of counters: a power of two. */
const SLOTS = 1 << 16;
const GENERATION = 0;

/** Bytes of an epochs buffer. */
export const ATTR_EPOCH_BYTES = (1 + SLOTS) * 4;

export class AttrEpochs {
  readonly #i32: Int32Array;

  constructor(sab: SharedArrayBuffer) {
    this.#i32 = new Int32Array(sab, 0, 1 + SLOTS);
  }

  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(ATTR_EPOCH_BYTES);
  }

  /** Server: inode `ino` of instance `sb` is changing. */
  bump(sb: number, ino: number): void {
    Atomics.add(this.#i32, 1 + slotOf(sb, ino), 1);
  }

  /** Server: every inode may have changed (a restart, an instance dropped). */
  bumpAll(): void {
    Atomics.add(this.#i32, GENERATION, 1);
  }

  /** VFS: the tag to keep with attributes fetched after reading it. */
  tag(sb: number, ino: number): number {
    const gen = Atomics.load(this.#i32, GENERATION) >>> 0;
    const n = Atomics.load(this.#i32, 1 + slotOf(sb, ino)) >>> 0;
    return gen * 2 ** 32 + n;
  }
}

function slotOf(sb: number, ino: number): number {
  const lo = ino >>> 0;
  const hi = Math.floor(ino / 2 ** 32) >>> 0;
  const h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) ^ Math.imul(sb, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & (SLOTS - 1);
}
