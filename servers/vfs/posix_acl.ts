// POSIX ACLs as the system.posix_acl_access / system.posix_acl_default
// xattr values carry them (Linux's fs/posix_acl.c, include/uapi/linux/
// posix_acl_xattr.h), little-endian:
//
//   header  version u32 (2)
//   entry*  tag u16 | perm u16 | id u32     (8 bytes each)
//
// Tags: USER_OBJ 1, USER 2, GROUP_OBJ 4, GROUP 8, MASK 0x10, OTHER 0x20; the
// id names the user or group of USER and GROUP entries (others: -1). A value
// with no entries (or no bytes) means "no ACL": setting it removes the ACL.
//
// MelloOS checks permissions from the mode bits alone, so it keeps only ACLs
// the mode bits say exactly (USER_OBJ, GROUP_OBJ, OTHER: a set updates the
// mode, as Linux does for such an ACL, and nothing is stored). An ACL with
// named entries or a mask, or a default ACL, would change who may do what:
// the VFS refuses it (EOPNOTSUPP) rather than keep it and ignore it.

import { Errno, ErrnoError } from "../../kernel/errno.ts";

export const ACL_VERSION = 2;

export const AclTag = {
  USER_OBJ: 0x01,
  USER: 0x02,
  GROUP_OBJ: 0x04,
  GROUP: 0x08,
  MASK: 0x10,
  OTHER: 0x20,
} as const;

export interface AclEntry {
  tag: number;
  perm: number;
  id: number;
}

const HEADER_BYTES = 4;
const ENTRY_BYTES = 8;
const NO_ID = 0xffffffff;

/**
 * Linux's posix_acl_from_xattr(): the entries, or undefined for "no ACL".
 * EINVAL for a bad length, tag or id; EOPNOTSUPP for another version.
 */
export function parseAcl(value: Uint8Array): AclEntry[] | undefined {
  if (value.length === 0) return undefined;
  if (value.length < HEADER_BYTES) throw new ErrnoError(Errno.EINVAL, "ACL header");
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  if (dv.getUint32(0, true) !== ACL_VERSION) throw new ErrnoError(Errno.EOPNOTSUPP, "ACL version");
  if ((value.length - HEADER_BYTES) % ENTRY_BYTES !== 0) {
    throw new ErrnoError(Errno.EINVAL, "ACL length");
  }
  const out: AclEntry[] = [];
  for (let at = HEADER_BYTES; at < value.length; at += ENTRY_BYTES) {
    const e = { tag: dv.getUint16(at, true), perm: dv.getUint16(at + 2, true), id: -1 };
    if (!Object.values(AclTag).includes(e.tag as never)) {
      throw new ErrnoError(Errno.EINVAL, "ACL tag");
    }
    if (e.tag === AclTag.USER || e.tag === AclTag.GROUP) {
      e.id = dv.getUint32(at + 4, true);
      if (e.id === NO_ID) throw new ErrnoError(Errno.EINVAL, "ACL id");
    }
    out.push(e);
  }
  return out.length === 0 ? undefined : out;
}

/**
 * Linux's posix_acl_valid(): entries in tag order (USER_OBJ, USER*,
 * GROUP_OBJ, GROUP*, MASK, OTHER), perms within rwx, a mask whenever there
 * are named entries. EINVAL otherwise.
 */
export function checkAcl(acl: AclEntry[]): void {
  const bad = () => new ErrnoError(Errno.EINVAL, "ACL entries");
  let state: number = AclTag.USER_OBJ;
  let needsMask = false;
  for (const e of acl) {
    if ((e.perm & ~7) !== 0) throw bad();
    switch (e.tag) {
      case AclTag.USER_OBJ:
        if (state !== AclTag.USER_OBJ) throw bad();
        state = AclTag.USER;
        break;
      case AclTag.USER:
      case AclTag.GROUP:
        if (state !== (e.tag === AclTag.USER ? AclTag.USER : AclTag.GROUP)) throw bad();
        needsMask = true;
        break;
      case AclTag.GROUP_OBJ:
        if (state !== AclTag.USER) throw bad();
        state = AclTag.GROUP;
        break;
      case AclTag.MASK:
        if (state !== AclTag.GROUP) throw bad();
        state = AclTag.OTHER;
        break;
      case AclTag.OTHER:
        if (state !== AclTag.OTHER && (state !== AclTag.GROUP || needsMask)) throw bad();
        state = 0;
        break;
      default:
        throw bad();
    }
  }
  if (state !== 0) throw bad();
}

/**
 * Linux's posix_acl_equiv_mode(): the permission bits the ACL gives `mode`,
 * and whether the ACL says no more than they do.
 */
export function aclMode(acl: AclEntry[], mode: number): { mode: number; exact: boolean } {
  let bits = 0;
  let exact = true;
  for (const e of acl) {
    if (e.tag === AclTag.USER_OBJ) bits |= (e.perm & 7) << 6;
    else if (e.tag === AclTag.GROUP_OBJ) bits |= (e.perm & 7) << 3;
    else if (e.tag === AclTag.OTHER) bits |= e.perm & 7;
    else if (e.tag === AclTag.MASK) {
      bits = (bits & ~0o070) | ((e.perm & 7) << 3);
      exact = false;
    } else exact = false;
  }
  return { mode: (mode & ~0o777) | bits, exact };
}
