// VFS handlers that read and change a file's attributes, by path or by fd:
// stat (newfstatat, statx), access, chmod, chown, utimensat and truncate.
// stat asks the filesystem for fresh attributes (size and times change
// behind the cache); a change checks ownership or permission as Linux's
// callers of notify_change() do, then goes through `setattr`, which refuses
// a read-only mount and keeps the inode cache true.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { AT, AT_FDCWD, F_OK, R_OK, UTIME_NOW, UTIME_OMIT, W_OK, X_OK } from "../../kernel/fcntl.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import { decodeStat, encodeStat, S, type Stat } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { type Attrs, SetAttr } from "./fs_protocol.ts";
import type { SetAttrArgs } from "./fs.ts";
import { isDir, isSymlink, type Loc } from "./namei.ts";
import {
  killedMode,
  MAY_EXEC,
  MAY_READ,
  MAY_WRITE,
  permitted,
  require,
  requireOwner,
} from "./perm.ts";
import { major, minor } from "./devices.ts";
import { call, type PathCtx, statOf, textArg, writable } from "./ops_path_ctx.ts";

/** The attribute routes. */
export function metaRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, me, nodeOfFd, resolve, resolveAt, fresh, setattr } = x;

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
   * fstatat(fd, "", AT_EMPTY_PATH) of an fd the VFS serves (a pipe, a FIFO, an
   * O_PATH fd, whose inode may be gone from its filesystem) or of one with no
   * inode of ours (the console the kernel installed) is its fstat: ask
   * whoever holds the file. Others walk to their inode (undefined here).
   */
  async function statOfBareFd(
    req: Request,
    dirfd: number,
    path: string,
    flags: number,
  ): Promise<Stat | undefined> {
    if (path !== "" || (flags & AT.EMPTY_PATH) === 0 || dirfd === AT_FDCWD) return undefined;
    const { ofd } = vfs.fd(req.pid, dirfd);
    if (ofd.ep === vfs.endpoint) return await vfs.local(ofd.id, { path: true }).file.stat();
    if (ofd.node !== undefined) return undefined;
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
    // access() judges by the real ids, unless AT_EACCESS (then the filesystem ids).
    const creds = (flags & AT.EACCESS) !== 0 ? real : { ...real, fsuid: real.uid, fsgid: real.gid };
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

  async function chmod(req: Request, loc: Loc, mode: number): Promise<Answer> {
    const creds = me(req);
    requireOwner(creds, loc.node.attrs, "chmod");
    let m = mode & 0o7777;
    // Only a member of the file's group (or root) may set its setgid bit (Linux clears it).
    if (
      creds.fsuid !== 0 && !isDir(loc.node) && (m & S.ISGID) !== 0 &&
      creds.fsgid !== loc.node.attrs.gid && !creds.groups.includes(loc.node.attrs.gid)
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
    if (creds.fsuid !== 0) {
      // Linux: only root gives a file away; the owner may change its group to one of theirs.
      if (newUid !== -1 && newUid !== a.uid) throw new ErrnoError(Errno.EPERM, "chown");
      if (newGid !== -1 && newGid !== a.gid) {
        if (creds.fsuid !== a.uid || (creds.fsgid !== newGid && !creds.groups.includes(newGid))) {
          throw new ErrnoError(Errno.EPERM, "chgrp");
        }
      }
      if ((newUid !== -1 || newGid !== -1) && creds.fsuid !== a.uid) {
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
        if (creds.fsuid !== 0 && creds.fsuid !== a.uid) throw new ErrnoError(Errno.EPERM, "chown");
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
    // futimens(fd) is utimensat(fd, NULL, ...): the library marks the NULL path.
    const noPath = req.args.remaining > 0 && req.args.int(0) === UTIMENSAT_NULL_PATH;
    if ((flags & ~(AT.SYMLINK_NOFOLLOW | AT.EMPTY_PATH)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "utimensat flags");
    }
    for (const t of [atime, mtime]) {
      if (t.nsec !== UTIME_NOW && t.nsec !== UTIME_OMIT && (t.nsec < 0 || t.nsec > 999_999_999)) {
        throw new ErrnoError(Errno.EINVAL, "nanoseconds");
      }
    }
    if (noPath && dirfd !== AT_FDCWD && flags !== 0) throw new ErrnoError(Errno.EINVAL, "futimens");
    // Linux's do_utimes_fd() takes the fd with fdget(): an O_PATH fd is EBADF there.
    const loc = noPath && dirfd !== AT_FDCWD
      ? nodeOfFd(req, dirfd).loc
      : await resolveAt(req, dirfd, path, flags);
    if (atime.nsec === UTIME_OMIT && mtime.nsec === UTIME_OMIT) return 0;
    const creds = me(req);
    // Linux's vfs_utimes: only both UTIME_NOW counts as "times == NULL"; any other mix
    // (UTIME_NOW with UTIME_OMIT included) is ATTR_TIMES_SET, for the owner alone (EPERM).
    const toNow = atime.nsec === UTIME_NOW && mtime.nsec === UTIME_NOW;
    // Setting "now" needs ownership or write permission; explicit times need ownership.
    if (toNow) {
      if (
        creds.fsuid !== 0 && creds.fsuid !== loc.node.attrs.uid &&
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
    const creds = me(req);
    require(creds, loc.node.attrs, MAY_WRITE, path);
    // As a write, it drops set-id bits (Linux's do_truncate).
    const mode = killedMode(creds, loc.node.attrs.mode);
    if (mode === loc.node.attrs.mode) await setattr(req, loc, SetAttr.SIZE, { size: length });
    else {await setattr(req, loc, SetAttr.SIZE | SetAttr.MODE, {
        size: length,
        mode: mode & 0o7777,
      });}
    return 0;
  }

  return new Map<number, Route>([
    [Sys.newfstatat, call(doFstatat)],
    [Sys.statx, call(doStatx)],
    [Sys.faccessat, call(doFaccessat)],
    [Sys.fchmodat, call(doFchmodat)],
    [Sys.fchmod, call(doFchmod)],
    [Sys.fchownat, call(doFchownat)],
    [Sys.fchown, call(doFchown)],
    [Sys.utimensat, call(doUtimensat)],
    [Sys.truncate, call(doTruncate)],
  ]);
}

/** utimensat's optional last argument: the path was NULL (futimens), not "". */
const UTIMENSAT_NULL_PATH = 1;

/** statx flags AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, and the mask bit no kernel gives. */
const STATX_SYNC_TYPE = 0x6000;
const STATX_RESERVED = 0x80000000;

/** struct statx (256 bytes) from attributes. */
function statxBytes(a: Omit<Attrs, "gen">, dev: number): Uint8Array {
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
