// The filesystem protocol: what the VFS asks of a filesystem server (mfs_ram,
// later mfs_disk), and the records both sides exchange.
//
// Division of work:
//   - The VFS owns names and permissions: it walks paths (with its dentry and
//     inode caches), checks every permission from the caller's credentials,
//     and only then sends one of the FsOp requests below, with Right.SYSTEM.
//     A filesystem server trusts these requests (the VFS checked them) but
//     still validates every argument (bad input is an errno, never a crash).
//   - Open files live at the filesystem server: OPEN mints a root capability
//     for the VFS, which derives one per fd; programs then send read, write,
//     pread64, pwrite64, lseek, fstat, ftruncate, fsync, fdatasync,
//     getdents64, fstatfs, fgetxattr, flistxattr and ioctl straight to the
//     filesystem server with their fd's capability (one hop), and the server
//     checks that capability's rights (READ for reads, WRITE for writes, STAT
//     for fstat and lseek, CONTROL for ioctl). fgetxattr and flistxattr also
//     apply the VFS's xattr rules there (xattr_rules.ts): no VFS on the path.
//   - ObjectOp.RELEASE (servers/vfs/mod.ts) ends an open file (last close).
//
// Every FsOp request starts with the superblock id (one server may hold many
// mounted instances), then the fields listed. Numbers are PayloadWriter.num
// (f64, exact up to 2^53), strings PayloadWriter.str. Replies carrying an
// inode's attributes encode an Attrs record (encodeAttrs below).

import { PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import type { Stat, Timespec } from "../../kernel/stat.ts";

/** Requests the VFS sends to filesystem servers (all need Right.SYSTEM). */
export const FsOp = {
  /** options (str: "size=64m,mode=1777") -> value: new sb id; payload: Attrs of its root. */
  MOUNT: 0x8301,
  /** sb -> (): forget the instance (the VFS checked it is not busy). */
  UNMOUNT: 0x8302,
  /** sb, dir ino, name -> Attrs of the entry (ENOENT, ENOTDIR). ".." is answered too. */
  LOOKUP: 0x8303,
  /** sb, ino -> Attrs. */
  GETATTR: 0x8304,
  /** sb, ino, mask (SetAttr bits), mode, uid, gid, size, atime s, ns, mtime s, ns -> Attrs. */
  SETATTR: 0x8305,
  /** sb, dir, name, mode (type bits + permissions), uid, gid, rdev -> Attrs (EEXIST). */
  CREATE: 0x8306,
  /** sb, dir, name, mode (permissions), uid, gid -> Attrs of the new directory (EEXIST). */
  MKDIR: 0x8307,
  /** sb, dir, name, target (str), uid, gid -> Attrs of the new symlink (EEXIST). */
  SYMLINK: 0x8308,
  /** sb, ino, dir, name -> Attrs of ino after (EEXIST, EMLINK). */
  LINK: 0x8309,
  /** sb, dir, name -> Attrs of the inode that was unlinked, nlink after (EISDIR for a directory). */
  UNLINK: 0x830a,
  /** sb, dir, name -> () (ENOTDIR, ENOTEMPTY). */
  RMDIR: 0x830b,
  /**
   * sb, olddir, oldname, newdir, newname, flags (RENAME_NOREPLACE 1, RENAME_EXCHANGE 2) ->
   * value: ino displaced at the target (0 if none); payload: Attrs of that inode after (if any).
   * The server enforces EEXIST, ENOTEMPTY, EISDIR, ENOTDIR and EINVAL (a directory into itself).
   */
  RENAME: 0x830c,
  /** sb, ino -> value: target bytes; payload: the target, bare (4095 bytes fit one reply). */
  READLINK: 0x830d,
  /**
   * sb, ino, open flags, holder pid -> value: open file id; payload: root capability slot,
   * gen, then Attrs. O_TRUNC truncates; O_APPEND, O_NONBLOCK, O_DIRECT are kept per open file.
   */
  OPEN: 0x830e,
  // The xattr ops end with an optional (data offset, size) pair naming bytes
  // of the sender's data area; the VFS always sends it (a 64 KiB slot of its
  // own area, data_slots.ts), so values and lists up to 64 KiB pass. Without
  // it, values travel inline and an answer too big for a reply is ERANGE.
  /**
   * sb, ino, name [, data offset, size] -> value: the value's length; the value at the offset
   * (size 0: the length only; ERANGE when longer than size), or inline as a bytes field (ENODATA).
   */
  GETXATTR: 0x830f,
  /**
   * sb, ino, name, value (bytes field; empty with the pair), flags (XATTR_CREATE 1,
   * XATTR_REPLACE 2) [, data offset, length of the value there] -> () (EEXIST, ENODATA, E2BIG).
   */
  SETXATTR: 0x8310,
  /**
   * sb, ino [, data offset, size] -> value: the list's length; "name\0name\0" at the offset (size
   * rules as GETXATTR), or inline as strs. Every name: the VFS filters what the caller may see.
   */
  LISTXATTR: 0x8311,
  /** sb, ino, name -> () (ENODATA). */
  REMOVEXATTR: 0x8312,
  /** sb -> payload: StatfsRecord. */
  STATFS: 0x8313,
  /** sb -> (): make everything durable (a RAM filesystem: nothing to do). */
  SYNC: 0x8314,
} as const;

/** SETATTR mask bits. */
export const SetAttr = {
  MODE: 1,
  UID: 2,
  GID: 4,
  SIZE: 8,
  ATIME: 16,
  MTIME: 32,
  ATIME_NOW: 64,
  MTIME_NOW: 128,
  /** ctime alone (chown(-1, -1)); every other change stamps ctime anyway. */
  CTIME: 256,
} as const;

/** An inode's attributes, as LOOKUP, GETATTR and the creating ops answer. */
export interface Attrs {
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /**
   * Generation (st_gen): fixed for the inode's life, new when its number is
   * given to another inode, so a file handle naming the old one is ESTALE.
   * 0 where the filesystem keeps none (/proc).
   */
  gen: number;
}

export const ATTR_FIELDS = 16;

export function encodeAttrs(w: PayloadWriter, a: Attrs): PayloadWriter {
  w.num(a.ino).num(a.mode).num(a.nlink).num(a.uid).num(a.gid).num(a.rdev).num(a.size)
    .num(a.blksize).num(a.blocks);
  for (const t of [a.atime, a.mtime, a.ctime]) w.num(t.sec).num(t.nsec);
  return w.num(a.gen);
}

export function decodeAttrs(r: PayloadReader): Attrs {
  const ino = r.int(0);
  const mode = r.int(0, 0xffff);
  const nlink = r.int(0);
  const uid = r.int(0, 0xffffffff);
  const gid = r.int(0, 0xffffffff);
  const rdev = r.int(0);
  const size = r.int(0);
  const blksize = r.int(0);
  const blocks = r.int(0);
  const t = () => ({ sec: r.int(), nsec: r.int(0, 999_999_999) });
  const atime = t();
  const mtime = t();
  const ctime = t();
  const gen = r.int(0, 0xffffffff);
  return { ino, mode, nlink, uid, gid, rdev, size, blksize, blocks, atime, mtime, ctime, gen };
}

/** Attrs as struct stat, on device `dev`. */
export function attrsToStat(a: Attrs, dev: number): Stat {
  return {
    dev,
    ino: a.ino,
    nlink: a.nlink,
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    rdev: a.rdev,
    size: a.size,
    blksize: a.blksize,
    blocks: a.blocks,
    atime: a.atime,
    mtime: a.mtime,
    ctime: a.ctime,
  };
}

/** struct statfs fields (Linux x86_64 statfs(2)). */
export interface StatfsRecord {
  type: number; // f_type: the filesystem's magic number
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  fsid: number;
  namelen: number;
  frsize: number;
  flags: number; // ST_RDONLY 1, ST_NOSUID 2, ST_NODEV 4, ST_NOEXEC 8, ...
}

export function encodeStatfs(w: PayloadWriter, s: StatfsRecord): PayloadWriter {
  return w.num(s.type).num(s.bsize).num(s.blocks).num(s.bfree).num(s.bavail).num(s.files)
    .num(s.ffree).num(s.fsid).num(s.namelen).num(s.frsize).num(s.flags);
}

export function decodeStatfs(r: PayloadReader): StatfsRecord {
  return {
    type: r.int(0),
    bsize: r.int(0),
    blocks: r.int(0),
    bfree: r.int(0),
    bavail: r.int(0),
    files: r.int(0),
    ffree: r.int(0),
    fsid: r.int(0),
    namelen: r.int(0),
    frsize: r.int(0),
    flags: r.int(0),
  };
}

/**
 * struct statfs as Linux x86_64 lays it out (120 bytes): f_type, f_bsize,
 * f_blocks, f_bfree, f_bavail, f_files, f_ffree (i64/u64 each), f_fsid (2 x
 * i32), f_namelen, f_frsize, f_flags, f_spare[4] (i64 each).
 */
export const STATFS_BYTES = 120;

export function statfsBytes(s: StatfsRecord): Uint8Array {
  const out = new Uint8Array(STATFS_BYTES);
  const dv = new DataView(out.buffer);
  const fields = [s.type, s.bsize, s.blocks, s.bfree, s.bavail, s.files, s.ffree];
  fields.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
  dv.setInt32(56, s.fsid & 0x7fffffff, true);
  dv.setInt32(60, 0, true);
  dv.setBigInt64(64, BigInt(s.namelen), true);
  dv.setBigInt64(72, BigInt(s.frsize), true);
  dv.setBigInt64(80, BigInt(s.flags), true);
  return out;
}

/** Filesystem magic numbers (f_type), as Linux reports them. */
export const FS_MAGIC = {
  MFS_RAM: 0x01021994, // as tmpfs (TMPFS_MAGIC): what programs expect of a RAM filesystem
  PROC: 0x9fa0,
  MFS_DISK: 0x4d465344, // "MFSD", the plan's superblock magic
} as const;

/** Directory entry types (d_type in linux_dirent64). */
export const DT = {
  UNKNOWN: 0,
  FIFO: 1,
  CHR: 2,
  DIR: 4,
  BLK: 6,
  REG: 8,
  LNK: 10,
  SOCK: 12,
} as const;

/** d_type for a mode. */
export function dtOf(mode: number): number {
  switch (mode & 0o170000) {
    case 0o010000:
      return DT.FIFO;
    case 0o020000:
      return DT.CHR;
    case 0o040000:
      return DT.DIR;
    case 0o060000:
      return DT.BLK;
    case 0o100000:
      return DT.REG;
    case 0o120000:
      return DT.LNK;
    case 0o140000:
      return DT.SOCK;
    default:
      return DT.UNKNOWN;
  }
}

/**
 * Append one linux_dirent64 record at `at` of `out`: d_ino u64, d_off i64,
 * d_reclen u16, d_type u8, d_name (NUL-terminated), padded to 8 bytes.
 * Returns the record length, or 0 if it does not fit in `out`.
 */
export function putDirent(
  out: Uint8Array,
  at: number,
  ino: number,
  off: number,
  type: number,
  name: Uint8Array,
): number {
  const reclen = (19 + name.length + 1 + 7) & ~7;
  if (at + reclen > out.length) return 0;
  const dv = new DataView(out.buffer, out.byteOffset + at, reclen);
  dv.setBigUint64(0, BigInt(ino), true);
  dv.setBigInt64(8, BigInt(off), true);
  dv.setUint16(16, reclen, true);
  dv.setUint8(18, type);
  out.set(name, at + 19);
  out.fill(0, at + 19 + name.length, at + reclen);
  return reclen;
}

/** Limits shared by the VFS and filesystems (Linux's). */
export const NAME_MAX = 255;
export const PATH_MAX = 4096;
export const XATTR_NAME_MAX = 255;
export const XATTR_SIZE_MAX = 65536;
export const XATTR_LIST_MAX = 65536;
