// Journal records: the physical changes a request makes to the model, each a
// small absolute "set" (never "add one"), so that applying a transaction's
// records in order to the state before it gives exactly the state after it.
// One transaction (one request's records) is one journal record, so a crash
// keeps all of a request's changes or none.
//
// Transaction body: records back to back until the body ends.
//   record = type u8, then its fields (codec.ts: uvar, svar, byte strings):
//
//   1 SB_PUT      sb, sizeLimit, inodeLimit          create or re-limit an instance
//   2 SB_DROP     sb                                 forget an instance and its data
//   3 INODE_PUT   sb, ino, mode, uid, gid, nlink, rdev, size,
//                 atime (svar s, uvar ns), mtime, ctime, generation, parent
//                                                    create an inode or set its attributes
//   4 INODE_FREE  sb, ino                            free an inode and its chunks
//   5 LINK_ADD    sb, dir, name, ino                 name -> ino (a new entry, or re-aim one)
//   6 LINK_DEL    sb, dir, name                      remove an entry
//   7 CHUNK_SET   sb, ino, index, chunk              chunk `index` of the file is arena chunk `chunk`
//   8 CHUNKS_CUT  sb, ino, from                      drop chunks with index >= from
//   9 XATTR_SET   sb, ino, name, value
//  10 XATTR_DEL   sb, ino, name
//  11 TARGET      sb, ino, target                    a symlink's target

import { type ByteReader, ByteWriter, CodecError } from "../../kernel/persist/codec.ts";
import type { InodeAttrs } from "./inode.ts";
import { bytesOf, keyOf } from "./names.ts";

export const RecType = {
  SB_PUT: 1,
  SB_DROP: 2,
  INODE_PUT: 3,
  INODE_FREE: 4,
  LINK_ADD: 5,
  LINK_DEL: 6,
  CHUNK_SET: 7,
  CHUNKS_CUT: 8,
  XATTR_SET: 9,
  XATTR_DEL: 10,
  TARGET: 11,
} as const;

export type Rec =
  | { t: typeof RecType.SB_PUT; sb: number; sizeLimit: number; inodeLimit: number }
  | { t: typeof RecType.SB_DROP; sb: number }
  | { t: typeof RecType.INODE_PUT; sb: number; a: InodeAttrs }
  | { t: typeof RecType.INODE_FREE; sb: number; ino: number }
  | { t: typeof RecType.LINK_ADD; sb: number; dir: number; name: string; ino: number }
  | { t: typeof RecType.LINK_DEL; sb: number; dir: number; name: string }
  | { t: typeof RecType.CHUNK_SET; sb: number; ino: number; index: number; chunk: number }
  | { t: typeof RecType.CHUNKS_CUT; sb: number; ino: number; from: number }
  | { t: typeof RecType.XATTR_SET; sb: number; ino: number; name: string; value: Uint8Array }
  | { t: typeof RecType.XATTR_DEL; sb: number; ino: number; name: string }
  | { t: typeof RecType.TARGET; sb: number; ino: number; target: Uint8Array };

/** Append `r` to a transaction body. */
export function encodeRec(w: ByteWriter, r: Rec): void {
  w.u8(r.t).uvar(r.sb);
  switch (r.t) {
    case RecType.SB_PUT:
      w.uvar(r.sizeLimit).uvar(r.inodeLimit);
      return;
    case RecType.SB_DROP:
      return;
    case RecType.INODE_PUT:
      encodeAttrs(w, r.a);
      return;
    case RecType.INODE_FREE:
      w.uvar(r.ino);
      return;
    case RecType.LINK_ADD:
      w.uvar(r.dir).bytesField(bytesOf(r.name)).uvar(r.ino);
      return;
    case RecType.LINK_DEL:
      w.uvar(r.dir).bytesField(bytesOf(r.name));
      return;
    case RecType.CHUNK_SET:
      w.uvar(r.ino).uvar(r.index).uvar(r.chunk);
      return;
    case RecType.CHUNKS_CUT:
      w.uvar(r.ino).uvar(r.from);
      return;
    case RecType.XATTR_SET:
      w.uvar(r.ino).bytesField(bytesOf(r.name)).bytesField(r.value);
      return;
    case RecType.XATTR_DEL:
      w.uvar(r.ino).bytesField(bytesOf(r.name));
      return;
    case RecType.TARGET:
      w.uvar(r.ino).bytesField(r.target);
      return;
  }
}

/** Read one record (the reader is positioned at its type byte). */
export function decodeRec(r: ByteReader): Rec {
  const t = r.u8();
  const sb = r.uvar();
  switch (t) {
    case RecType.SB_PUT:
      return { t, sb, sizeLimit: r.uvar(), inodeLimit: r.uvar() };
    case RecType.SB_DROP:
      return { t, sb };
    case RecType.INODE_PUT:
      return { t, sb, a: decodeAttrs(r) };
    case RecType.INODE_FREE:
      return { t, sb, ino: r.uvar() };
    case RecType.LINK_ADD:
      return { t, sb, dir: r.uvar(), name: keyOf(r.bytesField()), ino: r.uvar() };
    case RecType.LINK_DEL:
      return { t, sb, dir: r.uvar(), name: keyOf(r.bytesField()) };
    case RecType.CHUNK_SET:
      return { t, sb, ino: r.uvar(), index: r.uvar(), chunk: r.uvar() };
    case RecType.CHUNKS_CUT:
      return { t, sb, ino: r.uvar(), from: r.uvar() };
    case RecType.XATTR_SET:
      return { t, sb, ino: r.uvar(), name: keyOf(r.bytesField()), value: r.bytesField().slice() };
    case RecType.XATTR_DEL:
      return { t, sb, ino: r.uvar(), name: keyOf(r.bytesField()) };
    case RecType.TARGET:
      return { t, sb, ino: r.uvar(), target: r.bytesField().slice() };
    default:
      throw new CodecError(`record type ${t}`);
  }
}

/** Inode attributes, as INODE_PUT and the snapshot write them. */
export function encodeAttrs(w: ByteWriter, a: InodeAttrs): void {
  w.uvar(a.ino).uvar(a.mode).uvar(a.uid).uvar(a.gid).uvar(a.nlink).uvar(a.rdev).uvar(a.size);
  for (const t of [a.atime, a.mtime, a.ctime]) w.svar(t.sec).uvar(t.nsec);
  w.uvar(a.generation).uvar(a.parent);
}

export function decodeAttrs(r: ByteReader): InodeAttrs {
  const ino = r.uvar();
  const mode = r.uvar();
  const uid = r.uvar();
  const gid = r.uvar();
  const nlink = r.uvar();
  const rdev = r.uvar();
  const size = r.uvar();
  const t = () => ({ sec: r.svar(), nsec: r.uvar() });
  const atime = t();
  const mtime = t();
  const ctime = t();
  return {
    ino,
    mode,
    uid,
    gid,
    nlink,
    rdev,
    size,
    atime,
    mtime,
    ctime,
    generation: r.uvar(),
    parent: r.uvar(),
  };
}

export { ByteWriter };
