// The FUSE kernel ABI (linux/fuse.h, protocol 7.38): opcodes, flags, and the
// byte layout of every struct the driver reads or writes.
//
// Everything is little-endian and every struct is padded to a multiple of 8
// bytes by explicit padding fields, so a field's width is the distance to the
// next field's offset (tests/fuse_abi.test.ts checks every offset, width and
// size below against the C header, and every constant against its macro).
// A layout object holds the byte offset of each field, named as in C, and
// SIZE, sizeof the struct.

/** The protocol we speak: major 7, and the minor we answer (see docs/fuse.md). */
export const FUSE_KERNEL_VERSION = 7;
export const FUSE_KERNEL_MINOR_VERSION = 38;
/** Oldest kernel minor we accept: RENAME2 and FATTR_CTIME arrived in 7.23. */
export const FUSE_MIN_KERNEL_MINOR = 23;

/** The node id of the mount's root directory. */
export const FUSE_ROOT_ID = 1;
/** The smallest read buffer the kernel accepts on /dev/fuse. */
export const FUSE_MIN_READ_BUFFER = 8192;

/** Request opcodes (enum fuse_opcode). */
export const FuseOp = {
  LOOKUP: 1,
  FORGET: 2, // no reply
  GETATTR: 3,
  SETATTR: 4,
  READLINK: 5,
  SYMLINK: 6,
  MKNOD: 8,
  MKDIR: 9,
  UNLINK: 10,
  RMDIR: 11,
  RENAME: 12,
  LINK: 13,
  OPEN: 14,
  READ: 15,
  WRITE: 16,
  STATFS: 17,
  RELEASE: 18,
  FSYNC: 20,
  SETXATTR: 21,
  GETXATTR: 22,
  LISTXATTR: 23,
  REMOVEXATTR: 24,
  FLUSH: 25,
  INIT: 26,
  OPENDIR: 27,
  READDIR: 28,
  RELEASEDIR: 29,
  FSYNCDIR: 30,
  GETLK: 31,
  SETLK: 32,
  SETLKW: 33,
  ACCESS: 34,
  CREATE: 35,
  INTERRUPT: 36, // no reply
  BMAP: 37,
  DESTROY: 38,
  IOCTL: 39,
  POLL: 40,
  NOTIFY_REPLY: 41,
  BATCH_FORGET: 42, // no reply
  FALLOCATE: 43,
  READDIRPLUS: 44,
  RENAME2: 45,
  LSEEK: 46,
  COPY_FILE_RANGE: 47,
  SETUPMAPPING: 48,
  REMOVEMAPPING: 49,
  SYNCFS: 50,
  TMPFILE: 51,
} as const;
export type FuseOp = typeof FuseOp[keyof typeof FuseOp];

/**
 * INIT flags, low word (fuse_init_in.flags, fuse_init_out.flags). Values are
 * unsigned: combine them with `|` and then `>>> 0`.
 */
export const InitFlag = {
  ASYNC_READ: 1 << 0,
  POSIX_LOCKS: 1 << 1,
  FILE_OPS: 1 << 2,
  ATOMIC_O_TRUNC: 1 << 3,
  EXPORT_SUPPORT: 1 << 4,
  BIG_WRITES: 1 << 5,
  DONT_MASK: 1 << 6,
  SPLICE_WRITE: 1 << 7,
  SPLICE_MOVE: 1 << 8,
  SPLICE_READ: 1 << 9,
  FLOCK_LOCKS: 1 << 10,
  HAS_IOCTL_DIR: 1 << 11,
  AUTO_INVAL_DATA: 1 << 12,
  DO_READDIRPLUS: 1 << 13,
  READDIRPLUS_AUTO: 1 << 14,
  ASYNC_DIO: 1 << 15,
  WRITEBACK_CACHE: 1 << 16,
  NO_OPEN_SUPPORT: 1 << 17,
  PARALLEL_DIROPS: 1 << 18,
  HANDLE_KILLPRIV: 1 << 19,
  POSIX_ACL: 1 << 20,
  ABORT_ERROR: 1 << 21,
  MAX_PAGES: 1 << 22,
  CACHE_SYMLINKS: 1 << 23,
  NO_OPENDIR_SUPPORT: 1 << 24,
  EXPLICIT_INVAL_DATA: 1 << 25,
  MAP_ALIGNMENT: 1 << 26,
  SUBMOUNTS: 1 << 27,
  HANDLE_KILLPRIV_V2: 1 << 28,
  SETXATTR_EXT: 1 << 29,
  INIT_EXT: 1 << 30,
  INIT_RESERVED: 2 ** 31,
} as const;

