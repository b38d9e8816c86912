// The dentry cache: (mount, directory inode, name) -> child inode number, or
// a negative entry ("no such name"). LRU with a fixed capacity.
//
// What must stay true: an entry is never older than the last change the VFS
// made to that directory. Every namespace change goes through the VFS, which
// updates or drops the entries it touches (create: set; unlink, rmdir: set
// negative; rename: both names); nothing else changes names.

import { DCACHE_ENTRIES } from "./params.ts";

/** Negative entry marker. */
export const NEGATIVE = -1;

export class DentryCache {
  // Map iteration order is insertion order: delete + set makes an entry newest.
  readonly #map = new Map<string, number>();
  hits = 0;
  misses = 0;

  static key(mount: number, dir: number, name: string): string {
    return `${mount}:${dir}/${name}`;
  }

  /** Child ino, NEGATIVE, or undefined when not cached. */
  get(mount: number, dir: number, name: string): number | undefined {
    const k = DentryCache.key(mount, dir, name);
    const v = this.#map.get(k);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#map.delete(k);
    this.#map.set(k, v);
    return v;
  }

  set(mount: number, dir: number, name: string, ino: number): void {
    const k = DentryCache.key(mount, dir, name);
    this.#map.delete(k);
    this.#map.set(k, ino);
    if (this.#map.size > DCACHE_ENTRIES) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
  }

  drop(mount: number, dir: number, name: string): void {
    this.#map.delete(DentryCache.key(mount, dir, name));
  }

  /** Forget everything of one mount (unmount, or its server restarted). */
  dropMount(mount: number): void {
    const prefix = `${mount}:`;
    for (const k of [...this.#map.keys()]) if (k.startsWith(prefix)) this.#map.delete(k);
  }

  get size(): number {
    return this.#map.size;
  }
}
