// Snapshots: the whole model as one byte string, written into a store slot
// at each checkpoint and read back at recovery. File data is not in it: the
// chunk maps name arena chunks, which stay where they are.
//
//   snapshot = version u8 (1), nextSb, superblock count, superblocks
//   superblock = id, sizeLimit, inodeLimit, nextIno, inode count, inodes
//   inode = attributes (records.ts encodeAttrs), then by type:
//             directory: nextSeq, entry count, entries in name order
//                        (name bytes, ino, seq)
//             regular:   chunk count, (index, chunk) pairs
//             symlink:   target bytes
//           then xattr count, (name bytes, value bytes) pairs
// Numbers are uvar/svar (kernel/persist/codec.ts). The per-item upper bounds
// behind META_BUDGET_BYTES (model.ts) are bounds of exactly this encoding.

import { type ByteReader, type ByteWriter, CodecError } from "../../kernel/persist/codec.ts";
import { isDir, isLnk, isReg, newInode } from "./inode.ts";
import {
  ENTRY_META_BYTES,
  type FsModel,
  INODE_META_BYTES,
  TARGET_META_BYTES,
  XATTR_META_BYTES,
} from "./model.ts";
import { bytesOf, keyOf } from "./names.ts";
import { decodeAttrs, encodeAttrs } from "./records.ts";

const VERSION = 1;

/** Write the model. */
export function encodeSnapshot(m: FsModel, w: ByteWriter): void {
  w.u8(VERSION).uvar(m.nextSb).uvar(m.sbs.size);
  for (const s of m.sbs.values()) {
    w.uvar(s.id).uvar(s.sizeLimit).uvar(s.inodeLimit).uvar(s.nextIno).uvar(s.inodes.size);
    for (const i of s.inodes.values()) {
      encodeAttrs(w, i);
      if (i.dir !== undefined) {
        w.uvar(i.dir.nextSeq).uvar(i.dir.entries.size);
        for (const e of i.dir.entries.from()) w.bytesField(bytesOf(e.name)).uvar(e.ino).uvar(e.seq);
      } else if (i.chunks !== undefined) {
        w.uvar(i.chunks.size);
        for (const [index, c] of i.chunks) w.uvar(index).uvar(c);
      } else if (i.target !== undefined) {
        w.bytesField(i.target);
      }
      w.uvar(i.xattrs?.size ?? 0);
      for (const [name, v] of i.xattrs ?? []) w.bytesField(bytesOf(name)).bytesField(v);
    }
  }
}

/** Read a snapshot into an empty model (counters included). */
export function decodeSnapshot(m: FsModel, r: ByteReader): void {
  if (r.u8() !== VERSION) throw new CodecError("snapshot version");
  m.nextSb = r.uvar();
  for (let n = r.uvar(); n > 0; n--) {
    const id = r.uvar();
    const s = {
      id,
      sizeLimit: r.uvar(),
      inodeLimit: r.uvar(),
      nextIno: r.uvar(),
      inodes: new Map(),
      chunksUsed: 0,
    };
    m.sbs.set(id, s);
    for (let k = r.uvar(); k > 0; k--) {
      const i = newInode(decodeAttrs(r));
      m.metaBytes += INODE_META_BYTES;
      if (isDir(i.mode)) {
        i.dir!.nextSeq = r.uvar();
        for (let e = r.uvar(); e > 0; e--) {
          const name = keyOf(r.bytesField());
          i.dir!.entries.insert({ name, ino: r.uvar(), seq: r.uvar() });
          m.metaBytes += name.length + ENTRY_META_BYTES;
        }
      } else if (isReg(i.mode)) {
        for (let c = r.uvar(); c > 0; c--) i.chunks!.set(r.uvar(), r.uvar());
        s.chunksUsed += i.chunks!.size;
      } else if (isLnk(i.mode)) {
        i.target = r.bytesField().slice();
        m.metaBytes += i.target.length + TARGET_META_BYTES;
      }
      const xattrs = r.uvar();
      if (xattrs > 0) i.xattrs = new Map();
      for (let x = xattrs; x > 0; x--) {
        const name = keyOf(r.bytesField());
        const v = r.bytesField().slice();
        i.xattrs!.set(name, v);
        m.metaBytes += name.length + v.length + XATTR_META_BYTES;
      }
      s.inodes.set(i.ino, i);
    }
  }
  if (r.remaining !== 0) throw new CodecError("snapshot has trailing bytes");
}
