// The mount table: which filesystem instance is mounted where.
//
// A mount is (filesystem, superblock at its server) grafted on a directory
// of another mount (its mountpoint); "/" has none. Path walks cross a
// mountpoint downwards into the mounted root, and ".." at a mounted root
// upwards to the mountpoint's parent. What must stay true: at most one mount
// per mountpoint (a second mount there stacks on top, as Linux's does, and
// hides the first until it is unmounted); a mount with mounts below it or
// open files in it is busy (EBUSY) unless forced.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type { Fs } from "./fs.ts";
import { MAX_MOUNTS } from "./params.ts";

export interface Mount {
  id: number;
  fstype: string;
  source: string;
  options: string;
  flags: number;
  fs: Fs;
  /** Instance id at the filesystem's server. */
  sb: number;
  /** Inode number of its root directory. */
  root: number;
  /** st_dev of every inode in it. */
  dev: number;
  /** The directory it is mounted on (undefined for "/"). */
  on?: { mount: number; ino: number };
  /** Where it is mounted, as a path (for /proc/mounts and df). */
  path: string;
  /** The mount it hides on the same mountpoint, if stacked. */
  under?: number;
}

export class MountTable {
  readonly mounts = new Map<number, Mount>();
  readonly #points = new Map<string, number>();
  #next = 1;

  get root(): Mount {
    const r = [...this.mounts.values()].find((m) => m.on === undefined);
    if (r === undefined) throw new ErrnoError(Errno.ENOENT, "no root filesystem");
    return r;
  }

  get hasRoot(): boolean {
    return [...this.mounts.values()].some((m) => m.on === undefined);
  }

  get(id: number): Mount {
    const m = this.mounts.get(id);
    if (m === undefined) throw new ErrnoError(Errno.ESTALE, `mount ${id}`);
    return m;
  }

  nextId(): number {
    return this.#next++;
  }

  /** Graft `m` (id already set); `m.on` undefined makes it the root. */
  add(m: Mount): void {
    if (this.mounts.size >= MAX_MOUNTS) throw new ErrnoError(Errno.ENOMEM, "mount table full");
    if (m.on !== undefined) {
      const key = `${m.on.mount}:${m.on.ino}`;
      m.under = this.#points.get(key);
      this.#points.set(key, m.id);
    }
    this.mounts.set(m.id, m);
    if (m.id >= this.#next) this.#next = m.id + 1;
  }

  /** The mount on directory (mount, ino), if any (the top of a stack). */
  at(mount: number, ino: number): Mount | undefined {
    const id = this.#points.get(`${mount}:${ino}`);
    return id === undefined ? undefined : this.mounts.get(id);
  }

  /** Mounts grafted somewhere inside `m`. */
  children(m: Mount): Mount[] {
    return [...this.mounts.values()].filter((c) => c.on?.mount === m.id);
  }

  remove(m: Mount): void {
    this.mounts.delete(m.id);
    if (m.on === undefined) return;
    const key = `${m.on.mount}:${m.on.ino}`;
    if (m.under !== undefined) this.#points.set(key, m.under);
    else this.#points.delete(key);
  }

  /** Mounts in mount order (/proc/mounts lists them so). */
  list(): Mount[] {
    return [...this.mounts.values()].sort((a, b) => a.id - b.id);
  }
}
