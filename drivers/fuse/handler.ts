// The handler interface: what a filesystem implements to be served over FUSE.
//
// One handler instance lives in each session Worker and is called
// synchronously, one request at a time per Worker; several Workers serve the
// same mount at once, so state every Worker must see (node ids, open files)
// lives outside the handler: in the VFS server, or in shared memory passed in
// the handler options. A method returns its reply or throws an ErrnoError
// (kernel/errno.ts); any other exception is a bug, answered with EIO and
// logged. A method left out answers ENOSYS, which the kernel remembers for
// some operations (see docs/fuse.md: ENOSYS to ACCESS means "always allowed",
// to OPEN "opens need no message", to FSYNC "fsync succeeds").
//
// Node ids are the handler's: it hands them out in every Entry, the kernel
// counts one lookup per Entry it receives (LOOKUP, MKNOD, MKDIR, SYMLINK,
// LINK, CREATE, and each READDIRPLUS entry but "." and ".."), and FORGET
// gives them back. Node id 1 is the root and is never forgotten. A
// (nodeid, generation) pair must never name two different files in one mount.
//
// Names are bytes (Linux names need not be UTF-8). Byte arrays in requests
// that are not names (write data, xattr values) are views of the request
// buffer, valid only until the method returns.

import type { DirPacker } from "./dirent.ts";

/** The host process that made the request, as the kernel reports it. */
export interface Caller {
  /** fsuid of the calling thread. */
  readonly uid: number;
  /** fsgid of the calling thread. */
  readonly gid: number;
  /** Thread id in the mount's pid namespace; 0 for requests the kernel makes itself. */
  readonly pid: number;
  /** Supplementary groups (read from /proc/<pid>/status on first use; [] if it is gone). */
  readonly groups: readonly number[];
}

/** What every handler method receives besides its arguments. */
export interface RequestContext {
  readonly caller: Caller;
  /** The kernel's id of this request. */
  readonly unique: bigint;
  /** The kernel has sent INTERRUPT for this request: answer EINTR if you can stop. */
  interrupted(): boolean;
}

/** File attributes, as struct stat has them. */
export interface Attr {
  ino: number;
  sizeBytes: number;
  /** 512-byte blocks allocated. */
  blocks: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  /** Type and permission bits (S_IFMT | 07777). */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  /** Preferred I/O size; 0 lets the kernel choose. */
  blksize: number;
}

/** A name resolved to a node: the reply of LOOKUP and of every call that creates one. */
export interface Entry {
  nodeid: number;
  generation: number;
  attr: Attr;
}

/** An opened file or directory. */
export interface Opened {
  /** The handler's handle; the kernel passes it back on every call for this open. */
  fh: number;
  /** FOPEN_* flags (abi.ts Fopen). */
  openFlags?: number;
}

/** The reply of CREATE. */
export interface Created extends Opened {
  entry: Entry;
}

/** Filesystem totals (statfs(2)). */
export interface StatFs {
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  bsize: number;
  namelen: number;
  frsize: number;
}

/** Changes a SETATTR asks for; a field absent means "leave it". */
export interface SetattrIn {
  nodeid: number;
  /** The open file this came through (ftruncate, fchmod...), if any. */
  fh?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  sizeBytes?: number;
  /** A time to set, or "now" (utimensat UTIME_NOW). */
  atime?: Timestamp | "now";
  mtime?: Timestamp | "now";
  ctime?: Timestamp;
  /** FATTR_KILL_SUIDGID: clear set-user-id and set-group-id as a write would. */
  killSuidgid: boolean;
  /** The raw FATTR_* bits, for what the fields above do not say. */
  valid: number;
}

/** Seconds and nanoseconds since the epoch. */
export interface Timestamp {
  sec: number;
  nsec: number;
}

/** One FORGET: the kernel drops `nlookup` of the lookups it counted on `nodeid`. */
export interface Forget {
  nodeid: number;
  nlookup: number;
}

// Requests, one per operation. `nodeid` is the node the request is about;
// `parent` is the directory that holds `name`.

