// How the VFS bridge names things to the host kernel: open-file handles
// (fh) that mean the same in every session Worker, and node table keys (a
// MelloOS file handle and the mount it decodes against).

import { O } from "../../kernel/fcntl.ts";

/** Open flags an fh remembers: how to open the file again. */
export const FH_FLAGS = O.ACCMODE | O.APPEND | O.DIRECTORY | O.NOATIME;

/** A file handle for (node, open flags): the same in every Worker. */
export function fhOf(nodeid: number, flags: number): number {
  return nodeid * 2 ** 24 + (flags & FH_FLAGS);
}

export function fhNode(fh: number): number {
  return Math.floor(fh / 2 ** 24);
}

export function fhFlags(fh: number): number {
  return fh % 2 ** 24;
}

/** A node table key: the handle, then the mount id it decodes against (u32, little-endian). */
export function keyOf(handle: Uint8Array, mountId: number): Uint8Array {
  const key = new Uint8Array(handle.length + 4);
  key.set(handle);
  new DataView(key.buffer).setUint32(handle.length, mountId, true);
  return key;
}

export function unkey(key: Uint8Array): { handle: Uint8Array; mountId: number } {
  const n = key.length - 4;
  return {
    handle: key.subarray(0, n),
    mountId: new DataView(key.buffer, key.byteOffset).getUint32(n, true),
  };
}
