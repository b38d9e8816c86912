// Names as mfs_ram keeps them: the exact bytes a request carried, held as a
// "binary string" (one char per byte, 0-255), so that Map lookups work and
// JS string order is byte order (memcmp order, which is how directories are
// sorted). Names are never decoded as UTF-8 on the way in; only xattr name
// lists are decoded on the way out (the protocol carries them as strings).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { NAME_MAX } from "../vfs/fs_protocol.ts";

/** Bytes -> key. */
export function keyOf(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Key -> bytes. */
export function bytesOf(key: string): Uint8Array {
  const out = new Uint8Array(key.length);
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i);
  return out;
}

const SLASH = 0x2f;
const DOT = 0x2e;

/** Is this "." or ".."? */
export function isDots(bytes: Uint8Array): boolean {
  return (bytes.length === 1 && bytes[0] === DOT) ||
    (bytes.length === 2 && bytes[0] === DOT && bytes[1] === DOT);
}

/**
 * Check a directory entry name: EINVAL when empty or holding "/" or NUL, or
 * (unless `dotsOk`) when it is "." or ".."; ENAMETOOLONG past NAME_MAX bytes.
 */
export function checkName(bytes: Uint8Array, dotsOk = false): string {
  if (bytes.length === 0) throw new ErrnoError(Errno.EINVAL, "empty name");
  if (bytes.length > NAME_MAX) throw new ErrnoError(Errno.ENAMETOOLONG, "name");
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === SLASH || bytes[i] === 0) {
      throw new ErrnoError(Errno.EINVAL, "name holds / or NUL");
    }
  }
  if (!dotsOk && isDots(bytes)) throw new ErrnoError(Errno.EINVAL, "name is . or ..");
  return keyOf(bytes);
}
