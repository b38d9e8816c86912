// Test program: run a script of file syscalls and print what each returned,
// as JSON, so that a test can run the same script on the host
// (tests/helpers/host_fsops.py) and compare the two line by line.
//
// stdin: a JSON array of steps, each [op, ...args]. Arguments:
//   - flags and modes as numbers or symbolic strings ("O_WRONLY|O_CREAT",
//     "AT_FDCWD", "S_IFIFO|0644", "SEEK_END", "F_GETFL");
//   - "@N" is the value step N returned (an fd), "@N.0" / "@N.1" the fds of
//     a pipe step;
//   - data as strings (UTF-8), or {"hex": "00ff..."}.
// stdout: a JSON array, one entry a step: {"ok": value} or {"err": "ENOENT"}.
// The op names and their results are listed in tests/helpers/fsops.ts.
import * as lib from "../../userland/lib/mod.ts";
import { ErrnoError, errnoName } from "../../userland/lib/mod.ts";
import { F, O, SEEK } from "../../userland/lib/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const SYMBOLS: Record<string, number> = {
  AT_FDCWD: lib.AT_FDCWD,
  AT_SYMLINK_NOFOLLOW: lib.AT.SYMLINK_NOFOLLOW,
  AT_REMOVEDIR: lib.AT.REMOVEDIR,
  AT_EACCESS: lib.AT.EACCESS,
  AT_SYMLINK_FOLLOW: lib.AT.SYMLINK_FOLLOW,
  AT_EMPTY_PATH: lib.AT.EMPTY_PATH,
  F_OK: lib.F_OK,
  R_OK: lib.R_OK,
  W_OK: lib.W_OK,
  X_OK: lib.X_OK,
  RENAME_NOREPLACE: lib.RENAME_NOREPLACE,
  RENAME_EXCHANGE: lib.RENAME_EXCHANGE,
  XATTR_CREATE: lib.XATTR_CREATE,
  XATTR_REPLACE: lib.XATTR_REPLACE,
  FD_CLOEXEC: 1,
  UTIME_NOW: (1 << 30) - 1,
  UTIME_OMIT: (1 << 30) - 2,
};
for (const [k, v] of Object.entries(O)) SYMBOLS[`O_${k}`] = v;
for (const [k, v] of Object.entries(F)) SYMBOLS[`F_${k}`] = v;
for (const [k, v] of Object.entries(SEEK)) SYMBOLS[`SEEK_${k}`] = v;
for (const [k, v] of Object.entries(lib.S)) SYMBOLS[`S_${k}`] = v;

type Arg = string | number | { hex: string } | Arg[];

function num(a: Arg, results: unknown[]): number {
  if (typeof a === "number") return a;
  if (typeof a !== "string") throw new Error(`not a number: ${JSON.stringify(a)}`);
  const ref = /^@(\d+)(?:\.(\d))?$/.exec(a);
  if (ref !== null) {
    const v = results[Number(ref[1])];
    return (ref[2] === undefined ? v : (v as number[])[Number(ref[2])]) as number;
  }
  let out = 0;
  for (const part of a.split("|")) {
    const t = part.trim();
    if (/^-?\d+$/.test(t)) out |= t.startsWith("0") && t.length > 1 ? parseInt(t, 8) : Number(t);
    else if (t in SYMBOLS) out |= SYMBOLS[t];
    else throw new Error(`unknown symbol ${t}`);
  }
  return out;
}

function data(a: Arg): Uint8Array {
  if (typeof a === "string") return encoder.encode(a);
  if (typeof a === "object" && !Array.isArray(a)) {
    const hex = a.hex;
    return Uint8Array.from(
      { length: hex.length / 2 },
      (_, i) => parseInt(hex.substr(i * 2, 2), 16),
    );
  }
  throw new Error(`not data: ${JSON.stringify(a)}`);
}

/** Bytes as a string when they are UTF-8 text, else {hex}. */
function show(b: Uint8Array): string | { hex: string } {
  const text = decoder.decode(b);
  if (encoder.encode(text).length === b.length && !text.includes("\ufffd")) return text;
  return { hex: Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("") };
}

/** A sized xattr call's result: the length (size 0), the value, or the names sorted. */
function sized(v: Uint8Array | string[] | number): unknown {
  if (typeof v === "number") return v;
  return v instanceof Uint8Array ? show(v) : [...v].sort();
}

