// Opening an inode once it is found: what open(2) does after its walk, shared
// by openat (ops_open.ts), open_by_handle_at (ops_handles.ts) and the
// re-open of an fd through /proc/PID/fd/N (a magic link: namei.ts). Checks
// in Linux's do_open() and may_open() order, then an fd whose open file
// lives where the inode's kind says: the filesystem server (files,
// directories), the VFS itself (FIFOs, /proc, memory devices, removed
// directories, O_PATH) or the tty server (consoles).
//
// O_PATH opens nothing: no permission is needed on the file itself (only
// search on the way to it), a FIFO does not wait for its other side, a
// device's driver is not asked, and a symlink with O_NOFOLLOW is the link
// itself. Its fd holds the inode for fstat, fchdir and the *at calls.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { MS, O } from "../../kernel/fcntl.ts";
import { PayloadReader } from "../../kernel/ipc/message.ts";
import type { Request } from "../../kernel/ipc/server.ts";
import { S } from "../../kernel/stat.ts";
import type { Creds } from "../../kernel/sysmem.ts";
import { SetAttr } from "./fs_protocol.ts";
import { isDir, type Loc } from "./namei.ts";
import { killedMode, MAY_READ, MAY_WRITE, require } from "./perm.ts";
import { isMemDevice, isTtyDevice, MemDevice, minor } from "./devices.ts";
import { DeadDir } from "./dead_dir.ts";
import type { FdEntry, Ofd } from "./fd_table.ts";
import { PathFile } from "./path_file.ts";
import { TtyOp } from "../tty/mod.ts";
import { cause, type PathCtx, statOf, writable } from "./ops_path_ctx.ts";

const TTY_EP = 2;

/** __O_TMPFILE (O_TMPFILE is it with O_DIRECTORY), and every flag open(2) knows (VALID_OPEN_FLAGS). */
export const O_TMPFILE = 0o20000000;
export const VALID_OPEN_FLAGS = 0o37777703;

/** The flags O_PATH keeps (Linux's O_PATH_FLAGS); open(2) drops every other. */
export const O_PATH_FLAGS = O.PATH | O.DIRECTORY | O.NOFOLLOW | O.CLOEXEC;

/** How the inode was reached. */
export interface OpenHow {
  /** The caller created it just now: it may be opened as asked, whatever its mode says. */
  created?: boolean;
  /**
   * Opened by handle: CAP_DAC_READ_SEARCH was the check (Linux's holder also
   * has CAP_DAC_OVERRIDE), so no mode bits are; a read-only mount still is.
   */
  byHandle?: boolean;
  /** The path /proc/PID/fd shows for the fd. */
  shown: string;
}

