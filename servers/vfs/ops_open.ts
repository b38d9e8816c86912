// VFS handlers for open(2) (openat; open and creat arrive as it): create the
// file if asked (following a last symlink to where it points, as Linux does),
// check the access mode, then hand out an fd whose open file lives where the
// inode's kind says: the filesystem server (files, directories), the VFS
// itself (FIFOs, /proc, memory devices, removed directories) or the tty
// server (consoles). Errno order follows Linux's do_open() and may_open().

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { MS, O } from "../../kernel/fcntl.ts";
import { PayloadReader } from "../../kernel/ipc/message.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import { S } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { encodeRoutes } from "./mod.ts";
import type { Attrs } from "./fs_protocol.ts";
import { isDir, isSymlink, type Loc } from "./namei.ts";
import { MAY_EXEC, MAY_READ, MAY_WRITE, require } from "./perm.ts";
import { isMemDevice, isTtyDevice, MemDevice, minor } from "./devices.ts";
import { DeadDir } from "./dead_dir.ts";
import { SYMLINK_MAX_HOPS } from "./params.ts";
import type { FdEntry } from "./fd_table.ts";
import { TtyOp } from "../tty/mod.ts";
import {
  call,
  cause,
  checkName,
  ownership,
  type PathCtx,
  statOf,
  textArg,
  writable,
} from "./ops_path_ctx.ts";

const TTY_EP = 2;

/** The open routes. */
export function openRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, deps, ns, w, me, resolve, parentOf, existing, fresh, created } = x;
  const fifos = vfs.fifos;

  function routeAnswer(value: number, fd: number, e: FdEntry): Answer {
    return {
      value,
      payload: encodeRoutes(w.reset(), [{ fd, ep: e.ofd.ep, cap: e.cap }]).bytes().slice(),
    };
  }

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

  return new Map<number, Route>([
    [Sys.openat, call(doOpenat)],
  ]);
}

/** __O_TMPFILE (O_TMPFILE is it with O_DIRECTORY), and every flag open(2) knows (VALID_OPEN_FLAGS). */
const O_TMPFILE = 0o20000000;
const VALID_OPEN_FLAGS = 0o37777703;
