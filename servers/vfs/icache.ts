// The inode cache: attributes of inodes the VFS has met, by (mount, ino).
//
// The VFS trusts cached type, mode, uid and gid (permission checks and path
// walks need them, and every change to them goes through the VFS: chmod,
// chown, and fchmod/fchown, which the library routes here). Size and times
// change behind its back (data writes go straight to the filesystem
// server), so anything that reports them (stat) asks the server.
//
// Inodes also remember the directory and name they were last found under,
// which is how getcwd() finds the path of a directory, as Linux does from
// its dentries (and /proc/PID/fd that of a file opened by handle). Entries
// with references (open files, a cwd) are never evicted; others go LRU.
//
// An entry is one inode: attributes with another generation under the same
// number are another inode (the number was reused), so they get a new
// entry, and whoever held the old one keeps it, out of the cache.

import type { Attrs } from "./fs_protocol.ts";
import { ICACHE_ENTRIES } from "./params.ts";

export interface Inode {
  mount: number;
  ino: number;
  attrs: Attrs;
  /** Where it was last found: a directory's only name (getcwd), a file's latest. */
  parent?: { ino: number; name: string };
  /** Symlink target, once read. */
  target?: string;
  /** Open files and cwds that hold it. */
  refs: number;
  /**
   * A directory removed while something still held it (a cwd): out of the
   * cache, so that a new inode given its number is a new entry; lookups in
   * it are ENOENT, and it reports a link count of 0, as Linux's do.
   */
  dead?: boolean;
}

export class InodeCache {
  readonly #map = new Map<string, Inode>();

  static key(mount: number, ino: number): string {
    return `${mount}:${ino}`;
  }

  get(mount: number, ino: number): Inode | undefined {
    const k = InodeCache.key(mount, ino);
    const n = this.#map.get(k);
    if (n !== undefined) {
      this.#map.delete(k);
      this.#map.set(k, n);
    }
    return n;
  }

  /** Record fresh attributes; keeps what the cache knew besides them. */
  put(mount: number, attrs: Attrs): Inode {
    const k = InodeCache.key(mount, attrs.ino);
    let n = this.#map.get(k);
    if (n === undefined || n.attrs.gen !== attrs.gen) {
      n = { mount, ino: attrs.ino, attrs, refs: 0 };
    } else {
      if (n.attrs.mode !== attrs.mode) n.target = undefined;
      n.attrs = attrs;
    }
    this.#map.delete(k);
    this.#map.set(k, n);
    this.#evict();
    return n;
  }

  drop(mount: number, ino: number): void {
    const k = InodeCache.key(mount, ino);
    const n = this.#map.get(k);
    if (n !== undefined && n.refs === 0) this.#map.delete(k);
  }

  /** Take (mount, ino) out even if held: its holders keep the object, the cache forgets it. */
  forget(mount: number, ino: number): void {
    this.#map.delete(InodeCache.key(mount, ino));
  }

  dropMount(mount: number): void {
    const prefix = `${mount}:`;
    for (const k of [...this.#map.keys()]) if (k.startsWith(prefix)) this.#map.delete(k);
  }

  #evict(): void {
    if (this.#map.size <= ICACHE_ENTRIES) return;
    for (const [k, n] of this.#map) {
      if (this.#map.size <= ICACHE_ENTRIES) return;
      if (n.refs === 0) this.#map.delete(k);
    }
  }

  /** Inodes something holds (open files, cwds, mount roots) and their references. */
  referenced(): { inodes: number; refs: number } {
    let inodes = 0;
    let refs = 0;
    for (const n of this.#map.values()) {
      if (n.refs === 0) continue;
      inodes++;
      refs += n.refs;
    }
    return { inodes, refs };
  }

  get size(): number {
    return this.#map.size;
  }
}
