// An in-memory filesystem behind the FUSE handler interface: a test double
// for the protocol layer (drivers/fuse), not a MelloOS filesystem.
//
// It lives inside one session Worker, so a mount of it is served by exactly
// one Worker. It checks permissions itself with the caller's uid, gid and
// supplementary groups (the mount has no default_permissions), root passing
// every check but "execute needs some x bit". Node ids are never reused, so
// every generation is 0; a node is dropped when it has no links, no kernel
// lookups and no open handles.

import {
  type AccessIn,
  type Attr,
  type Created,
  type CreateIn,
  type Entry,
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  type FallocateIn,
  type Forget,
  type FsyncIn,
  FUSE_ROOT_ID,
  type FuseHandler,
  type GetattrIn,
  type GetxattrIn,
  type LinkIn,
  type LseekIn,
  type MkdirIn,
  type MknodIn,
  type NameIn,
  type NodeIn,
  type Opened,
  type OpenIn,
  type ReaddirIn,
  type ReadIn,
  type ReleaseIn,
  type RemovexattrIn,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  type RenameIn,
  type RequestContext,
  SEEK_DATA,
  SEEK_HOLE,
  type SetattrIn,
  type SetxattrIn,
  type StatFs,
  type SymlinkIn,
  type Timestamp,
  type WriteIn,
  XATTR_CREATE,
  XATTR_REPLACE,
} from "../../drivers/fuse/mod.ts";
import { Errno, ErrnoError } from "../../kernel/errno.ts";

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;
const R_OK = 4;
const W_OK = 2;
const X_OK = 1;
const O_ACCMODE = 3;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_TRUNC = 0o1000;
const NAME_MAX = 255;
const MAX_FILE_BYTES = 2 ** 40;

/** Options of a memfs mount (handler options of the session). */
export interface MemFsOptions {
  /** Handler methods to leave out, to see the ENOSYS path. */
  omit?: string[];
}

interface Node {
  nodeid: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  rdev: number;
  atime: Timestamp;
  mtime: Timestamp;
  ctime: Timestamp;
  data: Uint8Array;
  sizeBytes: number;
  target: Uint8Array;
  /** Directories: name (as a byte string) -> node id. */
  entries: Map<string, number>;
  /** Directories: the parent's node id. */
  parent: number;
  xattrs: Map<string, Uint8Array>;
  lookups: number;
  opens: number;
}

interface Handle {
  nodeid: number;
  flags: number;
  /** Directories: the names when opened, so removals during a listing skip nothing. */
  names: string[];
}

/** The factory a session Worker calls. */
export function createMemFs(options: unknown): FuseHandler {
  const fs = new MemFs();
  const omit = (options as MemFsOptions | undefined)?.omit ?? [];
  const handler: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(MemFs.prototype)) {
    if (name === "constructor" || name.startsWith("#") || omit.includes(name)) continue;
    const fn = (fs as unknown as Record<string, unknown>)[name];
    if (typeof fn === "function") handler[name] = fn.bind(fs);
  }
  return handler as FuseHandler;
}

/** The filesystem; public methods are FuseHandler methods. */
export class MemFs implements FuseHandler {
  readonly #nodes = new Map<number, Node>();
  readonly #handles = new Map<number, Handle>();
  #nextNodeid = FUSE_ROOT_ID + 1;
  #nextFh = 1;

  constructor() {
    const root = this.#newNode(S_IFDIR | 0o755, 0, 0);
    root.nodeid = FUSE_ROOT_ID;
    root.nlink = 2;
    root.parent = FUSE_ROOT_ID;
    this.#nodes.set(FUSE_ROOT_ID, root);
  }

  lookup(ctx: RequestContext, req: NameIn): Entry {
    const dir = this.#dir(req.parent);
    this.#check(ctx, dir, X_OK);
    const node = this.#child(dir, req.name);
    node.lookups++;
    return this.#entry(node);
  }

