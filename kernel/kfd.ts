// The kernel's own file descriptors. Init (pid 1, the kernel) has an fd table
// in the VFS like every process; the API uses it to give a command pipes for
// its stdin, stdout and stderr, and to read what comes out.

import { Errno, ErrnoError } from "./errno.ts";
import type { AsyncClient } from "./ipc/client_async.ts";
import { type CapToken, PayloadReader, PayloadWriter } from "./ipc/message.ts";
import { DATA_BYTES } from "./ipc/channel.ts";
import { Endpoint } from "./registry.ts";
import { Sys } from "./syscalls.ts";
import { AT_FDCWD, O } from "./fcntl.ts";
import { decodeRoutes } from "../servers/vfs/mod.ts";

/** Bytes of the kernel's data area one read or write may use. */
const SLOT_BYTES = 65536;

/** Async fd calls for init. */
export class KernelFds {
  readonly routes = new Map<number, { ep: number; cap: CapToken }>();
  readonly #free: number[] = [];
  readonly #waiting: Array<(off: number) => void> = [];
  readonly #w = new PayloadWriter();

  constructor(readonly client: AsyncClient, public vfsCap: CapToken) {
    for (let off = 0; off + SLOT_BYTES <= DATA_BYTES; off += SLOT_BYTES) this.#free.push(off);
  }

  async pipe(flags = 0): Promise<[number, number]> {
    const r = await this.client.call(Endpoint.VFS, Sys.pipe2, this.vfsCap, undefined, {
      value: flags,
    });
    if (r.errno !== 0) throw new ErrnoError(r.errno, "pipe2");
    const routes = decodeRoutes(new PayloadReader(r.payload));
    for (const rt of routes) this.routes.set(rt.fd, { ep: rt.ep, cap: rt.cap });
    return [routes[0].fd, routes[1].fd];
  }

  /** openat(AT_FDCWD, path, flags, mode) as init. */
  async open(path: string, flags: number, mode = 0o644): Promise<number> {
    const r = await this.#vfs(
      Sys.openat,
      this.#w.reset().num(AT_FDCWD).str(path).num(flags).num(mode),
    );
    const routes = decodeRoutes(new PayloadReader(r.payload));
    for (const rt of routes) this.routes.set(rt.fd, { ep: rt.ep, cap: rt.cap });
    return r.value;
  }

  async mkdir(path: string, mode: number): Promise<void> {
    await this.#vfs(Sys.mkdirat, this.#w.reset().num(AT_FDCWD).str(path).num(mode));
  }

  async mknod(path: string, mode: number, rdev: number): Promise<void> {
    await this.#vfs(Sys.mknodat, this.#w.reset().num(AT_FDCWD).str(path).num(mode).num(rdev));
  }

  async chmod(path: string, mode: number): Promise<void> {
    await this.#vfs(Sys.fchmodat, this.#w.reset().num(AT_FDCWD).str(path).num(mode).num(0));
  }

  /** Create (or replace) `path` with `bytes` and `mode`. */
  async writeFile(path: string, bytes: Uint8Array, mode = 0o644): Promise<void> {
    const fd = await this.open(path, O.WRONLY | O.CREAT | O.TRUNC | O.CLOEXEC, mode);
    try {
      await this.write(fd, bytes);
    } finally {
      await this.close(fd);
    }
    await this.chmod(path, mode); // the umask may have taken bits
  }

  /** Any VFS request as init; throws the errno. */
  async #vfs(op: number, w: PayloadWriter) {
    const r = await this.client.call(Endpoint.VFS, op, this.vfsCap, w.bytes().slice());
    if (r.errno !== 0) throw new ErrnoError(r.errno, `vfs op ${op}`);
    return r;
  }

  /** Record routes the kernel learned another way (console install). */
  learn(fd: number, ep: number, cap: CapToken): void {
    this.routes.set(fd, { ep, cap });
  }

  async close(fd: number): Promise<void> {
    this.routes.delete(fd);
    const r = await this.client.call(Endpoint.VFS, Sys.close, this.vfsCap, undefined, {
      value: fd,
    });
    if (r.errno !== 0) throw new ErrnoError(r.errno, "close");
  }

  /** Read up to SLOT_BYTES; empty at EOF. */
  async read(fd: number): Promise<Uint8Array> {
    const rt = this.#route(fd);
    const off = await this.acquireSlot();
    try {
      const r = await this.client.call(
        rt.ep,
        Sys.read,
        rt.cap,
        this.#w.reset().num(off).bytes().slice(),
        // A pipe read may wait as long as its writer likes: not a call to spin for.
        { value: SLOT_BYTES, background: true },
      );
      if (r.errno !== 0) throw new ErrnoError(r.errno, "read");
      return this.client.area.data.slice(off, off + r.value);
    } finally {
      this.releaseSlot(off);
    }
  }

  /** Write all of `bytes`. */
  async write(fd: number, bytes: Uint8Array): Promise<void> {
    const rt = this.#route(fd);
    for (let done = 0; done < bytes.length;) {
      const off = await this.acquireSlot();
      try {
        const n = Math.min(SLOT_BYTES, bytes.length - done);
        this.client.area.data.set(bytes.subarray(done, done + n), off);
        const r = await this.client.call(
          rt.ep,
          Sys.write,
          rt.cap,
          this.#w.reset().num(off).bytes().slice(),
          {
            value: n,
          },
        );
        if (r.errno !== 0) throw new ErrnoError(r.errno, "write");
        done += r.value;
      } finally {
        this.releaseSlot(off);
      }
    }
  }

  /** Read until EOF (or, with `tolerant`, until an error: what came so far). */
  async readAll(fd: number, tolerant = false): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = await this.read(fd);
      } catch (err) {
        if (!tolerant) throw err;
        break;
      }
      if (chunk.length === 0) break;
      parts.push(chunk);
      total += chunk.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  #route(fd: number) {
    const rt = this.routes.get(fd);
    if (rt === undefined) throw new ErrnoError(Errno.EBADF, `kernel fd ${fd}`);
    return rt;
  }

  /** Data-area slots not in use (all of them when no kernel read or write is in flight). */
  get freeSlots(): number {
    return this.#free.length;
  }

  /** A SLOT_BYTES piece of the kernel's data area, for one read or write in flight. */
  acquireSlot(): Promise<number> {
    const off = this.#free.pop();
    if (off !== undefined) return Promise.resolve(off);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  releaseSlot(off: number): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next(off);
    else this.#free.push(off);
  }
}