/** INIT flags of the high word (fuse_init_in.flags2: bit 32 + n is 1 << n here). */
export const InitFlag2 = {
  SECURITY_CTX: 1 << 0,
  HAS_INODE_DAX: 1 << 1,
  HAS_EXPIRE_ONLY: 1 << 3,
} as const;

/** fuse_open_out.open_flags. */
export const Fopen = {
  DIRECT_IO: 1 << 0,
  KEEP_CACHE: 1 << 1,
  NONSEEKABLE: 1 << 2,
  CACHE_DIR: 1 << 3,
  STREAM: 1 << 4,
  NOFLUSH: 1 << 5,
  PARALLEL_DIRECT_WRITES: 1 << 6,
} as const;

/** fuse_setattr_in.valid: which fields of the request are set. */
export const Fattr = {
  MODE: 1 << 0,
  UID: 1 << 1,
  GID: 1 << 2,
  SIZE: 1 << 3,
  ATIME: 1 << 4,
  MTIME: 1 << 5,
  FH: 1 << 6,
  ATIME_NOW: 1 << 7,
  MTIME_NOW: 1 << 8,
  LOCKOWNER: 1 << 9,
  CTIME: 1 << 10,
  KILL_SUIDGID: 1 << 11,
} as const;

/** fuse_getattr_in.getattr_flags. */
export const FUSE_GETATTR_FH = 1 << 0;
/** fuse_release_in.release_flags. */
export const FUSE_RELEASE_FLUSH = 1 << 0;
export const FUSE_RELEASE_FLOCK_UNLOCK = 1 << 1;
/** fuse_write_in.write_flags. */
export const FUSE_WRITE_CACHE = 1 << 0;
export const FUSE_WRITE_LOCKOWNER = 1 << 1;
export const FUSE_WRITE_KILL_SUIDGID = 1 << 2;
/** fuse_read_in.read_flags. */
export const FUSE_READ_LOCKOWNER = 1 << 1;
/** fuse_fsync_in.fsync_flags. */
export const FUSE_FSYNC_FDATASYNC = 1 << 0;
/** fuse_open_in.open_flags and fuse_create_in.open_flags. */
export const FUSE_OPEN_KILL_SUIDGID = 1 << 0;

/** rename2 flags (linux/fs.h). */
export const RENAME_NOREPLACE = 1 << 0;
export const RENAME_EXCHANGE = 1 << 1;
export const RENAME_WHITEOUT = 1 << 2;

/** setxattr flags (linux/xattr.h). */
export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;

/** fallocate modes (linux/falloc.h). */
export const FALLOC_FL_KEEP_SIZE = 0x01;
export const FALLOC_FL_PUNCH_HOLE = 0x02;
export const FALLOC_FL_ZERO_RANGE = 0x10;

/** lseek whence values FUSE_LSEEK carries (the kernel answers SET/CUR/END itself). */
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

// ---- Layouts ----------------------------------------------------------------

/** struct fuse_in_header: precedes every request. */
// [ len u32 | opcode u32 | unique u64 | nodeid u64 | uid u32 | gid u32 |
//   pid u32 | total_extlen u16 (8-byte units) | padding u16 ]
export const IN_HEADER = {
  SIZE: 40,
  len: 0,
  opcode: 4,
  unique: 8,
  nodeid: 16,
  uid: 24,
  gid: 28,
  pid: 32,
  total_extlen: 36,
  padding: 38,
} as const;

/** struct fuse_out_header: precedes every reply; error is 0 or -errno. */
// [ len u32 | error i32 | unique u64 ]
export const OUT_HEADER = { SIZE: 16, len: 0, error: 4, unique: 8 } as const;

/** struct fuse_init_in: 16 bytes from kernels before 7.36, 64 since. */
// [ major u32 | minor u32 | max_readahead u32 | flags u32 | flags2 u32 | unused u32[11] ]
export const INIT_IN = {
  SIZE: 64,
  major: 0,
  minor: 4,
  max_readahead: 8,
  flags: 12,
  flags2: 16,
  unused: 20,
} as const;
export const INIT_IN_COMPAT_SIZE = 16;

