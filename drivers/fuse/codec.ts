// Bytes <-> typed requests and replies of the FUSE protocol (layouts: abi.ts).
//
// A request is read in place from the Worker's read buffer: decoders check
// every length against the request's own size and throw ErrnoError(EIO) on a
// short or malformed one, never RangeError. Names are copied out (handlers
// keep them); data payloads stay views of the buffer. Replies are built with
// DataView into the Worker's one preallocated reply buffer and written with
// a single write(2): each encoder returns the reply's total length.
//
// u64 fields travel as JS numbers, exact below 2^53: node ids, handles and
// directory cookies are ours, and file offsets and sizes past 8 PiB are
// refused upstream (EFBIG/EINVAL) long before. Times are signed. Request ids
// and lock owners are opaque, so they stay bigint.

import {
  ACCESS_IN,
  ATTR,
  ATTR_OUT,
  BATCH_FORGET_IN,
  CREATE_IN,
  ENTRY_OUT,
  FALLOCATE_IN,
  Fattr,
  FLUSH_IN,
  FORGET_IN,
  FORGET_ONE,
  FSYNC_IN,
  FUSE_FSYNC_FDATASYNC,
  FUSE_GETATTR_FH,
  GETATTR_IN,
  GETXATTR_IN,
  GETXATTR_OUT,
  IN_HEADER,
  INIT_IN,
  INIT_IN_COMPAT_SIZE,
  INIT_OUT,
  INTERRUPT_IN,
  KSTATFS,
  LINK_IN,
  LSEEK_IN,
  LSEEK_OUT,
  MKDIR_IN,
  MKNOD_IN,
  OPEN_IN,
  OPEN_OUT,
  OUT_HEADER,
  READ_IN,
  RELEASE_IN,
  RENAME2_IN,
  RENAME_IN,
  SETATTR_IN,
  SETXATTR_IN,
  SETXATTR_IN_COMPAT_SIZE,
  WRITE_IN,
  WRITE_OUT,
} from "./abi.ts";
import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type {
  AccessIn,
  Attr,
  Created,
  CreateIn,
  Entry,
  FallocateIn,
  FlushIn,
  Forget,
  FsyncIn,
  GetattrIn,
  GetxattrIn,
  LinkIn,
  LseekIn,
  MkdirIn,
  MknodIn,
  NameIn,
  Opened,
  OpenIn,
  ReleaseIn,
  RenameIn,
  SetattrIn,
  SetxattrIn,
  StatFs,
  SymlinkIn,
  Timestamp,
  WriteIn,
} from "./handler.ts";

const TWO_32 = 2 ** 32;

/** A u64 field as a number (exact below 2^53). */
export function getU64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * TWO_32 + view.getUint32(at, true);
}

/** An i64 field (a time in seconds) as a number. */
export function getI64(view: DataView, at: number): number {
  return view.getInt32(at + 4, true) * TWO_32 + view.getUint32(at, true);
}

/** Store a non-negative or negative integer below 2^53 in magnitude as a 64-bit field. */
export function setI64(view: DataView, at: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  view.setUint32(at, value - hi * TWO_32, true);
  view.setInt32(at + 4, hi, true);
}

/** Cache lifetimes the kernel is told for entries and attributes. */
export interface Timeouts {
  entryMs: number;
  attrMs: number;
}

// ---- Requests ---------------------------------------------------------------

/** The fields of struct fuse_in_header. */
export interface InHeader {
  len: number;
  opcode: number;
  unique: bigint;
  nodeid: number;
  uid: number;
  gid: number;
  pid: number;
  /** Bytes of extensions at the end of the request. */
  extBytes: number;
}

/**
 * One request in the read buffer: its header, and its body (the bytes
 * between the header and any extensions), with bounds-checked readers.
 */
export class Request {
  readonly header: InHeader;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #end: number;

