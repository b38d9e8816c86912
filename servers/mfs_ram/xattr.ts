// Extended attribute rules, as Linux applies them (fs/xattr.c and tmpfs):
//   - a name is "namespace.rest" in user., trusted., security. or system.;
//     any other prefix is EOPNOTSUPP, an empty rest is EINVAL;
//   - a name is 1 to XATTR_NAME_MAX (255) bytes, else ERANGE;
//   - a value is at most XATTR_SIZE_MAX (64 KiB), else E2BIG;
//   - XATTR_CREATE on an existing name is EEXIST; XATTR_REPLACE, get or
//     remove of a missing one is ENODATA;
//   - the names of one inode, each with its NUL, fit XATTR_LIST_MAX (64 KiB)
//     (listxattr's limit); a set that would pass it is ENOSPC.
// The VFS checks who may touch which namespace; mfs_ram only stores.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { XATTR_CREATE, XATTR_REPLACE } from "../../kernel/fcntl.ts";
import { XATTR_LIST_MAX, XATTR_NAME_MAX, XATTR_SIZE_MAX } from "../vfs/fs_protocol.ts";
import type { Inode } from "./inode.ts";
import { keyOf } from "./names.ts";

const NAMESPACES = ["user.", "trusted.", "security.", "system."].map((p) =>
  new TextEncoder().encode(p)
);

/** Check an xattr name; returns its key. */
export function checkXattrName(name: Uint8Array): string {
  if (name.length === 0 || name.length > XATTR_NAME_MAX) {
    throw new ErrnoError(Errno.ERANGE, "xattr name length");
  }
  const ns = NAMESPACES.find((p) => p.length <= name.length && p.every((b, i) => name[i] === b));
  if (ns === undefined) throw new ErrnoError(Errno.EOPNOTSUPP, "xattr namespace");
  if (ns.length === name.length) throw new ErrnoError(Errno.EINVAL, "xattr name has no suffix");
  return keyOf(name);
}

/** Check a set: value size, flags against what exists, and the list limit. */
export function checkXattrSet(i: Inode, key: string, value: Uint8Array, flags: number): void {
  if (value.length > XATTR_SIZE_MAX) throw new ErrnoError(Errno.E2BIG, "xattr value");
  if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) !== 0) {
    throw new ErrnoError(Errno.EINVAL, "xattr flags");
  }
  const exists = i.xattrs?.has(key) ?? false;
  if ((flags & XATTR_CREATE) !== 0 && exists) throw new ErrnoError(Errno.EEXIST, "xattr exists");
  if ((flags & XATTR_REPLACE) !== 0 && !exists) throw new ErrnoError(Errno.ENODATA, "no xattr");
  if (!exists && listBytes(i) + key.length + 1 > XATTR_LIST_MAX) {
    throw new ErrnoError(Errno.ENOSPC, "xattr names of this inode");
  }
}

/** The value of `key` (ENODATA if missing). */
export function xattrValue(i: Inode, key: string): Uint8Array {
  const v = i.xattrs?.get(key);
  if (v === undefined) throw new ErrnoError(Errno.ENODATA, "no xattr");
  return v;
}

/** Bytes listxattr(2) would return: each name and its NUL. */
export function listBytes(i: Inode): number {
  let n = 0;
  for (const k of i.xattrs?.keys() ?? []) n += k.length + 1;
  return n;
}