/** The fields of struct stat a test may compare with the host's (not dev, ino, blocks or times). */
function statOut(st: lib.Stat) {
  return {
    type: (st.mode & lib.S.IFMT).toString(8),
    mode: (st.mode & 0o7777).toString(8),
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
    size: (st.mode & lib.S.IFMT) === lib.S.IFDIR ? -1 : st.size,
    rdev: [lib.major(st.rdev), lib.minor(st.rdev)],
  };
}

function ts(a: Arg, results: unknown[]): lib.Timespec {
  const [sec, nsec] = a as Arg[];
  return { sec: num(sec, results), nsec: num(nsec, results) };
}

function step(op: string, a: Arg[], results: unknown[]): unknown {
  const n = (i: number) => num(a[i], results);
  const s = (i: number) => a[i] as string;
  switch (op) {
    case "open":
      return lib.open(s(0), n(1), a[2] === undefined ? 0o666 : n(2));
    case "openat":
      return lib.openat(n(0), s(1), n(2), a[3] === undefined ? 0o666 : n(3));
    case "creat":
      return lib.creat(s(0), n(1));
    case "close":
      return lib.close(n(0));
    case "read": {
      const buf = new Uint8Array(n(1));
      return show(buf.subarray(0, lib.read(n(0), buf)));
    }
    case "write":
      return lib.write(n(0), data(a[1]));
    case "pread": {
      const buf = new Uint8Array(n(1));
      return show(buf.subarray(0, lib.pread(n(0), buf, n(2))));
    }
    case "pwrite":
      return lib.pwrite(n(0), data(a[1]), n(2));
    case "readv": {
      const bufs = (a[1] as Arg[]).map((k) => new Uint8Array(num(k, results)));
      const got = lib.readv(n(0), bufs);
      let left = got;
      return bufs.map((b) => {
        const k = Math.min(left, b.length);
        left -= k;
        return show(b.subarray(0, k));
      });
    }
    case "writev":
      return lib.writev(n(0), (a[1] as Arg[]).map(data));
    case "lseek":
      return lib.lseek(n(0), n(1), n(2));
    case "truncate":
      return lib.truncate(s(0), n(1));
    case "ftruncate":
      return lib.ftruncate(n(0), n(1));
    case "stat":
      return statOut(lib.stat(s(0)));
    case "lstat":
      return statOut(lib.lstat(s(0)));
    case "fstat":
      return statOut(lib.fstat(n(0)));
    case "fstatat":
      return statOut(lib.fstatat(n(0), s(1), a[2] === undefined ? 0 : n(2)));
    case "mkdir":
      return lib.mkdir(s(0), a[1] === undefined ? 0o777 : n(1));
    case "mkdirat":
      return lib.mkdirat(n(0), s(1), n(2));
    case "rmdir":
      return lib.rmdir(s(0));
    case "unlink":
      return lib.unlink(s(0));
    case "unlinkat":
      return lib.unlinkat(n(0), s(1), a[2] === undefined ? 0 : n(2));
    case "link":
      return lib.link(s(0), s(1));
    case "linkat":
      return lib.linkat(n(0), s(1), n(2), s(3), a[4] === undefined ? 0 : n(4));
    case "symlink":
      return lib.symlink(s(0), s(1));
    case "symlinkat":
      return lib.symlinkat(s(0), n(1), s(2));
    case "readlink":
      return lib.readlink(s(0));
    case "readlinkat":
      return lib.readlinkat(n(0), s(1));
    case "rename":
      return lib.rename(s(0), s(1));
    case "renameat2":
      return lib.renameat2(n(0), s(1), n(2), s(3), n(4));
    case "chmod":
      return lib.chmod(s(0), n(1));
    case "fchmod":
      return lib.fchmod(n(0), n(1));
    case "fchmodat":
      return lib.fchmodat(n(0), s(1), n(2), a[3] === undefined ? 0 : n(3));
    case "chown":
      return lib.chown(s(0), n(1), n(2));
    case "lchown":
      return lib.lchown(s(0), n(1), n(2));
    case "fchown":
      return lib.fchown(n(0), n(1), n(2));
    case "fchownat":
      return lib.fchownat(n(0), s(1), n(2), n(3), a[4] === undefined ? 0 : n(4));
    case "utimensat": // [dirfd, path, [asec, ansec] | null, [msec, mnsec] | null, flags]
      return lib.utimensat(
        n(0),
        s(1),
        a[2] === null ? undefined : [ts(a[2], results), ts(a[3], results)],
        a[4] === undefined ? 0 : n(4),
      );
    case "blocks": { // [path]: st_size, st_blocks and st_blksize of lstat(path)
      const st = lib.lstat(s(0));
      return [st.size, st.blocks, st.blksize];
    }
    case "times": { // [path]: atime and mtime as [sec, nsec], for checking utimensat
      const st = lib.lstat(s(0));
      return [[st.atime.sec, st.atime.nsec], [st.mtime.sec, st.mtime.nsec]];
    }
    case "access":
      return lib.access(s(0), n(1));
    case "faccessat":
      return lib.faccessat(n(0), s(1), n(2), a[3] === undefined ? 0 : n(3));
    case "dup":
      return lib.dup(n(0));
    case "dup2":
      return lib.dup2(n(0), n(1));
    case "dup3":
      return lib.dup3(n(0), n(1), n(2));
    case "fcntl":
      return lib.fcntl(n(0), n(1), a[2] === undefined ? 0 : n(2));
    case "pipe":
      return lib.pipe(a[0] === undefined ? 0 : n(0));
    case "mknod": // [path, mode, major, minor]
      return lib.mknod(s(0), n(1), lib.makedev(n(2), n(3)));
    case "mknodat":
      return lib.mknodat(n(0), s(1), n(2), lib.makedev(n(3), n(4)));
    case "setxattr":
      return lib.setxattr(s(0), s(1), data(a[2]), a[3] === undefined ? 0 : n(3));
    case "lsetxattr":
      return lib.lsetxattr(s(0), s(1), data(a[2]), a[3] === undefined ? 0 : n(3));
    case "fsetxattr":
      return lib.fsetxattr(n(0), s(1), data(a[2]), a[3] === undefined ? 0 : n(3));
    case "getxattr":
      return show(lib.getxattr(s(0), s(1)));
    case "lgetxattr":
      return show(lib.lgetxattr(s(0), s(1)));
    case "fgetxattr":
      return show(lib.fgetxattr(n(0), s(1)));
    case "listxattr":
      return lib.listxattr(s(0)).sort();
    case "llistxattr":
      return lib.llistxattr(s(0)).sort();
    case "flistxattr":
      return lib.flistxattr(n(0)).sort();
    // [target, name, size] / [target, size]: Linux's size rules (0 gives the
    // length; ERANGE when the value or list is longer than size).
    case "getxattr_size":
      return sized(lib.getxattr(s(0), s(1), n(2)));
    case "lgetxattr_size":
      return sized(lib.lgetxattr(s(0), s(1), n(2)));
    case "fgetxattr_size":
      return sized(lib.fgetxattr(n(0), s(1), n(2)));
    case "listxattr_size":
      return sized(lib.listxattr(s(0), n(1)));
    case "llistxattr_size":
      return sized(lib.llistxattr(s(0), n(1)));
    case "flistxattr_size":
      return sized(lib.flistxattr(n(0), n(1)));
    case "removexattr":
      return lib.removexattr(s(0), s(1));
    case "lremovexattr":
      return lib.lremovexattr(s(0), s(1));
    case "fremovexattr":
      return lib.fremovexattr(n(0), s(1));
    case "readdir": // [path]: the names getdents64 gives, sorted
      return lib.readdir(s(0)).map((d) => d.name).sort();
    case "getdents": // [fd]: one getdents64 call: names and d_type, in the order given
      return lib.getdents64(n(0)).map((d) => [d.name, d.type]);
    case "chdir":
      return lib.chdir(s(0));
    case "fchdir":
      return lib.fchdir(n(0));
    case "getcwd":
      return lib.getcwd();
    case "umask":
      return lib.umask(n(0));
    case "fsync":
      return lib.fsync(n(0));
    case "fdatasync":
      return lib.fdatasync(n(0));
    case "sync":
      return lib.sync();
    case "mount": // [source, target, fstype, flags, data] (MelloOS only)
      return lib.mount(s(0), s(1), s(2), a[3] === undefined ? 0 : n(3), (a[4] as string) ?? "");
    case "umount2": // [target, flags] (MelloOS only)
      return lib.umount2(s(0), a[1] === undefined ? 0 : n(1));
    // File handles and O_PATH (tests/fs_handles.test.ts). A handle's bytes
    // differ from the host's: the step shows "handle" and keeps it for later
    // steps ("@N"); the tampering options are spelled the same on both sides.
    case "name_to_handle_at": // [dirfd, path, flags, size?]
      return handleStep(n(0), s(1), n(2), a[3] === undefined ? lib.MAX_HANDLE_SZ : n(3));
    case "open_by_handle_at": // [mountfd, handle step, flags, tamper?]
      return byHandle(n(0), kept(a[1], results), n(2), a[3] as string | undefined);
    case "same_mount": // [handle step, handle step]: both handles name the same mount id
      return kept(a[0], results).mountId === kept(a[1], results).mountId;
    case "statx": { // [dirfd, path, flags] (MelloOS only): type, nlink and size of struct statx
      const b = lib.statx(n(0), s(1), n(2), 0x7ff); // STATX_BASIC_STATS
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const mode = dv.getUint16(28, true);
      return [
        (mode & lib.S.IFMT).toString(8),
        dv.getUint32(16, true),
        Number(dv.getBigUint64(40, true)),
      ];
    }
    case "reopen": // [fd, flags]: open("/proc/self/fd/N"), Linux's way to upgrade an O_PATH fd
      return lib.open(`/proc/self/fd/${n(0)}`, n(1));
    case "fstatfs": // [fd]: success only (the numbers are the filesystem's)
      lib.fstatfs(n(0));
      return 0;
    case "futimens": // [fd]: both times to now
      return lib.futimens(n(0));
    case "ioctl": // [fd, request]
      lib.ioctlBytes(n(0), n(1), new Uint8Array(64));
      return 0;
    case "getdents_any": // [fd]: one getdents64 call returned entries
      return lib.getdents64(n(0)).length > 0;
    case "setfsuid": // [uid] (MelloOS only: Linux drops CAP_DAC_READ_SEARCH with fsuid 0)
      return lib.setfsuid(n(0));
    case "become": // [uid, gid, groups]: drop root for the rest of the script
      lib.setgroups((a[2] as number[] | undefined) ?? [n(1)]);
      lib.setgid(n(1));
      return lib.setuid(n(0));
    default:
      throw new Error(`unknown op ${op}`);
  }
}

