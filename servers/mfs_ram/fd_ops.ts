// Open-file requests: what programs send straight to mfs_ram with their fd's
// capability (derived from the root capability OPEN minted; req.object is
// the open file id), and ObjectOp.RELEASE / SETFL from the VFS. One
// do<Op>() each; the route's `need` is the right the capability must carry.
//
// Data moves between the caller's data area and the arena with one copy
// each way. The file offset lives in the shared open-file record (opens.ts);
// changes to the file go through a transaction like any other (txn.ts).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { O, SEEK } from "../../kernel/fcntl.ts";
import {
  type Answer,
  callerBuffer,
  callerData,
  type Request,
  type Route,
} from "../../kernel/ipc/server.ts";
import { encodeStat, modeAfterWrite } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { attrsToStat, DT, dtOf, encodeStatfs, putDirent } from "../vfs/fs_protocol.ts";
import { ObjectOp } from "../vfs/mod.ts";
import { checkSize, type Mfs, now, put, touchAtime, truncateIn } from "./context.ts";
import { copyIn, prepareWrite, readData, seekData, seekHole, zeroTail } from "./file_data.ts";
import { attrsOf, FIRST_ENTRY_SEQ, type Inode, isReg } from "./inode.ts";
import { devOf } from "./mod.ts";
import { bytesOf, keyOf } from "./names.ts";
import type { OpenFile } from "./opens.ts";
import { MAX_FILE_BYTES } from "./params.ts";
import { RecType } from "./records.ts";
import { freeChunks, statfsOf } from "./super.ts";
import { fgetXattr, flistXattr } from "./xattr_ops.ts";

const SEEK_DATA = 3;
const SEEK_HOLE = 4;

