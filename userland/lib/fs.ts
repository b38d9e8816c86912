// Filesystem calls: everything that names a file by path goes to the VFS
// (which walks the path and checks permissions), as do the metadata calls on
// fds (fchmod, fchown, futimens, fsetxattr, fremovexattr) so that the VFS's
// inode cache stays true. Data calls on fds (pread, pwrite, fsync,
// getdents64, fstatfs, fgetxattr, flistxattr) go straight to the server that
// holds the open file, like read and write (io.ts).
//
// Request formats (program -> VFS, payload fields in order) are the ones the
// VFS decodes in servers/vfs/ops_*.ts; every call here names its syscall
// number as the opcode.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { AT, AT_FDCWD, O, UTIME_NOW, UTIME_OMIT } from "../../kernel/fcntl.ts";
import { MAX_REQUEST, PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import { decodeStat, type Stat, type Timespec } from "../../kernel/stat.ts";
import { Sys, sysName } from "../../kernel/syscalls.ts";
import { decodeStatfs, type StatfsRecord } from "../../servers/vfs/fs_protocol.ts";
import { HANDLE_TYPE, MAX_HANDLE_SZ } from "../../servers/vfs/file_handle.ts";
import { chunked } from "./chunked.ts";
import { ctx, dataRegion } from "./context.ts";
import { quote, syscall } from "./syscall.ts";
import { fdcall, learn, VFS } from "./fd_routes.ts";

export type { Stat, StatfsRecord, Timespec };

const w = new PayloadWriter();
const decoder = new TextDecoder();
const encoder = new TextEncoder();
const NO_BYTES = new Uint8Array(0);

function vfs(nr: number, payload: Uint8Array, args: () => string, value = 0) {
  // Legal paths (under PATH_MAX bytes each, two at most) always fit a request:
  // a bigger one names a path Linux's getname() refuses.
  if (payload.length > MAX_REQUEST) throw new ErrnoError(Errno.ENAMETOOLONG, sysName(nr));
  return syscall(VFS, nr, ctx().caps.get(VFS)!, payload, value, args);
}

function dirfdText(dirfd: number): string {
  return dirfd === AT_FDCWD ? "AT_FDCWD" : String(dirfd);
}

// --- opening ---

/** openat(2): returns the new fd. */
export function openat(dirfd: number, path: string, flags: number, mode = 0o666): number {
  const r = vfs(
    Sys.openat,
    w.reset().num(dirfd).str(path).num(flags).num(mode).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, 0${flags.toString(8)}, 0${mode.toString(8)}`,
  );
  learn(r.payload);
  return r.value;
}

/** open(2). */
export function open(path: string, flags: number, mode = 0o666): number {
  return openat(AT_FDCWD, path, flags, mode);
}

// --- file handles ---
//
// struct file_handle travels through the data area, as through user memory
// for Linux: { u32 handle_bytes; i32 handle_type; u8 f_handle[] }, the mount
// id in an int after the largest one (servers/vfs/ops_handles.ts).

export { MAX_HANDLE_SZ };

/** The handle name_to_handle_at(2) gives: it names the file for as long as the file lives. */
export interface FileHandle {
  handle: Uint8Array;
  handleType: number;
  /** The mount the file is on (the VFS's mount id). */
  mountId: number;
}

/**
 * name_to_handle_at(2)'s EOVERFLOW: `handleBytes` was too few; the handle
 * needs `needed` bytes (Linux's protocol: ask again with that many).
 */
export class HandleOverflowError extends ErrnoError {
  constructor(readonly needed: number, readonly handleType: number, readonly mountId: number) {
    super(Errno.EOVERFLOW, `name_to_handle_at: a handle needs ${needed} bytes`);
  }
}

/**
 * name_to_handle_at(2) (flags AT_SYMLINK_FOLLOW, AT_EMPTY_PATH), offering
 * `handleBytes` bytes of room (EINVAL past MAX_HANDLE_SZ; too few:
 * HandleOverflowError). EOPNOTSUPP for files no filesystem holds (/proc, pipes).
 */
export function nameToHandleAt(
  dirfd: number,
  path: string,
  flags: number,
  handleBytes = MAX_HANDLE_SZ,
): FileHandle {
  const region = dataRegion();
  const data = ctx().area.data;
  const at = new DataView(data.buffer, data.byteOffset + region.off, HANDLE_AREA_BYTES);
  at.setUint32(0, handleBytes, true);
  at.setInt32(4, 0, true);
  const mountOff = region.off + 8 + MAX_HANDLE_SZ;
  try {
    vfs(
      Sys.name_to_handle_at,
      w.reset().num(dirfd).str(path).num(flags).num(region.off).num(mountOff).bytes(),
      () => `${dirfdText(dirfd)}, ${quote(path)}, {handle_bytes=${handleBytes}}, ..., ${flags}`,
    );
  } catch (err) {
    if (!(err instanceof ErrnoError) || err.errno !== Errno.EOVERFLOW) throw err;
    throw new HandleOverflowError(at.getUint32(0, true), at.getInt32(4, true), mountIdAt());
  }
  const n = at.getUint32(0, true);
  return {
    handle: data.slice(region.off + 8, region.off + 8 + n),
    handleType: at.getInt32(4, true),
    mountId: mountIdAt(),
  };

  function mountIdAt(): number {
    return new DataView(data.buffer, data.byteOffset + mountOff, 4).getInt32(0, true);
  }
}

/** struct file_handle at its largest, then the mount id. */
const HANDLE_AREA_BYTES = 8 + MAX_HANDLE_SZ + 4;

/**
 * open_by_handle_at(2): open the file `handle` names on the mount of
 * `mountFd` (an fd on it, not O_PATH, or AT_FDCWD for the cwd's), with
 * open(2)'s `flags`. Needs euid 0 (CAP_DAC_READ_SEARCH): EPERM; ESTALE
 * once the file is gone. `handleType` may be left out: ours is one type.
 */
export function openByHandleAt(mountFd: number, handle: Uint8Array, flags: number): number;
export function openByHandleAt(
  mountFd: number,
  handle: Uint8Array,
  handleType: number,
  flags: number,
): number;
export function openByHandleAt(
  mountFd: number,
  handle: Uint8Array,
  typeOrFlags: number,
  maybeFlags?: number,
): number {
  const handleType = maybeFlags === undefined ? HANDLE_TYPE : typeOrFlags;
  const flags = maybeFlags ?? typeOrFlags;
  const region = dataRegion();
  const data = ctx().area.data;
  const at = new DataView(data.buffer, data.byteOffset + region.off, 8);
  // Bytes past MAX_HANDLE_SZ are not sent: the VFS refuses the size first (EINVAL).
  at.setUint32(0, handle.length, true);
  at.setInt32(4, handleType, true);
  data.set(handle.subarray(0, MAX_HANDLE_SZ), region.off + 8);
  const r = vfs(
    Sys.open_by_handle_at,
    w.reset().num(mountFd).num(region.off).num(flags).bytes(),
    () => `${dirfdText(mountFd)}, {handle_bytes=${handle.length}, ...}, 0${flags.toString(8)}`,
  );
  learn(r.payload);
  return r.value;
}

/** creat(2). */
export function creat(path: string, mode = 0o666): number {
  return openat(AT_FDCWD, path, O.CREAT | O.WRONLY | O.TRUNC, mode);
}

// --- metadata ---

/** newfstatat(2). */
export function fstatat(dirfd: number, path: string, flags = 0): Stat {
  const r = vfs(
    Sys.newfstatat,
    w.reset().num(dirfd).str(path).num(flags).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, ${flags}`,
  );
  return decodeStat(r.payload);
}

export function stat(path: string): Stat {
  return fstatat(AT_FDCWD, path, 0);
}

export function lstat(path: string): Stat {
  return fstatat(AT_FDCWD, path, AT.SYMLINK_NOFOLLOW);
}

/** statx(2): the struct statx bytes (256) as the kernel fills them. */
export function statx(dirfd: number, path: string, flags: number, mask: number): Uint8Array {
  const r = vfs(
    Sys.statx,
    w.reset().num(dirfd).str(path).num(flags).num(mask).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, ${flags}, 0x${mask.toString(16)}`,
  );
  return r.payload.slice();
}

/** faccessat(2); throws EACCES/ENOENT/... when not allowed. */
export function faccessat(dirfd: number, path: string, mode: number, flags = 0): void {
  vfs(
    Sys.faccessat,
    w.reset().num(dirfd).str(path).num(mode).num(flags).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, ${mode}`,
  );
}

export function access(path: string, mode: number): void {
  faccessat(AT_FDCWD, path, mode, 0);
}

/** readlinkat(2). */
export function readlinkat(dirfd: number, path: string): string {
  const r = vfs(
    Sys.readlinkat,
    w.reset().num(dirfd).str(path).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}`,
  );
  return decoder.decode(r.payload);
}

export function readlink(path: string): string {
  return readlinkat(AT_FDCWD, path);
}

/** fchmodat(2) (flags: AT_SYMLINK_NOFOLLOW gives EOPNOTSUPP on a symlink, as Linux). */
export function fchmodat(dirfd: number, path: string, mode: number, flags = 0): void {
  vfs(
    Sys.fchmodat,
    w.reset().num(dirfd).str(path).num(mode).num(flags).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, 0${mode.toString(8)}`,
  );
}

