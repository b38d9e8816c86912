// File descriptor calls. read, write, fstat, lseek and ioctl go straight to
// the server holding the open file (one hop); calls that change the fd table
// (close, dup, pipe, fcntl) go to the VFS, which holds the table, and we
// update our routes from its reply.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import { decodeStat, type Stat } from "../../kernel/stat.ts";
import { Sig } from "../../kernel/signals.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { F, O, SEEK, TCGETS } from "../../kernel/fcntl.ts";
import { decodeRoutes } from "../../servers/vfs/mod.ts";
import { chunked } from "./chunked.ts";
import { ctx, dataRegion } from "./context.ts";
import { quote, syscall } from "./syscall.ts";
import { fdcall, learn, VFS } from "./fd_routes.ts";
import { getpid, kill } from "./proc.ts";

export { F, O, SEEK };
export type { Stat };

const w = new PayloadWriter();
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function vfscall(nr: number, payload: Uint8Array | undefined, value: number, args: () => string) {
  return syscall(VFS, nr, ctx().caps.get(VFS)!, payload, value, args);
}

/** One read of up to a data region into `buf` at `at`. */
function readOnce(fd: number, nr: number, buf: Uint8Array, at: number, n: number): number {
  const region = dataRegion();
  const r = fdcall(fd, nr, w.reset().num(region.off).bytes(), n, () => `${fd}, ..., ${n}`);
  buf.set(ctx().area.data.subarray(region.off, region.off + r.value), at);
  return r.value;
}

/** One write of up to a data region of `bytes`, from `at`. */
function writeOnce(fd: number, nr: number, bytes: Uint8Array, at: number, n: number): number {
  const region = dataRegion();
  ctx().area.data.set(bytes.subarray(at, at + n), region.off);
  return fdcall(
    fd,
    nr,
    w.reset().num(region.off).bytes(),
    n,
    () => `${fd}, ${quote(decoder.decode(bytes.subarray(at, at + 32)))}, ${n}`,
  ).value;
}

/** A write that failed with EPIPE raises SIGPIPE, as Linux does. */
function withSigpipe(fn: () => number): number {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ErrnoError && err.errno === Errno.EPIPE) kill(getpid(), Sig.SIGPIPE);
    throw err;
  }
}

/** read(2) into `buf`; returns the byte count (0 at end of file). */
export function read(fd: number, buf: Uint8Array): number {
  return chunked(buf.length, (at, n) => readOnce(fd, Sys.read, buf, at, n));
}

/** write(2) of `data` (a data region at a time: see chunked.ts). */
export function write(fd: number, data: Uint8Array | string): number {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return withSigpipe(() =>
    chunked(bytes.length, (at, n) => writeOnce(fd, Sys.write, bytes, at, n))
  );
}

/** Most buffers one readv/writev takes (Linux's IOV_MAX / UIO_MAXIOV). */
export const IOV_MAX = 1024;

function iovText(fd: number, bufs: Uint8Array[]): string {
  return `${fd}, [${bufs.map((b) => `{iov_len=${b.length}}`).join(", ")}], ${bufs.length}`;
}

function checkIov(bufs: Uint8Array[]): void {
  if (bufs.length > IOV_MAX) {
    throw new ErrnoError(Errno.EINVAL, `readv/writev of ${bufs.length} buffers`);
  }
}

/**
 * readv(2): one read, its bytes scattered over `bufs` in order. The server
 * sees one contiguous transfer (the scatter happens here, in the caller), so
 * it is exactly as atomic as the read it stands for.
 */
export function readv(fd: number, bufs: Uint8Array[]): number {
  checkIov(bufs);
  const all = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  const got = chunked(all.length, (at, n) => {
    const region = dataRegion();
    const r = fdcall(fd, Sys.readv, w.reset().num(region.off).bytes(), n, () => iovText(fd, bufs));
    all.set(ctx().area.data.subarray(region.off, region.off + r.value), at);
    return r.value;
  });
  let at = 0;
  for (const b of bufs) {
    if (at >= got) break;
    const k = Math.min(b.length, got - at);
    b.set(all.subarray(at, at + k));
    at += k;
  }
  return got;
}