  forget(_ctx: RequestContext, forgets: readonly Forget[]): void {
    for (const f of forgets) {
      const node = this.#nodes.get(f.nodeid);
      if (node === undefined) continue;
      node.lookups = Math.max(0, node.lookups - f.nlookup);
      this.#maybeDrop(node);
    }
  }

  getattr(_ctx: RequestContext, req: GetattrIn): Attr {
    return this.#attr(this.#node(req.nodeid));
  }

  setattr(ctx: RequestContext, req: SetattrIn): Attr {
    const node = this.#node(req.nodeid);
    const { uid } = ctx.caller;
    const owner = uid === 0 || uid === node.uid;
    if (req.mode !== undefined) {
      if (!owner) throw new ErrnoError(Errno.EPERM, "chmod");
      let mode = req.mode & 0o7777;
      if (uid !== 0 && !this.#inGroup(ctx, node.gid)) mode &= ~S_ISGID;
      node.mode = (node.mode & S_IFMT) | mode;
    }
    if (req.uid !== undefined || req.gid !== undefined) this.#chown(ctx, node, req);
    if (req.sizeBytes !== undefined) {
      if ((node.mode & S_IFMT) === S_IFDIR) throw new ErrnoError(Errno.EISDIR);
      if (req.fh === undefined) this.#check(ctx, node, W_OK);
      this.#resize(node, req.sizeBytes);
      node.mtime = now();
    }
    this.#setTimes(ctx, node, req, owner);
    node.ctime = now();
    return this.#attr(node);
  }

  #chown(ctx: RequestContext, node: Node, req: SetattrIn): void {
    const { uid } = ctx.caller;
    const newUid = req.uid ?? node.uid;
    const newGid = req.gid ?? node.gid;
    if (uid !== 0) {
      // Only root gives files away; an owner may change the group to one of its own.
      if (newUid !== node.uid || uid !== node.uid) throw new ErrnoError(Errno.EPERM, "chown");
      if (newGid !== node.gid && !this.#inGroup(ctx, newGid)) throw new ErrnoError(Errno.EPERM);
    }
    node.uid = newUid;
    node.gid = newGid;
    if ((node.mode & S_IFMT) !== S_IFDIR) node.mode &= ~(S_ISUID | S_ISGID);
  }

  #setTimes(ctx: RequestContext, node: Node, req: SetattrIn, owner: boolean): void {
    if (req.atime === undefined && req.mtime === undefined) return;
    const explicit = (req.atime !== undefined && req.atime !== "now") ||
      (req.mtime !== undefined && req.mtime !== "now");
    // utimensat: the owner sets any time; others with write access may set "now".
    if (!owner) {
      if (explicit) throw new ErrnoError(Errno.EPERM, "utimes");
      this.#check(ctx, node, W_OK);
    }
    if (req.atime !== undefined) node.atime = req.atime === "now" ? now() : req.atime;
    if (req.mtime !== undefined) node.mtime = req.mtime === "now" ? now() : req.mtime;
  }

  readlink(_ctx: RequestContext, req: NodeIn): Uint8Array {
    const node = this.#node(req.nodeid);
    if ((node.mode & S_IFMT) !== S_IFLNK) throw new ErrnoError(Errno.EINVAL);
    return node.target;
  }

  symlink(ctx: RequestContext, req: SymlinkIn): Entry {
    const node = this.#create(ctx, req, S_IFLNK | 0o777);
    node.target = req.target.slice();
    node.sizeBytes = req.target.length;
    return this.#entry(node);
  }

  mknod(ctx: RequestContext, req: MknodIn): Entry {
    const node = this.#create(ctx, req, req.mode);
    node.rdev = req.rdev;
    return this.#entry(node);
  }

