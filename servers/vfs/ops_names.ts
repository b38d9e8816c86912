// VFS handlers that make, remove and read names in directories: mkdir,
// mknod, link, symlink, unlink and rmdir, rename, readlink. Each change checks
// the last component as Linux's filename_create() and do_unlinkat() do, needs
// write and search permission on the directory (sticky rules for removal),
// then keeps the dentry and inode caches true: a new name is remembered, a
// removed one becomes a negative entry, and a removed directory is marked
// dead so a cwd still on it finds nothing there.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { AT, AT_FDCWD, MS, RENAME_EXCHANGE, RENAME_NOREPLACE } from "../../kernel/fcntl.ts";
import { credsKey } from "./open_file.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import { S } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { PATH_MAX } from "./fs_protocol.ts";
import { isDir, isSymlink, type Loc, type ParentLoc } from "./namei.ts";
import { MAY_EXEC, MAY_READ, MAY_WRITE, permitted, require, requireDelete } from "./perm.ts";
import {
  call,
  cause,
  checkName,
  ownership,
  type PathCtx,
  textArg,
  writable,
} from "./ops_path_ctx.ts";

const encoder = new TextEncoder();

/** The name routes. */
export function nameRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, ns, me, resolve, resolveAt, parentOf, existing, created } = x;

  /** Directory `l` was removed (rmdir, or a rename over it) while a cwd may still be on it. */
  function removedDir(l: Loc): void {
    l.node.dead = true;
    l.node.attrs = { ...l.node.attrs, nlink: 0 };
    ns.icache.forget(l.mount.id, l.node.ino);
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

  async function doMkdirat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const mode = req.args.int(0, 0xffffffff); // Linux ignores bits past 0o1777 (below)
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
    if ((type === S.IFCHR || type === S.IFBLK) && creds.fsuid !== 0) {
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
      dst.node.parent = { ino: from.dir.node.ino, name: from.name };
    } else {
      ns.dcache.set(m.id, from.dir.node.ino, from.name, -1);
      if (dst !== undefined && isDir(dst.node)) removedDir(dst);
      else if (dst !== undefined) ns.icache.drop(m.id, dst.node.ino);
    }
    ns.dcache.set(m.id, to.dir.node.ino, to.name, src.node.ino);
    src.node.parent = { ino: to.dir.node.ino, name: to.name };
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
    if ((flags & AT.EMPTY_PATH) !== 0 && oldpath === "") linkableFd(req, odirfd);
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
    if (creds.fsuid !== 0 && creds.fsuid !== src.node.attrs.uid) {
      const regular = (src.node.attrs.mode & S.IFMT) === S.IFREG;
      const special = (src.node.attrs.mode & (S.ISUID | S.ISGID)) !== 0;
      if (!regular || special || !permitted(creds, src.node.attrs, MAY_READ | MAY_WRITE)) {
        throw new ErrnoError(Errno.EPERM, "protected hard link");
      }
    }
    writable(p.dir.mount);
    // An inode with no name left (unlinked, held by an fd) takes no new one.
    if (src.node.attrs.nlink === 0) throw new ErrnoError(Errno.ENOENT, `${oldpath}: unlinked`);
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

  /**
   * linkat(fd, "", AT_EMPTY_PATH) gives a name to whatever fd holds: Linux
   * lets CAP_DAC_READ_SEARCH (euid 0) do it, and anyone else only with the
   * credentials that opened the fd (its f_cred; a fork or exec makes new
   * ones: here, another process); otherwise the fd is as if not found.
   */
  function linkableFd(req: Request, fd: number): void {
    if (fd === AT_FDCWD) return; // the cwd: a directory, refused as any (EPERM)
    const { ofd } = vfs.fd(req.pid, fd);
    const creds = me(req);
    if (creds.euid === 0) return;
    if (ofd.opener?.pid === req.pid && ofd.opener.creds === credsKey(creds)) return;
    throw new ErrnoError(Errno.ENOENT, `fd ${fd} was opened by other credentials`);
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

  async function doReadlinkat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    // An empty path names dirfd itself (an O_PATH fd on a symlink); anything
    // else there is ENOENT rather than EINVAL, as Linux's do_readlinkat().
    const empty = path === "";
    const loc = empty
      ? await resolveAt(req, dirfd, path, AT.EMPTY_PATH)
      : await resolve(req, dirfd, path, false);
    if (!isSymlink(loc.node)) {
      throw new ErrnoError(empty ? Errno.ENOENT : Errno.EINVAL, `${path}: not a symlink`);
    }
    const target = await ns.readlink(loc, cause(req));
    return { value: encoder.encode(target).length, payload: encoder.encode(target) };
  }

  return new Map<number, Route>([
    [Sys.readlinkat, call(doReadlinkat)],
    [Sys.mkdirat, call(doMkdirat)],
    [Sys.mknodat, call(doMknodat)],
    [Sys.unlinkat, call(doUnlinkat)],
    [Sys.renameat2, call(doRenameat2)],
    [Sys.linkat, call(doLinkat)],
    [Sys.symlinkat, call(doSymlinkat)],
  ]);
}