export function chmod(path: string, mode: number): void {
  fchmodat(AT_FDCWD, path, mode, 0);
}

/** fchmod(2): through the VFS, which keeps modes for its permission checks. */
export function fchmod(fd: number, mode: number): void {
  vfs(Sys.fchmod, w.reset().num(fd).num(mode).bytes(), () => `${fd}, 0${mode.toString(8)}`);
}

/** fchownat(2); -1 leaves that id as it is. */
export function fchownat(dirfd: number, path: string, uid: number, gid: number, flags = 0): void {
  vfs(
    Sys.fchownat,
    w.reset().num(dirfd).str(path).num(uid).num(gid).num(flags).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, ${uid}, ${gid}, ${flags}`,
  );
}

export function chown(path: string, uid: number, gid: number): void {
  fchownat(AT_FDCWD, path, uid, gid, 0);
}

export function lchown(path: string, uid: number, gid: number): void {
  fchownat(AT_FDCWD, path, uid, gid, AT.SYMLINK_NOFOLLOW);
}

export function fchown(fd: number, uid: number, gid: number): void {
  vfs(Sys.fchown, w.reset().num(fd).num(uid).num(gid).bytes(), () => `${fd}, ${uid}, ${gid}`);
}

/**
 * utimensat(2). `times` undefined sets both to now; a Timespec's nsec may be
 * UTIME_NOW or UTIME_OMIT. `path` null is the C call's NULL pathname: the
 * file dirfd has open (futimens; an O_PATH fd is EBADF there, while an empty
 * path with AT_EMPTY_PATH takes one).
 */
export function utimensat(
  dirfd: number,
  path: string | null,
  times?: [Timespec, Timespec],
  flags = 0,
): void {
  const [a, m] = times ?? [{ sec: 0, nsec: UTIME_NOW }, { sec: 0, nsec: UTIME_NOW }];
  w.reset().num(dirfd).str(path ?? "").num(a.sec).num(a.nsec).num(m.sec).num(m.nsec).num(flags);
  if (path === null) w.num(UTIMENSAT_NULL_PATH);
  vfs(
    Sys.utimensat,
    w.bytes(),
    () =>
      `${dirfdText(dirfd)}, ${path === null ? "NULL" : quote(path)}, ${
        times === undefined ? "NULL" : "[...]"
      }, ${flags}`,
  );
}

/** utimensat's optional last argument: the path was NULL, not "" (servers/vfs/ops_meta.ts). */
const UTIMENSAT_NULL_PATH = 1;

export function futimens(fd: number, times?: [Timespec, Timespec]): void {
  utimensat(fd, null, times, 0);
}

export { UTIME_NOW, UTIME_OMIT };

/** truncate(2). */
export function truncate(path: string, length: number): void {
  vfs(Sys.truncate, w.reset().str(path).num(length).bytes(), () => `${quote(path)}, ${length}`);
}

/** ftruncate(2): straight to the file's server. */
export function ftruncate(fd: number, length: number): void {
  fdcall(fd, Sys.ftruncate, w.reset().num(length).bytes(), 0, () => `${fd}, ${length}`);
}

// --- directories and links ---

export function mkdirat(dirfd: number, path: string, mode = 0o777): void {
  vfs(
    Sys.mkdirat,
    w.reset().num(dirfd).str(path).num(mode).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, 0${mode.toString(8)}`,
  );
}