/** The handle step `ref` ("@N") kept. */
function kept(ref: Arg, results: unknown[]): lib.FileHandle {
  return results[Number(String(ref).slice(1))] as lib.FileHandle;
}

/** A step's result shown as `shown` while later steps use `kept`. */
class Kept {
  constructor(readonly shown: unknown, readonly kept: unknown) {}
}

/**
 * name_to_handle_at with `size` bytes of room: "handle", or for EOVERFLOW
 * ["EOVERFLOW", handle_type] keeping the size it asked for.
 */
function handleStep(dirfd: number, path: string, flags: number, size: number): Kept {
  try {
    return new Kept("handle", lib.nameToHandleAt(dirfd, path, flags, size));
  } catch (err) {
    if (!(err instanceof lib.HandleOverflowError)) throw err;
    return new Kept(["EOVERFLOW", err.handleType], err.needed);
  }
}

/**
 * open_by_handle_at, the handle as made or tampered with: "generation" (its
 * generation bytes flipped: the inode number with another life), "size:N"
 * (handle_bytes N: cut or padded with zeros), "type:N" (handle_type N).
 */
function byHandle(mountFd: number, h: lib.FileHandle, flags: number, tamper?: string): number {
  let bytes = h.handle.slice();
  let type = h.handleType;
  if (tamper === "generation") {
    for (let i = 16; i < 20; i++) bytes[i] ^= 0xff; // servers/vfs/file_handle.ts: gen at 16
  } else if (tamper?.startsWith("size:")) {
    const n = Number(tamper.slice(5));
    const out = new Uint8Array(n);
    out.set(bytes.subarray(0, n));
    bytes = out;
  } else if (tamper?.startsWith("type:")) {
    type = Number(tamper.slice(5));
  }
  return lib.openByHandleAt(mountFd, bytes, type, flags);
}

export function main(_argv: string[]): number {
  // As Python (the host's side) does: a write to a pipe nobody reads is EPIPE, not death.
  lib.signal(lib.Sig.SIGPIPE, "ignore");
  const steps = JSON.parse(lib.readAllText(0)) as Array<[string, ...Arg[]]>;
  const results: unknown[] = [];
  const out: unknown[] = [];
  for (const [op, ...args] of steps) {
    try {
      const v = step(op, args, results);
      results.push(v instanceof Kept ? v.kept : v);
      out.push({ ok: v instanceof Kept ? v.shown : v === undefined ? 0 : v });
    } catch (err) {
      if (!(err instanceof ErrnoError)) throw err;
      results.push(-1);
      out.push({ err: errnoName(err.errno) });
    }
  }
  lib.stdout().write(JSON.stringify(out) + "\n");
  return 0;
}
