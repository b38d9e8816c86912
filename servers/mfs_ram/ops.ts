// FsOp handlers: the requests the VFS sends (servers/vfs/fs_protocol.ts),
// one do<Op>() each. The VFS has checked permissions; each handler still
// checks every argument, then makes its changes in one transaction (txn.ts),
// so the reply leaves only once they are in the journal.
//
// Errors follow Linux (tmpfs): ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY,
// EMLINK, EINVAL for bad names and flags, ENAMETOOLONG, ENOSPC, and ESTALE
// for an instance or inode that does not exist (a handle gone stale).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { O, RENAME_EXCHANGE, RENAME_NOREPLACE } from "../../kernel/fcntl.ts";
import type { Answer, Request } from "../../kernel/ipc/server.ts";
import { S } from "../../kernel/stat.ts";
import { encodeStatfs, FsOp, SetAttr } from "../vfs/fs_protocol.ts";
import {
  attrsPayload,
  checkSize,
  freeIfUnused,
  type Mfs,
  newGeneration,
  now,
  put,
  readDir,
  readInode,
  readSb,
  touchAtime,
  truncateIn,
} from "./context.ts";
import { attrsOf, type Inode, isLnk, isReg } from "./inode.ts";
import {
  ENTRY_META_BYTES,
  INODE_META_BYTES,
  ROOT_INO,
  type Superblock,
  TARGET_META_BYTES,
} from "./model.ts";
import { checkName } from "./names.ts";
import { DEV_MINOR_BASE, LINK_MAX, MAX_DEV_MINOR, MAX_SUPERBLOCKS, SYMLINK_MAX } from "./params.ts";
import { RecType } from "./records.ts";
import { needInode, parseMountOptions, statfsOf } from "./super.ts";
import { xattrRoutes } from "./xattr_ops.ts";

type Handler = (req: Request) => Answer;

/**
 * Rights of the root capability an OPEN mints for the VFS: the open-file
 * rights only, so that no capability derived from it can carry SYSTEM and
 * send FsOp requests.
 */
const OPEN_FILE_RIGHTS = Right.READ | Right.WRITE | Right.STAT | Right.CONTROL;

