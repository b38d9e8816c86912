// xattr requests: GETXATTR, SETXATTR, LISTXATTR, REMOVEXATTR from the VFS,
// and the answers fgetxattr and flistxattr share with them (fd_ops.ts).
//
// Values and name lists travel inline when they fit a reply (MAX_INLINE).
// Larger ones need the caller's data area: each request takes an optional
// trailing (data offset, size) pair, with getxattr(2)'s rules: size 0 asks
// only for the length; a size too small is ERANGE; otherwise the bytes go to
// the data area and the reply's value is their length. For SETXATTR the pair
// names where the value is, and the inline value must then be empty. Without
// the pair, an answer too big for a reply is ERANGE.
//
// Requests from the VFS were checked there (xattr_rules.ts); fgetxattr and
// flistxattr come straight from programs, so they apply the same rules here.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { fromUtf8, MAX_INLINE } from "../../kernel/ipc/message.ts";
import { type Answer, callerData, type Request } from "../../kernel/ipc/server.ts";
import type { Creds } from "../../kernel/sysmem.ts";
import { FsOp, XATTR_SIZE_MAX } from "../vfs/fs_protocol.ts";
import { checkNameLength, checkNamespace, visibleTo, xattrPermission } from "../vfs/xattr_rules.ts";
import { type Mfs, now, put, readInode, readSb } from "./context.ts";
import type { Inode } from "./inode.ts";
import { XATTR_META_BYTES } from "./model.ts";
import { bytesOf } from "./names.ts";
import { RecType } from "./records.ts";
import { checkXattrName, checkXattrSet, xattrValue } from "./xattr.ts";

type Handler = (req: Request) => Answer;

/** Send `bytes` to the caller: to its data area if it passed (offset, size), else inline. */
function deliver(req: Request, bytes: Uint8Array, inline: () => Uint8Array): Answer {
  if (req.args.remaining > 0) {
    const off = req.args.int(0);
    const size = req.args.int(0);
    if (size === 0) return bytes.length;
    if (size < bytes.length) throw new ErrnoError(Errno.ERANGE, "buffer too small");
    callerData(req, off, bytes.length).set(bytes);
    return bytes.length;
  }
  const payload = inline();
  if (payload.length > MAX_INLINE) throw new ErrnoError(Errno.ERANGE, "answer too big inline");
  return { value: bytes.length, payload };
}

/** The value of `key` [, data offset, size]. */
function answerValue(mfs: Mfs, req: Request, i: Inode, key: string): Answer {
  const v = xattrValue(i, key);
  return deliver(req, v, () => mfs.w.reset().bytesField(v).bytes().slice());
}

/** The names `show` keeps [, data offset, size] ("a\0b\0" in the data area, strs inline). */
function answerList(mfs: Mfs, req: Request, i: Inode, show: (name: string) => boolean): Answer {
  const names = [...(i.xattrs?.keys() ?? [])].filter((k) => show(fromUtf8(bytesOf(k))));
  const raw = new Uint8Array(names.reduce((n, k) => n + k.length + 1, 0));
  let at = 0;
  for (const k of names) {
    raw.set(bytesOf(k), at);
    at += k.length + 1;
  }
  return deliver(
    req,
    raw,
    () => mfs.w.reset().strs(names.map((k) => fromUtf8(bytesOf(k)))).bytes().slice(),
  );
}

/** GETXATTR from the VFS (which checked permissions): name [, data offset, size]. */
export function getXattr(mfs: Mfs, req: Request, i: Inode): Answer {
  return answerValue(mfs, req, i, checkXattrName(req.args.bytesField()));
}

/** LISTXATTR from the VFS (which filters what the caller may see): [data offset, size]. */
export function listXattr(mfs: Mfs, req: Request, i: Inode): Answer {
  return answerList(mfs, req, i, () => true);
}

/** The caller's credentials (EPERM for a sender with none, as the VFS answers). */
function credsOf(mfs: Mfs, req: Request): Creds {
  const c = mfs.env.sys.creds(req.pid);
  if (c === undefined) throw new ErrnoError(Errno.EPERM, `no credentials for pid ${req.pid}`);
  return c;
}

/**
 * fgetxattr straight from a program: name [, data offset, size]. No VFS on
 * this path, so the VFS's checks are made here, in Linux's order.
 */
export function fgetXattr(mfs: Mfs, req: Request, i: Inode): Answer {
  const bytes = req.args.bytesField();
  checkNameLength(bytes);
  const name = fromUtf8(bytes);
  xattrPermission(credsOf(mfs, req), i, name, false);
  checkNamespace(name);
  return answerValue(mfs, req, i, checkXattrName(bytes));
}

/** flistxattr straight from a program: [data offset, size]; trusted.* for root only. */
export function flistXattr(mfs: Mfs, req: Request, i: Inode): Answer {
  const c = credsOf(mfs, req);
  return answerList(mfs, req, i, (name) => visibleTo(c, name));
}

/** The xattr FsOps, by opcode. */
export function xattrRoutes(mfs: Mfs): Array<[number, Handler]> {
  function doGetxattr(req: Request): Answer {
    const s = readSb(mfs, req);
    return getXattr(mfs, req, readInode(mfs, req, s));
  }

  function doSetxattr(req: Request): Answer {
    const s = readSb(mfs, req);
    const i = readInode(mfs, req, s);
    const key = checkXattrName(req.args.bytesField());
    let value = req.args.bytesField().slice();
    const flags = req.args.int(0, 0xffffffff);
    if (req.args.remaining > 0) {
      if (value.length !== 0) throw new ErrnoError(Errno.EINVAL, "value both inline and in data");
      const off = req.args.int(0);
      const len = req.args.int(0);
      if (len > XATTR_SIZE_MAX) throw new ErrnoError(Errno.E2BIG, "xattr value");
      value = callerData(req, off, len).slice();
    }
    checkXattrSet(i, key, value, flags);
    const old = i.xattrs?.get(key);
    mfs.model.needMeta(
      key.length + value.length + XATTR_META_BYTES -
        (old === undefined ? 0 : key.length + old.length + XATTR_META_BYTES),
    );
    mfs.persist.transact((tx) => {
      tx.apply({ t: RecType.XATTR_SET, sb: s.id, ino: i.ino, name: key, value });
      put(tx, s.id, i, { ctime: now() });
    });
    return 0;
  }

  function doListxattr(req: Request): Answer {
    const s = readSb(mfs, req);
    return listXattr(mfs, req, readInode(mfs, req, s));
  }

  function doRemovexattr(req: Request): Answer {
    const s = readSb(mfs, req);
    const i = readInode(mfs, req, s);
    const key = checkXattrName(req.args.bytesField());
    xattrValue(i, key);
    mfs.persist.transact((tx) => {
      tx.apply({ t: RecType.XATTR_DEL, sb: s.id, ino: i.ino, name: key });
      put(tx, s.id, i, { ctime: now() });
    });
    return 0;
  }

  return [
    [FsOp.GETXATTR, doGetxattr],
    [FsOp.SETXATTR, doSetxattr],
    [FsOp.LISTXATTR, doListxattr],
    [FsOp.REMOVEXATTR, doRemovexattr],
  ];
}