/** struct fuse_init_out. */
// [ major u32 | minor u32 | max_readahead u32 | flags u32 | max_background u16 |
//   congestion_threshold u16 | max_write u32 | time_gran u32 | max_pages u16 |
//   map_alignment u16 | flags2 u32 | unused u32[7] ]
export const INIT_OUT = {
  SIZE: 64,
  major: 0,
  minor: 4,
  max_readahead: 8,
  flags: 12,
  max_background: 16,
  congestion_threshold: 18,
  max_write: 20,
  time_gran: 24,
  max_pages: 28,
  map_alignment: 30,
  flags2: 32,
  unused: 36,
} as const;

/** struct fuse_attr: times are signed seconds (two's complement in a u64) + nsec. */
// [ ino u64 | size u64 | blocks u64 | atime u64 | mtime u64 | ctime u64 |
//   atimensec u32 | mtimensec u32 | ctimensec u32 | mode u32 | nlink u32 |
//   uid u32 | gid u32 | rdev u32 | blksize u32 | flags u32 ]
export const ATTR = {
  SIZE: 88,
  ino: 0,
  size: 8,
  blocks: 16,
  atime: 24,
  mtime: 32,
  ctime: 40,
  atimensec: 48,
  mtimensec: 52,
  ctimensec: 56,
  mode: 60,
  nlink: 64,
  uid: 68,
  gid: 72,
  rdev: 76,
  blksize: 80,
  flags: 84,
} as const;

/** struct fuse_entry_out: the reply of LOOKUP, MKNOD, MKDIR, SYMLINK, LINK. */
// [ nodeid u64 | generation u64 | entry_valid u64 | attr_valid u64 |
//   entry_valid_nsec u32 | attr_valid_nsec u32 | attr fuse_attr ]
export const ENTRY_OUT = {
  SIZE: 128,
  nodeid: 0,
  generation: 8,
  entry_valid: 16,
  attr_valid: 24,
  entry_valid_nsec: 32,
  attr_valid_nsec: 36,
  attr: 40,
} as const;

/** struct fuse_attr_out: the reply of GETATTR and SETATTR. */
// [ attr_valid u64 | attr_valid_nsec u32 | dummy u32 | attr fuse_attr ]
export const ATTR_OUT = {
  SIZE: 104,
  attr_valid: 0,
  attr_valid_nsec: 8,
  dummy: 12,
  attr: 16,
} as const;

/** struct fuse_getattr_in. */
// [ getattr_flags u32 | dummy u32 | fh u64 ]
export const GETATTR_IN = { SIZE: 16, getattr_flags: 0, dummy: 4, fh: 8 } as const;

/** struct fuse_setattr_in: only the fields named in `valid` mean anything. */
// [ valid u32 | padding u32 | fh u64 | size u64 | lock_owner u64 | atime u64 |
//   mtime u64 | ctime u64 | atimensec u32 | mtimensec u32 | ctimensec u32 |
//   mode u32 | unused4 u32 | uid u32 | gid u32 | unused5 u32 ]
export const SETATTR_IN = {
  SIZE: 88,
  valid: 0,
  padding: 4,
  fh: 8,
  size: 16,
  lock_owner: 24,
  atime: 32,
  mtime: 40,
  ctime: 48,
  atimensec: 56,
  mtimensec: 60,
  ctimensec: 64,
  mode: 68,
  unused4: 72,
  uid: 76,
  gid: 80,
  unused5: 84,
} as const;

/** struct fuse_open_in: OPEN and OPENDIR. */
// [ flags u32 (open(2) flags) | open_flags u32 (FUSE_OPEN_*) ]
export const OPEN_IN = { SIZE: 8, flags: 0, open_flags: 4 } as const;

/** struct fuse_create_in; the new name follows. */
// [ flags u32 | mode u32 | umask u32 | open_flags u32 ]
export const CREATE_IN = { SIZE: 16, flags: 0, mode: 4, umask: 8, open_flags: 12 } as const;

/** struct fuse_open_out: the reply of OPEN and OPENDIR, and CREATE's second half. */
// [ fh u64 | open_flags u32 (FOPEN_*) | padding u32 ]
export const OPEN_OUT = { SIZE: 16, fh: 0, open_flags: 8, padding: 12 } as const;

/** struct fuse_read_in: READ, READDIR, READDIRPLUS. */
// [ fh u64 | offset u64 | size u32 | read_flags u32 | lock_owner u64 | flags u32 | padding u32 ]
export const READ_IN = {
  SIZE: 40,
  fh: 0,
  offset: 8,
  size: 16,
  read_flags: 20,
  lock_owner: 24,
  flags: 32,
  padding: 36,
} as const;

