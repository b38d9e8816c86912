// Open files, kept in the state buffer so that they outlive a crash of the
// Worker: a restarted mfs_ram finds every open file (its inode, flags,
// offset and the root capability it minted for the VFS) where its
// predecessor left it, keeps those capabilities (ServerParts.keepSlots), and
// programs' fds keep working.
//
// Record r (open file id r + 1) at OPENS_OFFSET + 320 r, little-endian:
//    +0  live     u32  1 = in use; stored LAST when opening, FIRST when closing
//    +4  flags    u32  open flags (access mode and status flags)
//    +8  sb       u32  superblock id
//   +12  capSlot  u32  root capability minted for the VFS
//   +16  capGen   u32
//   +20  nameLen  i32  directories: bytes of `lastName`, -1 = none
//   +24  ino      f64
//   +32  offset   f64  file offset; for a directory, the readdir cookie
//   +40  (zero to +64)
//   +64  lastName 256 bytes: the name of the entry `offset` is the cookie of
//        (the next readdir resumes after it even if it was removed)
//
// The offset is stored in place on every read and write (no journal record):
// only the open file's own requests change it.

import { OPEN_RECORD_BYTES, OPENS_OFFSET } from "./layout.ts";
import { MAX_OPENS } from "./params.ts";

const LIVE = 0;
const FLAGS = 4;
const SB = 8;
const CAP_SLOT = 12;
const CAP_GEN = 16;
const NAME_LEN = 20;
const INO = 24;
const OFFSET = 32;
const NAME = 64;

/** One open file, as its handlers use it (a view on its record). */
export interface OpenFile {
  readonly id: number;
  readonly sb: number;
  readonly ino: number;
  flags: number;
  offset: number;
  readonly root: { slot: number; gen: number };
}

/**
 * A view on one record. A class, not an object literal with accessors: a
 * literal made fresh closures on every call (every read and write), which
 * V8 kept long enough to promote, and the server stalled in its collector.
 */
class OpenRecord implements OpenFile {
  readonly sb: number;
  readonly ino: number;
  readonly root: { slot: number; gen: number };

  constructor(readonly dv: DataView, readonly id: number, readonly at: number) {
    this.sb = dv.getUint32(at + SB, true);
    this.ino = dv.getFloat64(at + INO, true);
    this.root = { slot: dv.getUint32(at + CAP_SLOT, true), gen: dv.getUint32(at + CAP_GEN, true) };
  }

  get flags(): number {
    return this.dv.getUint32(this.at + FLAGS, true);
  }

  set flags(v: number) {
    this.dv.setUint32(this.at + FLAGS, v >>> 0, true);
  }

  get offset(): number {
    return this.dv.getFloat64(this.at + OFFSET, true);
  }

  set offset(v: number) {
    this.dv.setFloat64(this.at + OFFSET, v, true);
  }
}

/** The shared table of open files. */
export class OpenTable {
  readonly #dv: DataView;
  readonly #u8: Uint8Array;
  readonly #free: number[] = [];

  constructor(sab: SharedArrayBuffer) {
    this.#dv = new DataView(sab, OPENS_OFFSET, MAX_OPENS * OPEN_RECORD_BYTES);
    this.#u8 = new Uint8Array(sab, OPENS_OFFSET, MAX_OPENS * OPEN_RECORD_BYTES);
    for (let r = MAX_OPENS - 1; r >= 0; r--) if (!this.#live(r)) this.#free.push(r);
  }

  #live(r: number): boolean {
    return this.#dv.getUint32(r * OPEN_RECORD_BYTES + LIVE, true) === 1;
  }

  #at(id: number): number {
    return (id - 1) * OPEN_RECORD_BYTES;
  }

  /** The id the next open() will take, or 0 if the table is full. */
  peekId(): number {
    const r = this.#free.at(-1);
    return r === undefined ? 0 : r + 1;
  }

  /** Record an open file under peekId()'s id. */
  open(o: { sb: number; ino: number; flags: number; root: { slot: number; gen: number } }): number {
    const r = this.#free.pop();
    if (r === undefined) throw new Error("mfs_ram: open table full (peekId was not checked)");
    const at = r * OPEN_RECORD_BYTES;
    const dv = this.#dv;
    dv.setUint32(at + FLAGS, o.flags >>> 0, true);
    dv.setUint32(at + SB, o.sb, true);
    dv.setUint32(at + CAP_SLOT, o.root.slot, true);
    dv.setUint32(at + CAP_GEN, o.root.gen >>> 0, true);
    dv.setInt32(at + NAME_LEN, -1, true);
    dv.setFloat64(at + INO, o.ino, true);
    dv.setFloat64(at + OFFSET, 0, true);
    dv.setUint32(at + LIVE, 1, true); // last: the record exists from here
    return r + 1;
  }

  /** Forget an open file (its record is free from the first store). */
  close(id: number): void {
    const at = this.#at(id);
    this.#dv.setUint32(at + LIVE, 0, true);
    this.#free.push(id - 1);
  }

  /** The open file with this id, or undefined. */
  get(id: number): OpenFile | undefined {
    if (!Number.isInteger(id) || id < 1 || id > MAX_OPENS || !this.#live(id - 1)) return undefined;
    return new OpenRecord(this.#dv, id, this.#at(id));
  }

  /** The directory stream's resume name (binary key), or undefined. */
  lastName(id: number): Uint8Array | undefined {
    const at = this.#at(id);
    const n = this.#dv.getInt32(at + NAME_LEN, true);
    return n < 0 ? undefined : this.#u8.subarray(at + NAME, at + NAME + n);
  }

  setLastName(id: number, name: Uint8Array | undefined): void {
    const at = this.#at(id);
    if (name === undefined) {
      this.#dv.setInt32(at + NAME_LEN, -1, true);
      return;
    }
    this.#u8.set(name, at + NAME);
    this.#dv.setInt32(at + NAME_LEN, name.length, true);
  }

  /** Every live open file (recovery). */
  *all(): Iterable<OpenFile> {
    for (let r = 0; r < MAX_OPENS; r++) if (this.#live(r)) yield this.get(r + 1)!;
  }
}
