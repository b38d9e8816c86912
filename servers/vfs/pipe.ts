// Pipes: a bounded byte queue between processes, with Linux's blocking rules.
//
//   read:  data -> up to `max` bytes now; empty and no writers -> 0 (EOF);
//          empty and O_NONBLOCK -> EAGAIN; else wait for a writer.
//   write: no readers -> EPIPE (the library then raises SIGPIPE);
//          n <= PIPE_BUF -> all n bytes at once, when that much room exists;
//          n >  PIPE_BUF -> as room appears, until all are written;
//          O_NONBLOCK -> what fits now, or EAGAIN if nothing does.
// Waiters are served in arrival order. A waiting writer's bytes stay in its
// own data area (its process is blocked, so they cannot change) and are
// copied as room appears; a waiting reader's bytes go straight into its data
// area when they arrive.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type { Request } from "../../kernel/ipc/server.ts";
import type { Stat } from "../../kernel/stat.ts";
import { PIPE_BUF, PIPE_CAPACITY } from "./params.ts";
import type { LocalFile } from "./vfs.ts";

interface ReadWait {
  area: number;
  sink: Uint8Array;
  resolve: (n: number) => void;
  reject: (e: ErrnoError) => void;
}

interface WriteWait {
  area: number;
  src: Uint8Array;
  done: number;
  resolve: (n: number) => void;
  reject: (e: ErrnoError) => void;
}

/** One pipe: its buffer and the ends open on it. */
export class Pipe {
  readonly #buf = new Uint8Array(PIPE_CAPACITY);
  #start = 0;
  #len = 0;
  readers = 0;
  writers = 0;
  readonly #readWaits: ReadWait[] = [];
  readonly #writeWaits: WriteWait[] = [];

  constructor(readonly id: number, readonly uid: number, readonly gid: number) {}

  /** Reads and writes waiting (leak checks: /proc/mello/vfs). */
  get waiters(): number {
    return this.#readWaits.length + this.#writeWaits.length;
  }

  /** Bytes buffered (FIONREAD, st_size). */
  get buffered(): number {
    return this.#len;
  }