export function mkdir(path: string, mode = 0o777): void {
  mkdirat(AT_FDCWD, path, mode);
}

/** mknodat(2): regular files, FIFOs, sockets, and (root only) device nodes. */
export function mknodat(dirfd: number, path: string, mode: number, dev = 0): void {
  vfs(
    Sys.mknodat,
    w.reset().num(dirfd).str(path).num(mode).num(dev).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, 0${mode.toString(8)}, ${dev}`,
  );
}

export function mknod(path: string, mode: number, dev = 0): void {
  mknodat(AT_FDCWD, path, mode, dev);
}

/** unlinkat(2) (AT_REMOVEDIR removes a directory). */
export function unlinkat(dirfd: number, path: string, flags = 0): void {
  vfs(
    Sys.unlinkat,
    w.reset().num(dirfd).str(path).num(flags).bytes(),
    () => `${dirfdText(dirfd)}, ${quote(path)}, ${flags}`,
  );
}

export function unlink(path: string): void {
  unlinkat(AT_FDCWD, path, 0);
}

export function rmdir(path: string): void {
  unlinkat(AT_FDCWD, path, AT.REMOVEDIR);
}

/** renameat2(2) (RENAME_NOREPLACE, RENAME_EXCHANGE). */
export function renameat2(
  olddirfd: number,
  oldpath: string,
  newdirfd: number,
  newpath: string,
  flags = 0,
): void {
  vfs(
    Sys.renameat2,
    w.reset().num(olddirfd).str(oldpath).num(newdirfd).str(newpath).num(flags).bytes(),
    () =>
      `${dirfdText(olddirfd)}, ${quote(oldpath)}, ${dirfdText(newdirfd)}, ${
        quote(newpath)
      }, ${flags}`,
  );
}

export function rename(oldpath: string, newpath: string): void {
  renameat2(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

/** linkat(2) (AT_SYMLINK_FOLLOW follows a symlink oldpath). */
export function linkat(
  olddirfd: number,
  oldpath: string,
  newdirfd: number,
  newpath: string,
  flags = 0,
): void {
  vfs(
    Sys.linkat,
    w.reset().num(olddirfd).str(oldpath).num(newdirfd).str(newpath).num(flags).bytes(),
    () =>
      `${dirfdText(olddirfd)}, ${quote(oldpath)}, ${dirfdText(newdirfd)}, ${
        quote(newpath)
      }, ${flags}`,
  );
}

export function link(oldpath: string, newpath: string): void {
  linkat(AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
}

/** symlinkat(2). */
export function symlinkat(target: string, newdirfd: number, linkpath: string): void {
  vfs(
    Sys.symlinkat,
    w.reset().str(target).num(newdirfd).str(linkpath).bytes(),
    () => `${quote(target)}, ${dirfdText(newdirfd)}, ${quote(linkpath)}`,
  );
}

export function symlink(target: string, linkpath: string): void {
  symlinkat(target, AT_FDCWD, linkpath);
}

/** One linux_dirent64 record. */
export interface Dirent {
  ino: number;
  off: number;
  type: number;
  name: string;
}

/** getdents64(2) as the syscall answers: the linux_dirent64 records' bytes (empty at the end). */
export function getdents64Raw(fd: number, max = 32768): Uint8Array {
  const region = dataRegion();
  const n = Math.min(max, region.len);
  const r = fdcall(
    fd,
    Sys.getdents64,
    w.reset().num(region.off).bytes(),
    n,
    () => `${fd}, ..., ${n}`,
  );
  return ctx().area.data.slice(region.off, region.off + r.value);
}

/** getdents64(2): the next records of directory `fd`; empty at the end. */
export function getdents64(fd: number, max = 32768): Dirent[] {
  return parseDirents(getdents64Raw(fd, max));
}

/** Decode linux_dirent64 records. */
export function parseDirents(b: Uint8Array): Dirent[] {
  const out: Dirent[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at + 19 <= b.length;) {
    const reclen = dv.getUint16(at + 16, true);
    if (reclen < 20 || at + reclen > b.length) break;
    const nameEnd = b.indexOf(0, at + 19);
    out.push({
      ino: Number(dv.getBigUint64(at, true)),
      off: Number(dv.getBigInt64(at + 8, true)),
      type: dv.getUint8(at + 18),
      name: decoder.decode(
        b.subarray(at + 19, nameEnd < 0 || nameEnd > at + reclen ? at + reclen : nameEnd),
      ),
    });
    at += reclen;
  }
  return out;
}

/** Every entry of the directory at `path` (with "." and ".."), in the server's order. */
export function readdir(path: string): Dirent[] {
  const fd = open(path, O.RDONLY | O.DIRECTORY | O.CLOEXEC);
  try {
    const all: Dirent[] = [];
    for (;;) {
      let batch;
      try {
        batch = getdents64(fd);
      } catch (err) {
        // A directory removed while open (or the cwd) answers ENOENT: glibc's readdir calls it the end.
        if (err instanceof ErrnoError && err.errno === Errno.ENOENT) return all;
        throw err;
      }
      if (batch.length === 0) return all;
      all.push(...batch);
    }
  } finally {
    closeFd(fd);
  }
}

function closeFd(fd: number): void {
  vfs(Sys.close, new Uint8Array(0), () => String(fd), fd);
  ctx().fds.delete(fd);
}

// --- process filesystem state ---

export function chdir(path: string): void {
  vfs(Sys.chdir, w.reset().str(path).bytes(), () => quote(path));
}

export function fchdir(fd: number): void {
  vfs(Sys.fchdir, new Uint8Array(0), () => String(fd), fd);
}

export function getcwd(): string {
  return decoder.decode(vfs(Sys.getcwd, new Uint8Array(0), () => "").payload);
}

/** umask(2): set the mask, return the old one. */
export function umask(mask: number): number {
  return vfs(Sys.umask, new Uint8Array(0), () => `0${mask.toString(8)}`, mask & 0o777).value;
}

// --- filesystems ---

export function statfs(path: string): StatfsRecord {
  return decodeStatfs(
    new PayloadReader(vfs(Sys.statfs, w.reset().str(path).bytes(), () => quote(path)).payload),
  );
}

export function fstatfs(fd: number): StatfsRecord {
  return decodeStatfs(
    new PayloadReader(fdcall(fd, Sys.fstatfs, undefined, 0, () => String(fd)).payload),
  );
}

/** mount(2). */
export function mount(source: string, target: string, fstype: string, flags = 0, data = ""): void {
  vfs(
    Sys.mount,
    w.reset().str(source).str(target).str(fstype).num(flags).str(data).bytes(),
    () => `${quote(source)}, ${quote(target)}, ${quote(fstype)}, ${flags}, ${quote(data)}`,
  );
}

/** umount2(2) (MNT_FORCE, MNT_DETACH). */
export function umount2(target: string, flags = 0): void {
  vfs(Sys.umount2, w.reset().str(target).num(flags).bytes(), () => `${quote(target)}, ${flags}`);
}

export function sync(): void {
  vfs(Sys.sync, new Uint8Array(0), () => "");
}

export function fsync(fd: number): void {
  fdcall(fd, Sys.fsync, undefined, 0, () => String(fd));
}

export function fdatasync(fd: number): void {
  fdcall(fd, Sys.fdatasync, undefined, 0, () => String(fd));
}

// --- positioned and vectored I/O ---

/** pread64(2) into `buf` at `offset`. */
export function pread(fd: number, buf: Uint8Array, offset: number): number {
  return chunked(buf.length, (at, n) => {
    const region = dataRegion();
    const r = fdcall(
      fd,
      Sys.pread64,
      w.reset().num(region.off).num(offset + at).bytes(),
      n,
      () => `${fd}, ..., ${n}, ${offset + at}`,
    );
    buf.set(ctx().area.data.subarray(region.off, region.off + r.value), at);
    return r.value;
  });
}

/** pwrite64(2) of `data` at `offset` (a data region at a time: see chunked.ts). */
export function pwrite(fd: number, data: Uint8Array | string, offset: number): number {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return chunked(bytes.length, (at, n) => {
    const region = dataRegion();
    ctx().area.data.set(bytes.subarray(at, at + n), region.off);
    return fdcall(
      fd,
      Sys.pwrite64,
      w.reset().num(region.off).num(offset + at).bytes(),
      n,
      () => `${fd}, ..., ${n}, ${offset + at}`,
    ).value;
  });
}

// --- extended attributes ---
//
// Values and name lists go through the data area (up to 64 KiB, past one
// message): a request ends with (offset, size) of the current region, as
// getxattr(2) names a buffer and its size. Sizes follow Linux: without one,
// the whole value or list; 0 asks for its length only; a value or list
// longer than `size` is ERANGE.

/** Which file an xattr call names: a path (following symlinks or not), or an fd. */
type XattrTarget = { path: string; follow: boolean } | { fd: number };

function targetText(t: XattrTarget): string {
  return "fd" in t ? String(t.fd) : quote(t.path);
}

/** Start the payload with the target; the syscall number of its form. */
function xattrHead(t: XattrTarget, path: number, lpath: number, fd: number): number {
  if ("fd" in t) {
    w.reset().num(t.fd);
    return fd;
  }
  w.reset().str(t.path);
  return t.follow ? path : lpath;
}

function setx(t: XattrTarget, name: string, value: Uint8Array | string, flags: number): void {
  const v = typeof value === "string" ? encoder.encode(value) : value;
  const region = dataRegion();
  // A value past the region is longer than any xattr: the VFS refuses it by its length (E2BIG).
  ctx().area.data.set(v.subarray(0, Math.min(v.length, region.len)), region.off);
  const nr = xattrHead(t, Sys.setxattr, Sys.lsetxattr, Sys.fsetxattr);
  w.str(name).bytesField(NO_BYTES).num(flags).num(region.off).num(v.length);
  vfs(nr, w.bytes(), () => `${targetText(t)}, ${quote(name)}, ..., ${v.length}, ${flags}`);
}

/** Ask with (region, size); the reply's value is the length, the bytes are in the region. */
function getx(t: XattrTarget, name: string | undefined, size: number | undefined) {
  const region = dataRegion();
  const want = Math.min(size ?? region.len, region.len);
  const args = () =>
    `${targetText(t)}${name === undefined ? "" : `, ${quote(name)}`}, ..., ${size ?? want}`;
  let r;
  if ("fd" in t) {
    // fgetxattr and flistxattr go straight to the file's server, like read.
    w.reset();
    if (name !== undefined) w.str(name);
    w.num(region.off).num(want);
    r = fdcall(t.fd, name === undefined ? Sys.flistxattr : Sys.fgetxattr, w.bytes(), 0, args);
  } else {
    const nr = name === undefined
      ? xattrHead(t, Sys.listxattr, Sys.llistxattr, 0)
      : xattrHead(t, Sys.getxattr, Sys.lgetxattr, 0);
    if (name !== undefined) w.str(name);
    w.num(region.off).num(want);
    r = vfs(nr, w.bytes(), args);
  }
  if (size === 0) return r.value;
  return ctx().area.data.slice(region.off, region.off + r.value);
}

function valueOf(t: XattrTarget, name: string, size?: number): Uint8Array | number {
  return getx(t, name, size);
}

function namesOf(t: XattrTarget, size?: number): string[] | number {
  const got = getx(t, undefined, size);
  if (typeof got === "number") return got;
  const names: string[] = [];
  let start = 0;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== 0) continue;
    names.push(decoder.decode(got.subarray(start, i)));
    start = i + 1;
  }
  return names;
}

/** setxattr(2); flags XATTR_CREATE, XATTR_REPLACE. */
export function setxattr(path: string, name: string, value: Uint8Array | string, flags = 0): void {
  setx({ path, follow: true }, name, value, flags);
}

/** lsetxattr(2): a symlink itself. */
export function lsetxattr(path: string, name: string, value: Uint8Array | string, flags = 0): void {
  setx({ path, follow: false }, name, value, flags);
}

/** fsetxattr(2). */
export function fsetxattr(fd: number, name: string, value: Uint8Array | string, flags = 0): void {
  setx({ fd }, name, value, flags);
}

/** getxattr(2): the value; with `size`, ERANGE past it, and size 0 gives the length. */
export function getxattr(path: string, name: string): Uint8Array;
export function getxattr(path: string, name: string, size: 0): number;
export function getxattr(path: string, name: string, size: number): Uint8Array | number;
export function getxattr(path: string, name: string, size?: number): Uint8Array | number {
  return valueOf({ path, follow: true }, name, size);
}

/** lgetxattr(2): of a symlink itself. */
export function lgetxattr(path: string, name: string): Uint8Array;
export function lgetxattr(path: string, name: string, size: 0): number;
export function lgetxattr(path: string, name: string, size: number): Uint8Array | number;
export function lgetxattr(path: string, name: string, size?: number): Uint8Array | number {
  return valueOf({ path, follow: false }, name, size);
}

/** fgetxattr(2). */
export function fgetxattr(fd: number, name: string): Uint8Array;
export function fgetxattr(fd: number, name: string, size: 0): number;
export function fgetxattr(fd: number, name: string, size: number): Uint8Array | number;
export function fgetxattr(fd: number, name: string, size?: number): Uint8Array | number {
  return valueOf({ fd }, name, size);
}

/** listxattr(2): the names; with `size` (bytes of "name\0" each), ERANGE past it, 0 gives the length. */
export function listxattr(path: string): string[];
export function listxattr(path: string, size: 0): number;
export function listxattr(path: string, size: number): string[] | number;
export function listxattr(path: string, size?: number): string[] | number {
  return namesOf({ path, follow: true }, size);
}

/** llistxattr(2): of a symlink itself. */
export function llistxattr(path: string): string[];
export function llistxattr(path: string, size: 0): number;
export function llistxattr(path: string, size: number): string[] | number;
export function llistxattr(path: string, size?: number): string[] | number {
  return namesOf({ path, follow: false }, size);
}

/** flistxattr(2). */
export function flistxattr(fd: number): string[];
export function flistxattr(fd: number, size: 0): number;
export function flistxattr(fd: number, size: number): string[] | number;
export function flistxattr(fd: number, size?: number): string[] | number {
  return namesOf({ fd }, size);
}

/** removexattr(2). */
export function removexattr(path: string, name: string): void {
  vfs(
    Sys.removexattr,
    w.reset().str(path).str(name).bytes(),
    () => `${quote(path)}, ${quote(name)}`,
  );
}

/** lremovexattr(2). */
export function lremovexattr(path: string, name: string): void {
  vfs(
    Sys.lremovexattr,
    w.reset().str(path).str(name).bytes(),
    () => `${quote(path)}, ${quote(name)}`,
  );
}

/** fremovexattr(2). */
export function fremovexattr(fd: number, name: string): void {
  vfs(Sys.fremovexattr, w.reset().num(fd).str(name).bytes(), () => `${fd}, ${quote(name)}`);
}