/** struct fuse_write_in; `size` bytes of data follow. */
// [ fh u64 | offset u64 | size u32 | write_flags u32 | lock_owner u64 | flags u32 | padding u32 ]
export const WRITE_IN = {
  SIZE: 40,
  fh: 0,
  offset: 8,
  size: 16,
  write_flags: 20,
  lock_owner: 24,
  flags: 32,
  padding: 36,
} as const;

/** struct fuse_write_out. */
// [ size u32 | padding u32 ]
export const WRITE_OUT = { SIZE: 8, size: 0, padding: 4 } as const;

/** struct fuse_release_in: RELEASE and RELEASEDIR. */
// [ fh u64 | flags u32 | release_flags u32 | lock_owner u64 ]
export const RELEASE_IN = { SIZE: 24, fh: 0, flags: 8, release_flags: 12, lock_owner: 16 } as const;

/** struct fuse_flush_in. */
// [ fh u64 | unused u32 | padding u32 | lock_owner u64 ]
export const FLUSH_IN = { SIZE: 24, fh: 0, unused: 8, padding: 12, lock_owner: 16 } as const;

/** struct fuse_fsync_in: FSYNC and FSYNCDIR. */
// [ fh u64 | fsync_flags u32 | padding u32 ]
export const FSYNC_IN = { SIZE: 16, fh: 0, fsync_flags: 8, padding: 12 } as const;

/** struct fuse_mknod_in; the new name follows. */
// [ mode u32 | rdev u32 | umask u32 | padding u32 ]
export const MKNOD_IN = { SIZE: 16, mode: 0, rdev: 4, umask: 8, padding: 12 } as const;

/** struct fuse_mkdir_in; the new name follows. */
// [ mode u32 | umask u32 ]
export const MKDIR_IN = { SIZE: 8, mode: 0, umask: 4 } as const;

/** struct fuse_rename_in; old name and new name follow. */
// [ newdir u64 ]
export const RENAME_IN = { SIZE: 8, newdir: 0 } as const;

/** struct fuse_rename2_in; old name and new name follow. */
// [ newdir u64 | flags u32 (RENAME_*) | padding u32 ]
export const RENAME2_IN = { SIZE: 16, newdir: 0, flags: 8, padding: 12 } as const;

/** struct fuse_link_in; the new name follows (the header's nodeid is the new parent). */
// [ oldnodeid u64 ]
export const LINK_IN = { SIZE: 8, oldnodeid: 0 } as const;

/**
 * struct fuse_setxattr_in; name and value follow. Only 8 bytes (size, flags)
 * unless INIT negotiated FUSE_SETXATTR_EXT.
 */
// [ size u32 | flags u32 (XATTR_*) | setxattr_flags u32 | padding u32 ]
export const SETXATTR_IN = { SIZE: 16, size: 0, flags: 4, setxattr_flags: 8, padding: 12 } as const;
export const SETXATTR_IN_COMPAT_SIZE = 8;

/** struct fuse_getxattr_in: GETXATTR (name follows) and LISTXATTR. */
// [ size u32 (0: ask for the size) | padding u32 ]
export const GETXATTR_IN = { SIZE: 8, size: 0, padding: 4 } as const;

/** struct fuse_getxattr_out: the reply to a size query. */
// [ size u32 | padding u32 ]
export const GETXATTR_OUT = { SIZE: 8, size: 0, padding: 4 } as const;

/** struct fuse_access_in. */
// [ mask u32 (R_OK|W_OK|X_OK, or F_OK) | padding u32 ]
export const ACCESS_IN = { SIZE: 8, mask: 0, padding: 4 } as const;

/** struct fuse_kstatfs, the whole of struct fuse_statfs_out. */
// [ blocks u64 | bfree u64 | bavail u64 | files u64 | ffree u64 | bsize u32 |
//   namelen u32 | frsize u32 | padding u32 | spare u32[6] ]
export const KSTATFS = {
  SIZE: 80,
  blocks: 0,
  bfree: 8,
  bavail: 16,
  files: 24,
  ffree: 32,
  bsize: 40,
  namelen: 44,
  frsize: 48,
  padding: 52,
  spare: 56,
} as const;
export const STATFS_OUT = { SIZE: 80, st: 0 } as const;

