// What every mfs_ram handler works with (the model, the journal, the open
// files, the arena), and the small steps many handlers share: recording an
// inode's new attributes, freeing an inode nobody refers to any more, the
// relatime rule, truncation, and reading a request's common arguments.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type { PayloadWriter } from "../../kernel/ipc/message.ts";
import type { Request } from "../../kernel/ipc/server.ts";
import type { ServerEnv } from "../../kernel/ipc/server_runtime.ts";
import { nowTimespec, S, type Timespec } from "../../kernel/stat.ts";
import { type Attrs, encodeAttrs } from "../vfs/fs_protocol.ts";
import type { Arena } from "./arena.ts";
import { chunksFor, zeroTail } from "./file_data.ts";
import { attrsOf, copyAttrs, type Inode, type InodeAttrs } from "./inode.ts";
import type { FsModel, Superblock } from "./model.ts";
import type { OpenTable } from "./opens.ts";
import { MAX_FILE_BYTES, RELATIME_MAX_AGE_S } from "./params.ts";
import { RecType } from "./records.ts";
import type { Persistence, Txn } from "./txn.ts";

/** mfs_ram's state, as the handlers see it. */
export interface Mfs {
  readonly env: ServerEnv;
  readonly model: FsModel;
  readonly persist: Persistence;
  readonly opens: OpenTable;
  readonly arena: Arena;
  readonly w: PayloadWriter;
}

export function now(): Timespec {
  return nowTimespec();
}

/** A fresh inode generation number (st_gen; NFS-style handles tell reuse apart). */
export function newGeneration(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/** Record `i`'s attributes with `changes` (INODE_PUT). */
export function put(tx: Txn, sb: number, i: Inode, changes: Partial<InodeAttrs>): void {
  tx.apply({ t: RecType.INODE_PUT, sb, a: { ...copyAttrs(i), ...changes, ino: i.ino } });
}

/** Free `i` once no name and no open file refers to it. */
export function freeIfUnused(tx: Txn, sb: number, i: Inode): void {
  if (i.nlink === 0 && i.opens === 0) tx.apply({ t: RecType.INODE_FREE, sb, ino: i.ino });
}

function before(a: Timespec, b: Timespec): boolean {
  return a.sec < b.sec || (a.sec === b.sec && a.nsec <= b.nsec);
}

/** relatime: a read updates atime if it is not after mtime or ctime, or is a day old. */
export function touchAtime(mfs: Mfs, sb: number, i: Inode): void {
  const t = now();
  const due = before(i.atime, i.mtime) || before(i.atime, i.ctime) ||
    t.sec - i.atime.sec >= RELATIME_MAX_AGE_S;
  if (due) mfs.persist.transact((tx) => put(tx, sb, i, { atime: t }));
}

/** Check a new size: EINVAL below 0, EFBIG past MAX_FILE_BYTES. */
export function checkSize(len: number): void {
  if (len < 0) throw new ErrnoError(Errno.EINVAL, "negative size");
  if (len > MAX_FILE_BYTES) throw new ErrnoError(Errno.EFBIG, "size past the largest file");
}

/** Set a regular file's size in `tx` (chunks past EOF dropped; growth is a hole). */
export function truncateIn(
  mfs: Mfs,
  tx: Txn,
  sb: number,
  i: Inode,
  len: number,
  changes: Partial<InodeAttrs>,
): void {
  if (len < i.size) {
    const from = chunksFor(len);
    let any = false;
    for (const k of i.chunks!.keys()) if (k >= from) any = true;
    if (any) tx.apply({ t: RecType.CHUNKS_CUT, sb, ino: i.ino, from });
  } else if (len > i.size) zeroTail(mfs.arena, i, i.size, len);
  put(tx, sb, i, { ...changes, size: len });
}

/** The attributes as a reply payload (after `lead` numbers, if any). */
export function attrsPayload(w: PayloadWriter, a: Attrs | Inode, lead: number[] = []): Uint8Array {
  w.reset();
  for (const n of lead) w.num(n);
  const attrs = "blksize" in a ? a : attrsOf(a);
  return encodeAttrs(w, attrs).bytes().slice();
}

/** Read a superblock id (ESTALE if unknown). */
export function readSb(mfs: Mfs, req: Request): Superblock {
  return mfs.model.sb(req.args.int(0, 2 ** 32));
}

/** Read an inode number of `s` (ESTALE if unknown). */
export function readInode(mfs: Mfs, req: Request, s: Superblock): Inode {
  return mfs.model.inode(s.id, req.args.int(0, 2 ** 53));
}

/** Read a directory inode of `s` (ENOTDIR if it is none). */
export function readDir(mfs: Mfs, req: Request, s: Superblock): Inode {
  const d = readInode(mfs, req, s);
  if (d.dir === undefined) throw new ErrnoError(Errno.ENOTDIR, `inode ${d.ino}`);
  return d;
}
