// VFS handlers for the calls that name files by path (and the metadata calls
// on fds the library routes here). Each one: decode, resolve the path for the
// caller, check permissions (perm.ts), then ask the filesystem, keep the
// caches true, and reply. Errno choices follow Linux's (fs/namei.c, open.c,
// xattr.c); the comments say where Linux's order of checks matters.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import {
  AT,
  AT_FDCWD,
  F_OK,
  MNT_DETACH,
  MNT_FORCE,
  MS,
  O,
  R_OK,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  UTIME_NOW,
  UTIME_OMIT,
  W_OK,
  X_OK,
} from "../../kernel/fcntl.ts";
import { MAX_INLINE, PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import { type Answer, callerData, type Request, type Route } from "../../kernel/ipc/server.ts";
import { decodeStat, encodeStat, makedev, nowTimespec, S, type Stat } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import type { Creds } from "../../kernel/sysmem.ts";
import { encodeRoutes, VfsOp } from "./mod.ts";
import {
  type Attrs,
  attrsToStat,
  encodeStatfs,
  FS_MAGIC,
  NAME_MAX,
  PATH_MAX,
  SetAttr,
  XATTR_SIZE_MAX,
} from "./fs_protocol.ts";
import type { Cause, Fs, SetAttrArgs } from "./fs.ts";
import { isDir, isSymlink, type Loc, type ParentLoc } from "./namei.ts";
import {
  inGroup,
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  permitted,
  require,
  requireDelete,
  requireOwner,
} from "./perm.ts";
import type { Mount } from "./mount.ts";
import { isMemDevice, isTtyDevice, major, MemDevice, minor } from "./devices.ts";
import { ProcFs } from "./procfs.ts";
import { DeadDir } from "./dead_dir.ts";
import { SYMLINK_MAX_HOPS } from "./params.ts";
import type { FdEntry } from "./fd_table.ts";
import { type AclEntry, aclMode, checkAcl, parseAcl } from "./posix_acl.ts";
import {
  ACL_ACCESS,
  ACL_DEFAULT,
  checkNameLength,
  checkNamespace,
  checkSetArgs,
  FILE_CAPS,
  fileCapsValue,
  isAclName,
  visibleTo,
  xattrPermission,
} from "./xattr_rules.ts";
import type { Vfs } from "./vfs.ts";
import { TtyOp } from "../tty/mod.ts";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const TTY_EP = 2;

/** What the path handlers need besides the VFS state. */
export interface PathDeps {
  /** Endpoint -> the filesystem server instance that answers FsOps there. */
  fsFor(fstype: string): { ep: number; fs: Fs } | undefined;
  procfs: ProcFs;
  /** SYSTEM capability for an endpoint (tty console opens). */
  capFor(ep: number): { slot: number; gen: number };
}

export function pathRoutes(vfs: Vfs, deps: PathDeps): Map<number, Route> {
  const w = new PayloadWriter();
  const fifos = vfs.fifos;
  const ns = vfs.ns;

  const cause = (req: Request): Cause => ({
    traceId: req.traceId,
    traced: req.traced,
    pid: req.pid,
  });
  const me = (req: Request) => vfs.creds(req.pid);

  function textArg(req: Request): string {
    const s = req.args.str();
    if (s.includes("\0")) throw new ErrnoError(Errno.EINVAL, "NUL in a name");
    return s;
  }

  /** The directory relative paths start from: the cwd, or dirfd's directory. */
  function startOf(req: Request, dirfd: number, path: string): Loc {
    const c = vfs.rooted(req.pid);
    if (path.startsWith("/") || dirfd === AT_FDCWD) return c.cwd;
    const e = vfs.fd(req.pid, dirfd);
    if (e.ofd.node === undefined) throw new ErrnoError(Errno.ENOTDIR, `fd ${dirfd}`);
    if (!isDir(e.ofd.node.node)) throw new ErrnoError(Errno.ENOTDIR, `fd ${dirfd}`);
    return e.ofd.node;
  }

  /** The inode of fd `fd` (EBADF; EINVAL? for pipes: they have none). */
  function nodeOfFd(req: Request, fd: number): { loc: Loc; entry: FdEntry } {
    const e = vfs.fd(req.pid, fd);
    if (e.ofd.node === undefined) throw new ErrnoError(Errno.EBADF, `fd ${fd} has no inode`);
    return { loc: e.ofd.node, entry: e };
  }

  async function resolve(
    req: Request,
    dirfd: number,
    path: string,
    follow: boolean,
    creds = me(req),
  ): Promise<Loc> {
    const c = vfs.rooted(req.pid);
    return await ns.walk(creds, c.root, startOf(req, dirfd, path), path, {
      follow,
      cause: cause(req),
    });
  }

  /** Resolve for the *at calls that take AT_EMPTY_PATH and AT_SYMLINK_NOFOLLOW. */
  async function resolveAt(
    req: Request,
    dirfd: number,
    path: string,
    flags: number,
    creds = me(req),
  ): Promise<Loc> {
    if (path === "" && (flags & AT.EMPTY_PATH) !== 0) {
      if (dirfd === AT_FDCWD) return vfs.rooted(req.pid).cwd;
      return nodeOfFd(req, dirfd).loc;
    }
    return await resolve(req, dirfd, path, (flags & AT.SYMLINK_NOFOLLOW) === 0, creds);
  }

  async function parentOf(req: Request, dirfd: number, path: string): Promise<ParentLoc> {
    const c = vfs.rooted(req.pid);
    const p = await ns.walkParent(me(req), c.root, startOf(req, dirfd, path), path, cause(req));
    // Nothing can be found or made in a removed directory (Linux: ENOENT).
    if (p.dir.node.dead && p.name !== "" && p.name !== "." && p.name !== "..") {
      throw new ErrnoError(Errno.ENOENT, `${path}: directory removed`);
    }
    return p;
  }

  /** Directory `l` was removed (rmdir, or a rename over it) while a cwd may still be on it. */
  function removedDir(l: Loc): void {
    l.node.dead = true;
    l.node.attrs = { ...l.node.attrs, nlink: 0 };
    ns.icache.forget(l.mount.id, l.node.ino);
  }

  /** The named child of `p`, or undefined if there is none. */
  async function existing(req: Request, p: ParentLoc): Promise<Loc | undefined> {
    try {
      return ns.crossDown(await ns.child(p.dir, p.name, cause(req)));
    } catch (err) {
      if (err instanceof ErrnoError && err.errno === Errno.ENOENT) return undefined;
      throw err;
    }
  }

  function writable(m: Mount): void {
    if ((m.flags & MS.RDONLY) !== 0) throw new ErrnoError(Errno.EROFS, m.path);
  }

  /** Fresh attributes (size and times change behind the cache). */
  async function fresh(l: Loc, req: Request): Promise<Attrs> {
    if (l.node.dead) return l.node.attrs; // its filesystem has forgotten it
    const attrs = await l.mount.fs.getattr(l.mount.sb, l.node.ino, cause(req));
    ns.remember(l.mount, attrs);
    return attrs;
  }

  function statOf(l: Loc, attrs: Attrs): Stat {
    return attrsToStat(attrs, l.mount.dev);
  }

  /** Owner and group for a new inode in `dir` (a setgid directory passes its group on). */
  function ownership(creds: Creds, dir: Loc): { uid: number; gid: number; sgid: boolean } {
    const sgid = (dir.node.attrs.mode & S.ISGID) !== 0;
    return { uid: creds.euid, gid: sgid ? dir.node.attrs.gid : creds.egid, sgid };
  }

  function checkName(name: string): void {
    if (encoder.encode(name).length > NAME_MAX) throw new ErrnoError(Errno.ENAMETOOLONG, name);
  }

  /**
   * Check the name a new non-directory will take (Linux's filename_create):
   * "", "." and ".." exist already; a trailing slash asks for a directory,
   * so a name that does not exist yet is ENOENT.
   */
  async function newEntry(req: Request, p: ParentLoc, path: string): Promise<void> {
    if (p.name === "" || p.name === "." || p.name === "..") {
      throw new ErrnoError(Errno.EEXIST, path);
    }
    checkName(p.name);
    if ((await existing(req, p)) !== undefined) throw new ErrnoError(Errno.EEXIST, path);
    if (p.trailingSlash) throw new ErrnoError(Errno.ENOENT, path);
  }

  /** After a create in `dir`: remember the new inode under its name. */
  function created(p: ParentLoc, attrs: Attrs): Loc {
    const node = ns.remember(p.dir.mount, attrs);
    ns.dcache.set(p.dir.mount.id, p.dir.node.ino, p.name, attrs.ino);
    if (isDir(node)) node.parent = { ino: p.dir.node.ino, name: p.name };
    return { mount: p.dir.mount, node };
  }

  function routeAnswer(value: number, fd: number, e: FdEntry): Answer {
    return {
      value,
      payload: encodeRoutes(w.reset(), [{ fd, ep: e.ofd.ep, cap: e.cap }]).bytes().slice(),
    };
  }

  // --- open ---

  async function doOpenat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    // Linux's open() drops the bits it does not know (openat2 would refuse them).
    const flags = req.args.int(-(2 ** 31), 2 ** 32 - 1) & VALID_OPEN_FLAGS;
    const mode = req.args.int(0, 0o7777);
    const creds = me(req);
    const acc = flags & O.ACCMODE;
    if ((flags & O_TMPFILE) !== 0) checkTmpfile(flags);
    if ((flags & O.PATH) !== 0) throw new ErrnoError(Errno.EINVAL, "O_PATH is not supported");
    // Linux 6.4 and later refuse the pair rather than guess what was meant.
    if ((flags & O.CREAT) !== 0 && (flags & O.DIRECTORY) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "O_CREAT with O_DIRECTORY");
    }
    const c = vfs.ctx(req.pid);
    let loc: Loc;
    let createdNow = false;
    if ((flags & O.CREAT) !== 0) {
      const got = await openCreating(req, dirfd, path, flags, mode);
      loc = got.loc;
      createdNow = got.created;
    } else {
      loc = await resolve(req, dirfd, path, (flags & O.NOFOLLOW) === 0, creds);
    }
    const type = loc.node.attrs.mode & S.IFMT;
    if ((flags & O_TMPFILE) !== 0) {
      if (type !== S.IFDIR) throw new ErrnoError(Errno.ENOTDIR, path);
      throw new ErrnoError(Errno.EOPNOTSUPP, "O_TMPFILE: no unnamed files here");
    }
    // Linux's do_open() and may_open() order: ENOTDIR, ELOOP, EISDIR, EACCES.
    if ((flags & O.DIRECTORY) !== 0 && type !== S.IFDIR) throw new ErrnoError(Errno.ENOTDIR, path);
    if (type === S.IFLNK) throw new ErrnoError(Errno.ELOOP, path);
    if (type === S.IFDIR && (acc !== O.RDONLY || (flags & (O.CREAT | O.TRUNC)) !== 0)) {
      throw new ErrnoError(Errno.EISDIR, path);
    }
    // A file we just created may be opened as asked, whatever its mode says (open(2)).
    if (!createdNow) {
      // Access mode 3 opens for ioctls only, after checking both read and write.
      let want = 0;
      if (acc !== O.WRONLY) want |= MAY_READ;
      if (acc !== O.RDONLY || (flags & O.TRUNC) !== 0) want |= MAY_WRITE;
      require(creds, loc.node.attrs, want, path);
      if ((want & MAY_WRITE) !== 0 && (type === S.IFREG || type === S.IFDIR)) writable(loc.mount);
    }
    const t = c.table;
    const cloexec = (flags & O.CLOEXEC) !== 0;
    const keep = flags & ~(O.CREAT | O.EXCL | O.NOCTTY | O.CLOEXEC);
    // What F_GETFL shows: open() on x86_64 always adds O_LARGEFILE; O_TRUNC is done by then.
    const status = (keep | O.LARGEFILE) & ~O.TRUNC;
    const shown = absolutePath(req, loc, path);
    // Every await above may have let another call of the same process (the
    // kernel's are concurrent) take fds: choose ours only now.
    let entry: FdEntry;
    if (loc.node.dead) {
      const file = new DeadDir(() => statOf(loc, loc.node.attrs));
      entry = t.install(t.lowestFree(), vfs.localOfd(file, status, loc, shown), cloexec);
    } else if (loc.mount.fstype === "proc") {
      const file = await deps.procfs.openLocal(
        loc.node.ino,
        async () => statOf(loc, await fresh(loc, req)),
      );
      const ofd = vfs.localOfd(file, status, loc, shown);
      try {
        entry = t.install(t.lowestFree(), ofd, cloexec);
      } catch (err) {
        vfs.release(ofd);
        throw err;
      }
    } else if (type === S.IFREG || type === S.IFDIR) {
      const opened = await loc.mount.fs.open(
        loc.mount.sb,
        loc.node.ino,
        keep,
        vfs.env.pid,
        cause(req),
      );
      ns.remember(loc.mount, opened.attrs);
      const ofd = vfs.remoteOfd(loc.mount.fs.ep, opened.root, status, loc, shown);
      try {
        entry = t.install(t.lowestFree(), ofd, cloexec);
      } catch (err) {
        vfs.release(ofd);
        throw err;
      }
    } else if (type === S.IFIFO) {
      const key = `${loc.mount.id}:${loc.node.ino}`;
      const end = await fifos.open(
        key,
        keep,
        loc.node.attrs.uid,
        loc.node.attrs.gid,
        async () => statOf(loc, await fresh(loc, req)),
        req.area.id,
      );
      const ofd = vfs.localOfd(end, status, loc, shown);
      try {
        entry = t.install(t.lowestFree(), ofd, cloexec);
      } catch (err) {
        vfs.release(ofd);
        throw err;
      }
    } else if (type === S.IFCHR) {
      if ((loc.mount.flags & MS.NODEV) !== 0) throw new ErrnoError(Errno.EACCES, `${path}: nodev`);
      entry = await openDevice(req, loc, status, cloexec, shown);
    } else {
      throw new ErrnoError(Errno.ENXIO, path); // block devices (no driver yet) and sockets
    }
    const fd = entryFd(t, entry);
    return routeAnswer(fd, fd, entry);
  }

  /**
   * The O_CREAT part of open: find the last component, following a symlink
   * there (unless O_NOFOLLOW or O_EXCL) to wherever it points, and create a
   * regular file if nothing is there, as Linux's open_last_lookups() does:
   * a dangling symlink gets its target created.
   */
  async function openCreating(
    req: Request,
    dirfd: number,
    path: string,
    flags: number,
    mode: number,
  ): Promise<{ loc: Loc; created: boolean }> {
    const creds = me(req);
    const c = vfs.ctx(req.pid);
    let p = await parentOf(req, dirfd, path);
    for (let hops = 0;; hops++) {
      if (p.name === "" || p.name === "." || p.name === ".." || p.trailingSlash) {
        throw new ErrnoError(Errno.EISDIR, path);
      }
      checkName(p.name);
      const found = await existing(req, p);
      if (found !== undefined) {
        if ((flags & O.EXCL) !== 0) throw new ErrnoError(Errno.EEXIST, path);
        if (!isSymlink(found.node) || (flags & O.NOFOLLOW) !== 0) {
          if (isDir(found.node)) throw new ErrnoError(Errno.EISDIR, path);
          return { loc: found, created: false };
        }
        if (hops >= SYMLINK_MAX_HOPS) throw new ErrnoError(Errno.ELOOP, path);
        const target = await ns.readlink(found, cause(req));
        if (target === "") throw new ErrnoError(Errno.ENOENT, path);
        p = await ns.walkParent(creds, c.root, p.dir, target, cause(req));
        continue;
      }
      require(creds, p.dir.node.attrs, MAY_WRITE | MAY_EXEC, path);
      writable(p.dir.mount);
      const own = ownership(creds, p.dir);
      let attrs: Attrs;
      try {
        attrs = await p.dir.mount.fs.create(
          p.dir.mount.sb,
          p.dir.node.ino,
          p.name,
          S.IFREG | (mode & ~c.umask & 0o7777),
          own.uid,
          own.gid,
          0,
          cause(req),
        );
      } catch (err) {
        // Another call made the name since we looked: without O_EXCL, open what is there now.
        const raced = err instanceof ErrnoError && err.errno === Errno.EEXIST;
        if (!raced || (flags & O.EXCL) !== 0 || hops >= SYMLINK_MAX_HOPS) throw err;
        ns.dcache.drop(p.dir.mount.id, p.dir.node.ino, p.name);
        continue;
      }
      return { loc: created(p, attrs), created: true };
    }
  }

  /** open(2)'s checks of O_TMPFILE's company, made before any path is looked at. */
  function checkTmpfile(flags: number): void {
    if ((flags & (O_TMPFILE | O.DIRECTORY | O.CREAT)) !== (O_TMPFILE | O.DIRECTORY)) {
      throw new ErrnoError(Errno.EINVAL, "O_TMPFILE needs O_DIRECTORY and no O_CREAT");
    }
    if ((flags & O.ACCMODE) === O.RDONLY) throw new ErrnoError(Errno.EINVAL, "O_TMPFILE read-only");
  }

  function entryFd(t: { entries: Map<number, FdEntry> }, e: FdEntry): number {
    for (const [fd, x] of t.entries) if (x === e) return fd;
    throw new ErrnoError(Errno.EBADF, "fd vanished");
  }

  async function openDevice(
    req: Request,
    loc: Loc,
    flags: number,
    cloexec: boolean,
    shown: string,
  ): Promise<FdEntry> {
    const rdev = loc.node.attrs.rdev;
    const t = vfs.ctx(req.pid).table;
    let ofd;
    if (isMemDevice(rdev)) {
      const file = new MemDevice(minor(rdev), async () => statOf(loc, await fresh(loc, req)));
      ofd = vfs.localOfd(file, flags, loc, shown);
    } else if (isTtyDevice(rdev)) {
      const r = await vfs.env.client.call(
        TTY_EP,
        TtyOp.OPEN,
        deps.capFor(TTY_EP),
        w.reset().num(vfs.env.pid).num(flags).num(minor(rdev)).bytes().slice(),
      );
      if (r.errno !== 0) throw new ErrnoError(r.errno, "console");
      const rd = new PayloadReader(r.payload);
      ofd = vfs.remoteOfd(TTY_EP, { slot: rd.int(0), gen: rd.int(0, 2 ** 32) }, flags, loc, shown);
    } else {
      throw new ErrnoError(Errno.ENXIO, `no driver for device ${rdev}`);
    }
    try {
      return t.install(t.lowestFree(), ofd, cloexec);
    } catch (err) {
      vfs.release(ofd);
      throw err;
    }
  }

  /** The path an fd shows in /proc/PID/fd. */
  function absolutePath(req: Request, loc: Loc, asked: string): string {
    if (isDir(loc.node)) {
      try {
        return ns.pathOf(loc, vfs.ctx(req.pid).root);
      } catch {
        return asked;
      }
    }
    if (asked.startsWith("/")) return asked;
    try {
      const cwd = ns.pathOf(vfs.ctx(req.pid).cwd, vfs.ctx(req.pid).root);
      return (cwd === "/" ? "" : cwd) + "/" + asked;
    } catch {
      return asked;
    }
  }

  // --- metadata ---

  async function doFstatat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const flags = req.args.int(0);
    if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EMPTY_PATH | AT.NO_AUTOMOUNT)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "fstatat flags");
    }
    const bare = await statOfBareFd(req, dirfd, path, flags);
    if (bare !== undefined) return { value: 0, payload: encodeStat(bare) };
    const loc = await resolveAt(req, dirfd, path, flags);
    return { value: 0, payload: encodeStat(statOf(loc, await fresh(loc, req))) };
  }

  /**
   * fstatat(fd, "", AT_EMPTY_PATH) of an fd with no inode of ours (a pipe, the
   * console the kernel installed) is its fstat: ask whoever holds the file.
   */
  async function statOfBareFd(
    req: Request,
    dirfd: number,
    path: string,
    flags: number,
  ): Promise<Stat | undefined> {
    if (path !== "" || (flags & AT.EMPTY_PATH) === 0 || dirfd === AT_FDCWD) return undefined;
    const { ofd } = vfs.fd(req.pid, dirfd);
    if (ofd.node !== undefined) return undefined;
    if (ofd.ep === vfs.endpoint) return await vfs.local(ofd.id).file.stat();
    const r = await vfs.env.client.call(ofd.ep, Sys.fstat, ofd.root);
    if (r.errno !== 0) throw new ErrnoError(r.errno, `fstat of fd ${dirfd}`);
    return decodeStat(r.payload);
  }

  async function doStatx(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const flags = req.args.int(0);
    const mask = req.args.int(0, 0xffffffff); // we fill everything basic, whatever was asked
    // Linux's statx: only these flags; not both sync types; no reserved mask bit.
    if (
      (flags & ~(AT.SYMLINK_NOFOLLOW | AT.NO_AUTOMOUNT | AT.EMPTY_PATH | STATX_SYNC_TYPE)) !== 0
    ) {
      throw new ErrnoError(Errno.EINVAL, "statx flags");
    }
    if ((flags & STATX_SYNC_TYPE) === STATX_SYNC_TYPE) throw new ErrnoError(Errno.EINVAL, "sync");
    if (mask >= STATX_RESERVED) throw new ErrnoError(Errno.EINVAL, "statx mask");
    const bare = await statOfBareFd(req, dirfd, path, flags);
    if (bare !== undefined) return { value: 0, payload: statxBytes(bare, bare.dev) };
    const loc = await resolveAt(req, dirfd, path, flags & ~STATX_SYNC_TYPE);
    const a = await fresh(loc, req);
    return { value: 0, payload: statxBytes(a, loc.mount.dev) };
  }

  async function doFaccessat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const mode = req.args.int(0);
    const flags = req.args.remaining > 0 ? req.args.int(0) : 0;
    if ((mode & ~(R_OK | W_OK | X_OK)) !== 0) throw new ErrnoError(Errno.EINVAL, "access mode");
    const real = me(req);
    // access() judges by the real ids, unless AT_EACCESS.
    const creds = (flags & AT.EACCESS) !== 0 ? real : { ...real, euid: real.uid, egid: real.gid };
    const loc = await resolveAt(req, dirfd, path, flags & ~AT.EACCESS, creds);
    if (mode === F_OK) return 0;
    let want = 0;
    if ((mode & R_OK) !== 0) want |= MAY_READ;
    if ((mode & W_OK) !== 0) want |= MAY_WRITE;
    if ((mode & X_OK) !== 0) want |= MAY_EXEC;
    require(creds, loc.node.attrs, want, path);
    const type = loc.node.attrs.mode & S.IFMT;
    if ((mode & W_OK) !== 0 && (type === S.IFREG || type === S.IFDIR || type === S.IFLNK)) {
      writable(loc.mount);
    }
    return 0;
  }

  async function doReadlinkat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const loc = await resolve(req, dirfd, path, false);
    if (!isSymlink(loc.node)) throw new ErrnoError(Errno.EINVAL, `${path}: not a symlink`);
    const target = await ns.readlink(loc, cause(req));
    return { value: encoder.encode(target).length, payload: encoder.encode(target) };
  }

  async function setattr(req: Request, loc: Loc, mask: number, a: SetAttrArgs): Promise<Attrs> {
    writable(loc.mount);
    const attrs = await loc.mount.fs.setattr(loc.mount.sb, loc.node.ino, mask, a, cause(req));
    ns.remember(loc.mount, attrs);
    return attrs;
  }

  async function chmod(req: Request, loc: Loc, mode: number): Promise<Answer> {
    const creds = me(req);
    requireOwner(creds, loc.node.attrs, "chmod");
    let m = mode & 0o7777;
    // Only a member of the file's group (or root) may set its setgid bit (Linux clears it).
    if (
      creds.euid !== 0 && !isDir(loc.node) && (m & S.ISGID) !== 0 &&
      creds.egid !== loc.node.attrs.gid && !creds.groups.includes(loc.node.attrs.gid)
    ) {
      m &= ~S.ISGID;
    }
    await setattr(req, loc, SetAttr.MODE, { mode: m });
    return 0;
  }

  async function doFchmodat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const mode = req.args.int(0);
    const flags = req.args.remaining > 0 ? req.args.int(0) : 0;
    if ((flags & ~AT.SYMLINK_NOFOLLOW) !== 0) throw new ErrnoError(Errno.EINVAL, "fchmodat flags");
    const loc = await resolve(req, dirfd, path, (flags & AT.SYMLINK_NOFOLLOW) === 0);
    if (isSymlink(loc.node)) throw new ErrnoError(Errno.EOPNOTSUPP, "chmod of a symlink");
    return await chmod(req, loc, mode);
  }

  async function doFchmod(req: Request): Promise<Answer> {
    const fd = req.args.int();
    const mode = req.args.int(0);
    return await chmod(req, nodeOfFd(req, fd).loc, mode);
  }

  async function chown(req: Request, loc: Loc, uid: number, gid: number): Promise<Answer> {
    const creds = me(req);
    const a = loc.node.attrs;
    const newUid = uid === -1 || uid === 0xffffffff ? -1 : uid;
    const newGid = gid === -1 || gid === 0xffffffff ? -1 : gid;
    if (creds.euid !== 0) {
      // Linux: only root gives a file away; the owner may change its group to one of theirs.
      if (newUid !== -1 && newUid !== a.uid) throw new ErrnoError(Errno.EPERM, "chown");
      if (newGid !== -1 && newGid !== a.gid) {
        if (creds.euid !== a.uid || (creds.egid !== newGid && !creds.groups.includes(newGid))) {
          throw new ErrnoError(Errno.EPERM, "chgrp");
        }
      }
      if ((newUid !== -1 || newGid !== -1) && creds.euid !== a.uid) {
        throw new ErrnoError(Errno.EPERM, "chown");
      }
    }
    let mask = 0;
    const args: SetAttrArgs = {};
    if (newUid !== -1) {
      mask |= SetAttr.UID;
      args.uid = newUid;
    }
    if (newGid !== -1) {
      mask |= SetAttr.GID;
      args.gid = newGid;
    }
    // Linux stamps ctime even for chown(-1, -1), and drops the set-id bits then too.
    mask |= SetAttr.CTIME;
    // A chown drops setuid, and setgid of a group-executable file (not of directories).
    if (!isDir(loc.node) && !isSymlink(loc.node)) {
      let mode = a.mode & 0o7777;
      mode &= ~S.ISUID;
      if ((mode & 0o010) !== 0) mode &= ~S.ISGID;
      if (mode !== (a.mode & 0o7777)) {
        // Changing the mode is the owner's (or root's) right, as chmod.
        if (creds.euid !== 0 && creds.euid !== a.uid) throw new ErrnoError(Errno.EPERM, "chown");
        mask |= SetAttr.MODE;
        args.mode = mode;
      }
    }
    await setattr(req, loc, mask, args);
    return 0;
  }

  async function doFchownat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const uid = req.args.int(-1, 0xffffffff);
    const gid = req.args.int(-1, 0xffffffff);
    const flags = req.args.int(0);
    if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EMPTY_PATH)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "fchownat flags");
    }
    return await chown(req, await resolveAt(req, dirfd, path, flags), uid, gid);
  }

  async function doFchown(req: Request): Promise<Answer> {
    const fd = req.args.int();
    const uid = req.args.int(-1, 0xffffffff);
    const gid = req.args.int(-1, 0xffffffff);
    return await chown(req, nodeOfFd(req, fd).loc, uid, gid);
  }

  async function doUtimensat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const atime = { sec: req.args.int(), nsec: req.args.int(0) };
    const mtime = { sec: req.args.int(), nsec: req.args.int(0) };
    const flags = req.args.int(0);
    if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EMPTY_PATH)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "utimensat flags");
    }
    for (const t of [atime, mtime]) {
      if (t.nsec !== UTIME_NOW && t.nsec !== UTIME_OMIT && (t.nsec < 0 || t.nsec > 999_999_999)) {
        throw new ErrnoError(Errno.EINVAL, "nanoseconds");
      }
    }
    const loc = await resolveAt(req, dirfd, path, flags);
    if (atime.nsec === UTIME_OMIT && mtime.nsec === UTIME_OMIT) return 0;
    const creds = me(req);
    // Linux's vfs_utimes: only both UTIME_NOW counts as "times == NULL"; any other mix
    // (UTIME_NOW with UTIME_OMIT included) is ATTR_TIMES_SET, for the owner alone (EPERM).
    const toNow = atime.nsec === UTIME_NOW && mtime.nsec === UTIME_NOW;
    // Setting "now" needs ownership or write permission; explicit times need ownership.
    if (toNow) {
      if (
        creds.euid !== 0 && creds.euid !== loc.node.attrs.uid &&
        !permitted(creds, loc.node.attrs, MAY_WRITE)
      ) {
        throw new ErrnoError(Errno.EACCES, "utimensat");
      }
    } else {
      requireOwner(creds, loc.node.attrs, "utimensat");
    }
    let mask = 0;
    const args: SetAttrArgs = {};
    if (atime.nsec === UTIME_NOW) mask |= SetAttr.ATIME | SetAttr.ATIME_NOW;
    else if (atime.nsec !== UTIME_OMIT) {
      mask |= SetAttr.ATIME;
      args.atime = atime;
    }
    if (mtime.nsec === UTIME_NOW) mask |= SetAttr.MTIME | SetAttr.MTIME_NOW;
    else if (mtime.nsec !== UTIME_OMIT) {
      mask |= SetAttr.MTIME;
      args.mtime = mtime;
    }
    await setattr(req, loc, mask, args);
    return 0;
  }

  async function doTruncate(req: Request): Promise<Answer> {
    const path = textArg(req);
    const length = req.args.int();
    if (length < 0) throw new ErrnoError(Errno.EINVAL, "negative length");
    const loc = await resolve(req, AT_FDCWD, path, true);
    if (isDir(loc.node)) throw new ErrnoError(Errno.EISDIR, path);
    if ((loc.node.attrs.mode & S.IFMT) !== S.IFREG) throw new ErrnoError(Errno.EINVAL, path);
    require(me(req), loc.node.attrs, MAY_WRITE, path);
    await setattr(req, loc, SetAttr.SIZE, { size: length });
    return 0;
  }

  // --- names ---

  async function doMkdirat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const mode = req.args.int(0, 0o7777);
    const p = await parentOf(req, dirfd, path);
    if (p.name === "" || p.name === "." || p.name === "..") {
      throw new ErrnoError(Errno.EEXIST, path);
    }
    checkName(p.name);
    if ((await existing(req, p)) !== undefined) throw new ErrnoError(Errno.EEXIST, path);
    const creds = me(req);
    require(creds, p.dir.node.attrs, MAY_WRITE | MAY_EXEC, path);
    writable(p.dir.mount);
    const own = ownership(creds, p.dir);
    const bits = (mode & ~vfs.ctx(req.pid).umask & 0o1777) | (own.sgid ? S.ISGID : 0);
    const attrs = await p.dir.mount.fs.mkdir(
      p.dir.mount.sb,
      p.dir.node.ino,
      p.name,
      bits,
      own.uid,
      own.gid,
      cause(req),
    );
    created(p, attrs);
    return 0;
  }

  async function doMknodat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const mode = req.args.int(0, 0xffff);
    const dev = req.args.int(0);
    const creds = me(req);
    let type = mode & S.IFMT;
    if (type === 0) type = S.IFREG;
    if (type === S.IFDIR) throw new ErrnoError(Errno.EPERM, "mknod of a directory");
    if (![S.IFREG, S.IFIFO, S.IFSOCK, S.IFCHR, S.IFBLK].includes(type as 0o100000)) {
      throw new ErrnoError(Errno.EINVAL, `mknod type ${type.toString(8)}`);
    }
    if ((type === S.IFCHR || type === S.IFBLK) && creds.euid !== 0) {
      throw new ErrnoError(Errno.EPERM, "mknod of a device");
    }
    const p = await parentOf(req, dirfd, path);
    await newEntry(req, p, path);
    require(creds, p.dir.node.attrs, MAY_WRITE | MAY_EXEC, path);
    writable(p.dir.mount);
    if ((type === S.IFCHR || type === S.IFBLK) && (p.dir.mount.flags & MS.NODEV) !== 0) {
      throw new ErrnoError(Errno.EPERM, "nodev");
    }
    const own = ownership(creds, p.dir);
    const perm = mode & ~vfs.ctx(req.pid).umask & 0o7777;
    const rdev = type === S.IFCHR || type === S.IFBLK ? dev : 0;
    const attrs = await p.dir.mount.fs.create(
      p.dir.mount.sb,
      p.dir.node.ino,
      p.name,
      type | perm,
      own.uid,
      own.gid,
      rdev,
      cause(req),
    );
    created(p, attrs);
    return 0;
  }

  async function doUnlinkat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const flags = req.args.int(0);
    if ((flags & ~AT.REMOVEDIR) !== 0) throw new ErrnoError(Errno.EINVAL, "unlinkat flags");
    const dirOp = (flags & AT.REMOVEDIR) !== 0;
    const p = await parentOf(req, dirfd, path);
    if (p.name === "") throw new ErrnoError(dirOp ? Errno.EBUSY : Errno.EISDIR, path);
    if (p.name === ".") throw new ErrnoError(dirOp ? Errno.EINVAL : Errno.EISDIR, path);
    if (p.name === "..") throw new ErrnoError(dirOp ? Errno.ENOTEMPTY : Errno.EISDIR, path);
    const victim = await ns.child(p.dir, p.name, cause(req)); // ENOENT
    if (vfs.mounts.at(victim.mount.id, victim.node.ino) !== undefined) {
      throw new ErrnoError(Errno.EBUSY, path);
    }
    if (dirOp && !isDir(victim.node)) throw new ErrnoError(Errno.ENOTDIR, path);
    if (!dirOp && isDir(victim.node)) throw new ErrnoError(Errno.EISDIR, path);
    if (!dirOp && p.trailingSlash) throw new ErrnoError(Errno.ENOTDIR, path);
    requireDelete(me(req), p.dir.node.attrs, victim.node.attrs, path);
    writable(p.dir.mount);
    const m = p.dir.mount;
    if (dirOp) {
      await m.fs.rmdir(m.sb, p.dir.node.ino, p.name, cause(req));
    } else {
      const after = await m.fs.unlink(m.sb, p.dir.node.ino, p.name, cause(req));
      ns.remember(m, after);
    }
    ns.dcache.set(m.id, p.dir.node.ino, p.name, -1);
    if (dirOp) removedDir(victim);
    else ns.icache.drop(m.id, victim.node.ino);
    return 0;
  }

  async function doRenameat2(req: Request): Promise<Answer> {
    const odirfd = req.args.int();
    const oldpath = textArg(req);
    const ndirfd = req.args.int();
    const newpath = textArg(req);
    const flags = req.args.remaining > 0 ? req.args.int(0) : 0;
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "rename flags");
    }
    if ((flags & RENAME_NOREPLACE) !== 0 && (flags & RENAME_EXCHANGE) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "rename flags");
    }
    const from = await parentOf(req, odirfd, oldpath);
    const to = await parentOf(req, ndirfd, newpath);
    for (const p of [from, to]) {
      if (p.name === "" || p.name === "." || p.name === "..") {
        throw new ErrnoError(Errno.EBUSY, p === from ? oldpath : newpath);
      }
    }
    checkName(to.name);
    if (from.dir.mount.id !== to.dir.mount.id) {
      throw new ErrnoError(Errno.EXDEV, `${oldpath} -> ${newpath}`);
    }
    const src = await ns.child(from.dir, from.name, cause(req)); // ENOENT
    const dst = await existing(req, to);
    if ((flags & RENAME_EXCHANGE) !== 0 && dst === undefined) {
      throw new ErrnoError(Errno.ENOENT, newpath);
    }
    if ((flags & RENAME_NOREPLACE) !== 0 && dst !== undefined) {
      throw new ErrnoError(Errno.EEXIST, newpath);
    }
    if (
      !isDir(src.node) && (from.trailingSlash || to.trailingSlash) &&
      (flags & RENAME_EXCHANGE) === 0
    ) {
      throw new ErrnoError(Errno.ENOTDIR, oldpath);
    }
    for (const l of [src, dst]) {
      if (l !== undefined && vfs.mounts.at(l.mount.id, l.node.ino) !== undefined) {
        throw new ErrnoError(Errno.EBUSY, newpath);
      }
    }
    const creds = me(req);
    requireDelete(creds, from.dir.node.attrs, src.node.attrs, oldpath);
    if (dst !== undefined) requireDelete(creds, to.dir.node.attrs, dst.node.attrs, newpath);
    else require(creds, to.dir.node.attrs, MAY_WRITE | MAY_EXEC, newpath);
    // A directory moved to another parent rewrites its "..": it must be writable.
    if (isDir(src.node) && from.dir.node.ino !== to.dir.node.ino) {
      require(creds, src.node.attrs, MAY_WRITE, oldpath);
    }
    if (
      (flags & RENAME_EXCHANGE) !== 0 && dst !== undefined && isDir(dst.node) &&
      from.dir.node.ino !== to.dir.node.ino
    ) {
      require(creds, dst.node.attrs, MAY_WRITE, newpath);
    }
    writable(from.dir.mount);
    const m = from.dir.mount;
    if (dst !== undefined && dst.node.ino === src.node.ino && (flags & RENAME_EXCHANGE) === 0) {
      return 0; // same inode: nothing to do
    }
    const displaced = await m.fs.rename(
      m.sb,
      from.dir.node.ino,
      from.name,
      to.dir.node.ino,
      to.name,
      flags,
      cause(req),
    );
    if ((flags & RENAME_EXCHANGE) !== 0 && dst !== undefined) {
      ns.dcache.set(m.id, from.dir.node.ino, from.name, dst.node.ino);
      if (isDir(dst.node)) dst.node.parent = { ino: from.dir.node.ino, name: from.name };
    } else {
      ns.dcache.set(m.id, from.dir.node.ino, from.name, -1);
      if (dst !== undefined && isDir(dst.node)) removedDir(dst);
      else if (dst !== undefined) ns.icache.drop(m.id, dst.node.ino);
    }
    ns.dcache.set(m.id, to.dir.node.ino, to.name, src.node.ino);
    if (isDir(src.node)) src.node.parent = { ino: to.dir.node.ino, name: to.name };
    if (displaced !== undefined && !dst?.node.dead) ns.remember(m, displaced);
    return 0;
  }

  async function doLinkat(req: Request): Promise<Answer> {
    const odirfd = req.args.int();
    const oldpath = textArg(req);
    const ndirfd = req.args.int();
    const newpath = textArg(req);
    const flags = req.args.int(0);
    if ((flags & ~(AT.SYMLINK_FOLLOW | AT.EMPTY_PATH)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "linkat flags");
    }
    const creds = me(req);
    const src = await resolveAt(
      req,
      odirfd,
      oldpath,
      (flags & AT.SYMLINK_FOLLOW) !== 0 ? flags : flags | AT.SYMLINK_NOFOLLOW,
    );
    if (isDir(src.node)) throw new ErrnoError(Errno.EPERM, "hard link to a directory");
    const p = await parentOf(req, ndirfd, newpath);
    await newEntry(req, p, newpath);
    if (src.mount.id !== p.dir.mount.id) {
      throw new ErrnoError(Errno.EXDEV, `${oldpath} -> ${newpath}`);
    }
    require(creds, p.dir.node.attrs, MAY_WRITE | MAY_EXEC, newpath);
    // protected_hardlinks (Debian's default): only to files you own or could read and write.
    if (creds.euid !== 0 && creds.euid !== src.node.attrs.uid) {
      const regular = (src.node.attrs.mode & S.IFMT) === S.IFREG;
      const special = (src.node.attrs.mode & (S.ISUID | S.ISGID)) !== 0;
      if (!regular || special || !permitted(creds, src.node.attrs, MAY_READ | MAY_WRITE)) {
        throw new ErrnoError(Errno.EPERM, "protected hard link");
      }
    }
    writable(p.dir.mount);
    const attrs = await p.dir.mount.fs.link(
      p.dir.mount.sb,
      src.node.ino,
      p.dir.node.ino,
      p.name,
      cause(req),
    );
    created(p, attrs);
    return 0;
  }

  async function doSymlinkat(req: Request): Promise<Answer> {
    const target = textArg(req);
    const dirfd = req.args.int();
    const path = textArg(req);
    if (target === "") throw new ErrnoError(Errno.ENOENT, "empty symlink target");
    if (encoder.encode(target).length >= PATH_MAX) {
      throw new ErrnoError(Errno.ENAMETOOLONG, "symlink target");
    }
    const p = await parentOf(req, dirfd, path);
    await newEntry(req, p, path);
    const creds = me(req);
    require(creds, p.dir.node.attrs, MAY_WRITE | MAY_EXEC, path);
    writable(p.dir.mount);
    const own = ownership(creds, p.dir);
    const attrs = await p.dir.mount.fs.symlink(
      p.dir.mount.sb,
      p.dir.node.ino,
      p.name,
      target,
      own.uid,
      own.gid,
      cause(req),
    );
    created(p, attrs).node.target = target;
    return 0;
  }

  // --- process filesystem context ---

  async function doChdir(req: Request): Promise<Answer> {
    const path = textArg(req);
    const loc = await resolve(req, AT_FDCWD, path, true);
    return setCwd(req, loc, path);
  }

  function doFchdir(req: Request): Answer {
    return setCwd(req, nodeOfFd(req, req.value).loc, `fd ${req.value}`);
  }

  function setCwd(req: Request, loc: Loc, what: string): Answer {
    if (!isDir(loc.node)) throw new ErrnoError(Errno.ENOTDIR, what);
    require(me(req), loc.node.attrs, MAY_EXEC, what);
    const c = vfs.ctx(req.pid);
    vfs.hold(loc);
    vfs.unhold(c.cwd);
    c.cwd = loc;
    vfs.saveCtx(req.pid);
    return 0;
  }

  function doGetcwd(req: Request): Answer {
    const c = vfs.rooted(req.pid);
    const path = ns.pathOf(c.cwd, c.root);
    const bytes = encoder.encode(path);
    return { value: bytes.length + 1, payload: bytes };
  }

  function doUmask(req: Request): Answer {
    const c = vfs.ctx(req.pid);
    const old = c.umask;
    c.umask = req.value & 0o777;
    vfs.saveCtx(req.pid);
    return old;
  }

  // --- filesystems ---

  async function doStatfs(req: Request): Promise<Answer> {
    const loc = await resolve(req, AT_FDCWD, textArg(req), true);
    const s = await loc.mount.fs.statfs(loc.mount.sb, cause(req));
    s.flags |= loc.mount.flags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
    return { value: 0, payload: encodeStatfs(w.reset(), s).bytes().slice() };
  }

  async function doMount(req: Request): Promise<Answer> {
    const source = textArg(req);
    const target = textArg(req);
    const fstype = textArg(req);
    const flags = req.args.int(0);
    const data = textArg(req);
    if (me(req).euid !== 0) throw new ErrnoError(Errno.EPERM, "mount");
    const at = await resolve(req, AT_FDCWD, target, true);
    if (!isDir(at.node)) throw new ErrnoError(Errno.ENOTDIR, target);
    let where = target;
    try {
      where = ns.pathOf(at, vfs.rooted(req.pid).root);
    } catch {
      // keep the path as given
    }
    if ((flags & MS.REMOUNT) !== 0) {
      if (at.node.ino !== at.mount.root) {
        throw new ErrnoError(Errno.EINVAL, `${target} is not a mountpoint`);
      }
      at.mount.flags = flags & ~MS.REMOUNT;
      if (data !== "") at.mount.options = data;
      const m = at.mount;
      vfs.store?.mount({
        id: m.id,
        fstype: m.fstype,
        source: m.source,
        options: m.options,
        flags: m.flags,
        sb: m.sb,
        root: m.root,
        dev: m.dev,
        on: m.on,
        path: m.path,
      });
      return 0;
    }
    if ((flags & MS.BIND) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "bind mounts are not supported");
    }
    await mountAt(fstype, source, data, flags, at, where, cause(req));
    return 0;
  }

  async function doUmount2(req: Request): Promise<Answer> {
    const target = textArg(req);
    const flags = req.args.int(0);
    if (me(req).euid !== 0) throw new ErrnoError(Errno.EPERM, "umount");
    if ((flags & ~(MNT_FORCE | MNT_DETACH | 4 | 8)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "umount2 flags");
    }
    const at = await resolve(req, AT_FDCWD, target, true);
    const m = at.mount;
    if (at.node.ino !== m.root) throw new ErrnoError(Errno.EINVAL, `${target} is not a mountpoint`);
    if (m.on === undefined) throw new ErrnoError(Errno.EBUSY, "the root filesystem");
    if (vfs.mounts.children(m).length > 0) throw new ErrnoError(Errno.EBUSY, target);
    const users = [...vfs.ofds.values()].filter((o) => o.node?.mount.id === m.id);
    const cwds = [...vfs.procs.values()].filter((c) =>
      c.cwd?.mount.id === m.id || c.root?.mount.id === m.id
    );
    const force = (flags & (MNT_FORCE | MNT_DETACH)) !== 0;
    if ((users.length > 0 || cwds.length > 0) && !force) throw new ErrnoError(Errno.EBUSY, target);
    // Forced: open files keep their inode until closed; cwds inside fall back to the root.
    for (const c of cwds) {
      const root = ns.rootOf(vfs.mounts.root);
      if (c.cwd.mount.id === m.id) {
        vfs.unhold(c.cwd);
        c.cwd = root;
        vfs.hold(root);
      }
    }
    vfs.mounts.remove(m);
    vfs.store?.umount(m.id);
    ns.dcache.dropMount(m.id);
    if (users.length === 0) {
      ns.icache.dropMount(m.id);
      await m.fs.unmount(m.sb, cause(req)).catch(() => {});
    }
    return 0;
  }

  /** Mount a new `fstype` instance on directory `at`. */
  async function mountAt(
    fstype: string,
    source: string,
    options: string,
    flags: number,
    at: Loc | undefined,
    where: string,
    c?: Cause,
  ) {
    let fs: Fs;
    if (fstype === "proc") fs = deps.procfs;
    else {
      const found = deps.fsFor(fstype);
      if (found === undefined) {
        throw new ErrnoError(Errno.ENODEV, `unknown filesystem type '${fstype}'`);
      }
      fs = found.fs;
    }
    const { sb, root } = await fs.mount(options, c);
    const id = vfs.mounts.nextId();
    // st_dev must be what the filesystem's own fstat answers: an anonymous
    // device's f_fsid is its number. Without one (proc), a number of our own.
    const fsid = (await fs.statfs(sb, c).catch(() => ({ fsid: 0 }))).fsid;
    const m: Mount = {
      id,
      fstype,
      source,
      options,
      flags,
      fs,
      sb,
      root: root.ino,
      dev: fsid > 0 ? fsid : makedev(0, 64 + id),
      on: at === undefined ? undefined : { mount: at.mount.id, ino: at.node.ino },
      path: where,
    };
    vfs.mounts.add(m);
    vfs.store?.mount({
      id,
      fstype,
      source,
      options,
      flags,
      sb,
      root: root.ino,
      dev: m.dev,
      on: m.on,
      path: where,
    });
    const node = ns.remember(m, root);
    node.refs++; // a mounted root stays cached while mounted
    return m;
  }

  /** The kernel mounts (the root at boot): fstype, source, options, flags, target path. */
  async function doKernelMount(req: Request): Promise<Answer> {
    const fstype = textArg(req);
    const source = textArg(req);
    const options = textArg(req);
    const flags = req.args.int(0);
    const target = textArg(req);
    if (!vfs.mounts.hasRoot) {
      if (target !== "/") throw new ErrnoError(Errno.ENOENT, "no root filesystem yet");
      await mountAt(fstype, source, options, flags, undefined, "/", cause(req));
      return 0;
    }
    const at = await resolve(req, AT_FDCWD, target, true);
    if (!isDir(at.node)) throw new ErrnoError(Errno.ENOTDIR, target);
    await mountAt(fstype, source, options, flags, at, target, cause(req));
    return 0;
  }

  async function doSync(req: Request): Promise<Answer> {
    await Promise.all(vfs.mounts.list().map((m) => m.fs.sync(m.sb, cause(req)).catch(() => {})));
    return 0;
  }

  // --- extended attributes ---
  //
  // Linux's order of checks (xattr_rules.ts): the arguments (before the
  // file is looked up), the file, the mount, permission, the namespace.
  // Values and name lists travel through the caller's data area when it
  // passes a trailing (offset, size) pair, with getxattr(2)'s size rules;
  // without one, inline (ERANGE when too big for a reply).

  /** The trailing (data offset, size) pair, if the caller sent one. */
  function dataPair(req: Request): { off: number; size: number } | undefined {
    if (req.args.remaining === 0) return undefined;
    return { off: req.args.int(0), size: req.args.int(0) };
  }

  /** Answer `bytes` as getxattr(2) and listxattr(2) do. */
  function answerBytes(
    req: Request,
    pair: { off: number; size: number } | undefined,
    bytes: Uint8Array,
    inline: () => Uint8Array,
  ): Answer {
    if (pair === undefined) {
      const payload = inline();
      if (payload.length > MAX_INLINE) throw new ErrnoError(Errno.ERANGE, "too big inline");
      return { value: bytes.length, payload };
    }
    if (pair.size === 0) return bytes.length;
    if (bytes.length > Math.min(pair.size, XATTR_SIZE_MAX)) {
      throw new ErrnoError(Errno.ERANGE, "xattr buffer too small");
    }
    callerData(req, pair.off, bytes.length).set(bytes);
    return bytes.length;
  }

  interface XattrArgs {
    name: string;
    value: Uint8Array;
    flags: number;
    pair?: { off: number; size: number };
  }
  type XattrAct = (req: Request, loc: Loc, a: XattrArgs) => Promise<Answer>;
  type XattrDecode = (req: Request) => XattrArgs;

  /** set: name, value (inline), flags [, data offset, length of the value there]. */
  function decodeSet(req: Request): XattrArgs {
    const name = textArg(req);
    const inline = req.args.bytesField();
    const flags = req.args.int();
    const pair = dataPair(req);
    checkSetArgs(name, pair?.size ?? inline.length, flags);
    if (pair !== undefined && inline.length !== 0) {
      throw new ErrnoError(Errno.EINVAL, "xattr value both inline and in the data area");
    }
    const value = pair === undefined ? inline : callerData(req, pair.off, pair.size);
    return { name, value: value.slice(), flags };
  }

  /** get, remove: name [, data offset, size]. */
  function decodeName(req: Request): XattrArgs {
    const name = textArg(req);
    checkNameLength(name);
    return { name, value: EMPTY, flags: 0, pair: dataPair(req) };
  }

  /** list: [data offset, size]. */
  function decodeList(req: Request): XattrArgs {
    return { name: "", value: EMPTY, flags: 0, pair: dataPair(req) };
  }

  /** Permission and namespace of a named attribute (after the mount, for changes). */
  function xattrAllowed(req: Request, loc: Loc, name: string, write: boolean): void {
    if (write) writable(loc.mount);
    xattrPermission(me(req), loc.node.attrs, name, write);
    checkNamespace(name);
  }

  async function setxattr(req: Request, loc: Loc, a: XattrArgs): Promise<Answer> {
    writable(loc.mount);
    const value = a.name === FILE_CAPS ? fileCapsValue(me(req), a.value) : a.value;
    xattrAllowed(req, loc, a.name, true);
    if (isAclName(a.name)) return await setAcl(req, loc, a.name, parseAcl(value));
    await loc.mount.fs.setxattr(loc.mount.sb, loc.node.ino, a.name, value, a.flags, cause(req));
    return 0;
  }

  async function getxattr(req: Request, loc: Loc, a: XattrArgs): Promise<Answer> {
    xattrAllowed(req, loc, a.name, false);
    if (isAclName(a.name)) {
      // Nothing is stored (posix_acl.ts): every file has only its mode bits.
      if (isSymlink(loc.node)) throw new ErrnoError(Errno.EOPNOTSUPP, a.name);
      throw new ErrnoError(Errno.ENODATA, a.name);
    }
    const value = await loc.mount.fs.getxattr(loc.mount.sb, loc.node.ino, a.name, cause(req));
    return answerBytes(req, a.pair, value, () => w.reset().bytesField(value).bytes().slice());
  }

  async function listxattr(req: Request, loc: Loc, a: XattrArgs): Promise<Answer> {
    const creds = me(req);
    const names = (await loc.mount.fs.listxattr(loc.mount.sb, loc.node.ino, cause(req)))
      .filter((n) => visibleTo(creds, n));
    const raw = encoder.encode(names.map((n) => n + "\0").join(""));
    return answerBytes(req, a.pair, raw, () => w.reset().strs(names).bytes().slice());
  }

  async function removexattr(req: Request, loc: Loc, a: XattrArgs): Promise<Answer> {
    xattrAllowed(req, loc, a.name, true);
    if (isAclName(a.name)) return await setAcl(req, loc, a.name, undefined);
    await loc.mount.fs.removexattr(loc.mount.sb, loc.node.ino, a.name, cause(req));
    return 0;
  }

  /**
   * Set (or with no entries, remove) a POSIX ACL, in Linux's order
   * (set_posix_acl, simple_set_acl). Only ACLs the mode bits say exactly are
   * taken, as a mode change (posix_acl.ts); others are EOPNOTSUPP.
   */
  async function setAcl(req: Request, loc: Loc, name: string, acl?: AclEntry[]): Promise<Answer> {
    const creds = me(req);
    const a = loc.node.attrs;
    if (isSymlink(loc.node)) throw new ErrnoError(Errno.EOPNOTSUPP, `${name} of a symlink`);
    if (name === ACL_DEFAULT && !isDir(loc.node)) {
      if (acl !== undefined) throw new ErrnoError(Errno.EACCES, `${name} of a non-directory`);
      return 0;
    }
    requireOwner(creds, a, name);
    if (acl !== undefined) checkAcl(acl);
    const want = acl === undefined ? { mode: a.mode, exact: true } : aclMode(acl, a.mode);
    if (!want.exact || (name === ACL_DEFAULT && acl !== undefined)) {
      throw new ErrnoError(Errno.EOPNOTSUPP, `${name}: only ACLs the mode bits say`);
    }
    let mode = name === ACL_ACCESS ? want.mode : a.mode;
    if (name === ACL_ACCESS && creds.euid !== 0 && !inGroup(creds, a.gid)) mode &= ~S.ISGID;
    await setattr(req, loc, SetAttr.MODE, { mode: mode & 0o7777 }); // and ctime, as Linux
    return 0;
  }

  /** A path form: decode the path and arguments, then look the file up. */
  const byPath = (follow: boolean, decode: XattrDecode, fn: XattrAct) => async (req: Request) => {
    const path = textArg(req);
    const a = decode(req);
    return await fn(req, await resolve(req, AT_FDCWD, path, follow), a);
  };
  /**
   * An fd form. fsetxattr and fremovexattr come here with the fd's number;
   * fgetxattr and flistxattr go to the file's server, so they come here only
   * for the objects the VFS holds (pipes, devices), with the fd's capability.
   */
  const byFd = (decode: XattrDecode, fn: XattrAct) => async (req: Request) => {
    const fd = req.args.int();
    const a = decode(req);
    const node = vfs.fd(req.pid, fd).ofd.node;
    return node === undefined ? noInode(req, fn, a) : await fn(req, node, a);
  };
  const byObject = (decode: XattrDecode, fn: XattrAct) => async (req: Request) => {
    const a = decode(req);
    const node = vfs.local(req.object).ofd.node;
    return node === undefined ? noInode(req, fn, a) : await fn(req, node, a);
  };

  /**
   * A pipe's inode (Linux's pipefs: a FIFO of its creator's, mode 0600) has
   * no attributes and takes none: the permission rules, then EOPNOTSUPP.
   */
  function noInode(req: Request, fn: XattrAct, a: XattrArgs): Answer {
    const creds = me(req);
    if (fn === listxattr) return answerBytes(req, a.pair, EMPTY, () => w.reset().strs([]).bytes());
    const write = fn !== getxattr;
    if (fn === setxattr && a.name === FILE_CAPS) fileCapsValue(creds, a.value);
    const pipe = { mode: S.IFIFO | 0o600, uid: creds.euid, gid: creds.egid };
    xattrPermission(creds, pipe, a.name, write);
    throw new ErrnoError(Errno.EOPNOTSUPP, `${a.name}: a pipe has no xattrs`);
  }

  /**
   * A call whose inode vanished between the walk and the filesystem's answer
   * (another process unlinked it: ESTALE) walks again, from the request's
   * first byte, and sees what is there now, as Linux retries a lookup with
   * LOOKUP_REVAL. A name that keeps vanishing gets ESTALE after a few tries.
   */
  const revalidating =
    (fn: (req: Request) => Answer | Promise<Answer>) => async (req: Request): Promise<Answer> => {
      for (let tries = 1;; tries++) {
        try {
          return await fn(tries === 1 ? req : { ...req, args: new PayloadReader(req.args.bytes) });
        } catch (err) {
          if (!(err instanceof ErrnoError) || err.errno !== Errno.ESTALE || tries === 3) throw err;
        }
      }
    };
  const call = (fn: (req: Request) => Answer | Promise<Answer>): Route => ({
    need: Right.CALL,
    fn: revalidating(fn),
  });
  const routes = new Map<number, Route>([
    [Sys.openat, call(doOpenat)],
    [Sys.newfstatat, call(doFstatat)],
    [Sys.statx, call(doStatx)],
    [Sys.faccessat, call(doFaccessat)],
    [Sys.readlinkat, call(doReadlinkat)],
    [Sys.fchmodat, call(doFchmodat)],
    [Sys.fchmod, call(doFchmod)],
    [Sys.fchownat, call(doFchownat)],
    [Sys.fchown, call(doFchown)],
    [Sys.utimensat, call(doUtimensat)],
    [Sys.truncate, call(doTruncate)],
    [Sys.mkdirat, call(doMkdirat)],
    [Sys.mknodat, call(doMknodat)],
    [Sys.unlinkat, call(doUnlinkat)],
    [Sys.renameat2, call(doRenameat2)],
    [Sys.linkat, call(doLinkat)],
    [Sys.symlinkat, call(doSymlinkat)],
    [Sys.chdir, call(doChdir)],
    [Sys.fchdir, call(doFchdir)],
    [Sys.getcwd, call(doGetcwd)],
    [Sys.umask, call(doUmask)],
    [Sys.statfs, call(doStatfs)],
    [Sys.mount, { need: Right.MOUNT, fn: doMount }],
    [Sys.umount2, { need: Right.MOUNT, fn: doUmount2 }],
    [Sys.sync, call(doSync)],
    [VfsOp.MOUNT, { need: Right.SYSTEM, fn: doKernelMount }],
    [Sys.setxattr, call(byPath(true, decodeSet, setxattr))],
    [Sys.lsetxattr, call(byPath(false, decodeSet, setxattr))],
    [Sys.fsetxattr, call(byFd(decodeSet, setxattr))],
    [Sys.fgetxattr, { need: Right.STAT, fn: byObject(decodeName, getxattr) }],
    [Sys.flistxattr, { need: Right.STAT, fn: byObject(decodeList, listxattr) }],
    [Sys.getxattr, call(byPath(true, decodeName, getxattr))],
    [Sys.lgetxattr, call(byPath(false, decodeName, getxattr))],
    [Sys.listxattr, call(byPath(true, decodeList, listxattr))],
    [Sys.llistxattr, call(byPath(false, decodeList, listxattr))],
    [Sys.removexattr, call(byPath(true, decodeName, removexattr))],
    [Sys.lremovexattr, call(byPath(false, decodeName, removexattr))],
    [Sys.fremovexattr, call(byFd(decodeName, removexattr))],
  ]);
  return routes;
}