/** Open-file handlers, by opcode, with the rights each needs. */
export function fdRoutes(mfs: Mfs): Array<[number, Route]> {
  const { model, opens, arena, persist, w } = mfs;

  function openOf(req: Request): { o: OpenFile; i: Inode } {
    const o = opens.get(req.object);
    if (o === undefined) throw new ErrnoError(Errno.EBADF, `no open file ${req.object}`);
    const i = model.sb(o.sb).inodes.get(o.ino);
    if (i === undefined) throw new Error(`mfs_ram: open file ${o.id} lost inode ${o.ino}`);
    return { o, i };
  }

  /** Reads and writes need a regular file (EISDIR on a directory, EINVAL otherwise). */
  function regular(i: Inode): void {
    if (i.dir !== undefined) throw new ErrnoError(Errno.EISDIR, "data I/O on a directory");
    if (!isReg(i.mode)) throw new ErrnoError(Errno.EINVAL, "data I/O on a special file");
  }

  function fsuidOf(req: Request): number {
    return mfs.env.sys.creds(req.pid)?.fsuid ?? -1;
  }

  /** Read up to sink.length bytes at `pos`; returns the count. */
  function readAt(o: OpenFile, i: Inode, pos: number, sink: Uint8Array): number {
    const n = Math.max(0, Math.min(sink.length, i.size - pos));
    if (n > 0) readData(arena, i, pos, sink.subarray(0, n));
    if (sink.length > 0 && (o.flags & O.NOATIME) === 0) touchAtime(mfs, o.sb, i);
    return n;
  }

  /** Write `src` at `pos` (short when space runs out); returns the count. */
  function writeAt(req: Request, o: OpenFile, i: Inode, pos: number, src: Uint8Array): number {
    if (src.length === 0) return 0;
    if (pos >= MAX_FILE_BYTES) throw new ErrnoError(Errno.EFBIG, "write past the largest file");
    const want = Math.min(src.length, MAX_FILE_BYTES - pos);
    const plan = prepareWrite(arena, i, pos, want, freeChunks(model, model.sb(o.sb)));
    const end = pos + plan.bytes;
    if (end > i.size) zeroTail(arena, i, i.size, end);
    const fresh = new Map(plan.fresh.map((f) => [f.index, f.chunk]));
    copyIn(arena, (k) => i.chunks!.get(k) ?? fresh.get(k), pos, src.subarray(0, plan.bytes));
    const t = now();
    persist.transact((tx) => {
      for (const f of plan.fresh) {
        tx.apply({ t: RecType.CHUNK_SET, sb: o.sb, ino: i.ino, index: f.index, chunk: f.chunk });
      }
      put(tx, o.sb, i, {
        size: Math.max(i.size, end),
        mtime: t,
        ctime: t,
        mode: modeAfterWrite(i.mode, fsuidOf(req)),
      });
    });
    return plan.bytes;
  }

  function doRead(req: Request): Answer {
    const { o, i } = openOf(req);
    regular(i);
    const sink = callerBuffer(req, req.value);
    const n = readAt(o, i, o.offset, sink);
    o.offset += n;
    return n;
  }

  function doWrite(req: Request): Answer {
    const { o, i } = openOf(req);
    regular(i);
    const src = callerBuffer(req, req.value);
    const pos = (o.flags & O.APPEND) !== 0 ? i.size : o.offset;
    const n = writeAt(req, o, i, pos, src);
    o.offset = pos + n;
    return n;
  }

  function doPread(req: Request): Answer {
    const { o, i } = openOf(req);
    const dataOff = req.args.num(); // checked by callerData (EFAULT)
    const pos = req.args.int();
    regular(i);
    if (pos < 0) throw new ErrnoError(Errno.EINVAL, "negative offset");
    return readAt(o, i, pos, callerData(req, dataOff, req.value));
  }

  function doPwrite(req: Request): Answer {
    const { o, i } = openOf(req);
    const dataOff = req.args.num(); // checked by callerData (EFAULT)
    const pos = req.args.int();
    regular(i);
    if (pos < 0) throw new ErrnoError(Errno.EINVAL, "negative offset");
    const src = callerData(req, dataOff, req.value);
    // Linux: pwrite on an O_APPEND file appends, whatever the offset.
    return writeAt(req, o, i, (o.flags & O.APPEND) !== 0 ? i.size : pos, src);
  }

  function doLseek(req: Request): Answer {
    const { o, i } = openOf(req);
    const off = req.args.int();
    const whence = req.args.int();
    if (i.dir !== undefined) return seekDir(o, i, off, whence);
    let to: number;
    switch (whence) {
      case SEEK.SET:
        to = off;
        break;
      case SEEK.CUR:
        to = o.offset + off;
        break;
      case SEEK.END:
        to = i.size + off;
        break;
      case SEEK_DATA:
        to = seekData(i, i.size, off < 0 ? Infinity : off);
        break;
      case SEEK_HOLE:
        to = seekHole(i, i.size, off < 0 ? Infinity : off);
        break;
      default:
        throw new ErrnoError(Errno.EINVAL, `whence ${whence}`);
    }
    if (to < 0 || to > MAX_FILE_BYTES) throw new ErrnoError(Errno.EINVAL, `offset ${to}`);
    o.offset = to;
    return to;
  }

  /** A directory's offset is a readdir cookie: only SEEK_SET and SEEK_CUR, never below 0. */
  function seekDir(o: OpenFile, i: Inode, off: number, whence: number): number {
    let to: number;
    if (whence === SEEK.SET) to = off;
    else if (whence === SEEK.CUR) to = o.offset + off;
    else throw new ErrnoError(Errno.EINVAL, `whence ${whence} on a directory`);
    if (to < 0 || to > MAX_FILE_BYTES) throw new ErrnoError(Errno.EINVAL, `cookie ${to}`);
    if (to === o.offset) return to;
    // Resolve the cookie now, while its entry is known: the stream then
    // resumes after that name even if the entry goes away first.
    const e = to >= FIRST_ENTRY_SEQ ? i.dir!.entries.bySeq(to) : undefined;
    opens.setLastName(o.id, e === undefined ? undefined : bytesOf(e.name));
    o.offset = to;
    return to;
  }

  function doGetdents(req: Request): Answer {
    const { o, i } = openOf(req);
    if (i.dir === undefined) throw new ErrnoError(Errno.ENOTDIR, "getdents of a non-directory");
    // Linux's iterate_dir() refuses a removed directory that is still open.
    if (i.nlink === 0) throw new ErrnoError(Errno.ENOENT, "getdents of a removed directory");
    const sink = callerBuffer(req, req.value);
    let at = 0;
    let pos = o.offset;
    let last: string | undefined;
    let full = false;
    const emit = (ino: number, off: number, type: number, name: Uint8Array): boolean => {
      const n = putDirent(sink, at, ino, off, type, name);
      if (n === 0) full = true;
      at += n;
      return n > 0;
    };
    if (pos === 0 && emit(i.ino, 1, DT.DIR, DOT)) pos = 1;
    if (pos === 1 && !full && emit(i.parent, 2, DT.DIR, DOTDOT)) {
      pos = 2;
    }
    if (pos >= 2 && !full) {
      let after: string | undefined;
      let more = true;
      if (pos >= FIRST_ENTRY_SEQ) {
        const saved = opens.lastName(o.id);
        after = saved !== undefined ? keyOf(saved) : i.dir.entries.bySeq(pos)?.name;
        more = after !== undefined; // a cookie we cannot place: the end
      }
      if (more) {
        for (const e of i.dir.entries.from(after)) {
          const child = model.inode(o.sb, e.ino);
          if (!emit(e.ino, e.seq, dtOf(child.mode), bytesOf(e.name))) break;
          pos = e.seq;
          last = e.name;
        }
      }
    }
    if (at === 0 && full) throw new ErrnoError(Errno.EINVAL, "buffer too small for an entry");
    if (pos !== o.offset) {
      o.offset = pos;
      opens.setLastName(o.id, last === undefined ? undefined : bytesOf(last));
    }
    if ((o.flags & O.NOATIME) === 0) touchAtime(mfs, o.sb, i);
    return at;
  }

  function doFstat(req: Request): Answer {
    const { o, i } = openOf(req);
    return { value: 0, payload: encodeStat(attrsToStat(attrsOf(i), devOf(o.sb))) };
  }

  function doFtruncate(req: Request): Answer {
    const { o, i } = openOf(req);
    const len = req.args.int();
    if (!isReg(i.mode)) throw new ErrnoError(Errno.EINVAL, "ftruncate of a non-regular file");
    checkSize(len);
    const t = now();
    const mode = modeAfterWrite(i.mode, fsuidOf(req));
    persist.transact((tx) => truncateIn(mfs, tx, o.sb, i, len, { mtime: t, ctime: t, mode }));
    return 0;
  }

  function doFsync(req: Request): Answer {
    openOf(req);
    return 0; // every reply is already in memory that outlives us
  }

  function doFstatfs(req: Request): Answer {
    const { o } = openOf(req);
    const rec = statfsOf(model, model.sb(o.sb));
    return { value: 0, payload: encodeStatfs(w.reset(), rec).bytes().slice() };
  }

  function doFgetxattr(req: Request): Answer {
    return fgetXattr(mfs, req, openOf(req).i);
  }

  function doFlistxattr(req: Request): Answer {
    return flistXattr(mfs, req, openOf(req).i);
  }

  function doIoctl(req: Request): Answer {
    openOf(req);
    throw new ErrnoError(Errno.ENOTTY, `ioctl ${req.value} on a file`);
  }

  /** Only the root capability (the VFS's) may end an open file or change its flags. */
  function rootOf(req: Request): { o: OpenFile; i: Inode } {
    const r = openOf(req);
    if (req.capSlot !== r.o.root.slot) {
      throw new ErrnoError(Errno.EPERM, "needs the open file's root capability");
    }
    return r;
  }

  function doRelease(req: Request): Answer {
    const { o, i } = rootOf(req);
    opens.close(o.id);
    i.opens--;
    mfs.env.caps.free(o.root);
    if (i.nlink === 0 && i.opens === 0) {
      persist.transact((tx) => tx.apply({ t: RecType.INODE_FREE, sb: o.sb, ino: i.ino }));
    }
    return 0;
  }

  function doSetfl(req: Request): Answer {
    const { o } = rootOf(req);
    if (!Number.isInteger(req.value) || req.value < 0 || req.value > 0xffffffff) {
      throw new ErrnoError(Errno.EINVAL, "flags");
    }
    o.flags = req.value;
    return 0;
  }

  return [
    [Sys.read, { need: Right.READ, fn: doRead }],
    [Sys.write, { need: Right.WRITE, fn: doWrite }],
    // readv/writev arrive as one contiguous transfer: the library scatters and gathers.
    [Sys.readv, { need: Right.READ, fn: doRead }],
    [Sys.writev, { need: Right.WRITE, fn: doWrite }],
    [Sys.pread64, { need: Right.READ, fn: doPread }],
    [Sys.pwrite64, { need: Right.WRITE, fn: doPwrite }],
    [Sys.lseek, { need: Right.STAT, fn: doLseek }],
    [Sys.fstat, { need: Right.STAT, fn: doFstat }],
    // Linux: ftruncate of an fd not open for writing is EINVAL, not EBADF.
    [Sys.ftruncate, { need: Right.WRITE, denied: Errno.EINVAL, fn: doFtruncate }],
    [Sys.fsync, { need: 0, fn: doFsync }],
    [Sys.fdatasync, { need: 0, fn: doFsync }],
    [Sys.getdents64, { need: Right.READ, fn: doGetdents }],
    [Sys.fstatfs, { need: Right.STAT, fn: doFstatfs }],
    [Sys.fgetxattr, { need: Right.STAT, fn: doFgetxattr }],
    [Sys.flistxattr, { need: Right.STAT, fn: doFlistxattr }],
    [Sys.ioctl, { need: Right.CONTROL, fn: doIoctl }],
    [ObjectOp.RELEASE, { need: 0, fn: doRelease }],
    [ObjectOp.SETFL, { need: 0, fn: doSetfl }],
  ];
}

const DOT = new Uint8Array([0x2e]);
const DOTDOT = new Uint8Array([0x2e, 0x2e]);
