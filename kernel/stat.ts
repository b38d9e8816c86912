// struct stat as Linux x86_64 lays it out (asm/stat.h), 144 bytes,
// little-endian. fstat/stat replies carry exactly these bytes.
//
//     0 st_dev      u64      40 st_rdev     u64      88 st_mtime      i64
//     8 st_ino      u64      48 st_size     i64      96 st_mtime_nsec i64
//    16 st_nlink    u64      56 st_blksize  i64     104 st_ctime      i64
//    24 st_mode     u32      64 st_blocks   i64     112 st_ctime_nsec i64
//    28 st_uid      u32      72 st_atime    i64     120 __unused[3]
//    32 st_gid      u32      80 st_atime_nsec i64
//    36 __pad0      u32

export const STAT_BYTES = 144;

/** File type bits of st_mode. */
export const S = {
  IFMT: 0o170000,
  IFSOCK: 0o140000,
  IFLNK: 0o120000,
  IFREG: 0o100000,
  IFBLK: 0o060000,
  IFDIR: 0o040000,
  IFCHR: 0o020000,
  IFIFO: 0o010000,
  ISUID: 0o4000,
  ISGID: 0o2000,
  ISVTX: 0o1000,
} as const;

/** A timestamp: seconds and nanoseconds. */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** Decoded struct stat. */
export interface Stat {
  dev: number;
  ino: number;
  nlink: number;
  mode: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
}

/** Now, as a timespec. */
export function nowTimespec(): Timespec {
  const ms = performance.timeOrigin + performance.now();
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.floor((ms - sec * 1000) * 1e6) };
}

/** Encode `st` into 144 bytes (a new buffer, or `out` at `at`). */
export function encodeStat(st: Stat, out = new Uint8Array(STAT_BYTES), at = 0): Uint8Array {
  const dv = new DataView(out.buffer, out.byteOffset + at, STAT_BYTES);
  dv.setBigUint64(0, BigInt(st.dev), true);
  dv.setBigUint64(8, BigInt(st.ino), true);
  dv.setBigUint64(16, BigInt(st.nlink), true);
  dv.setUint32(24, st.mode, true);
  dv.setUint32(28, st.uid, true);
  dv.setUint32(32, st.gid, true);
  dv.setUint32(36, 0, true);
  dv.setBigUint64(40, BigInt(st.rdev), true);
  dv.setBigInt64(48, BigInt(st.size), true);
  dv.setBigInt64(56, BigInt(st.blksize), true);
  dv.setBigInt64(64, BigInt(st.blocks), true);
  const times = [st.atime, st.mtime, st.ctime];
  for (let i = 0; i < 3; i++) {
    dv.setBigInt64(72 + i * 16, BigInt(times[i].sec), true);
    dv.setBigInt64(80 + i * 16, BigInt(times[i].nsec), true);
  }
  for (let off = 120; off < STAT_BYTES; off += 8) dv.setBigInt64(off, 0n, true);
  return out;
}

/** Decode 144 bytes of struct stat. */
export function decodeStat(b: Uint8Array): Stat {
  const dv = new DataView(b.buffer, b.byteOffset, STAT_BYTES);
  const n = (off: number) => Number(dv.getBigInt64(off, true));
  const t = (off: number) => ({ sec: n(off), nsec: n(off + 8) });
  return {
    dev: Number(dv.getBigUint64(0, true)),
    ino: Number(dv.getBigUint64(8, true)),
    nlink: Number(dv.getBigUint64(16, true)),
    mode: dv.getUint32(24, true),
    uid: dv.getUint32(28, true),
    gid: dv.getUint32(32, true),
    rdev: Number(dv.getBigUint64(40, true)),
    size: n(48),
    blksize: n(56),
    blocks: n(64),
    atime: t(72),
    mtime: t(88),
    ctime: t(104),
  };
}

/** makedev() as glibc encodes it (12+20 bits of major, 8+24 of minor, interleaved). */
export function makedev(major: number, minor: number): number {
  const M = BigInt(major);
  const m = BigInt(minor);
  return Number(
    ((M & 0xfffn) << 8n) | ((M & ~0xfffn) << 32n) | (m & 0xffn) | ((m & ~0xffn) << 12n),
  );
}

/** major() of a dev_t, as glibc decodes it. */
export function major(dev: number): number {
  const d = BigInt(dev);
  return Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n));
}

/** minor() of a dev_t, as glibc decodes it. */
export function minor(dev: number): number {
  const d = BigInt(dev);
  return Number((d & 0xffn) | ((d >> 12n) & 0xffffff00n));
}

/**
 * The mode left after a write or truncate by someone whose filesystem uid is
 * `fsuid` (Linux's should_remove_suid()/file_remove_privs()): without
 * CAP_FSETID (fsuid not root) set-user-ID goes, and set-group-ID of a
 * group-executable file.
 */
export function modeAfterWrite(mode: number, fsuid: number): number {
  if (fsuid === 0 || (mode & S.IFMT) !== S.IFREG) return mode;
  let m = mode & ~S.ISUID;
  if ((m & 0o010) !== 0) m &= ~S.ISGID;
  return m;
}
