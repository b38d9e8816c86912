// An mfs_ram inode: attributes plus, by type, the directory's entries, the
// regular file's chunk map, or the symlink's target; xattrs for any type.
//
// What must stay true:
//   - a directory's nlink is 2 + its subdirectories (1 for its entry in the
//     parent, or for the root its own "..", 1 for "."), and 0 once removed;
//   - `parent` is the directory holding the directory's entry (the root's
//     parent is itself); non-directories have parent 0;
//   - a regular file's chunk map holds only indices below
//     ceil(size / CHUNK_BYTES): no chunk lies wholly past EOF;
//   - an inode with nlink 0 exists only while open files refer to it.

import type { Attrs } from "../vfs/fs_protocol.ts";
import { S, type Timespec } from "../../kernel/stat.ts";
import { DirIndex } from "./dir_index.ts";
import { BLOCK_BYTES, CHUNK_BYTES, DIR_BASE_BYTES, DIR_ENTRY_BYTES } from "./params.ts";

/** The attributes an INODE_PUT record carries (everything but contents). */
export interface InodeAttrs {
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  /** Regular files: bytes. Symlinks: target bytes. Others: 0 (directories compute theirs). */
  size: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  generation: number;
  /** Directories: the inode of "..". Others: 0. */
  parent: number;
}

/** A directory's contents. */
export interface DirState {
  entries: DirIndex;
  /** The seq (readdir cookie) the next new entry gets; 0-2 are ".", "..", and the start. */
  nextSeq: number;
}

export const FIRST_ENTRY_SEQ = 3;

/** An inode in memory. */
export interface Inode extends InodeAttrs {
  dir?: DirState;
  /** Chunk index -> arena chunk; absent indices are holes. */
  chunks?: Map<number, number>;
  target?: Uint8Array;
  /** xattr name (binary key) -> value. */
  xattrs?: Map<string, Uint8Array>;
  /** Open files referring to this inode (not persisted: rebuilt from the open table). */
  opens: number;
}

export function isDir(mode: number): boolean {
  return (mode & S.IFMT) === S.IFDIR;
}

export function isReg(mode: number): boolean {
  return (mode & S.IFMT) === S.IFREG;
}

export function isLnk(mode: number): boolean {
  return (mode & S.IFMT) === S.IFLNK;
}

/** A new inode with `a`'s attributes and empty contents of its type. */
export function newInode(a: InodeAttrs): Inode {
  const i: Inode = { ...copyAttrs(a), opens: 0 };
  if (isDir(a.mode)) i.dir = { entries: new DirIndex(), nextSeq: FIRST_ENTRY_SEQ };
  if (isReg(a.mode)) i.chunks = new Map();
  return i;
}

/** A copy of the attributes alone. */
export function copyAttrs(a: InodeAttrs): InodeAttrs {
  return {
    ino: a.ino,
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    nlink: a.nlink,
    rdev: a.rdev,
    size: a.size,
    atime: { ...a.atime },
    mtime: { ...a.mtime },
    ctime: { ...a.ctime },
    generation: a.generation,
    parent: a.parent,
  };
}

/** st_size as stat reports it. */
export function sizeOf(i: Inode): number {
  if (i.dir !== undefined) return DIR_BASE_BYTES + DIR_ENTRY_BYTES * i.dir.entries.size;
  return i.size;
}

/**
 * st_blocks: 512-byte units of the pages that hold data, as tmpfs counts
 * them. Holes take none; neither do the pages of the last chunk past EOF
 * (a one-byte file is one page, 8 blocks, not a whole 16 KiB chunk).
 */
export function blocksOf(i: Inode): number {
  const chunks = i.chunks?.size ?? 0;
  if (chunks === 0) return 0;
  let bytes = chunks * CHUNK_BYTES;
  const last = Math.floor((i.size - 1) / CHUNK_BYTES);
  const tail = i.size - last * CHUNK_BYTES; // bytes of the file in its last chunk
  if (i.chunks!.has(last)) bytes -= CHUNK_BYTES - Math.ceil(tail / BLOCK_BYTES) * BLOCK_BYTES;
  return bytes / 512;
}

/** The protocol's Attrs record for `i`. */
export function attrsOf(i: Inode): Attrs {
  return {
    ino: i.ino,
    mode: i.mode,
    nlink: i.nlink,
    uid: i.uid,
    gid: i.gid,
    rdev: i.rdev,
    size: sizeOf(i),
    blksize: BLOCK_BYTES,
    blocks: blocksOf(i),
    atime: { ...i.atime },
    mtime: { ...i.mtime },
    ctime: { ...i.ctime },
    gen: i.generation,
  };
}
