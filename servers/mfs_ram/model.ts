// The filesystem model: every instance (superblock) with its inodes, held in
// JS structures, and the one function that changes them: apply(record).
// Requests (ops.ts, fd_ops.ts) and recovery (recovery.ts) both change the
// model only through apply(), so replaying the journal rebuilds exactly the
// state the requests built.
//
// What must stay true:
//   - apply() never fails on a record a handler produced: handlers check
//     everything (errno) before their first record; a failing apply() is a
//     bug, and the Worker dies before the transaction reaches the journal;
//   - the counters (per instance: inodes, chunks; overall: metaBytes) are
//     kept by apply() alone, so they match the contents after a replay;
//   - metaBytes is an upper bound of the snapshot's size less the parts
//     reserved in params.ts (chunk-map entries, superblocks), and handlers
//     keep it within META_BUDGET_BYTES (needMeta), so a checkpoint always
//     fits its slot.
//
// The arena bitmap is touched only when live (not replaying): during a
// replay the bitmap already holds the predecessor's allocations, and
// recovery rebuilds it from the chunk maps afterwards (arena.ts).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type { Arena } from "./arena.ts";
import { copyAttrs, type Inode, isDir, newInode } from "./inode.ts";
import { META_BUDGET_BYTES } from "./params.ts";
import { type Rec, RecType } from "./records.ts";

/** Snapshot bytes one inode's fixed part may take (see snapshot.ts). */
export const INODE_META_BYTES = 160;
/** ... one directory entry, beyond its name. */
export const ENTRY_META_BYTES = 24;
/** ... one xattr, beyond its name and value. */
export const XATTR_META_BYTES = 16;
/** ... a symlink target, beyond its bytes. */
export const TARGET_META_BYTES = 8;

export const ROOT_INO = 1;

/** One mounted instance. */
export interface Superblock {
  readonly id: number;
  /** Bytes of file data allowed (0: only the arena limits it). */
  sizeLimit: number;
  /** Inodes allowed (0: only the metadata budget limits it). */
  inodeLimit: number;
  readonly inodes: Map<number, Inode>;
  nextIno: number;
  chunksUsed: number;
}

/** Every instance, and the rule that changes them. */
export class FsModel {
  readonly sbs = new Map<number, Superblock>();
  nextSb = 1;
  metaBytes = 0;
  /** True while recovery replays: the arena bitmap is left alone. */
  replaying = false;
  /**
   * Told of every inode a record changes, before the change is visible to
   * anyone (the VFS's attribute epochs, servers/vfs/attr_epochs.ts); -1 for
   * every inode of an instance.
   */
  onChange?: (sb: number, ino: number) => void;

  constructor(readonly arena: Arena) {}

  /** The instance `sb` (ESTALE if there is none). */
  sb(sb: number): Superblock {
    const s = this.sbs.get(sb);
    if (s === undefined) throw new ErrnoError(Errno.ESTALE, `no instance ${sb}`);
    return s;
  }

  /** Inode `ino` of `sb` (ESTALE if there is none). */
  inode(sb: number, ino: number): Inode {
    const i = this.sb(sb).inodes.get(ino);
    if (i === undefined) throw new ErrnoError(Errno.ESTALE, `no inode ${ino}`);
    return i;
  }

  /** ENOSPC unless `bytes` more metadata fit the budget. */
  needMeta(bytes: number): void {
    if (this.metaBytes + bytes > META_BUDGET_BYTES) {
      throw new ErrnoError(Errno.ENOSPC, "metadata budget");
    }
  }