/** The opener of resolved inodes, for the handlers of one VFS. */
export function fileOpener(x: PathCtx) {
  const { vfs, deps, ns, w, me, fresh, heldAttrs, setattr } = x;
  const fifos = vfs.fifos;

  /** Open `loc` with `flags` (O_PATH already stripped to O_PATH_FLAGS) for the caller. */
  async function openLoc(req: Request, loc: Loc, flags: number, how: OpenHow): Promise<FdEntry> {
    const type = loc.node.attrs.mode & S.IFMT;
    // Linux's do_open() and may_open() order: ENOTDIR, ELOOP, EISDIR, EACCES.
    if ((flags & O.DIRECTORY) !== 0 && type !== S.IFDIR) {
      throw new ErrnoError(Errno.ENOTDIR, how.shown);
    }
    if ((flags & O.PATH) !== 0) return install(req, pathOfd(req, loc, flags, how), flags);
    const acc = flags & O.ACCMODE;
    if (type === S.IFLNK) throw new ErrnoError(Errno.ELOOP, how.shown);
    if (type === S.IFDIR && (acc !== O.RDONLY || (flags & (O.CREAT | O.TRUNC)) !== 0)) {
      throw new ErrnoError(Errno.EISDIR, how.shown);
    }
    if (how.created !== true) {
      // Access mode 3 opens for ioctls only, after checking both read and write.
      let want = 0;
      if (acc !== O.WRONLY) want |= MAY_READ;
      if (acc !== O.RDONLY || (flags & O.TRUNC) !== 0) want |= MAY_WRITE;
      if (how.byHandle !== true) require(me(req), loc.node.attrs, want, how.shown);
      if ((want & MAY_WRITE) !== 0 && (type === S.IFREG || type === S.IFDIR)) writable(loc.mount);
    }
    const keep = flags & ~(O.CREAT | O.EXCL | O.NOCTTY | O.CLOEXEC);
    // What F_GETFL shows: open() on x86_64 always adds O_LARGEFILE; O_TRUNC is done by then.
    const status = (keep | O.LARGEFILE) & ~O.TRUNC;
    const ofd = await ofdFor(req, loc, keep, status, how.shown);
    if ((flags & O.TRUNC) !== 0 && type === S.IFREG) await dropSetIds(req, loc, ofd);
    return install(req, ofd, flags);
  }

  /** A truncating open drops set-id bits as a truncate does (Linux's handle_truncate). */
  async function dropSetIds(req: Request, loc: Loc, ofd: Ofd): Promise<void> {
    const mode = killedMode(me(req), loc.node.attrs.mode);
    if (mode === loc.node.attrs.mode) return;
    try {
      await setattr(req, loc, SetAttr.MODE, { mode: mode & 0o7777 });
    } catch (err) {
      if (ofd.refs === 0) vfs.release(ofd);
      throw err;
    }
  }

  /** An O_PATH fd's open file: the inode held, nothing asked of its filesystem. */
  function pathOfd(req: Request, loc: Loc, flags: number, how: OpenHow): Ofd {
    const file = new PathFile(async () => statOf(loc, await heldAttrs(loc, req)));
    return vfs.localOfd(file, flags & ~O.CLOEXEC, loc, how.shown);
  }

  /** The open file for `loc`, made where its kind is served. */
  async function ofdFor(
    req: Request,
    loc: Loc,
    keep: number,
    status: number,
    shown: string,
  ): Promise<Ofd> {
    const type = loc.node.attrs.mode & S.IFMT;
    if (loc.node.dead) {
      return vfs.localOfd(new DeadDir(() => statOf(loc, loc.node.attrs)), status, loc, shown);
    }
    if (loc.mount.fstype === "proc") {
      const file = await deps.procfs.openLocal(
        loc.node.ino,
        async () => statOf(loc, await fresh(loc, req)),
      );
      return vfs.localOfd(file, status, loc, shown);
    }
    if (type === S.IFREG || type === S.IFDIR) {
      const opened = await loc.mount.fs.open(
        loc.mount.sb,
        loc.node.ino,
        keep,
        vfs.env.pid,
        cause(req),
      );
      ns.remember(loc.mount, opened.attrs);
      return vfs.remoteOfd(loc.mount.fs.ep, opened.root, status, loc, shown);
    }
    if (type === S.IFIFO) {
      const end = await fifos.open(
        `${loc.mount.id}:${loc.node.ino}`,
        keep,
        loc.node.attrs.uid,
        loc.node.attrs.gid,
        async () => statOf(loc, await fresh(loc, req)),
        req.area.id,
      );
      return vfs.localOfd(end, status, loc, shown);
    }
    if (type === S.IFCHR) {
      if ((loc.mount.flags & MS.NODEV) !== 0) throw new ErrnoError(Errno.EACCES, `${shown}: nodev`);
      return await deviceOfd(req, loc, status, shown);
    }
    throw new ErrnoError(Errno.ENXIO, shown); // block devices (no driver yet) and sockets
  }

  async function deviceOfd(req: Request, loc: Loc, flags: number, shown: string): Promise<Ofd> {
    const rdev = loc.node.attrs.rdev;
    if (isMemDevice(rdev)) {
      const file = new MemDevice(minor(rdev), async () => statOf(loc, await fresh(loc, req)));
      return vfs.localOfd(file, flags, loc, shown);
    }
    if (!isTtyDevice(rdev)) throw new ErrnoError(Errno.ENXIO, `no driver for device ${rdev}`);
    const r = await vfs.env.client.call(
      TTY_EP,
      TtyOp.OPEN,
      deps.capFor(TTY_EP),
      w.reset().num(vfs.env.pid).num(flags).num(minor(rdev)).bytes().slice(),
    );
    if (r.errno !== 0) throw new ErrnoError(r.errno, "console");
    const rd = new PayloadReader(r.payload);
    return vfs.remoteOfd(TTY_EP, { slot: rd.int(0), gen: rd.int(0, 2 ** 32) }, flags, loc, shown);
  }

  /**
   * Give `ofd` the caller's lowest free fd. Every await before this may have
   * let another call of the same process (the kernel's are concurrent) take
   * fds: ours is chosen only now. An fd that cannot be had releases it.
   */
  function install(req: Request, ofd: Ofd, flags: number): FdEntry {
    try {
      // The caller may have ended while we waited (ESRCH, or no credentials left).
      ofd.opener = { pid: req.pid, creds: credsKey(me(req)) };
      const t = vfs.ctx(req.pid).table;
      return t.install(t.lowestFree(), ofd, (flags & O.CLOEXEC) !== 0);
    } catch (err) {
      if (ofd.refs === 0) vfs.release(ofd);
      throw err;
    }
  }

  /**
   * The path an fd shows in /proc/PID/fd: a directory's from the tree; a
   * file's as asked, unless it was reached by no path of its own (a handle:
   * "", or a link of /proc leading out of it), then where it was last seen.
   */
  function shownPath(req: Request, loc: Loc, asked: string): string {
    const c = vfs.ctx(req.pid);
    const viaProc = asked.startsWith("/proc/") && loc.mount.fstype !== "proc";
    if (isDir(loc.node) || asked === "" || viaProc) {
      try {
        return ns.pathOf(loc, c.root);
      } catch {
        // Not reachable by the names we know (a handle of a file never looked up).
        return asked !== "" ? asked : `${loc.mount.path} (inode ${loc.node.ino})`;
      }
    }
    if (asked.startsWith("/")) return asked;
    try {
      const cwd = ns.pathOf(c.cwd, c.root);
      return (cwd === "/" ? "" : cwd) + "/" + asked;
    } catch {
      return asked;
    }
  }

  return { openLoc, shownPath };
}

/** Credentials as one comparable value (the opener's against a caller's). */
export function credsKey(c: Creds): string {
  return [c.uid, c.euid, c.gid, c.egid, c.fsuid, c.fsgid, ...c.groups].join(",");
}

/** The fd at which `e` was installed. */
export function entryFd(t: { entries: Map<number, FdEntry> }, e: FdEntry): number {
  for (const [fd, x] of t.entries) if (x === e) return fd;
  throw new ErrnoError(Errno.EBADF, "fd vanished");
}