  read(area: number, sink: Uint8Array, nonblock: boolean): number | Promise<number> {
    if (sink.length === 0) return 0;
    if (this.#len > 0 && this.#readWaits.length === 0) {
      const n = this.#take(sink);
      this.#serveWriters();
      return n;
    }
    if (this.writers === 0) return 0;
    if (nonblock) throw new ErrnoError(Errno.EAGAIN, `pipe ${this.id} empty`);
    return new Promise((resolve, reject) => this.#readWaits.push({ area, sink, resolve, reject }));
  }

  write(area: number, src: Uint8Array, nonblock: boolean): number | Promise<number> {
    if (this.readers === 0) throw new ErrnoError(Errno.EPIPE, `pipe ${this.id} has no reader`);
    if (src.length === 0) return 0;
    const room = PIPE_CAPACITY - this.#len;
    const atomic = src.length <= PIPE_BUF;
    if (this.#writeWaits.length === 0 && (atomic ? room >= src.length : room > 0)) {
      const n = this.#put(src);
      if (n === src.length || nonblock) {
        this.#serveReaders();
        return n;
      }
      // Queue the rest before waking readers: a reader that empties the pipe
      // then finds this writer and lets it go on.
      const rest = new Promise<number>((resolve, reject) =>
        this.#writeWaits.push({ area, src, done: n, resolve, reject })
      );
      this.#serveReaders();
      return rest;
    }
    if (nonblock) throw new ErrnoError(Errno.EAGAIN, `pipe ${this.id} full`);
    return new Promise((resolve, reject) =>
      this.#writeWaits.push({ area, src, done: 0, resolve, reject })
    );
  }

  /** A read end went away. */
  closeReader(): void {
    this.readers--;
    if (this.readers > 0) return;
    for (const w of this.#writeWaits.splice(0)) {
      if (w.done > 0) w.resolve(w.done);
      else w.reject(new ErrnoError(Errno.EPIPE, `pipe ${this.id} lost its reader`));
    }
  }

  /** A write end went away. */
  closeWriter(): void {
    this.writers--;
    if (this.writers > 0) return;
    if (this.#len === 0) { for (const r of this.#readWaits.splice(0)) r.resolve(0); }
  }

  /** The process owning `area` is gone: forget its waits (nobody will read the reply). */
  forget(area: number): void {
    const keepR = this.#readWaits.filter((r) => r.area !== area);
    this.#readWaits.splice(0, this.#readWaits.length, ...keepR);
    const keepW = this.#writeWaits.filter((w) => w.area !== area);
    this.#writeWaits.splice(0, this.#writeWaits.length, ...keepW);
    this.#serveReaders();
    this.#serveWriters();
  }

  #take(sink: Uint8Array): number {
    const n = Math.min(sink.length, this.#len);
    const first = Math.min(n, PIPE_CAPACITY - this.#start);
    sink.set(this.#buf.subarray(this.#start, this.#start + first), 0);
    if (n > first) sink.set(this.#buf.subarray(0, n - first), first);
    this.#start = (this.#start + n) % PIPE_CAPACITY;
    this.#len -= n;
    if (this.#len === 0) this.#start = 0;
    return n;
  }

  #put(src: Uint8Array): number {
    const n = Math.min(src.length, PIPE_CAPACITY - this.#len);
    const end = (this.#start + this.#len) % PIPE_CAPACITY;
    const first = Math.min(n, PIPE_CAPACITY - end);
    this.#buf.set(src.subarray(0, first), end);
    if (n > first) this.#buf.set(src.subarray(first, n), 0);
    this.#len += n;
    return n;
  }

  #serveReaders(): void {
    while (this.#readWaits.length > 0 && this.#len > 0) {
      const r = this.#readWaits.shift()!;
      r.resolve(this.#take(r.sink));
      this.#serveWriters();
    }
  }

  #serveWriters(): void {
    while (this.#writeWaits.length > 0) {
      const w = this.#writeWaits[0];
      const left = w.src.length - w.done;
      const room = PIPE_CAPACITY - this.#len;
      const atomic = w.src.length <= PIPE_BUF;
      if (room === 0 || (atomic && room < left)) return;
      w.done += this.#put(w.src.subarray(w.done));
      if (w.done === w.src.length) {
        this.#writeWaits.shift();
        w.resolve(w.done);
      }
      this.#serveReaders();
      if (w.done < w.src.length) return;
    }
  }
}

/** One end of a pipe or FIFO (or both, for a FIFO opened O_RDWR), as an open file the VFS serves. */
export class PipeEnd implements LocalFile {
  constructor(
    readonly pipe: Pipe,
    readonly canRead: boolean,
    readonly canWrite: boolean,
    readonly statOf: () => Stat | Promise<Stat>,
    readonly onRelease: () => void = () => {},
  ) {}

  read(req: Request, sink: Uint8Array, nonblock: boolean): number | Promise<number> {
    if (!this.canRead) throw new ErrnoError(Errno.EBADF, "read on a pipe's write end");
    return this.pipe.read(req.area.id, sink, nonblock);
  }

  writeTo(req: Request, src: Uint8Array, nonblock: boolean): number | Promise<number> {
    if (!this.canWrite) throw new ErrnoError(Errno.EBADF, "write on a pipe's read end");
    return this.pipe.write(req.area.id, src, nonblock);
  }

  lseek(): number {
    throw new ErrnoError(Errno.ESPIPE, "lseek on a pipe");
  }

  ioctl(request: number): number {
    if (request === FIONREAD) return this.pipe.buffered;
    throw new ErrnoError(Errno.ENOTTY, "ioctl on a pipe");
  }

  stat(): Stat | Promise<Stat> {
    return this.statOf();
  }

  release(): void {
    if (this.canWrite) this.pipe.closeWriter();
    if (this.canRead) this.pipe.closeReader();
    this.onRelease();
  }

  forget(areaId: number): void {
    this.pipe.forget(areaId);
  }
}

/** ioctl: bytes waiting to be read. */
export const FIONREAD = 0x541b;
