// File handles (name_to_handle_at, open_by_handle_at): the bytes that name an
// inode of one of our filesystems for as long as it lives, whatever its names.
//
// f_handle, HANDLE_BYTES = 20, little-endian:
//
//   byte 0        4        8                16       20
//       +--------+--------+----------------+--------+
//       | ep u32 | sb u32 | ino u64        | gen u32|
//       +--------+--------+----------------+--------+
//
//   ep   endpoint of the filesystem server that holds the inode
//   sb   its superblock (the instance of that server)
//   ino  inode number (an exact integer below 2^53)
//   gen  the inode's generation (Attrs.gen): an inode number given to a new
//        inode gets a new one, so an old handle is ESTALE, never the new file
//
// handle_type is HANDLE_TYPE for every handle we make. The bytes are not
// secret: open_by_handle_at needs CAP_DAC_READ_SEARCH (euid 0) anyway.

/** Bytes of our f_handle. */
export const HANDLE_BYTES = 20;

/** handle_type of our handles ("MH": a MelloOS handle), below Linux's user flag bits. */
export const HANDLE_TYPE = 0x4d48;

/** Linux's MAX_HANDLE_SZ: the most handle_bytes a caller may pass. */
export const MAX_HANDLE_SZ = 128;

/** handle_type Linux reports with EOVERFLOW (FILEID_INVALID). */
export const FILEID_INVALID = 0xff;

/** Linux's FILEID_IS_CONNECTABLE | FILEID_IS_DIR: the only user flags a handle_type may carry. */
const VALID_USER_FLAGS = 0x30000;

export interface HandleFields {
  ep: number;
  sb: number;
  ino: number;
  gen: number;
}

export function encodeHandle(h: HandleFields): Uint8Array {
  const out = new Uint8Array(HANDLE_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, h.ep, true);
  dv.setUint32(4, h.sb, true);
  dv.setBigUint64(8, BigInt(h.ino), true);
  dv.setUint32(16, h.gen >>> 0, true);
  return out;
}

/** The fields of `bytes`, or undefined when they are no handle of ours (ESTALE to the caller). */
export function decodeHandle(bytes: Uint8Array, type: number): HandleFields | undefined {
  if ((type & 0xffff) !== HANDLE_TYPE || bytes.length !== HANDLE_BYTES) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ino = dv.getBigUint64(8, true);
  if (ino > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return {
    ep: dv.getUint32(0, true),
    sb: dv.getUint32(4, true),
    ino: Number(ino),
    gen: dv.getUint32(16, true),
  };
}

/** A handle_type open_by_handle_at refuses outright (EINVAL), as Linux's handle_to_path(). */
export function badHandleType(type: number): boolean {
  return type < 0 || type > 0x7fffffff || ((type & 0xffff0000) & ~VALID_USER_FLAGS) !== 0;
}