/** struct fuse_forget_in (the header's nodeid is the node). */
// [ nlookup u64 ]
export const FORGET_IN = { SIZE: 8, nlookup: 0 } as const;

/** struct fuse_batch_forget_in; `count` fuse_forget_one follow. */
// [ count u32 | dummy u32 ]
export const BATCH_FORGET_IN = { SIZE: 8, count: 0, dummy: 4 } as const;

/** struct fuse_forget_one. */
// [ nodeid u64 | nlookup u64 ]
export const FORGET_ONE = { SIZE: 16, nodeid: 0, nlookup: 8 } as const;

/** struct fuse_interrupt_in: the unique of the request to interrupt. */
// [ unique u64 ]
export const INTERRUPT_IN = { SIZE: 8, unique: 0 } as const;

/** struct fuse_dirent; the name follows, the record is padded to 8 bytes. */
// [ ino u64 | off u64 (cookie of the next entry) | namelen u32 | type u32 (DT_*) | name ]
export const DIRENT = { SIZE: 24, ino: 0, off: 8, namelen: 16, type: 20, name: 24 } as const;

/** struct fuse_direntplus: an entry_out, then a dirent; padded to 8 bytes. */
// [ entry_out fuse_entry_out | dirent fuse_dirent | name ]
export const DIRENTPLUS = { SIZE: 152, entry_out: 0, dirent: 128 } as const;

/** struct fuse_fallocate_in. */
// [ fh u64 | offset u64 | length u64 | mode u32 (FALLOC_FL_*) | padding u32 ]
export const FALLOCATE_IN = {
  SIZE: 32,
  fh: 0,
  offset: 8,
  length: 16,
  mode: 24,
  padding: 28,
} as const;

/** struct fuse_lseek_in. */
// [ fh u64 | offset u64 | whence u32 | padding u32 ]
export const LSEEK_IN = { SIZE: 24, fh: 0, offset: 8, whence: 16, padding: 20 } as const;

/** struct fuse_lseek_out. */
// [ offset u64 ]
export const LSEEK_OUT = { SIZE: 8, offset: 0 } as const;

/** A struct layout: field offsets and SIZE. */
export type Layout = { readonly SIZE: number } & { readonly [field: string]: number };

/** Every layout above, by its C struct name (for the ABI test). */
export const STRUCTS: Readonly<Record<string, Layout>> = {
  fuse_in_header: IN_HEADER,
  fuse_out_header: OUT_HEADER,
  fuse_init_in: INIT_IN,
  fuse_init_out: INIT_OUT,
  fuse_attr: ATTR,
  fuse_entry_out: ENTRY_OUT,
  fuse_attr_out: ATTR_OUT,
  fuse_getattr_in: GETATTR_IN,
  fuse_setattr_in: SETATTR_IN,
  fuse_open_in: OPEN_IN,
  fuse_create_in: CREATE_IN,
  fuse_open_out: OPEN_OUT,
  fuse_read_in: READ_IN,
  fuse_write_in: WRITE_IN,
  fuse_write_out: WRITE_OUT,
  fuse_release_in: RELEASE_IN,
  fuse_flush_in: FLUSH_IN,
  fuse_fsync_in: FSYNC_IN,
  fuse_mknod_in: MKNOD_IN,
  fuse_mkdir_in: MKDIR_IN,
  fuse_rename_in: RENAME_IN,
  fuse_rename2_in: RENAME2_IN,
  fuse_link_in: LINK_IN,
  fuse_setxattr_in: SETXATTR_IN,
  fuse_getxattr_in: GETXATTR_IN,
  fuse_getxattr_out: GETXATTR_OUT,
  fuse_access_in: ACCESS_IN,
  fuse_kstatfs: KSTATFS,
  fuse_statfs_out: STATFS_OUT,
  fuse_forget_in: FORGET_IN,
  fuse_batch_forget_in: BATCH_FORGET_IN,
  fuse_forget_one: FORGET_ONE,
  fuse_interrupt_in: INTERRUPT_IN,
  fuse_dirent: DIRENT,
  fuse_direntplus: DIRENTPLUS,
  fuse_fallocate_in: FALLOCATE_IN,
  fuse_lseek_in: LSEEK_IN,
  fuse_lseek_out: LSEEK_OUT,
};

/** Bytes a record takes once padded to the 8-byte boundary (FUSE_REC_ALIGN). */
export function recAlign(bytes: number): number {
  return (bytes + 7) & ~7;
}
