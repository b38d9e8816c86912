// The node table of a VFS-backed mount: FUSE node ids <-> MelloOS file
// handles, in shared memory, so every session Worker (each its own MelloOS
// process) resolves every node id the kernel holds.
//
// The kernel names files by node id and counts its lookups of each one;
// FORGET gives them back. A node id must name one file for as long as the
// kernel holds it, and one file must have one node id (else the kernel
// keeps two inodes, two page caches, for it). So the table is keyed both
// ways: slot -> handle, and a hash of the handle bytes -> slot.
//
// Node id n is slot n - 1; node id 1 (slot 0) is the mount's root, never
// forgotten. The FUSE generation of a node is its slot's generation, bumped
// each time the slot is freed, so (node id, generation) never names two files.
//
// Each slot also counts the kernel's open files of its node, so that the
// fds a Worker keeps for a node (O_PATH, or opened by handle to serve a
// read) are closed once no open file and no lookup needs them: an fd keeps
// the file's inode, and so its space, alive. A node freed or a node's last
// open file released bumps the epoch; each Worker sweeps its fds when it
// sees a new one.
//
// Layout (Int32 words; one lock for all: lookups and forgets are short):
//   0 lock (0 free, 1 held, 2 held with waiters)   1 live nodes   2 free list head
//   3 epoch
//   HEADER + b            bucket b: first slot + 1 (0: empty)
//   SLOTS_AT + s * 13     slot s: 0 generation 1 lookups 2 next in bucket + 1
//                         (or next free + 1) 3 handle length, 4..11 handle (32 bytes),
//                         12 open files

import { Errno, ErrnoError } from "../../kernel/errno.ts";

const LOCK = 0;
const LIVE = 1;
const FREE = 2;
const EPOCH = 3;
const HEADER = 4;
const SLOT_WORDS = 13;
const GEN = 0;
const LOOKUPS = 1;
const NEXT = 2;
const LEN = 3;
const BYTES = 4;
const OPENS = 12;
/** Longest handle a slot keeps. */
export const MAX_HANDLE_BYTES = 32;

/** A node: its id and generation, as FUSE entries carry them. */
export interface NodeRef {
  nodeid: number;
  generation: number;
}

export class NodeTable {
  readonly #i32: Int32Array;
  readonly #u8: Uint8Array;
  readonly #slots: number;
  readonly #slotsAt: number;

  constructor(readonly sab: SharedArrayBuffer) {
    this.#i32 = new Int32Array(sab);
    this.#u8 = new Uint8Array(sab);
    this.#slots = slotsIn(sab.byteLength);
    this.#slotsAt = HEADER + this.#slots;
  }

