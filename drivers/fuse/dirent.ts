// Directory entries for READDIR and READDIRPLUS, packed straight into the
// reply buffer.
//
// Each record is a fuse_dirent (or a fuse_entry_out then a fuse_dirent),
// then the name, zero-padded to a multiple of 8 bytes (FUSE_DIRENT_ALIGN).
// A record's `off` is the cookie of the entry after it: the kernel sends it
// back as the offset of its next READDIR. The packer takes records while
// they fit in the size the kernel asked for, and refuses the first that does
// not: the handler stops there, and that entry comes first next time. A
// record is never cut, and a reply with no room for even one record is
// empty, which the kernel reads as the end of the directory; the kernel asks
// for at least a page, far more than the longest record (152 + 255 bytes).

import { DIRENT, DIRENTPLUS, recAlign } from "./abi.ts";
import { encodeEntry, setI64, type Timeouts } from "./codec.ts";
import type { Entry } from "./handler.ts";

const S_IFMT = 0o170000;

/** Entries for one READDIR or READDIRPLUS reply. */
export class DirPacker {
  #bytes: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));
  #limit = 0;
  #used = 0;

  constructor(readonly timeouts: Timeouts) {}

  /** Start a reply in `bytes` (the reply's payload area), at most `limit` bytes long. */
  reset(bytes: Uint8Array, limit: number): void {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.#limit = Math.min(limit, bytes.length);
    this.#used = 0;
  }

  /** Bytes packed so far. */
  get usedBytes(): number {
    return this.#used;
  }

  /**
   * Add a READDIR entry: `mode` supplies the type (its S_IFMT bits),
   * `nextOffset` is the cookie that resumes after it. False when it does not fit.
   */
  add(name: Uint8Array, ino: number, mode: number, nextOffset: number): boolean {
    const size = recAlign(DIRENT.SIZE + name.length);
    if (this.#used + size > this.#limit) return false;
    this.#dirent(this.#used, name, ino, mode, nextOffset, size);
    this.#used += size;
    return true;
  }

  /**
   * Add a READDIRPLUS entry. When it returns true the kernel counts a lookup
   * of `entry.nodeid` (unless the name is "." or ".." or the node id is 0).
   */
  addPlus(name: Uint8Array, entry: Entry, nextOffset: number): boolean {
    const size = recAlign(DIRENTPLUS.SIZE + name.length);
    if (this.#used + size > this.#limit) return false;
    const at = this.#used;
    encodeEntry(this.#view, at + DIRENTPLUS.entry_out, entry, this.timeouts);
    const direntSize = size - DIRENTPLUS.dirent;
    this.#dirent(
      at + DIRENTPLUS.dirent,
      name,
      entry.attr.ino,
      entry.attr.mode,
      nextOffset,
      direntSize,
    );
    this.#used += size;
    return true;
  }

  #dirent(
    at: number,
    name: Uint8Array,
    ino: number,
    mode: number,
    next: number,
    size: number,
  ): void {
    setI64(this.#view, at + DIRENT.ino, ino);
    setI64(this.#view, at + DIRENT.off, next);
    this.#view.setUint32(at + DIRENT.namelen, name.length, true);
    this.#view.setUint32(at + DIRENT.type, (mode & S_IFMT) >>> 12, true);
    this.#bytes.set(name, at + DIRENT.name);
    this.#bytes.fill(0, at + DIRENT.name + name.length, at + size);
  }
}
