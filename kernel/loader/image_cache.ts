// Exec's view of program files: ask the VFS whether a process may execute a
// path (search permission along it, execute permission on it, a regular file
// on an exec-able mount), then read the file, unless the kernel already holds
// an image of that very file version: cached by (server, instance, inode,
// size, mtime, ctime), so a new build of /bin/ls, or a chmod, is seen at once.
//
// A file starting "#!" is a script: exec runs its interpreter with the
// script's path inserted after the interpreter's argv (Linux's binfmt_script).

import { Errno, ErrnoError } from "../errno.ts";
import type { AsyncClient } from "../ipc/client_async.ts";
import { type CapToken, PayloadReader, PayloadWriter } from "../ipc/message.ts";
import { Endpoint } from "../registry.ts";
import { Sys } from "../syscalls.ts";
import { O } from "../fcntl.ts";
import { IMAGE_MAGIC } from "./build.ts";
import { decodeAttrs, FsOp } from "../../servers/vfs/fs_protocol.ts";
import { ObjectOp, VfsOp } from "../../servers/vfs/mod.ts";

const MAX_IMAGE_BYTES = 8 << 20;
const CACHE_ENTRIES = 256;
const READ_CHUNK = 65536;

/** What exec needs to start a program. */
export interface Program {
  image: string;
  /** argv to run (changed for scripts: interpreter first). */
  argv: string[];
}

export class ImageCache {
  readonly #cache = new Map<string, string>();
  readonly #w = new PayloadWriter();

  constructor(
    readonly client: AsyncClient,
    readonly vfsCap: CapToken,
    readonly systemCaps: Map<number, CapToken>,
    /** Lends a READ_CHUNK piece of the kernel's data area for one read. */
    readonly slots: { acquireSlot(): Promise<number>; releaseSlot(off: number): void },
  ) {}

  /** The program `path` names, for a process with `credsPid`'s credentials and `ctxPid`'s cwd. */
  async load(
    path: string,
    argv: string[],
    credsPid: number,
    ctxPid: number,
    depth = 0,
  ): Promise<Program> {
    const text = await this.#file(path, credsPid, ctxPid);
    if (text.startsWith(IMAGE_MAGIC + " ")) return { image: text, argv };
    if (text.startsWith("#!")) {
      if (depth >= 4) throw new ErrnoError(Errno.ELOOP, `${path}: interpreters nest too deep`);
      const line = text.slice(2, text.indexOf("\n") < 0 ? undefined : text.indexOf("\n")).trim();
      const [interp, ...rest] = line.split(/[ \t]+/);
      if (interp === undefined || interp === "") throw new ErrnoError(Errno.ENOEXEC, path);
      const arg = rest.length > 0 ? [rest.join(" ")] : [];
      return await this.load(
        interp,
        [interp, ...arg, path, ...argv.slice(1)],
        credsPid,
        ctxPid,
        depth + 1,
      );
    }
    throw new ErrnoError(Errno.ENOEXEC, path);
  }

  async #file(path: string, credsPid: number, ctxPid: number): Promise<string> {
    const check = await this.client.call(
      Endpoint.VFS,
      VfsOp.EXEC,
      this.vfsCap,
      this.#w.reset().num(credsPid).num(ctxPid).str(path).bytes().slice(),
    );
    if (check.errno !== 0) throw new ErrnoError(check.errno, path);
    const r = new PayloadReader(check.payload);
    const ep = r.int(0);
    const sb = r.int(0);
    r.int(0); // mount id
    const a = decodeAttrs(r);
    const key =
      `${ep}:${sb}:${a.ino}:${a.size}:${a.mtime.sec}.${a.mtime.nsec}:${a.ctime.sec}.${a.ctime.nsec}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#cache.delete(key);
      this.#cache.set(key, hit);
      return hit;
    }
    if (a.size > MAX_IMAGE_BYTES) throw new ErrnoError(Errno.E2BIG, `${path}: too large to run`);
    const text = new TextDecoder().decode(await this.#read(ep, sb, a.ino, a.size));
    this.#cache.set(key, text);
    if (this.#cache.size > CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    return text;
  }

  /** Read a whole file straight from its filesystem server, as init. */
  async #read(ep: number, sb: number, ino: number, size: number): Promise<Uint8Array> {
    const cap = this.systemCaps.get(ep);
    if (cap === undefined) throw new ErrnoError(Errno.ENODEV, `no filesystem at endpoint ${ep}`);
    const opened = await this.client.call(
      ep,
      FsOp.OPEN,
      cap,
      this.#w.reset().num(sb).num(ino).num(O.RDONLY).num(1).bytes().slice(),
    );
    if (opened.errno !== 0) throw new ErrnoError(opened.errno, `open inode ${ino}`);
    const pr = new PayloadReader(opened.payload);
    const root = { slot: pr.int(0), gen: pr.int(0, 2 ** 32) };
    const out = new Uint8Array(size);
    const off = await this.slots.acquireSlot();
    try {
      for (let at = 0; at < size;) {
        const asked = Math.min(READ_CHUNK, size - at);
        const rep = await this.client.call(
          ep,
          Sys.pread64,
          root,
          this.#w.reset().num(off).num(at).bytes().slice(),
          { value: asked },
        );
        if (rep.errno !== 0) throw new ErrnoError(rep.errno, "read program");
        if (rep.value === 0) break;
        // A filesystem server's word is not enough to index our memory with.
        if (!Number.isInteger(rep.value) || rep.value < 0 || rep.value > asked) {
          throw new ErrnoError(Errno.EIO, `read program: server answered ${rep.value} of ${asked}`);
        }
        out.set(this.client.area.data.subarray(off, off + rep.value), at);
        at += rep.value;
      }
    } finally {
      this.slots.releaseSlot(off);
      void this.client.call(ep, ObjectOp.RELEASE, root);
    }
    return out;
  }
}
