// Who may touch which extended attribute, and in what order Linux checks it
// (fs/xattr.c: setxattr_copy, xattr_permission; security/commoncap.c:
// cap_inode_setxattr). Shared by the VFS (path forms, fsetxattr,
// fremovexattr) and by filesystem servers answering fgetxattr and flistxattr
// straight from programs, so both give the same answer.
//
// Linux's order, which decides the errno when several apply:
//   1. flags (EINVAL), then the name's length (ERANGE for 0 or more than
//      XATTR_NAME_MAX bytes), then the value's size (E2BIG) — before the path
//      is even looked up;
//   2. the mount (EROFS) for changes; then security.capability's value
//      (EINVAL) and CAP_SETFCAP (EPERM), before any other check;
//   3. xattr_permission(): security.* and system.* pass; trusted.* needs
//      root (EPERM to change, ENODATA to read); user.* exists only on regular
//      files and directories (EPERM / ENODATA elsewhere), a sticky
//      directory's only for its owner, and needs write (read) permission —
//      as does any name of no known namespace (so EACCES beats EOPNOTSUPP);
//   4. the capability module: changing security.* needs root (EPERM);
//   5. the filesystem's handler: EOPNOTSUPP for an unknown namespace or a
//      system.* name other than the POSIX ACLs, EINVAL for an empty suffix.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { XATTR_CREATE, XATTR_REPLACE } from "../../kernel/fcntl.ts";
import { S } from "../../kernel/stat.ts";
import type { Creds } from "../../kernel/sysmem.ts";
import { XATTR_NAME_MAX, XATTR_SIZE_MAX } from "./fs_protocol.ts";
import { MAY_READ, MAY_WRITE, type Owned, require } from "./perm.ts";

const encoder = new TextEncoder();

/** The POSIX ACL names, the only system.* attributes a RAM filesystem has. */
export const ACL_ACCESS = "system.posix_acl_access";
export const ACL_DEFAULT = "system.posix_acl_default";

export function isAclName(name: string): boolean {
  return name === ACL_ACCESS || name === ACL_DEFAULT;
}

/** Step 1 for every call naming an attribute: ERANGE unless 1..255 bytes. */
export function checkNameLength(name: string | Uint8Array): void {
  const n = typeof name === "string" ? encoder.encode(name).length : name.length;
  if (n === 0 || n > XATTR_NAME_MAX) throw new ErrnoError(Errno.ERANGE, "xattr name length");
}

/** Step 1 for a set: flags, name, value size. */
export function checkSetArgs(name: string, size: number, flags: number): void {
  if (flags !== (flags & (XATTR_CREATE | XATTR_REPLACE))) {
    throw new ErrnoError(Errno.EINVAL, "xattr flags");
  }
  checkNameLength(name);
  if (size > XATTR_SIZE_MAX) throw new ErrnoError(Errno.E2BIG, "xattr value");
}

/** Steps 3 and 4: may `c` read (or change) attribute `name` of `node`? */
export function xattrPermission(c: Creds, node: Owned, name: string, write: boolean): void {
  if (name.startsWith("system.")) return;
  if (name.startsWith("security.")) {
    if (write && c.euid !== 0) throw new ErrnoError(Errno.EPERM, name);
    return;
  }
  if (name.startsWith("trusted.")) {
    if (c.euid !== 0) throw new ErrnoError(write ? Errno.EPERM : Errno.ENODATA, name);
    return;
  }
  if (name.startsWith("user.")) {
    const type = node.mode & S.IFMT;
    if (type !== S.IFREG && type !== S.IFDIR) {
      throw new ErrnoError(write ? Errno.EPERM : Errno.ENODATA, name);
    }
    const sticky = type === S.IFDIR && (node.mode & S.ISVTX) !== 0;
    if (write && sticky && c.fsuid !== 0 && c.fsuid !== node.uid) {
      throw new ErrnoError(Errno.EPERM, name);
    }
  }
  require(c, node, write ? MAY_WRITE : MAY_READ, name);
}

/** Step 5: EOPNOTSUPP or EINVAL unless the name is one a filesystem can hold. */
export function checkNamespace(name: string): void {
  if (isAclName(name)) return;
  const ns = ["user.", "trusted.", "security."].find((p) => name.startsWith(p));
  if (ns === undefined) throw new ErrnoError(Errno.EOPNOTSUPP, name);
  if (ns.length === name.length) throw new ErrnoError(Errno.EINVAL, `${name}: no suffix`);
}

/** File capabilities (struct vfs_cap_data), the one security.* value Linux checks. */
export const FILE_CAPS = "security.capability";
const CAPS_V2_BYTES = 20;
const CAPS_V3_BYTES = 24;
const CAPS_REVISION_MASK = 0xff000000;
const CAPS_REVISION_2 = 0x02000000;
const CAPS_REVISION_3 = 0x03000000;

/**
 * The value to store for security.capability (Linux's cap_convert_nscap,
 * before any permission check): a v2 header of 20 bytes or a v3 of 24, else
 * EINVAL; only root may set it (CAP_SETFCAP), else EPERM. A v3 whose root
 * id is 0 says no more than a v2, and reads back as one: it is kept as one.
 */
export function fileCapsValue(c: Creds, value: Uint8Array): Uint8Array {
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const rev = value.length >= 4 ? (dv.getUint32(0, true) & CAPS_REVISION_MASK) >>> 0 : 0;
  const v2 = value.length === CAPS_V2_BYTES && rev === CAPS_REVISION_2;
  const v3 = value.length === CAPS_V3_BYTES && rev === CAPS_REVISION_3;
  if (!v2 && !v3) throw new ErrnoError(Errno.EINVAL, FILE_CAPS);
  if (c.euid !== 0) throw new ErrnoError(Errno.EPERM, FILE_CAPS);
  if (!v3 || dv.getUint32(CAPS_V2_BYTES, true) !== 0) return value;
  const out = value.slice(0, CAPS_V2_BYTES);
  const flags = dv.getUint32(0, true) & ~CAPS_REVISION_MASK;
  new DataView(out.buffer).setUint32(0, (CAPS_REVISION_2 | flags) >>> 0, true);
  return out;
}

/** listxattr shows trusted.* to root only. */
export function visibleTo(c: Creds, name: string): boolean {
  return c.euid === 0 || !name.startsWith("trusted.");
}
