// What every path handler (ops_open.ts, ops_meta.ts, ops_names.ts, ops_cwd.ts,
// ops_mount.ts, ops_xattr.ts) shares: who is asking, the file its path names
// for that caller, the checks and cache updates more than one call makes, and
// the route wrapper that walks again when an inode vanished mid-call.
//
// A handler decodes, resolves with these, checks permissions (perm.ts), asks
// the filesystem, and then keeps the caches true (`created`, `fresh`,
// `setattr` remember what the filesystem answered) before it replies.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { AT, AT_FDCWD, MS, O } from "../../kernel/fcntl.ts";
import { PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import { S, type Stat } from "../../kernel/stat.ts";
import type { Creds } from "../../kernel/sysmem.ts";
import { type Attrs, attrsToStat, NAME_MAX } from "./fs_protocol.ts";
import type { Cause, Fs, SetAttrArgs } from "./fs.ts";
import { isDir, type Loc, type ParentLoc } from "./namei.ts";
import type { Mount } from "./mount.ts";
import type { ProcFs } from "./procfs.ts";
import type { FdEntry } from "./fd_table.ts";
import type { Vfs } from "./vfs.ts";

const encoder = new TextEncoder();

/** What the path handlers need besides the VFS state. */
export interface PathDeps {
  /** Endpoint -> the filesystem server instance that answers FsOps there. */
  fsFor(fstype: string): { ep: number; fs: Fs } | undefined;
  procfs: ProcFs;
  /** SYSTEM capability for an endpoint (tty console opens). */
  capFor(ep: number): { slot: number; gen: number };
}

/** The shared state and lookups each group of path handlers unpacks; one per VFS. */
export type PathCtx = ReturnType<typeof pathCtx>;

/** Build the shared state and the lookups that need it. */
export function pathCtx(vfs: Vfs, deps: PathDeps) {
  const w = new PayloadWriter();
  const ns = vfs.ns;

  const me = (req: Request) => vfs.creds(req.pid);

  /** The directory relative paths start from: the cwd, or dirfd's directory. */
  function startOf(req: Request, dirfd: number, path: string): Loc {
    const c = vfs.rooted(req.pid);
    // Linux's getname() refuses "" before dirfd is looked at (AT_EMPTY_PATH aside).
    if (path === "") throw new ErrnoError(Errno.ENOENT, "empty path");
    if (path.startsWith("/") || dirfd === AT_FDCWD) return c.cwd;
    const e = vfs.fd(req.pid, dirfd);
    if (e.ofd.node === undefined) throw new ErrnoError(Errno.ENOTDIR, `fd ${dirfd}`);
    if (!isDir(e.ofd.node.node)) throw new ErrnoError(Errno.ENOTDIR, `fd ${dirfd}`);
    return e.ofd.node;
  }

  /**
   * The inode of fd `fd` (EBADF; pipes have none). An O_PATH fd counts only
   * for the calls that take one (`path`: fchdir, AT_EMPTY_PATH); fchmod,
   * fchown, fsetxattr and fremovexattr get EBADF, as from Linux's fdget().
   */
  function nodeOfFd(
    req: Request,
    fd: number,
    opts?: { path?: boolean },
  ): { loc: Loc; entry: FdEntry } {
    const e = vfs.fd(req.pid, fd);
    if ((e.ofd.flags & O.PATH) !== 0 && opts?.path !== true) {
      throw new ErrnoError(Errno.EBADF, `fd ${fd} is O_PATH`);
    }
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
      return nodeOfFd(req, dirfd, { path: true }).loc;
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

  /** The named child of `p`, or undefined if there is none. */
  async function existing(req: Request, p: ParentLoc): Promise<Loc | undefined> {
    try {
      return ns.crossDown(await ns.child(p.dir, p.name, cause(req)));
    } catch (err) {
      if (err instanceof ErrnoError && err.errno === Errno.ENOENT) return undefined;
      throw err;
    }
  }

  /** Fresh attributes (size and times change behind the cache). */
  async function fresh(l: Loc, req: Request): Promise<Attrs> {
    if (l.node.dead) return l.node.attrs; // its filesystem has forgotten it
    const attrs = await l.mount.fs.getattr(l.mount.sb, l.node.ino, cause(req));
    ns.remember(l.mount, attrs);
    return attrs;
  }

  /**
   * Attributes of an inode an fd holds: the filesystem's, or once it has
   * freed the inode (unlinked, and no open file left: ESTALE, or its number
   * given to another inode), the last ones the VFS saw, with no link left,
   * as Linux's fstat of an fd on a deleted file shows them.
   */
  async function heldAttrs(l: Loc, req: Request): Promise<Attrs> {
    if (l.node.dead) return l.node.attrs;
    try {
      const attrs = await l.mount.fs.getattr(l.mount.sb, l.node.ino, cause(req));
      if (attrs.gen === l.node.attrs.gen) {
        l.node.attrs = attrs; // the held inode, whether or not the cache still lists it
        return attrs;
      }
    } catch (err) {
      if (!(err instanceof ErrnoError) || err.errno !== Errno.ESTALE) throw err;
    }
    return { ...l.node.attrs, nlink: 0 };
  }

  /** After a create in `dir`: remember the new inode under its name. */
  function created(p: ParentLoc, attrs: Attrs): Loc {
    const node = ns.remember(p.dir.mount, attrs);
    ns.dcache.set(p.dir.mount.id, p.dir.node.ino, p.name, attrs.ino);
    node.parent = { ino: p.dir.node.ino, name: p.name };
    return { mount: p.dir.mount, node };
  }

  async function setattr(req: Request, loc: Loc, mask: number, a: SetAttrArgs): Promise<Attrs> {
    writable(loc.mount);
    const attrs = await loc.mount.fs.setattr(loc.mount.sb, loc.node.ino, mask, a, cause(req));
    ns.remember(loc.mount, attrs);
    return attrs;
  }

  return {
    vfs,
    deps,
    ns,
    w,
    me,
    nodeOfFd,
    resolve,
    resolveAt,
    parentOf,
    existing,
    fresh,
    heldAttrs,
    created,
    setattr,
  };
}

/** The request's trace context, passed on to the filesystem. */
export const cause = (req: Request): Cause => ({
  traceId: req.traceId,
  traced: req.traced,
  pid: req.pid,
});

/** A string argument that names something: a NUL in it is EINVAL. */
export function textArg(req: Request): string {
  const s = req.args.str();
  if (s.includes("\0")) throw new ErrnoError(Errno.EINVAL, "NUL in a name");
  return s;
}

/** A change to a file on a read-only mount is EROFS. */
export function writable(m: Mount): void {
  if ((m.flags & MS.RDONLY) !== 0) throw new ErrnoError(Errno.EROFS, m.path);
}

/** struct stat of `attrs`, with the device number of the mount it was found on. */
export function statOf(l: Loc, attrs: Attrs): Stat {
  return attrsToStat(attrs, l.mount.dev);
}

/** Owner and group for a new inode in `dir` (a setgid directory passes its group on). */
export function ownership(creds: Creds, dir: Loc): { uid: number; gid: number; sgid: boolean } {
  const sgid = (dir.node.attrs.mode & S.ISGID) !== 0;
  return { uid: creds.fsuid, gid: sgid ? dir.node.attrs.gid : creds.fsgid, sgid };
}

/** A name a new entry may take: at most NAME_MAX bytes (ENAMETOOLONG). */
export function checkName(name: string): void {
  if (encoder.encode(name).length > NAME_MAX) throw new ErrnoError(Errno.ENAMETOOLONG, name);
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

/** The route of an ordinary path call: the CALL right, retried on ESTALE. */
export const call = (fn: (req: Request) => Answer | Promise<Answer>): Route => ({
  need: Right.CALL,
  fn: revalidating(fn),
});