  mkdir(ctx: RequestContext, req: MkdirIn): Entry {
    const parent = this.#dir(req.parent);
    const node = this.#create(ctx, req, S_IFDIR | (req.mode & 0o7777));
    node.nlink = 2;
    node.parent = parent.nodeid;
    parent.nlink++;
    return this.#entry(node);
  }

  unlink(ctx: RequestContext, req: NameIn): void {
    const dir = this.#dir(req.parent);
    const node = this.#child(dir, req.name);
    if ((node.mode & S_IFMT) === S_IFDIR) throw new ErrnoError(Errno.EISDIR);
    this.#checkRemove(ctx, dir, node);
    this.#unlinkName(dir, req.name, node);
  }

  rmdir(ctx: RequestContext, req: NameIn): void {
    const dir = this.#dir(req.parent);
    const node = this.#child(dir, req.name);
    if ((node.mode & S_IFMT) !== S_IFDIR) throw new ErrnoError(Errno.ENOTDIR);
    this.#checkRemove(ctx, dir, node);
    if (node.entries.size > 0) throw new ErrnoError(Errno.ENOTEMPTY);
    this.#unlinkName(dir, req.name, node);
  }

  rename(ctx: RequestContext, req: RenameIn): void {
    if ((req.flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0) {
      throw new ErrnoError(Errno.EINVAL);
    }
    const from = this.#dir(req.parent);
    const to = this.#dir(req.newParent);
    const node = this.#child(from, req.name);
    this.#checkRemove(ctx, from, node);
    this.#check(ctx, to, W_OK | X_OK);
    checkName(req.newName);
    const victimId = to.entries.get(key(req.newName));
    const victim = victimId === undefined ? undefined : this.#node(victimId);
    if (victim === node) return;
    if ((node.mode & S_IFMT) === S_IFDIR && this.#isAncestor(node, to)) {
      throw new ErrnoError(Errno.EINVAL);
    }
    if ((req.flags & RENAME_EXCHANGE) !== 0) {
      return this.#exchange(ctx, req, from, to, node, victim);
    }
    if (victim !== undefined) {
      if ((req.flags & RENAME_NOREPLACE) !== 0) throw new ErrnoError(Errno.EEXIST);
      this.#checkReplace(ctx, to, node, victim);
      this.#unlinkName(to, req.newName, victim);
    }
    from.entries.delete(key(req.name));
    to.entries.set(key(req.newName), node.nodeid);
    if ((node.mode & S_IFMT) === S_IFDIR && from !== to) {
      from.nlink--;
      to.nlink++;
      node.parent = to.nodeid;
    }
    node.ctime =
      from.mtime =
      from.ctime =
      to.mtime =
      to.ctime =
        now();
  }

  #exchange(
    ctx: RequestContext,
    req: RenameIn,
    from: Node,
    to: Node,
    node: Node,
    other?: Node,
  ): void {
    if (other === undefined) throw new ErrnoError(Errno.ENOENT);
    this.#checkRemove(ctx, to, other);
    if ((other.mode & S_IFMT) === S_IFDIR && this.#isAncestor(other, from)) {
      throw new ErrnoError(Errno.EINVAL);
    }
    from.entries.set(key(req.name), other.nodeid);
    to.entries.set(key(req.newName), node.nodeid);
    for (const [n, dir] of [[node, to], [other, from]] as const) {
      if ((n.mode & S_IFMT) === S_IFDIR && n.parent !== dir.nodeid) {
        this.#node(n.parent).nlink--;
        dir.nlink++;
        n.parent = dir.nodeid;
      }
    }
    node.ctime =
      other.ctime =
      from.mtime =
      to.mtime =
        now();
  }