/** FsOp handlers, by opcode. */
export function fsHandlers(mfs: Mfs): Array<[number, Handler]> {
  const { model, persist, w } = mfs;

  function liveDir(d: Inode): void {
    if (d.nlink === 0) throw new ErrnoError(Errno.ENOENT, "directory was removed");
  }

  function entryOf(s: Superblock, d: Inode, name: string): Inode {
    const e = d.dir!.entries.get(name);
    if (e === undefined) throw new ErrnoError(Errno.ENOENT, "no such entry");
    return model.inode(s.id, e.ino);
  }

  function absent(d: Inode, name: string): void {
    if (d.dir!.entries.get(name) !== undefined) throw new ErrnoError(Errno.EEXIST, "entry exists");
  }

  /** A new inode's attributes. */
  function fresh(s: Superblock, mode: number, uid: number, gid: number) {
    const t = now();
    return {
      ino: s.nextIno,
      mode,
      uid,
      gid,
      nlink: 1,
      rdev: 0,
      size: 0,
      atime: t,
      mtime: t,
      ctime: t,
      generation: newGeneration(),
      parent: 0,
    };
  }

  function doMount(req: Request): Answer {
    const opts = parseMountOptions(req.args.str());
    const sb = model.nextSb;
    if (model.sbs.size >= MAX_SUPERBLOCKS || DEV_MINOR_BASE + sb > MAX_DEV_MINOR) {
      throw new ErrnoError(Errno.ENOSPC, "too many instances");
    }
    model.needMeta(INODE_META_BYTES);
    const t = now();
    persist.transact((tx) => {
      tx.apply({ t: RecType.SB_PUT, sb, sizeLimit: opts.sizeLimit, inodeLimit: opts.inodeLimit });
      tx.apply({
        t: RecType.INODE_PUT,
        sb,
        a: {
          ino: ROOT_INO,
          mode: S.IFDIR | opts.mode,
          uid: opts.uid,
          gid: opts.gid,
          nlink: 2,
          rdev: 0,
          size: 0,
          atime: t,
          mtime: t,
          ctime: t,
          generation: newGeneration(),
          parent: ROOT_INO,
        },
      });
    });
    return { value: sb, payload: attrsPayload(w, model.inode(sb, ROOT_INO)) };
  }

  function doUnmount(req: Request): Answer {
    const s = readSb(mfs, req);
    for (const i of s.inodes.values()) {
      if (i.opens > 0) throw new ErrnoError(Errno.EBUSY, "instance has open files");
    }
    persist.transact((tx) => tx.apply({ t: RecType.SB_DROP, sb: s.id }));
    return 0;
  }

  function doLookup(req: Request): Answer {
    const s = readSb(mfs, req);
    const d = readDir(mfs, req, s);
    const name = checkName(req.args.bytesField(), true);
    if (name === ".") return { value: 0, payload: attrsPayload(w, d) };
    if (name === "..") return { value: 0, payload: attrsPayload(w, model.inode(s.id, d.parent)) };
    liveDir(d);
    return { value: 0, payload: attrsPayload(w, entryOf(s, d, name)) };
  }

  function doGetattr(req: Request): Answer {
    const s = readSb(mfs, req);
    return { value: 0, payload: attrsPayload(w, readInode(mfs, req, s)) };
  }

  function doSetattr(req: Request): Answer {
    const s = readSb(mfs, req);
    const i = readInode(mfs, req, s);
    const a = req.args;
    const mask = a.int(0, 511);
    const mode = a.int();
    const uid = a.int();
    const gid = a.int();
    const size = a.int();
    const atime = { sec: a.int(), nsec: a.int() };
    const mtime = { sec: a.int(), nsec: a.int() };
    const has = (bit: number) => (mask & bit) !== 0;
    if (has(SetAttr.MODE) && (mode < 0 || mode > 0xffff)) bad("mode");
    if (has(SetAttr.UID) && (uid < 0 || uid > 0xffffffff)) bad("uid");
    if (has(SetAttr.GID) && (gid < 0 || gid > 0xffffffff)) bad("gid");
    // An explicit time counts only without its *_NOW bit (the VFS sends
    // ATIME | ATIME_NOW for UTIME_NOW, as Linux's ATTR_ATIME without _SET).
    const explicitA = has(SetAttr.ATIME) && !has(SetAttr.ATIME_NOW);
    const explicitM = has(SetAttr.MTIME) && !has(SetAttr.MTIME_NOW);
    for (const [given, t] of [[explicitA, atime], [explicitM, mtime]] as const) {
      if (given && (t.nsec < 0 || t.nsec > 999_999_999 || Math.abs(t.sec) > 2 ** 51)) bad("time");
    }
    if (has(SetAttr.SIZE)) {
      if (i.dir !== undefined) throw new ErrnoError(Errno.EISDIR, "truncate of a directory");
      if (!isReg(i.mode)) bad("truncate of a special file");
      checkSize(size);
    }
    if (mask === 0) return { value: 0, payload: attrsPayload(w, i) };
    const t = now();
    const changes = {
      mode: has(SetAttr.MODE) ? (i.mode & S.IFMT) | (mode & 0o7777) : i.mode,
      uid: has(SetAttr.UID) ? uid : i.uid,
      gid: has(SetAttr.GID) ? gid : i.gid,
      atime: explicitA ? atime : has(SetAttr.ATIME_NOW) ? t : i.atime,
      mtime: explicitM ? mtime : has(SetAttr.MTIME_NOW) || has(SetAttr.SIZE) ? t : i.mtime,
      ctime: t,
    };
    persist.transact((tx) => {
      if (has(SetAttr.SIZE)) truncateIn(mfs, tx, s.id, i, size, changes);
      else put(tx, s.id, i, changes);
    });
    return { value: 0, payload: attrsPayload(w, i) };
  }

  function doCreate(req: Request): Answer {
    const s = readSb(mfs, req);
    const d = readDir(mfs, req, s);
    const name = checkName(req.args.bytesField());
    const mode = req.args.int(0, 0xffff);
    const uid = req.args.int(0, 0xffffffff);
    const gid = req.args.int(0, 0xffffffff);
    const rdev = req.args.int(0, 2 ** 53);
    let type = mode & S.IFMT;
    if (type === 0) type = S.IFREG;
    if (![S.IFREG, S.IFCHR, S.IFBLK, S.IFIFO, S.IFSOCK].includes(type as never)) {
      bad("CREATE makes files, devices, FIFOs and sockets");
    }
    liveDir(d);
    absent(d, name);
    needInode(model, s);
    model.needMeta(INODE_META_BYTES + name.length + ENTRY_META_BYTES);
    const a = fresh(s, type | (mode & 0o7777), uid, gid);
    if (type === S.IFCHR || type === S.IFBLK) a.rdev = rdev;
    persist.transact((tx) => {
      tx.apply({ t: RecType.INODE_PUT, sb: s.id, a });
      tx.apply({ t: RecType.LINK_ADD, sb: s.id, dir: d.ino, name, ino: a.ino });
      put(tx, s.id, d, { mtime: a.mtime, ctime: a.ctime });
    });
    return { value: 0, payload: attrsPayload(w, model.inode(s.id, a.ino)) };
  }

  function doMkdir(req: Request): Answer {
    const s = readSb(mfs, req);
    const d = readDir(mfs, req, s);
    const name = checkName(req.args.bytesField());
    const mode = req.args.int(0, 0xffff);
    const uid = req.args.int(0, 0xffffffff);
    const gid = req.args.int(0, 0xffffffff);
    liveDir(d);
    absent(d, name);
    if (d.nlink >= LINK_MAX) throw new ErrnoError(Errno.EMLINK, "parent has too many links");
    needInode(model, s);
    model.needMeta(INODE_META_BYTES + name.length + ENTRY_META_BYTES);
    const a = { ...fresh(s, S.IFDIR | (mode & 0o7777), uid, gid), nlink: 2, parent: d.ino };
    persist.transact((tx) => {
      tx.apply({ t: RecType.INODE_PUT, sb: s.id, a });
      tx.apply({ t: RecType.LINK_ADD, sb: s.id, dir: d.ino, name, ino: a.ino });
      put(tx, s.id, d, { nlink: d.nlink + 1, mtime: a.mtime, ctime: a.ctime });
    });
    return { value: 0, payload: attrsPayload(w, model.inode(s.id, a.ino)) };
  }

  function doSymlink(req: Request): Answer {
    const s = readSb(mfs, req);
    const d = readDir(mfs, req, s);
    const name = checkName(req.args.bytesField());
    const target = req.args.bytesField().slice();
    const uid = req.args.int(0, 0xffffffff);
    const gid = req.args.int(0, 0xffffffff);
    if (target.length === 0) throw new ErrnoError(Errno.ENOENT, "empty symlink target");
    if (target.length > SYMLINK_MAX) throw new ErrnoError(Errno.ENAMETOOLONG, "symlink target");
    if (target.includes(0)) bad("symlink target holds NUL");
    liveDir(d);
    absent(d, name);
    needInode(model, s);
    model.needMeta(
      INODE_META_BYTES + name.length + ENTRY_META_BYTES + target.length + TARGET_META_BYTES,
    );
    const a = { ...fresh(s, S.IFLNK | 0o777, uid, gid), size: target.length };
    persist.transact((tx) => {
      tx.apply({ t: RecType.INODE_PUT, sb: s.id, a });
      tx.apply({ t: RecType.TARGET, sb: s.id, ino: a.ino, target });
      tx.apply({ t: RecType.LINK_ADD, sb: s.id, dir: d.ino, name, ino: a.ino });
      put(tx, s.id, d, { mtime: a.mtime, ctime: a.ctime });
    });
    return { value: 0, payload: attrsPayload(w, model.inode(s.id, a.ino)) };
  }

  function doLink(req: Request): Answer {
    const s = readSb(mfs, req);
    const i = readInode(mfs, req, s);
    const d = readDir(mfs, req, s);
    const name = checkName(req.args.bytesField());
    if (i.dir !== undefined) throw new ErrnoError(Errno.EPERM, "hard link to a directory");
    if (i.nlink === 0) throw new ErrnoError(Errno.ENOENT, "inode was removed");
    if (i.nlink >= LINK_MAX) throw new ErrnoError(Errno.EMLINK, "too many links");
    liveDir(d);
    absent(d, name);
    model.needMeta(name.length + ENTRY_META_BYTES);
    const t = now();
    persist.transact((tx) => {
      tx.apply({ t: RecType.LINK_ADD, sb: s.id, dir: d.ino, name, ino: i.ino });
      put(tx, s.id, i, { nlink: i.nlink + 1, ctime: t });
      put(tx, s.id, d, { mtime: t, ctime: t });
    });
    return { value: 0, payload: attrsPayload(w, i) };
  }

  function doUnlink(req: Request): Answer {
    const s = readSb(mfs, req);
    const d = readDir(mfs, req, s);
    const name = checkName(req.args.bytesField());
    const i = entryOf(s, d, name);
    if (i.dir !== undefined) throw new ErrnoError(Errno.EISDIR, "unlink of a directory");
    const t = now();
    const after = persist.transact((tx) => {
      tx.apply({ t: RecType.LINK_DEL, sb: s.id, dir: d.ino, name });
      put(tx, s.id, i, { nlink: i.nlink - 1, ctime: t });
      put(tx, s.id, d, { mtime: t, ctime: t });
      const a = attrsOf(i);
      freeIfUnused(tx, s.id, i);
      return a;
    });
    return { value: 0, payload: attrsPayload(w, after) };
  }

  function doRmdir(req: Request): Answer {
    const s = readSb(mfs, req);
    const d = readDir(mfs, req, s);
    const name = checkName(req.args.bytesField());
    const i = entryOf(s, d, name);
    if (i.dir === undefined) throw new ErrnoError(Errno.ENOTDIR, "rmdir of a non-directory");
    if (i.dir.entries.size > 0) throw new ErrnoError(Errno.ENOTEMPTY, "directory not empty");
    const t = now();
    persist.transact((tx) => {
      tx.apply({ t: RecType.LINK_DEL, sb: s.id, dir: d.ino, name });
      put(tx, s.id, i, { nlink: 0, ctime: t });
      put(tx, s.id, d, { nlink: d.nlink - 1, mtime: t, ctime: t });
      freeIfUnused(tx, s.id, i);
    });
    return 0;
  }

  /** Is `dir` the directory `anc` or inside it? (walks ".." up to the root) */
  function within(s: Superblock, dir: Inode, anc: Inode): boolean {
    for (let cur = dir;;) {
      if (cur === anc) return true;
      if (cur.parent === cur.ino || cur.parent === 0) return false;
      cur = model.inode(s.id, cur.parent);
    }
  }

  function doRename(req: Request): Answer {
    const s = readSb(mfs, req);
    const od = readDir(mfs, req, s);
    const oldName = checkName(req.args.bytesField());
    const nd = readDir(mfs, req, s);
    const newName = checkName(req.args.bytesField());
    const flags = req.args.int(0, 2 ** 32);
    if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) !== 0) bad("rename flags");
    if (flags === (RENAME_NOREPLACE | RENAME_EXCHANGE)) bad("NOREPLACE with EXCHANGE");
    liveDir(od);
    liveDir(nd);
    const src = entryOf(s, od, oldName);
    const dstEntry = nd.dir!.entries.get(newName);
    const dst = dstEntry === undefined ? undefined : model.inode(s.id, dstEntry.ino);
    if ((flags & RENAME_EXCHANGE) !== 0) return exchange(s, od, oldName, src, nd, newName, dst);
    if ((flags & RENAME_NOREPLACE) !== 0 && dst !== undefined) {
      throw new ErrnoError(Errno.EEXIST, "target exists");
    }
    if (dst === src) return 0; // two names of one inode: POSIX says do nothing
    if (src.dir !== undefined) {
      if (within(s, nd, src)) bad("directory into itself");
      if (dst !== undefined && dst.dir === undefined) {
        throw new ErrnoError(Errno.ENOTDIR, "directory over a non-directory");
      }
      if (dst?.dir !== undefined && dst.dir.entries.size > 0) {
        throw new ErrnoError(Errno.ENOTEMPTY, "target directory not empty");
      }
      if (od !== nd && dst === undefined && nd.nlink >= LINK_MAX) {
        throw new ErrnoError(Errno.EMLINK, "target directory has too many links");
      }
    } else if (dst?.dir !== undefined) {
      throw new ErrnoError(Errno.EISDIR, "non-directory over a directory");
    }
    if (dst === undefined) model.needMeta(newName.length + ENTRY_META_BYTES);
    const t = now();
    const displaced = persist.transact((tx) => {
      tx.apply({ t: RecType.LINK_DEL, sb: s.id, dir: od.ino, name: oldName });
      tx.apply({ t: RecType.LINK_ADD, sb: s.id, dir: nd.ino, name: newName, ino: src.ino });
      let nlinkNd = nd.nlink;
      let nlinkOd = od.nlink;
      if (src.dir !== undefined && od !== nd) {
        nlinkOd--;
        nlinkNd++;
        put(tx, s.id, src, { parent: nd.ino, ctime: t });
      } else put(tx, s.id, src, { ctime: t });
      let after;
      if (dst !== undefined) {
        if (dst.dir !== undefined) {
          nlinkNd--;
          put(tx, s.id, dst, { nlink: 0, ctime: t });
        } else put(tx, s.id, dst, { nlink: dst.nlink - 1, ctime: t });
        after = attrsOf(dst);
        freeIfUnused(tx, s.id, dst);
      }
      put(tx, s.id, od, { nlink: od === nd ? nlinkNd : nlinkOd, mtime: t, ctime: t });
      if (od !== nd) put(tx, s.id, nd, { nlink: nlinkNd, mtime: t, ctime: t });
      return after;
    });
    if (displaced === undefined) return 0;
    return { value: displaced.ino, payload: attrsPayload(w, displaced) };
  }

  /** RENAME_EXCHANGE: swap two names. */
  function exchange(
    s: Superblock,
    od: Inode,
    oldName: string,
    src: Inode,
    nd: Inode,
    newName: string,
    dst: Inode | undefined,
  ): Answer {
    if (dst === undefined) throw new ErrnoError(Errno.ENOENT, "exchange with a missing name");
    if (dst === src) return { value: dst.ino, payload: attrsPayload(w, dst) };
    if (src.dir !== undefined && within(s, nd, src)) bad("directory into itself");
    if (dst.dir !== undefined && within(s, od, dst)) bad("directory into itself");
    const t = now();
    persist.transact((tx) => {
      tx.apply({ t: RecType.LINK_ADD, sb: s.id, dir: od.ino, name: oldName, ino: dst.ino });
      tx.apply({ t: RecType.LINK_ADD, sb: s.id, dir: nd.ino, name: newName, ino: src.ino });
      const moved = od !== nd;
      put(tx, s.id, src, {
        parent: src.dir !== undefined && moved ? nd.ino : src.parent,
        ctime: t,
      });
      put(tx, s.id, dst, {
        parent: dst.dir !== undefined && moved ? od.ino : dst.parent,
        ctime: t,
      });
      // A directory that changes parent moves one ".." link with it.
      const shift = moved ? (src.dir !== undefined ? 1 : 0) - (dst.dir !== undefined ? 1 : 0) : 0;
      put(tx, s.id, od, { nlink: od.nlink - shift, mtime: t, ctime: t });
      if (moved) put(tx, s.id, nd, { nlink: nd.nlink + shift, mtime: t, ctime: t });
    });
    return { value: dst.ino, payload: attrsPayload(w, dst) };
  }

  function doReadlink(req: Request): Answer {
    const s = readSb(mfs, req);
    const i = readInode(mfs, req, s);
    if (!isLnk(i.mode) || i.target === undefined) bad("not a symlink");
    touchAtime(mfs, s.id, i);
    return { value: i.target.length, payload: i.target.slice() };
  }

  function doOpen(req: Request): Answer {
    const s = readSb(mfs, req);
    const i = readInode(mfs, req, s);
    const flags = req.args.int(0, 0xffffffff);
    const holder = req.args.int(1, 0x7fffffff);
    const id = mfs.opens.peekId();
    if (id === 0) throw new ErrnoError(Errno.ENFILE, "too many open files");
    if ((flags & O.TRUNC) !== 0 && isReg(i.mode)) {
      const t = now();
      persist.transact((tx) => truncateIn(mfs, tx, s.id, i, 0, { mtime: t, ctime: t }));
    }
    const root = mfs.env.caps.mint(mfs.env.init.endpoint, OPEN_FILE_RIGHTS, holder, id);
    mfs.opens.open({ sb: s.id, ino: i.ino, flags, root });
    i.opens++;
    return { value: id, payload: attrsPayload(w, i, [root.slot, root.gen]) };
  }

  function doStatfs(req: Request): Answer {
    const s = readSb(mfs, req);
    return { value: 0, payload: encodeStatfs(w.reset(), statfsOf(model, s)).bytes().slice() };
  }

  function doSync(req: Request): Answer {
    readSb(mfs, req);
    return 0;
  }

  return [
    [FsOp.MOUNT, doMount],
    [FsOp.UNMOUNT, doUnmount],
    [FsOp.LOOKUP, doLookup],
    [FsOp.GETATTR, doGetattr],
    [FsOp.SETATTR, doSetattr],
    [FsOp.CREATE, doCreate],
    [FsOp.MKDIR, doMkdir],
    [FsOp.SYMLINK, doSymlink],
    [FsOp.LINK, doLink],
    [FsOp.UNLINK, doUnlink],
    [FsOp.RMDIR, doRmdir],
    [FsOp.RENAME, doRename],
    [FsOp.READLINK, doReadlink],
    [FsOp.OPEN, doOpen],
    [FsOp.STATFS, doStatfs],
    [FsOp.SYNC, doSync],
    ...xattrRoutes(mfs),
  ];
}

function bad(what: string): never {
  throw new ErrnoError(Errno.EINVAL, what);
}