export interface NodeIn {
  nodeid: number;
}
export interface GetattrIn {
  nodeid: number;
  fh?: number;
}
export interface NameIn {
  parent: number;
  name: Uint8Array;
}
export interface SymlinkIn extends NameIn {
  target: Uint8Array;
}
export interface MknodIn extends NameIn {
  mode: number;
  rdev: number;
  /** The caller's umask, already applied to `mode` by the kernel. */
  umask: number;
}
export interface MkdirIn extends NameIn {
  mode: number;
  umask: number;
}
export interface RenameIn extends NameIn {
  newParent: number;
  newName: Uint8Array;
  /** RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT; 0 for plain RENAME. */
  flags: number;
}
export interface LinkIn {
  nodeid: number;
  newParent: number;
  newName: Uint8Array;
}
export interface OpenIn {
  nodeid: number;
  /** open(2) flags (O_CREAT, O_EXCL and O_NOCTTY removed by the kernel). */
  flags: number;
}
export interface CreateIn extends NameIn {
  flags: number;
  mode: number;
  umask: number;
}
export interface ReadIn {
  nodeid: number;
  fh: number;
  offset: number;
  size: number;
  /**
   * `size` bytes of the reply buffer: fill them and return a subarray of
   * this starting at 0 to answer without a copy.
   */
  buffer: Uint8Array;
}
export interface WriteIn {
  nodeid: number;
  fh: number;
  offset: number;
  /** The data, a view of the request buffer. */
  data: Uint8Array;
  /** The open(2) flags of the file (O_APPEND...). */
  flags: number;
  /** FUSE_WRITE_* flags. */
  writeFlags: number;
}
export interface FlushIn {
  nodeid: number;
  fh: number;
  lockOwner: bigint;
}
export interface ReleaseIn {
  nodeid: number;
  fh: number;
  flags: number;
  releaseFlags: number;
}
export interface FsyncIn {
  nodeid: number;
  fh: number;
  /** fdatasync: only data must be durable. */
  datasync: boolean;
}
export interface ReaddirIn {
  nodeid: number;
  fh: number;
  /** The `off` of the last entry the kernel consumed; 0 at the start. */
  offset: number;
  /** Where the entries go; it stops taking them at the size the kernel asked for. */
  out: DirPacker;
}
export interface SetxattrIn {
  nodeid: number;
  name: Uint8Array;
  value: Uint8Array;
  /** XATTR_CREATE, XATTR_REPLACE. */
  flags: number;
}
export interface GetxattrIn {
  nodeid: number;
  name: Uint8Array;
}
export interface RemovexattrIn {
  nodeid: number;
  name: Uint8Array;
}
export interface AccessIn {
  nodeid: number;
  /** R_OK | W_OK | X_OK, or F_OK (0). */
  mask: number;
}
export interface FallocateIn {
  nodeid: number;
  fh: number;
  offset: number;
  length: number;
  /** FALLOC_FL_* */
  mode: number;
}
export interface LseekIn {
  nodeid: number;
  fh: number;
  offset: number;
  /** SEEK_DATA or SEEK_HOLE. */
  whence: number;
}

/**
 * A filesystem served over FUSE. Every method is optional; an absent one
 * answers ENOSYS.
 */
export interface FuseHandler {
  /**
   * The filesystem itself clears set-user-ID (and set-group-ID) on a write,
   * truncate or open with O_TRUNC by a caller without CAP_FSETID, and on a
   * chown: HANDLE_KILLPRIV_V2 is negotiated, and the kernel says when
   * (FUSE_WRITE_KILL_SUIDGID, FATTR_KILL_SUIDGID, FUSE_OPEN_KILL_SUIDGID).
   * Otherwise the kernel clears them with a SETATTR of the mode, made with
   * the writer's credentials: one a writer who does not own the file may
   * not make, so its write fails.
   */
  readonly killsPrivileges?: boolean;
  lookup?(ctx: RequestContext, req: NameIn): Entry;
  /** FORGET and BATCH_FORGET (no reply; the caller is usually the kernel itself). */
  forget?(ctx: RequestContext, forgets: readonly Forget[]): void;
  getattr?(ctx: RequestContext, req: GetattrIn): Attr;
  setattr?(ctx: RequestContext, req: SetattrIn): Attr;
  /** The link's target. */
  readlink?(ctx: RequestContext, req: NodeIn): Uint8Array;
  symlink?(ctx: RequestContext, req: SymlinkIn): Entry;
  mknod?(ctx: RequestContext, req: MknodIn): Entry;
  mkdir?(ctx: RequestContext, req: MkdirIn): Entry;
  unlink?(ctx: RequestContext, req: NameIn): void;
  rmdir?(ctx: RequestContext, req: NameIn): void;
  /** RENAME and RENAME2. */
  rename?(ctx: RequestContext, req: RenameIn): void;
  link?(ctx: RequestContext, req: LinkIn): Entry;
  open?(ctx: RequestContext, req: OpenIn): Opened;
  create?(ctx: RequestContext, req: CreateIn): Created;
  /** Bytes read; fewer than asked means end of file. */
  read?(ctx: RequestContext, req: ReadIn): Uint8Array;
  /** Bytes written. */
  write?(ctx: RequestContext, req: WriteIn): number;
  flush?(ctx: RequestContext, req: FlushIn): void;
  release?(ctx: RequestContext, req: ReleaseIn): void;
  fsync?(ctx: RequestContext, req: FsyncIn): void;
  opendir?(ctx: RequestContext, req: OpenIn): Opened;
  readdir?(ctx: RequestContext, req: ReaddirIn): void;
  /**
   * READDIRPLUS: as readdir, with an Entry per name (out.addPlus). Each
   * entry packed counts as one lookup of its node, except "." and "..".
   */
  readdirplus?(ctx: RequestContext, req: ReaddirIn): void;
  releasedir?(ctx: RequestContext, req: ReleaseIn): void;
  fsyncdir?(ctx: RequestContext, req: FsyncIn): void;
  statfs?(ctx: RequestContext, req: NodeIn): StatFs;
  access?(ctx: RequestContext, req: AccessIn): void;
  setxattr?(ctx: RequestContext, req: SetxattrIn): void;
  /** The whole value; the session answers size queries and ERANGE itself. */
  getxattr?(ctx: RequestContext, req: GetxattrIn): Uint8Array;
  /** Every name; the session packs them and answers size queries and ERANGE. */
  listxattr?(ctx: RequestContext, req: NodeIn): Uint8Array[];
  removexattr?(ctx: RequestContext, req: RemovexattrIn): void;
  fallocate?(ctx: RequestContext, req: FallocateIn): void;
  /** The offset SEEK_DATA or SEEK_HOLE lands on (ENXIO past the end). */
  lseek?(ctx: RequestContext, req: LseekIn): number;
  /** The mount is going away (DESTROY): release what the handler holds. */
  destroy?(): void;
}

/** Makes the handler of one session Worker from the session's handler options. */
export type HandlerFactory = (options: unknown) => FuseHandler | Promise<FuseHandler>;