/** __O_TMPFILE (O_TMPFILE is it with O_DIRECTORY), and every flag open(2) knows (VALID_OPEN_FLAGS). */
const O_TMPFILE = 0o20000000;
const VALID_OPEN_FLAGS = 0o37777703;

/** statx flags AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, and the mask bit no kernel gives. */
const STATX_SYNC_TYPE = 0x6000;
const STATX_RESERVED = 0x80000000;

/** struct statx (256 bytes) from attributes. */
function statxBytes(a: Attrs, dev: number): Uint8Array {
  const out = new Uint8Array(256);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x7ff, true); // stx_mask: STATX_BASIC_STATS
  dv.setUint32(4, a.blksize, true);
  dv.setBigUint64(8, 0n, true); // stx_attributes
  dv.setUint32(16, a.nlink, true);
  dv.setUint32(20, a.uid, true);
  dv.setUint32(24, a.gid, true);
  dv.setUint16(28, a.mode, true);
  dv.setBigUint64(32, BigInt(a.ino), true);
  dv.setBigUint64(40, BigInt(a.size), true);
  dv.setBigUint64(48, BigInt(a.blocks), true);
  dv.setBigUint64(56, 0n, true); // stx_attributes_mask
  const ts = (off: number, t: { sec: number; nsec: number }) => {
    dv.setBigInt64(off, BigInt(t.sec), true);
    dv.setUint32(off + 8, t.nsec, true);
  };
  ts(64, a.atime);
  ts(80, { sec: 0, nsec: 0 }); // stx_btime: not reported (mask says so)
  ts(96, a.ctime);
  ts(112, a.mtime);
  dv.setUint32(128, major(a.rdev), true);
  dv.setUint32(132, minor(a.rdev), true);
  dv.setUint32(136, major(dev), true);
  dv.setUint32(140, minor(dev), true);
  return out;
}

export { FS_MAGIC, nowTimespec };
