// VFS handlers for extended attributes, by path (following the last symlink
// or not) and by fd, and the POSIX ACLs that travel as the system.posix_acl_*
// attributes (posix_acl.ts: only those the mode bits say exactly are kept).
//
// Linux's order of checks (xattr_rules.ts): the arguments (before the
// file is looked up), the file, the mount, permission, the namespace.
// Values and name lists travel through the caller's data area when it
// passes a trailing (offset, size) pair, with getxattr(2)'s size rules;
// without one, inline (ERANGE when too big for a reply).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { AT_FDCWD, O } from "../../kernel/fcntl.ts";
import { MAX_INLINE } from "../../kernel/ipc/message.ts";
import { type Answer, callerData, type Request, type Route } from "../../kernel/ipc/server.ts";
import { S } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { SetAttr, XATTR_SIZE_MAX } from "./fs_protocol.ts";
import { isDir, isSymlink, type Loc } from "./namei.ts";
import { inGroup, requireOwner } from "./perm.ts";
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
import { call, cause, type PathCtx, textArg, writable } from "./ops_path_ctx.ts";

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** The xattr routes. */
export function xattrRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, w, me, resolve, setattr } = x;

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
    if (name === ACL_ACCESS && creds.fsuid !== 0 && !inGroup(creds, a.gid)) mode &= ~S.ISGID;
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
    const { ofd } = vfs.fd(req.pid, fd);
    // Linux's fdget(): an O_PATH fd opened nothing to change.
    if ((ofd.flags & O.PATH) !== 0) throw new ErrnoError(Errno.EBADF, `fd ${fd} is O_PATH`);
    return ofd.node === undefined ? noInode(req, fn, a) : await fn(req, ofd.node, a);
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
    const pipe = { mode: S.IFIFO | 0o600, uid: creds.fsuid, gid: creds.fsgid };
    xattrPermission(creds, pipe, a.name, write);
    throw new ErrnoError(Errno.EOPNOTSUPP, `${a.name}: a pipe has no xattrs`);
  }

  return new Map<number, Route>([
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
}