/** writev(2): `bufs` gathered in order and written by one write. */
export function writev(fd: number, bufs: Uint8Array[]): number {
  checkIov(bufs);
  const all = new Uint8Array(bufs.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bufs) {
    all.set(b, at);
    at += b.length;
  }
  return withSigpipe(() =>
    chunked(all.length, (from, n) => {
      const region = dataRegion();
      ctx().area.data.set(all.subarray(from, from + n), region.off);
      return fdcall(fd, Sys.writev, w.reset().num(region.off).bytes(), n, () => iovText(fd, bufs))
        .value;
    })
  );
}

/** Write all of `data`, however many write(2) calls it takes. */
export function writeAll(fd: number, data: Uint8Array | string): void {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  for (let done = 0; done < bytes.length;) done += write(fd, bytes.subarray(done));
}

export function close(fd: number): void {
  vfscall(Sys.close, undefined, fd, () => String(fd));
  ctx().fds.delete(fd);
}

export function dup(fd: number): number {
  const r = vfscall(Sys.dup, undefined, fd, () => String(fd));
  learn(r.payload);
  return r.value;
}

export function dup2(oldfd: number, newfd: number): number {
  const r = vfscall(
    Sys.dup2,
    w.reset().num(oldfd).num(newfd).num(0).bytes(),
    0,
    () => `${oldfd}, ${newfd}`,
  );
  learn(r.payload);
  return r.value;
}

export function dup3(oldfd: number, newfd: number, flags: number): number {
  const r = vfscall(
    Sys.dup3,
    w.reset().num(oldfd).num(newfd).num(flags).bytes(),
    0,
    () => `${oldfd}, ${newfd}, ${flags}`,
  );
  learn(r.payload);
  return r.value;
}

/** pipe2(2): returns [read end, write end]. */
export function pipe(flags = 0): [number, number] {
  const r = vfscall(Sys.pipe2, undefined, flags, () => String(flags));
  const routes = decodeRoutes(new PayloadReader(r.payload));
  learn(r.payload);
  return [routes[0].fd, routes[1].fd];
}

/** fcntl(2). */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  const r = vfscall(
    Sys.fcntl,
    w.reset().num(fd).num(cmd).num(arg).bytes(),
    0,
    () => `${fd}, ${cmd}, ${arg}`,
  );
  if (cmd === F.DUPFD || cmd === F.DUPFD_CLOEXEC) learn(r.payload);
  return r.value;
}

export function lseek(fd: number, offset: number, whence: number): number {
  return fdcall(
    fd,
    Sys.lseek,
    w.reset().num(offset).num(whence).bytes(),
    0,
    () => `${fd}, ${offset}, ${whence}`,
  )
    .value;
}

export function fstat(fd: number): Stat {
  return decodeStat(fdcall(fd, Sys.fstat, undefined, 0, () => String(fd)).payload);
}

/** ioctl(2) with an integer argument (returns the result value). */
export function ioctl(fd: number, request: number, arg = 0): number {
  return fdcall(
    fd,
    Sys.ioctl,
    w.reset().num(arg).bytes(),
    request,
    () => `${fd}, 0x${request.toString(16)}`,
  ).value;
}

/** ioctl(2) that takes or returns a struct: returns the reply bytes. */
export function ioctlBytes(
  fd: number,
  request: number,
  arg: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return fdcall(
    fd,
    Sys.ioctl,
    w.reset().bytesField(arg).bytes(),
    request,
    () => `${fd}, 0x${request.toString(16)}`,
  )
    .payload.slice();
}

/** isatty(3). */
export function isatty(fd: number): boolean {
  try {
    ioctlBytes(fd, TCGETS);
    return true;
  } catch {
    return false;
  }
}

/** Fds this process has open. */
export function openFds(): number[] {
  return [...ctx().fds.keys()].sort((a, b) => a - b);
}
