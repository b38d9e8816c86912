// Permission checks (DAC), from the caller's credentials and an inode's
// mode, uid and gid, as Linux's generic_permission() does them:
//   - root may read and write anything, and execute anything that has at
//     least one execute bit (or is a directory);
//   - otherwise the owner bits apply to the owner, the group bits to a
//     member of the file's group (effective gid or a supplementary group),
//     the other bits to everyone else; no fallback between classes.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { modeAfterWrite, S } from "../../kernel/stat.ts";
import type { Creds } from "../../kernel/sysmem.ts";

export const MAY_EXEC = 1;
export const MAY_WRITE = 2;
export const MAY_READ = 4;

/** The parts of an inode a permission check looks at. */
export interface Owned {
  mode: number;
  uid: number;
  gid: number;
}

export function inGroup(c: Creds, gid: number): boolean {
  return c.fsgid === gid || c.groups.includes(gid);
}

/** True when `c` may do `want` (MAY_* bits) to `node`. */
export function permitted(c: Creds, node: Owned, want: number): boolean {
  if (c.fsuid === 0) {
    if ((want & MAY_EXEC) === 0) return true;
    return (node.mode & S.IFMT) === S.IFDIR || (node.mode & 0o111) !== 0;
  }
  let bits: number;
  if (c.fsuid === node.uid) bits = (node.mode >> 6) & 7;
  else if (inGroup(c, node.gid)) bits = (node.mode >> 3) & 7;
  else bits = node.mode & 7;
  return (bits & want) === want;
}

/** Throw EACCES unless permitted. */
export function require(c: Creds, node: Owned, want: number, what: string): void {
  if (!permitted(c, node, want)) throw new ErrnoError(Errno.EACCES, what);
}

/** Owner of the inode, or root (chmod, utimes to explicit times, ...): else EPERM. */
export function requireOwner(c: Creds, node: Owned, what: string): void {
  if (c.fsuid !== 0 && c.fsuid !== node.uid) throw new ErrnoError(Errno.EPERM, what);
}

/**
 * May `c` remove or rename `victim` out of directory `dir`? Write and search
 * permission on the directory, and in a sticky directory only the owner of
 * the file or of the directory (or root).
 */
export function requireDelete(c: Creds, dir: Owned, victim: Owned, what: string): void {
  require(c, dir, MAY_WRITE | MAY_EXEC, what);
  if (
    (dir.mode & S.ISVTX) !== 0 && c.fsuid !== 0 && c.fsuid !== victim.uid && c.fsuid !== dir.uid
  ) {
    throw new ErrnoError(Errno.EPERM, `${what}: sticky directory`);
  }
}

/** The mode left after `c` writes or truncates a file (kernel/stat.ts modeAfterWrite). */
export function killedMode(c: Creds, mode: number): number {
  return modeAfterWrite(mode, c.fsuid);
}