  apply(r: Rec): void {
    this.#tellChange(r);
    switch (r.t) {
      case RecType.SB_PUT: {
        const s = this.sbs.get(r.sb);
        if (s !== undefined) {
          s.sizeLimit = r.sizeLimit;
          s.inodeLimit = r.inodeLimit;
        } else {
          this.sbs.set(r.sb, {
            id: r.sb,
            sizeLimit: r.sizeLimit,
            inodeLimit: r.inodeLimit,
            inodes: new Map(),
            nextIno: ROOT_INO,
            chunksUsed: 0,
          });
        }
        this.nextSb = Math.max(this.nextSb, r.sb + 1);
        return;
      }
      case RecType.SB_DROP: {
        const s = this.#sb(r.sb);
        for (const ino of [...s.inodes.keys()]) this.#freeInode(s, ino, true);
        this.sbs.delete(r.sb);
        return;
      }
      case RecType.INODE_PUT: {
        const s = this.#sb(r.sb);
        const old = s.inodes.get(r.a.ino);
        if (old === undefined) {
          s.inodes.set(r.a.ino, newInode(r.a));
          s.nextIno = Math.max(s.nextIno, r.a.ino + 1);
          this.metaBytes += INODE_META_BYTES;
          return;
        }
        if ((old.mode ^ r.a.mode) & 0o170000) {
          throw new Error(`mfs_ram: inode ${r.a.ino} changes type`);
        }
        Object.assign(old, copyAttrs(r.a));
        return;
      }
      case RecType.INODE_FREE:
        this.#freeInode(this.#sb(r.sb), r.ino, false);
        return;
      case RecType.LINK_ADD: {
        const d = this.#dirOf(r.sb, r.dir);
        const e = d.entries.get(r.name);
        if (e !== undefined) {
          e.ino = r.ino;
          return;
        }
        d.entries.insert({ name: r.name, ino: r.ino, seq: d.nextSeq++ });
        this.metaBytes += r.name.length + ENTRY_META_BYTES;
        return;
      }
      case RecType.LINK_DEL: {
        const d = this.#dirOf(r.sb, r.dir);
        if (d.entries.remove(r.name) === undefined) {
          throw new Error(`mfs_ram: unlink of a missing entry`);
        }
        this.metaBytes -= r.name.length + ENTRY_META_BYTES;
        return;
      }
      case RecType.CHUNK_SET: {
        const s = this.#sb(r.sb);
        const chunks = this.#chunksOf(s, r.ino);
        const old = chunks.get(r.index);
        if (old !== undefined) this.#releaseChunk(old);
        else s.chunksUsed++;
        chunks.set(r.index, r.chunk);
        return;
      }
      case RecType.CHUNKS_CUT: {
        const s = this.#sb(r.sb);
        const chunks = this.#chunksOf(s, r.ino);
        for (const [index, c] of chunks) {
          if (index < r.from) continue;
          chunks.delete(index);
          this.#releaseChunk(c);
          s.chunksUsed--;
        }
        return;
      }
      case RecType.XATTR_SET: {
        const i = this.#inode(r.sb, r.ino);
        i.xattrs ??= new Map();
        const old = i.xattrs.get(r.name);
        if (old !== undefined) this.metaBytes -= r.name.length + old.length + XATTR_META_BYTES;
        i.xattrs.set(r.name, r.value);
        this.metaBytes += r.name.length + r.value.length + XATTR_META_BYTES;
        return;
      }
      case RecType.XATTR_DEL: {
        const i = this.#inode(r.sb, r.ino);
        const old = i.xattrs?.get(r.name);
        if (old === undefined) throw new Error(`mfs_ram: removal of a missing xattr`);
        i.xattrs!.delete(r.name);
        this.metaBytes -= r.name.length + old.length + XATTR_META_BYTES;
        return;
      }
      case RecType.TARGET: {
        const i = this.#inode(r.sb, r.ino);
        if (i.target !== undefined) this.metaBytes -= i.target.length + TARGET_META_BYTES;
        i.target = r.target;
        this.metaBytes += r.target.length + TARGET_META_BYTES;
        return;
      }
    }
  }

  #tellChange(r: Rec): void {
    const tell = this.onChange;
    if (tell === undefined) return;
    switch (r.t) {
      case RecType.SB_PUT:
        return;
      case RecType.SB_DROP:
        tell(r.sb, -1);
        return;
      case RecType.INODE_PUT:
        tell(r.sb, r.a.ino);
        return;
      case RecType.LINK_ADD:
      case RecType.LINK_DEL:
        tell(r.sb, r.dir); // its size (entry count) changes
        return;
      default:
        tell(r.sb, r.ino);
    }
  }

  /** Chunks referenced by some file (recovery rebuilds the bitmap from this). */
  referencedChunks(): Uint8Array {
    const used = new Uint8Array(this.arena.chunks);
    for (const s of this.sbs.values()) {
      for (const i of s.inodes.values()) {
        if (i.chunks === undefined) continue;
        for (const c of i.chunks.values()) {
          if (used[c] !== 0) throw new Error(`mfs_ram: chunk ${c} referenced twice`);
          used[c] = 1;
        }
      }
    }
    return used;
  }

  #freeInode(s: Superblock, ino: number, wholeSb: boolean): void {
    const i = s.inodes.get(ino);
    if (i === undefined) throw new Error(`mfs_ram: free of a missing inode ${ino}`);
    if (!wholeSb && i.dir !== undefined && i.dir.entries.size > 0) {
      throw new Error(`mfs_ram: free of a non-empty directory ${ino}`);
    }
    if (i.chunks !== undefined) {
      for (const c of i.chunks.values()) this.#releaseChunk(c);
      s.chunksUsed -= i.chunks.size;
    }
    if (i.dir !== undefined) {
      for (const e of i.dir.entries.from()) this.metaBytes -= e.name.length + ENTRY_META_BYTES;
    }
    for (const [name, v] of i.xattrs ?? []) {
      this.metaBytes -= name.length + v.length + XATTR_META_BYTES;
    }
    if (i.target !== undefined) this.metaBytes -= i.target.length + TARGET_META_BYTES;
    this.metaBytes -= INODE_META_BYTES;
    s.inodes.delete(ino);
  }

  #releaseChunk(c: number): void {
    if (!this.replaying) this.arena.free(c);
  }

  #sb(sb: number): Superblock {
    const s = this.sbs.get(sb);
    if (s === undefined) throw new Error(`mfs_ram: record for a missing instance ${sb}`);
    return s;
  }

  #inode(sb: number, ino: number): Inode {
    const i = this.#sb(sb).inodes.get(ino);
    if (i === undefined) throw new Error(`mfs_ram: record for a missing inode ${ino}`);
    return i;
  }

  #dirOf(sb: number, ino: number) {
    const i = this.#inode(sb, ino);
    if (i.dir === undefined || !isDir(i.mode)) throw new Error(`mfs_ram: ${ino} is no directory`);
    return i.dir;
  }

  #chunksOf(s: Superblock, ino: number): Map<number, number> {
    const i = s.inodes.get(ino);
    if (i?.chunks === undefined) throw new Error(`mfs_ram: ${ino} is no regular file`);
    return i.chunks;
  }
}