  /** `bytes` holds exactly one request, as read(2) returned it. */
  constructor(bytes: Uint8Array) {
    if (bytes.length < IN_HEADER.SIZE) throw new ErrnoError(Errno.EIO, "short request header");
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.header = decodeInHeader(this.#view);
    if (this.header.len !== bytes.length) throw new ErrnoError(Errno.EIO, "request length");
    this.#end = this.header.len - this.header.extBytes;
    if (this.#end < IN_HEADER.SIZE) throw new ErrnoError(Errno.EIO, "extension length");
  }

  /** Bytes of body. */
  get bodyBytes(): number {
    return this.#end - IN_HEADER.SIZE;
  }

  /** Check that the body holds at least `bytes` bytes from body offset `at`. */
  need(at: number, bytes: number): void {
    if (at < 0 || IN_HEADER.SIZE + at + bytes > this.#end) {
      throw new ErrnoError(Errno.EIO, `short request body (op ${this.header.opcode})`);
    }
  }

  u32(at: number): number {
    this.need(at, 4);
    return this.#view.getUint32(IN_HEADER.SIZE + at, true);
  }

  u64(at: number): number {
    this.need(at, 8);
    return getU64(this.#view, IN_HEADER.SIZE + at);
  }

  i64(at: number): number {
    this.need(at, 8);
    return getI64(this.#view, IN_HEADER.SIZE + at);
  }

  bigU64(at: number): bigint {
    this.need(at, 8);
    return this.#view.getBigUint64(IN_HEADER.SIZE + at, true);
  }

  /** The NUL-terminated name at body offset `at`, copied, and the offset after its NUL. */
  name(at: number): [Uint8Array, number] {
    this.need(at, 1);
    const start = IN_HEADER.SIZE + at;
    const nul = this.#bytes.subarray(start, this.#end).indexOf(0);
    if (nul < 0) throw new ErrnoError(Errno.EIO, "name without NUL");
    return [this.#bytes.slice(start, start + nul), at + nul + 1];
  }

  /** `bytes` bytes at body offset `at`, as a view of the request buffer. */
  view(at: number, bytes: number): Uint8Array {
    this.need(at, bytes);
    return this.#bytes.subarray(IN_HEADER.SIZE + at, IN_HEADER.SIZE + at + bytes);
  }
}

function decodeInHeader(view: DataView): InHeader {
  return {
    len: view.getUint32(IN_HEADER.len, true),
    opcode: view.getUint32(IN_HEADER.opcode, true),
    unique: view.getBigUint64(IN_HEADER.unique, true),
    nodeid: getU64(view, IN_HEADER.nodeid),
    uid: view.getUint32(IN_HEADER.uid, true),
    gid: view.getUint32(IN_HEADER.gid, true),
    pid: view.getUint32(IN_HEADER.pid, true),
    extBytes: view.getUint16(IN_HEADER.total_extlen, true) * 8,
  };
}

/** What the kernel offers in INIT. */
export interface InitIn {
  major: number;
  minor: number;
  maxReadahead: number;
  flags: number;
  /** Flags of the high word; 0 unless the kernel set FUSE_INIT_EXT. */
  flags2: number;
}

export function decodeInit(req: Request): InitIn {
  req.need(0, INIT_IN_COMPAT_SIZE);
  const long = req.bodyBytes >= INIT_IN.SIZE;
  return {
    major: req.u32(INIT_IN.major),
    minor: req.u32(INIT_IN.minor),
    maxReadahead: req.u32(INIT_IN.max_readahead),
    flags: req.u32(INIT_IN.flags),
    flags2: long ? req.u32(INIT_IN.flags2) : 0,
  };
}

/** FORGET: one node. */
export function decodeForget(req: Request): Forget[] {
  return [{ nodeid: req.header.nodeid, nlookup: req.u64(FORGET_IN.nlookup) }];
}

/** BATCH_FORGET: a count, then that many (nodeid, nlookup) pairs. */
export function decodeBatchForget(req: Request): Forget[] {
  const count = req.u32(BATCH_FORGET_IN.count);
  req.need(BATCH_FORGET_IN.SIZE, count * FORGET_ONE.SIZE);
  const out: Forget[] = [];
  for (let i = 0; i < count; i++) {
    const at = BATCH_FORGET_IN.SIZE + i * FORGET_ONE.SIZE;
    out.push({
      nodeid: req.u64(at + FORGET_ONE.nodeid),
      nlookup: req.u64(at + FORGET_ONE.nlookup),
    });
  }
  return out;
}

/** INTERRUPT: the unique of the request to interrupt. */
export function decodeInterrupt(req: Request): bigint {
  return req.bigU64(INTERRUPT_IN.unique);
}

export function decodeGetattr(req: Request): GetattrIn {
  const nodeid = req.header.nodeid;
  // Kernels before 7.9 sent no body; ours always do, but a missing one means "no fh".
  if (req.bodyBytes < GETATTR_IN.SIZE) return { nodeid };
  const flags = req.u32(GETATTR_IN.getattr_flags);
  return (flags & FUSE_GETATTR_FH) !== 0 ? { nodeid, fh: req.u64(GETATTR_IN.fh) } : { nodeid };
}

export function decodeSetattr(req: Request): SetattrIn {
  req.need(0, SETATTR_IN.SIZE);
  const valid = req.u32(SETATTR_IN.valid);
  const has = (bit: number) => (valid & bit) !== 0;
  const out: SetattrIn = {
    nodeid: req.header.nodeid,
    killSuidgid: has(Fattr.KILL_SUIDGID),
    valid,
  };
  if (has(Fattr.FH)) out.fh = req.u64(SETATTR_IN.fh);
  if (has(Fattr.MODE)) out.mode = req.u32(SETATTR_IN.mode);
  if (has(Fattr.UID)) out.uid = req.u32(SETATTR_IN.uid);
  if (has(Fattr.GID)) out.gid = req.u32(SETATTR_IN.gid);
  if (has(Fattr.SIZE)) out.sizeBytes = req.u64(SETATTR_IN.size);
  if (has(Fattr.ATIME_NOW)) out.atime = "now";
  else if (has(Fattr.ATIME)) out.atime = time(req, SETATTR_IN.atime, SETATTR_IN.atimensec);
  if (has(Fattr.MTIME_NOW)) out.mtime = "now";
  else if (has(Fattr.MTIME)) out.mtime = time(req, SETATTR_IN.mtime, SETATTR_IN.mtimensec);
  if (has(Fattr.CTIME)) out.ctime = time(req, SETATTR_IN.ctime, SETATTR_IN.ctimensec);
  return out;
}

function time(req: Request, secAt: number, nsecAt: number): Timestamp {
  return { sec: req.i64(secAt), nsec: req.u32(nsecAt) };
}

/** LOOKUP, UNLINK, RMDIR: a name in the header's node. */
export function decodeName(req: Request): NameIn {
  const [name] = req.name(0);
  return { parent: req.header.nodeid, name };
}

/** SYMLINK: the new link's name, then its target. */
export function decodeSymlink(req: Request): SymlinkIn {
  const [name, next] = req.name(0);
  const [target] = req.name(next);
  return { parent: req.header.nodeid, name, target };
}

export function decodeMknod(req: Request): MknodIn {
  req.need(0, MKNOD_IN.SIZE);
  const [name] = req.name(MKNOD_IN.SIZE);
  return {
    parent: req.header.nodeid,
    name,
    mode: req.u32(MKNOD_IN.mode),
    rdev: req.u32(MKNOD_IN.rdev),
    umask: req.u32(MKNOD_IN.umask),
  };
}

export function decodeMkdir(req: Request): MkdirIn {
  req.need(0, MKDIR_IN.SIZE);
  const [name] = req.name(MKDIR_IN.SIZE);
  return {
    parent: req.header.nodeid,
    name,
    mode: req.u32(MKDIR_IN.mode),
    umask: req.u32(MKDIR_IN.umask),
  };
}

/** RENAME (flags 0) and RENAME2. */
export function decodeRename(req: Request, rename2: boolean): RenameIn {
  const fixed = rename2 ? RENAME2_IN.SIZE : RENAME_IN.SIZE;
  req.need(0, fixed);
  const [name, next] = req.name(fixed);
  const [newName] = req.name(next);
  return {
    parent: req.header.nodeid,
    name,
    newParent: req.u64(RENAME_IN.newdir),
    newName,
    flags: rename2 ? req.u32(RENAME2_IN.flags) : 0,
  };
}

/** LINK: the header's node is the new parent; the existing node is in the body. */
export function decodeLink(req: Request): LinkIn {
  req.need(0, LINK_IN.SIZE);
  const [newName] = req.name(LINK_IN.SIZE);
  return { nodeid: req.u64(LINK_IN.oldnodeid), newParent: req.header.nodeid, newName };
}

/** OPEN and OPENDIR. */
export function decodeOpen(req: Request): OpenIn {
  return { nodeid: req.header.nodeid, flags: req.u32(OPEN_IN.flags) };
}

export function decodeCreate(req: Request): CreateIn {
  req.need(0, CREATE_IN.SIZE);
  const [name] = req.name(CREATE_IN.SIZE);
  return {
    parent: req.header.nodeid,
    name,
    flags: req.u32(CREATE_IN.flags),
    mode: req.u32(CREATE_IN.mode),
    umask: req.u32(CREATE_IN.umask),
  };
}

/** READ, READDIR, READDIRPLUS: the handle, offset and size asked for. */
export interface ReadArgs {
  nodeid: number;
  fh: number;
  offset: number;
  size: number;
}

export function decodeRead(req: Request): ReadArgs {
  req.need(0, READ_IN.SIZE);
  return {
    nodeid: req.header.nodeid,
    fh: req.u64(READ_IN.fh),
    offset: req.u64(READ_IN.offset),
    size: req.u32(READ_IN.size),
  };
}

export function decodeWrite(req: Request): WriteIn {
  req.need(0, WRITE_IN.SIZE);
  const size = req.u32(WRITE_IN.size);
  return {
    nodeid: req.header.nodeid,
    fh: req.u64(WRITE_IN.fh),
    offset: req.u64(WRITE_IN.offset),
    data: req.view(WRITE_IN.SIZE, size),
    flags: req.u32(WRITE_IN.flags),
    writeFlags: req.u32(WRITE_IN.write_flags),
  };
}

export function decodeFlush(req: Request): FlushIn {
  req.need(0, FLUSH_IN.SIZE);
  return {
    nodeid: req.header.nodeid,
    fh: req.u64(FLUSH_IN.fh),
    lockOwner: req.bigU64(FLUSH_IN.lock_owner),
  };
}

/** RELEASE and RELEASEDIR. */
export function decodeRelease(req: Request): ReleaseIn {
  req.need(0, RELEASE_IN.SIZE);
  return {
    nodeid: req.header.nodeid,
    fh: req.u64(RELEASE_IN.fh),
    flags: req.u32(RELEASE_IN.flags),
    releaseFlags: req.u32(RELEASE_IN.release_flags),
  };
}

/** FSYNC and FSYNCDIR. */
export function decodeFsync(req: Request): FsyncIn {
  req.need(0, FSYNC_IN.SIZE);
  return {
    nodeid: req.header.nodeid,
    fh: req.u64(FSYNC_IN.fh),
    datasync: (req.u32(FSYNC_IN.fsync_flags) & FUSE_FSYNC_FDATASYNC) !== 0,
  };
}

/** SETXATTR; the fixed part is 8 or 16 bytes depending on FUSE_SETXATTR_EXT. */
export function decodeSetxattr(req: Request, ext: boolean): SetxattrIn {
  const fixed = ext ? SETXATTR_IN.SIZE : SETXATTR_IN_COMPAT_SIZE;
  req.need(0, fixed);
  const size = req.u32(SETXATTR_IN.size);
  const [name, next] = req.name(fixed);
  return {
    nodeid: req.header.nodeid,
    name,
    value: req.view(next, size),
    flags: req.u32(SETXATTR_IN.flags),
  };
}

/** GETXATTR: the name, and the caller's buffer size (0: "how big is it?"). */
export function decodeGetxattr(req: Request): GetxattrIn & { size: number } {
  req.need(0, GETXATTR_IN.SIZE);
  const [name] = req.name(GETXATTR_IN.SIZE);
  return { nodeid: req.header.nodeid, name, size: req.u32(GETXATTR_IN.size) };
}

/** LISTXATTR: the caller's buffer size. */
export function decodeListxattr(req: Request): number {
  return req.u32(GETXATTR_IN.size);
}

export function decodeAccess(req: Request): AccessIn {
  return { nodeid: req.header.nodeid, mask: req.u32(ACCESS_IN.mask) };
}

export function decodeFallocate(req: Request): FallocateIn {
  req.need(0, FALLOCATE_IN.SIZE);
  return {
    nodeid: req.header.nodeid,
    fh: req.u64(FALLOCATE_IN.fh),
    offset: req.u64(FALLOCATE_IN.offset),
    length: req.u64(FALLOCATE_IN.length),
    mode: req.u32(FALLOCATE_IN.mode),
  };
}

export function decodeLseek(req: Request): LseekIn {
  req.need(0, LSEEK_IN.SIZE);
  return {
    nodeid: req.header.nodeid,
    fh: req.u64(LSEEK_IN.fh),
    offset: req.u64(LSEEK_IN.offset),
    whence: req.u32(LSEEK_IN.whence),
  };
}

// ---- Replies ----------------------------------------------------------------

/** Our answer to INIT. */
export interface InitOut {
  major: number;
  minor: number;
  maxReadahead: number;
  flags: number;
  maxBackground: number;
  congestionThreshold: number;
  maxWrite: number;
  timeGranNs: number;
  maxPages: number;
}

/** Write the 88 bytes of a fuse_attr at `at`. */
export function encodeAttr(view: DataView, at: number, a: Attr): void {
  setI64(view, at + ATTR.ino, a.ino);
  setI64(view, at + ATTR.size, a.sizeBytes);
  setI64(view, at + ATTR.blocks, a.blocks);
  setI64(view, at + ATTR.atime, a.atimeSec);
  setI64(view, at + ATTR.mtime, a.mtimeSec);
  setI64(view, at + ATTR.ctime, a.ctimeSec);
  view.setUint32(at + ATTR.atimensec, a.atimeNsec, true);
  view.setUint32(at + ATTR.mtimensec, a.mtimeNsec, true);
  view.setUint32(at + ATTR.ctimensec, a.ctimeNsec, true);
  view.setUint32(at + ATTR.mode, a.mode, true);
  view.setUint32(at + ATTR.nlink, a.nlink, true);
  view.setUint32(at + ATTR.uid, a.uid, true);
  view.setUint32(at + ATTR.gid, a.gid, true);
  view.setUint32(at + ATTR.rdev, a.rdev, true);
  view.setUint32(at + ATTR.blksize, a.blksize, true);
  view.setUint32(at + ATTR.flags, 0, true);
}

/** Write the 128 bytes of a fuse_entry_out at `at`. */
export function encodeEntry(view: DataView, at: number, e: Entry, t: Timeouts): void {
  setI64(view, at + ENTRY_OUT.nodeid, e.nodeid);
  setI64(view, at + ENTRY_OUT.generation, e.generation);
  setValidity(view, at + ENTRY_OUT.entry_valid, at + ENTRY_OUT.entry_valid_nsec, t.entryMs);
  setValidity(view, at + ENTRY_OUT.attr_valid, at + ENTRY_OUT.attr_valid_nsec, t.attrMs);
  encodeAttr(view, at + ENTRY_OUT.attr, e.attr);
}

function setValidity(view: DataView, secAt: number, nsecAt: number, ms: number): void {
  setI64(view, secAt, Math.floor(ms / 1000));
  view.setUint32(nsecAt, Math.round((ms % 1000) * 1e6), true);
}

/** The one reply buffer of a Worker, and an encoder per reply shape. */
export class ReplyWriter {
  readonly bytes: Uint8Array;
  readonly view: DataView;

  constructor(bytes: Uint8Array, readonly timeouts: Timeouts) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }

  /** Bytes available for a reply's payload. */
  get payloadMax(): number {
    return this.bytes.length - OUT_HEADER.SIZE;
  }

  /** The payload area, for replies filled in place (READ data, directory entries). */
  payload(bytes: number): Uint8Array {
    return this.bytes.subarray(OUT_HEADER.SIZE, OUT_HEADER.SIZE + bytes);
  }

  /** Finish a reply of `payloadBytes` bytes: fill the header, return the total length. */
  finish(unique: bigint, payloadBytes: number, errno = 0): number {
    const len = OUT_HEADER.SIZE + payloadBytes;
    this.view.setUint32(OUT_HEADER.len, len, true);
    this.view.setInt32(OUT_HEADER.error, -errno, true);
    this.view.setBigUint64(OUT_HEADER.unique, unique, true);
    return len;
  }

  error(unique: bigint, errno: number): number {
    return this.finish(unique, 0, errno);
  }

  empty(unique: bigint): number {
    return this.finish(unique, 0);
  }

  entry(unique: bigint, e: Entry): number {
    encodeEntry(this.view, OUT_HEADER.SIZE, e, this.timeouts);
    return this.finish(unique, ENTRY_OUT.SIZE);
  }

  attr(unique: bigint, a: Attr): number {
    const at = OUT_HEADER.SIZE;
    setValidity(
      this.view,
      at + ATTR_OUT.attr_valid,
      at + ATTR_OUT.attr_valid_nsec,
      this.timeouts.attrMs,
    );
    this.view.setUint32(at + ATTR_OUT.dummy, 0, true);
    encodeAttr(this.view, at + ATTR_OUT.attr, a);
    return this.finish(unique, ATTR_OUT.SIZE);
  }

  open(unique: bigint, o: Opened): number {
    this.#openOut(OUT_HEADER.SIZE, o);
    return this.finish(unique, OPEN_OUT.SIZE);
  }

  /** CREATE: an entry_out, then an open_out. */
  create(unique: bigint, c: Created): number {
    encodeEntry(this.view, OUT_HEADER.SIZE, c.entry, this.timeouts);
    this.#openOut(OUT_HEADER.SIZE + ENTRY_OUT.SIZE, c);
    return this.finish(unique, ENTRY_OUT.SIZE + OPEN_OUT.SIZE);
  }

  #openOut(at: number, o: Opened): void {
    setI64(this.view, at + OPEN_OUT.fh, o.fh);
    this.view.setUint32(at + OPEN_OUT.open_flags, o.openFlags ?? 0, true);
    this.view.setUint32(at + OPEN_OUT.padding, 0, true);
  }

  write(unique: bigint, sizeBytes: number): number {
    this.view.setUint32(OUT_HEADER.SIZE + WRITE_OUT.size, sizeBytes, true);
    this.view.setUint32(OUT_HEADER.SIZE + WRITE_OUT.padding, 0, true);
    return this.finish(unique, WRITE_OUT.SIZE);
  }

  statfs(unique: bigint, s: StatFs): number {
    const at = OUT_HEADER.SIZE;
    this.bytes.fill(0, at, at + KSTATFS.SIZE);
    setI64(this.view, at + KSTATFS.blocks, s.blocks);
    setI64(this.view, at + KSTATFS.bfree, s.bfree);
    setI64(this.view, at + KSTATFS.bavail, s.bavail);
    setI64(this.view, at + KSTATFS.files, s.files);
    setI64(this.view, at + KSTATFS.ffree, s.ffree);
    this.view.setUint32(at + KSTATFS.bsize, s.bsize, true);
    this.view.setUint32(at + KSTATFS.namelen, s.namelen, true);
    this.view.setUint32(at + KSTATFS.frsize, s.frsize, true);
    return this.finish(unique, KSTATFS.SIZE);
  }

  /** A reply that is just bytes (READ, READLINK, GETXATTR, LISTXATTR); no copy if already in place. */
  data(unique: bigint, data: Uint8Array): number {
    if (data.length > this.payloadMax) throw new ErrnoError(Errno.EIO, "reply larger than buffer");
    const inPlace = data.buffer === this.bytes.buffer &&
      data.byteOffset === this.bytes.byteOffset + OUT_HEADER.SIZE;
    if (!inPlace) this.bytes.set(data, OUT_HEADER.SIZE);
    return this.finish(unique, data.length);
  }

  /** The answer to a GETXATTR or LISTXATTR size query. */
  xattrSize(unique: bigint, sizeBytes: number): number {
    this.view.setUint32(OUT_HEADER.SIZE + GETXATTR_OUT.size, sizeBytes, true);
    this.view.setUint32(OUT_HEADER.SIZE + GETXATTR_OUT.padding, 0, true);
    return this.finish(unique, GETXATTR_OUT.SIZE);
  }

  lseek(unique: bigint, offset: number): number {
    setI64(this.view, OUT_HEADER.SIZE + LSEEK_OUT.offset, offset);
    return this.finish(unique, LSEEK_OUT.SIZE);
  }

  init(unique: bigint, o: InitOut): number {
    const at = OUT_HEADER.SIZE;
    this.bytes.fill(0, at, at + INIT_OUT.SIZE);
    this.view.setUint32(at + INIT_OUT.major, o.major, true);
    this.view.setUint32(at + INIT_OUT.minor, o.minor, true);
    this.view.setUint32(at + INIT_OUT.max_readahead, o.maxReadahead, true);
    this.view.setUint32(at + INIT_OUT.flags, o.flags >>> 0, true);
    this.view.setUint16(at + INIT_OUT.max_background, o.maxBackground, true);
    this.view.setUint16(at + INIT_OUT.congestion_threshold, o.congestionThreshold, true);
    this.view.setUint32(at + INIT_OUT.max_write, o.maxWrite, true);
    this.view.setUint32(at + INIT_OUT.time_gran, o.timeGranNs, true);
    this.view.setUint16(at + INIT_OUT.max_pages, o.maxPages, true);
    return this.finish(unique, INIT_OUT.SIZE);
  }
}
