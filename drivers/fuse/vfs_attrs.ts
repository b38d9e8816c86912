// MelloOS facts in FUSE's terms: names (UTF-8 only), struct stat as a
// FUSE attr, entries without a node, times for utimensat, and the search
// permission a lookup needs.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { UTIME_NOW, UTIME_OMIT } from "../../kernel/fcntl.ts";
import type { Stat, Timespec } from "../../kernel/stat.ts";
import type { Attr, Entry } from "./handler.ts";

const fatal = new TextDecoder("utf-8", { fatal: true });

export function nameOf(bytes: Uint8Array): string {
  try {
    return fatal.decode(bytes);
  } catch {
    throw new ErrnoError(Errno.EILSEQ, "name is not UTF-8");
  }
}

export function attrOf(st: Stat): Attr {
  return {
    ino: st.ino,
    sizeBytes: st.size,
    blocks: st.blocks,
    atimeSec: st.atime.sec,
    atimeNsec: st.atime.nsec,
    mtimeSec: st.mtime.sec,
    mtimeNsec: st.mtime.nsec,
    ctimeSec: st.ctime.sec,
    ctimeNsec: st.ctime.nsec,
    mode: st.mode,
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    rdev: st.rdev,
    blksize: st.blksize,
  };
}

/** May `c` search directory `st` (MAY_EXEC, as the VFS's perm.ts decides for a directory)? */
export function mayExec(
  c: { uid: number; gid: number; groups: readonly number[] },
  st: Stat,
): boolean {
  if (c.uid === 0) return true;
  const bits = c.uid === st.uid
    ? st.mode >> 6
    : c.gid === st.gid || c.groups.includes(st.gid)
    ? st.mode >> 3
    : st.mode;
  return (bits & 1) !== 0;
}

/** Attributes that say only an inode number and a mode (zero times, sizes, owners). */
export function bareAttr(ino: number, mode: number): Attr {
  return {
    ino,
    sizeBytes: 0,
    blocks: 0,
    atimeSec: 0,
    atimeNsec: 0,
    mtimeSec: 0,
    mtimeNsec: 0,
    ctimeSec: 0,
    ctimeNsec: 0,
    mode,
    nlink: 0,
    uid: 0,
    gid: 0,
    rdev: 0,
    blksize: 0,
  };
}

/** An entry with no node (id 0): the kernel takes only its name, inode number and type. */
export function bareEntry(ino: number, mode: number): Entry {
  return { nodeid: 0, generation: 0, attr: bareAttr(ino, mode) };
}

export function timeArg(t: Timespec | "now" | undefined): Timespec {
  if (t === undefined) return { sec: 0, nsec: UTIME_OMIT };
  if (t === "now") return { sec: 0, nsec: UTIME_NOW };
  return t;
}