  #checkReplace(ctx: RequestContext, dir: Node, node: Node, victim: Node): void {
    this.#checkRemove(ctx, dir, victim);
    const isDir = (node.mode & S_IFMT) === S_IFDIR;
    const victimIsDir = (victim.mode & S_IFMT) === S_IFDIR;
    if (isDir && !victimIsDir) throw new ErrnoError(Errno.ENOTDIR);
    if (!isDir && victimIsDir) throw new ErrnoError(Errno.EISDIR);
    if (victimIsDir && victim.entries.size > 0) throw new ErrnoError(Errno.ENOTEMPTY);
  }

  link(ctx: RequestContext, req: LinkIn): Entry {
    const node = this.#node(req.nodeid);
    if ((node.mode & S_IFMT) === S_IFDIR) throw new ErrnoError(Errno.EPERM);
    const dir = this.#dir(req.newParent);
    this.#check(ctx, dir, W_OK | X_OK);
    checkName(req.newName);
    if (dir.entries.has(key(req.newName))) throw new ErrnoError(Errno.EEXIST);
    dir.entries.set(key(req.newName), node.nodeid);
    node.nlink++;
    node.lookups++;
    node.ctime = dir.mtime = dir.ctime = now();
    return this.#entry(node);
  }

  open(ctx: RequestContext, req: OpenIn): Opened {
    const node = this.#node(req.nodeid);
    this.#check(ctx, node, accessOf(req.flags));
    if ((req.flags & O_TRUNC) !== 0 && (node.mode & S_IFMT) === S_IFREG) {
      this.#resize(node, 0);
      node.mtime = node.ctime = now();
    }
    return { fh: this.#open(node, req.flags, []) };
  }

  create(ctx: RequestContext, req: CreateIn): Created {
    const node = this.#create(ctx, req, S_IFREG | (req.mode & 0o7777));
    return { entry: this.#entry(node), fh: this.#open(node, req.flags, []) };
  }

  read(_ctx: RequestContext, req: ReadIn): Uint8Array {
    const node = this.#handle(req.fh).node;
    if (req.offset >= node.sizeBytes) return req.buffer.subarray(0, 0);
    const end = Math.min(node.sizeBytes, req.offset + req.size);
    req.buffer.set(node.data.subarray(req.offset, end));
    node.atime = now();
    return req.buffer.subarray(0, end - req.offset);
  }

  write(_ctx: RequestContext, req: WriteIn): number {
    const { node, handle } = this.#handle(req.fh);
    if ((handle.flags & O_ACCMODE) === 0) throw new ErrnoError(Errno.EBADF);
    const end = req.offset + req.data.length;
    if (end > MAX_FILE_BYTES) throw new ErrnoError(Errno.EFBIG);
    if (end > node.sizeBytes) this.#resize(node, end);
    node.data.set(req.data, req.offset);
    node.mtime = node.ctime = now();
    return req.data.length;
  }

  flush(_ctx: RequestContext): void {}

  release(_ctx: RequestContext, req: ReleaseIn): void {
    const { node } = this.#handle(req.fh);
    this.#handles.delete(req.fh);
    node.opens--;
    this.#maybeDrop(node);
  }

  fsync(_ctx: RequestContext, _req: FsyncIn): void {}

  opendir(ctx: RequestContext, req: OpenIn): Opened {
    const node = this.#dir(req.nodeid);
    this.#check(ctx, node, R_OK);
    return { fh: this.#open(node, req.flags, [".", "..", ...node.entries.keys()]) };
  }

  readdir(_ctx: RequestContext, req: ReaddirIn): void {
    const { node, handle } = this.#handle(req.fh);
    for (let i = req.offset; i < handle.names.length; i++) {
      const child = this.#listed(node, handle.names[i]);
      if (child === undefined) continue;
      if (!req.out.add(bytesOf(handle.names[i]), ino(child), child.mode, i + 1)) return;
    }
  }

  readdirplus(_ctx: RequestContext, req: ReaddirIn): void {
    const { node, handle } = this.#handle(req.fh);
    for (let i = req.offset; i < handle.names.length; i++) {
      const name = handle.names[i];
      const child = this.#listed(node, name);
      if (child === undefined) continue;
      if (!req.out.addPlus(bytesOf(name), this.#entry(child), i + 1)) return;
      if (name !== "." && name !== "..") child.lookups++;
    }
  }

  releasedir(_ctx: RequestContext, req: ReleaseIn): void {
    this.release(_ctx, req);
  }

  fsyncdir(_ctx: RequestContext, _req: FsyncIn): void {}

  statfs(_ctx: RequestContext, _req: NodeIn): StatFs {
    return {
      blocks: 1 << 20,
      bfree: 1 << 19,
      bavail: 1 << 19,
      files: 1 << 16,
      ffree: (1 << 16) - this.#nodes.size,
      bsize: 4096,
      namelen: NAME_MAX,
      frsize: 4096,
    };
  }

  access(ctx: RequestContext, req: AccessIn): void {
    this.#check(ctx, this.#node(req.nodeid), req.mask);
  }

  setxattr(ctx: RequestContext, req: SetxattrIn): void {
    const node = this.#node(req.nodeid);
    this.#checkXattr(ctx, node, req.name, W_OK);
    const k = key(req.name);
    if ((req.flags & XATTR_CREATE) !== 0 && node.xattrs.has(k)) throw new ErrnoError(Errno.EEXIST);
    if ((req.flags & XATTR_REPLACE) !== 0 && !node.xattrs.has(k)) {
      throw new ErrnoError(Errno.ENODATA);
    }
    node.xattrs.set(k, req.value.slice());
    node.ctime = now();
  }

  getxattr(ctx: RequestContext, req: GetxattrIn): Uint8Array {
    const node = this.#node(req.nodeid);
    this.#checkXattr(ctx, node, req.name, R_OK);
    const value = node.xattrs.get(key(req.name));
    if (value === undefined) throw new ErrnoError(Errno.ENODATA);
    return value;
  }

  listxattr(_ctx: RequestContext, req: NodeIn): Uint8Array[] {
    return [...this.#node(req.nodeid).xattrs.keys()].map(bytesOf);
  }

  removexattr(ctx: RequestContext, req: RemovexattrIn): void {
    const node = this.#node(req.nodeid);
    this.#checkXattr(ctx, node, req.name, W_OK);
    if (!node.xattrs.delete(key(req.name))) throw new ErrnoError(Errno.ENODATA);
    node.ctime = now();
  }

  fallocate(_ctx: RequestContext, req: FallocateIn): void {
    const { node } = this.#handle(req.fh);
    const end = req.offset + req.length;
    if (req.mode === 0 || req.mode === FALLOC_FL_KEEP_SIZE) {
      if (req.mode === 0 && end > node.sizeBytes) this.#resize(node, end);
    } else if (req.mode === (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
      node.data.fill(0, Math.min(req.offset, node.sizeBytes), Math.min(end, node.sizeBytes));
    } else {
      throw new ErrnoError(Errno.EOPNOTSUPP);
    }
    node.mtime = node.ctime = now();
  }

  lseek(_ctx: RequestContext, req: LseekIn): number {
    const { node } = this.#handle(req.fh);
    if (req.offset >= node.sizeBytes) throw new ErrnoError(Errno.ENXIO);
    if (req.whence === SEEK_DATA) return req.offset;
    if (req.whence === SEEK_HOLE) return node.sizeBytes;
    throw new ErrnoError(Errno.EINVAL);
  }

  // ---- nodes ----

  #newNode(mode: number, uid: number, gid: number): Node {
    const t = now();
    return {
      nodeid: this.#nextNodeid++,
      mode,
      uid,
      gid,
      nlink: 1,
      rdev: 0,
      atime: t,
      mtime: t,
      ctime: t,
      data: new Uint8Array(0),
      sizeBytes: 0,
      target: new Uint8Array(0),
      entries: new Map(),
      parent: 0,
      xattrs: new Map(),
      lookups: 0,
      opens: 0,
    };
  }

  /** A new node named `req.name` in `req.parent`, owned by the caller, looked up once. */
  #create(ctx: RequestContext, req: NameIn, mode: number): Node {
    const dir = this.#dir(req.parent);
    this.#check(ctx, dir, W_OK | X_OK);
    checkName(req.name);
    if (dir.entries.has(key(req.name))) throw new ErrnoError(Errno.EEXIST);
    // A set-group-id directory gives its group to what is made in it (and S_ISGID to subdirectories).
    const sgid = (dir.mode & S_ISGID) !== 0;
    const gid = sgid ? dir.gid : ctx.caller.gid;
    if (sgid && (mode & S_IFMT) === S_IFDIR) mode |= S_ISGID;
    const node = this.#newNode(mode, ctx.caller.uid, gid);
    this.#nodes.set(node.nodeid, node);
    dir.entries.set(key(req.name), node.nodeid);
    dir.mtime = dir.ctime = now();
    node.lookups = 1;
    return node;
  }

  #unlinkName(dir: Node, name: Uint8Array, node: Node): void {
    dir.entries.delete(key(name));
    if ((node.mode & S_IFMT) === S_IFDIR) {
      node.nlink = 0;
      dir.nlink--;
    } else {
      node.nlink--;
    }
    node.ctime = dir.mtime = dir.ctime = now();
    this.#maybeDrop(node);
  }

  #maybeDrop(node: Node): void {
    if (node.nlink === 0 && node.lookups === 0 && node.opens === 0) this.#nodes.delete(node.nodeid);
  }

  #node(nodeid: number): Node {
    const node = this.#nodes.get(nodeid);
    if (node === undefined) throw new ErrnoError(Errno.ESTALE, `node ${nodeid}`);
    return node;
  }

  #dir(nodeid: number): Node {
    const node = this.#node(nodeid);
    if ((node.mode & S_IFMT) !== S_IFDIR) throw new ErrnoError(Errno.ENOTDIR);
    if (node.nlink === 0) throw new ErrnoError(Errno.ENOENT, "directory removed");
    return node;
  }

  #child(dir: Node, name: Uint8Array): Node {
    if (name.length > NAME_MAX) throw new ErrnoError(Errno.ENAMETOOLONG);
    const id = dir.entries.get(key(name));
    if (id === undefined) throw new ErrnoError(Errno.ENOENT);
    return this.#node(id);
  }

  /** A name of a directory listing, if it still names something. */
  #listed(dir: Node, name: string): Node | undefined {
    if (name === ".") return dir;
    if (name === "..") return this.#nodes.get(dir.parent);
    const id = dir.entries.get(name);
    return id === undefined ? undefined : this.#nodes.get(id);
  }

  #isAncestor(dir: Node, of: Node): boolean {
    for (let n = of;; n = this.#node(n.parent)) {
      if (n === dir) return true;
      if (n.nodeid === FUSE_ROOT_ID) return false;
    }
  }

  #open(node: Node, flags: number, names: string[]): number {
    const fh = this.#nextFh++;
    this.#handles.set(fh, { nodeid: node.nodeid, flags, names });
    node.opens++;
    return fh;
  }

  #handle(fh: number): { node: Node; handle: Handle } {
    const handle = this.#handles.get(fh);
    if (handle === undefined) throw new ErrnoError(Errno.EBADF, `fh ${fh}`);
    return { node: this.#node(handle.nodeid), handle };
  }

  #resize(node: Node, sizeBytes: number): void {
    if (sizeBytes > MAX_FILE_BYTES) throw new ErrnoError(Errno.EFBIG);
    if (sizeBytes > node.data.length) {
      const grown = new Uint8Array(Math.max(sizeBytes, node.data.length * 2));
      grown.set(node.data.subarray(0, node.sizeBytes));
      node.data = grown;
    } else if (sizeBytes < node.sizeBytes) {
      node.data.fill(0, sizeBytes, node.sizeBytes);
    }
    node.sizeBytes = sizeBytes;
  }

  #entry(node: Node): Entry {
    return { nodeid: node.nodeid, generation: 0, attr: this.#attr(node) };
  }

  #attr(node: Node): Attr {
    return {
      ino: ino(node),
      sizeBytes: node.sizeBytes,
      blocks: Math.ceil(node.sizeBytes / 512),
      atimeSec: node.atime.sec,
      atimeNsec: node.atime.nsec,
      mtimeSec: node.mtime.sec,
      mtimeNsec: node.mtime.nsec,
      ctimeSec: node.ctime.sec,
      ctimeNsec: node.ctime.nsec,
      mode: node.mode,
      nlink: node.nlink,
      uid: node.uid,
      gid: node.gid,
      rdev: node.rdev,
      blksize: 4096,
    };
  }

  // ---- permissions ----

  #inGroup(ctx: RequestContext, gid: number): boolean {
    return ctx.caller.gid === gid || ctx.caller.groups.includes(gid);
  }

  /** EACCES unless the caller may access `node` for all of `mask` (R_OK|W_OK|X_OK). */
  #check(ctx: RequestContext, node: Node, mask: number): void {
    if (mask === 0) return;
    if (ctx.caller.uid === 0) {
      // Root may do anything but execute a file nobody may execute.
      const isDir = (node.mode & S_IFMT) === S_IFDIR;
      if ((mask & X_OK) !== 0 && !isDir && (node.mode & 0o111) === 0) {
        throw new ErrnoError(Errno.EACCES);
      }
      return;
    }
    let bits: number;
    if (ctx.caller.uid === node.uid) bits = (node.mode >> 6) & 7;
    else if (this.#inGroup(ctx, node.gid)) bits = (node.mode >> 3) & 7;
    else bits = node.mode & 7;
    if ((bits & mask) !== mask) throw new ErrnoError(Errno.EACCES);
  }

  /** Removing `node` from `dir`: write and search on dir, and the sticky bit's rule. */
  #checkRemove(ctx: RequestContext, dir: Node, node: Node): void {
    this.#check(ctx, dir, W_OK | X_OK);
    const { uid } = ctx.caller;
    if ((dir.mode & S_ISVTX) !== 0 && uid !== 0 && uid !== dir.uid && uid !== node.uid) {
      throw new ErrnoError(Errno.EPERM, "sticky directory");
    }
  }

  #checkXattr(ctx: RequestContext, node: Node, name: Uint8Array, mask: number): void {
    const text = new TextDecoder().decode(name);
    if (text.startsWith("user.")) return this.#check(ctx, node, mask);
    if (text.startsWith("trusted.") || text.startsWith("security.")) {
      if (ctx.caller.uid !== 0 && mask === W_OK) throw new ErrnoError(Errno.EPERM);
      return;
    }
    throw new ErrnoError(Errno.EOPNOTSUPP);
  }
}

function accessOf(flags: number): number {
  const acc = flags & O_ACCMODE;
  const mask = acc === O_WRONLY ? W_OK : acc === O_RDWR ? R_OK | W_OK : R_OK;
  return (flags & O_TRUNC) !== 0 ? mask | W_OK : mask;
}

function checkName(name: Uint8Array): void {
  if (name.length > NAME_MAX) throw new ErrnoError(Errno.ENAMETOOLONG);
}

function ino(node: Node): number {
  return node.nodeid;
}

function now(): Timestamp {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 };
}

/** A name's bytes as a string of code units 0-255 (a Map key that keeps any bytes). */
function key(name: Uint8Array): string {
  let s = "";
  for (const b of name) s += String.fromCharCode(b);
  return s;
}

function bytesOf(k: string): Uint8Array {
  return Uint8Array.from(k, (c) => c.charCodeAt(0));
}
