// Superblock policy: what a mount's option string means, what statfs says,
// and how much space and how many inodes an instance has left.
//
// Options, comma-separated, as tmpfs takes them:
//   size=N[k|m|g|t|p|e] or size=P%   data bytes (P% of RAM_BUDGET_BYTES);
//                                    rounded up to whole chunks; 0 = no limit
//   nr_inodes=N[k|m|g]               inodes, the root included; 0 = no limit
//   mode=OOOO                        the root directory's mode (octal)
//   uid=N, gid=N                     the root directory's owner
// Anything else, or a value that does not parse, is EINVAL (tmpfs refuses
// unknown options too). With no limit, the arena and the metadata budget
// are what bound an instance.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { FS_MAGIC, NAME_MAX, type StatfsRecord } from "../vfs/fs_protocol.ts";
import { type FsModel, INODE_META_BYTES, type Superblock } from "./model.ts";
import { devOf } from "./mod.ts";
import {
  ARENA_CHUNKS,
  BLOCK_BYTES,
  CHUNK_BYTES,
  DEFAULT_NR_INODES,
  DEFAULT_ROOT_MODE,
  DEFAULT_SIZE_BYTES,
  META_BUDGET_BYTES,
  RAM_BUDGET_BYTES,
} from "./params.ts";

/** A mount's options, parsed. */
export interface MountOptions {
  sizeLimit: number;
  inodeLimit: number;
  mode: number;
  uid: number;
  gid: number;
}

const SUFFIX: Record<string, number> = {
  k: 2 ** 10,
  m: 2 ** 20,
  g: 2 ** 30,
  t: 2 ** 40,
  p: 2 ** 50,
  e: 2 ** 60,
};

function bad(what: string): never {
  throw new ErrnoError(Errno.EINVAL, `mount option ${what}`);
}

/** memparse(): a decimal number with an optional binary suffix. */
function parseAmount(text: string, what: string): number {
  const m = /^(\d+)([kmgtpeKMGTPE]?)$/.exec(text);
  if (m === null) bad(what);
  const v = Number(m[1]) * (m[2] === "" ? 1 : SUFFIX[m[2].toLowerCase()]);
  if (!Number.isSafeInteger(v)) bad(what);
  return v;
}

function parseId(text: string, what: string): number {
  if (!/^\d+$/.test(text)) bad(what);
  const v = Number(text);
  if (v > 0xfffffffe) bad(what);
  return v;
}

/** Parse "size=64m,nr_inodes=1k,mode=1777,uid=0,gid=0". */
export function parseMountOptions(text: string): MountOptions {
  const o: MountOptions = {
    sizeLimit: DEFAULT_SIZE_BYTES,
    inodeLimit: DEFAULT_NR_INODES,
    mode: DEFAULT_ROOT_MODE,
    uid: 0,
    gid: 0,
  };
  for (const item of text.split(",")) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) bad(item);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    switch (key) {
      case "size": {
        const pct = /^(\d+)%$/.exec(value);
        const bytes = pct !== null
          ? Math.floor(RAM_BUDGET_BYTES * Number(pct[1]) / 100)
          : parseAmount(value, item);
        if (pct !== null && bytes === 0 && Number(pct[1]) !== 0) bad(item);
        o.sizeLimit = Math.ceil(bytes / CHUNK_BYTES) * CHUNK_BYTES;
        break;
      }
      case "nr_inodes":
        o.inodeLimit = parseAmount(value, item);
        break;
      case "mode":
        if (!/^[0-7]{1,4}$/.test(value)) bad(item);
        o.mode = parseInt(value, 8);
        break;
      case "uid":
        o.uid = parseId(value, item);
        break;
      case "gid":
        o.gid = parseId(value, item);
        break;
      default:
        bad(item);
    }
  }
  return o;
}

/** Chunks the instance may still take (its own limit and the arena's). */
export function freeChunks(m: FsModel, s: Superblock): number {
  const own = s.sizeLimit === 0 ? Infinity : s.sizeLimit / CHUNK_BYTES - s.chunksUsed;
  return Math.max(0, Math.min(own, m.arena.freeChunks));
}

/** ENOSPC unless the instance may have one more inode. */
export function needInode(m: FsModel, s: Superblock): void {
  if (s.inodeLimit !== 0 && s.inodes.size >= s.inodeLimit) {
    throw new ErrnoError(Errno.ENOSPC, "no inodes left");
  }
  m.needMeta(INODE_META_BYTES);
}

/** statfs for instance `s`. */
export function statfsOf(m: FsModel, s: Superblock): StatfsRecord {
  const limitChunks = s.sizeLimit === 0 ? ARENA_CHUNKS : s.sizeLimit / CHUNK_BYTES;
  const perChunk = CHUNK_BYTES / BLOCK_BYTES;
  const metaInodes = Math.floor((META_BUDGET_BYTES - m.metaBytes) / INODE_META_BYTES);
  const files = s.inodeLimit === 0 ? s.inodes.size + Math.max(0, metaInodes) : s.inodeLimit;
  const free = freeChunks(m, s) * perChunk;
  return {
    type: FS_MAGIC.MFS_RAM,
    bsize: BLOCK_BYTES,
    blocks: limitChunks * perChunk,
    bfree: free,
    bavail: free,
    files,
    ffree: Math.max(0, files - s.inodes.size),
    fsid: devOf(s.id),
    namelen: NAME_MAX,
    frsize: BLOCK_BYTES,
    flags: 0,
  };
}