  /** A table of `slots` nodes, the root's handle in slot 0. */
  static create(slots: number, root: Uint8Array): NodeTable {
    const t = new NodeTable(new SharedArrayBuffer((HEADER + slots + slots * SLOT_WORDS) * 4));
    const i32 = t.#i32;
    for (let s = t.#slots - 1; s >= 1; s--) {
      i32[t.#slotsAt + s * SLOT_WORDS + NEXT] = i32[FREE];
      i32[FREE] = s + 1;
    }
    t.#fill(0, root);
    i32[t.#slotsAt + LOOKUPS] = 1;
    t.#link(0, root);
    i32[LIVE] = 1;
    return t;
  }

  /** Live nodes (the root included). */
  get live(): number {
    return Atomics.load(this.#i32, LIVE);
  }

  /** One more lookup of the file `handle` names: its node, made if new. ENFILE when full. */
  ref(handle: Uint8Array): NodeRef {
    if (handle.length > MAX_HANDLE_BYTES) throw new RangeError("handle too long");
    return this.#locked(() => {
      let s = this.#find(handle);
      if (s < 0) {
        s = this.#i32[FREE] - 1;
        if (s < 0) throw new ErrnoError(Errno.ENFILE, "FUSE node table full");
        this.#i32[FREE] = this.#word(s, NEXT);
        this.#fill(s, handle);
        this.#link(s, handle);
        this.#i32[LIVE]++;
      }
      this.#i32[this.#at(s) + LOOKUPS]++;
      return { nodeid: s + 1, generation: this.#word(s, GEN) };
    });
  }

  /** The kernel forgot `n` lookups of `nodeid`; the node goes when none are left. */
  forget(nodeid: number, n: number): void {
    const s = nodeid - 1;
    if (s <= 0 || s >= this.#slots) return; // the root, or not ours
    this.#locked(() => {
      const at = this.#at(s);
      const left = this.#i32[at + LOOKUPS] - Math.min(n, this.#i32[at + LOOKUPS]);
      this.#i32[at + LOOKUPS] = left;
      if (left > 0 || this.#i32[at + LEN] === 0) return;
      this.#unlink(s);
      this.#i32[at + GEN]++;
      this.#i32[at + LEN] = 0;
      this.#i32[at + NEXT] = this.#i32[FREE];
      this.#i32[FREE] = s + 1;
      this.#i32[LIVE]--;
      Atomics.add(this.#i32, EPOCH, 1);
    });
  }

  /** One more open file of `nodeid` (OPEN, OPENDIR, CREATE). */
  opened(nodeid: number): void {
    const s = nodeid - 1;
    if (s < 0 || s >= this.#slots) return;
    Atomics.add(this.#i32, this.#at(s) + OPENS, 1);
  }

  /** An open file of `nodeid` was released; the last one bumps the epoch. */
  released(nodeid: number): void {
    const s = nodeid - 1;
    if (s < 0 || s >= this.#slots) return;
    const at = this.#at(s) + OPENS;
    for (;;) {
      const n = Atomics.load(this.#i32, at);
      if (n <= 0) return; // never below 0, whatever the kernel sends
      if (Atomics.compareExchange(this.#i32, at, n, n - 1) !== n) continue;
      if (n === 1) Atomics.add(this.#i32, EPOCH, 1);
      return;
    }
  }

  /** Open files of `nodeid` now. */
  opens(nodeid: number): number {
    const s = nodeid - 1;
    if (s < 0 || s >= this.#slots) return 0;
    return Atomics.load(this.#i32, this.#at(s) + OPENS);
  }

  /** Bumped when a node is freed or loses its last open file: time to sweep kept fds. */
  get epoch(): number {
    return Atomics.load(this.#i32, EPOCH);
  }

  /** The handle of a live node, and its generation (to tell a reused slot); ESTALE if none. */
  get(nodeid: number): { handle: Uint8Array; generation: number } {
    const s = nodeid - 1;
    if (!Number.isInteger(s) || s < 0 || s >= this.#slots) {
      throw new ErrnoError(Errno.ESTALE, `node ${nodeid}`);
    }
    return this.#locked(() => {
      const at = this.#at(s);
      const len = this.#i32[at + LEN];
      if (len === 0) throw new ErrnoError(Errno.ESTALE, `node ${nodeid}`);
      const from = (at + BYTES) * 4;
      return { handle: this.#u8.slice(from, from + len), generation: this.#i32[at + GEN] };
    });
  }

  /** Generation of slot `nodeid` now (no lock: a cache's quick check). */
  generation(nodeid: number): number {
    const s = nodeid - 1;
    if (s < 0 || s >= this.#slots) return -1;
    return Atomics.load(this.#i32, this.#at(s) + GEN);
  }

  #at(s: number): number {
    return this.#slotsAt + s * SLOT_WORDS;
  }

  #word(s: number, w: number): number {
    return this.#i32[this.#at(s) + w];
  }

  #fill(s: number, handle: Uint8Array): void {
    const at = this.#at(s);
    this.#i32[at + LEN] = handle.length;
    this.#i32[at + LOOKUPS] = 0;
    this.#i32[at + OPENS] = 0;
    this.#u8.fill(0, (at + BYTES) * 4, (at + BYTES) * 4 + MAX_HANDLE_BYTES);
    this.#u8.set(handle, (at + BYTES) * 4);
  }

  #bucket(handle: Uint8Array): number {
    let h = 0x811c9dc5;
    for (const b of handle) h = Math.imul(h ^ b, 0x01000193);
    return HEADER + ((h >>> 0) % this.#slots);
  }

  #find(handle: Uint8Array): number {
    for (let s = this.#i32[this.#bucket(handle)] - 1; s >= 0; s = this.#word(s, NEXT) - 1) {
      if (this.#word(s, LEN) === handle.length && this.#same(s, handle)) return s;
    }
    return -1;
  }

  #same(s: number, handle: Uint8Array): boolean {
    const from = (this.#at(s) + BYTES) * 4;
    for (let i = 0; i < handle.length; i++) if (this.#u8[from + i] !== handle[i]) return false;
    return true;
  }

  #link(s: number, handle: Uint8Array): void {
    const b = this.#bucket(handle);
    this.#i32[this.#at(s) + NEXT] = this.#i32[b];
    this.#i32[b] = s + 1;
  }

  #unlink(s: number): void {
    const at = this.#at(s);
    const from = (at + BYTES) * 4;
    const b = this.#bucket(this.#u8.subarray(from, from + this.#i32[at + LEN]));
    if (this.#i32[b] === s + 1) {
      this.#i32[b] = this.#i32[at + NEXT];
      return;
    }
    for (let p = this.#i32[b] - 1; p >= 0; p = this.#word(p, NEXT) - 1) {
      if (this.#word(p, NEXT) === s + 1) {
        this.#i32[this.#at(p) + NEXT] = this.#i32[at + NEXT];
        return;
      }
    }
  }

  /** Run `fn` holding the lock (a futex-style mutex: Workers here may block). */
  #locked<T>(fn: () => T): T {
    const i32 = this.#i32;
    if (Atomics.compareExchange(i32, LOCK, 0, 1) !== 0) {
      while (Atomics.exchange(i32, LOCK, 2) !== 0) Atomics.wait(i32, LOCK, 2, 10);
    }
    try {
      return fn();
    } finally {
      if (Atomics.exchange(i32, LOCK, 0) === 2) Atomics.notify(i32, LOCK, 1);
    }
  }
}

/** Slots that fit a buffer of `bytes` (inverse of create's size). */
function slotsIn(bytes: number): number {
  return Math.floor((bytes / 4 - HEADER) / (1 + SLOT_WORDS));
}
