// The VFS's state: the namespace (mounts and caches), each process's
// filesystem context (fd table, cwd, root, umask), the open file
// descriptions behind the fds, and the open files the VFS serves itself
// (pipes, FIFOs, devices, /proc files).
//
// What must stay true: every Ofd is in `ofds` while some fd refers to it;
// an Ofd of a VFS-local object has its LocalFile in `locals`; a process's cwd
// and root hold a reference on their inodes (so the inode cache keeps them).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { ALL_RIGHTS } from "../../kernel/cap/rights.ts";
import type { ServerEnv } from "../../kernel/ipc/server_runtime.ts";
import type { Stat } from "../../kernel/stat.ts";
import type { Creds } from "../../kernel/sysmem.ts";
import type { Request } from "../../kernel/ipc/server.ts";
import { type FdEntry, type FdJournal, FdTable, type Ofd } from "./fd_table.ts";
import type { VfsStore } from "./persist.ts";
import type { Loc } from "./namei.ts";
import { Namespace } from "./namei.ts";
import { MountTable } from "./mount.ts";
import { ObjectOp } from "./mod.ts";
import { Fifos } from "./fifo.ts";
import { O } from "../../kernel/fcntl.ts";

/** An open file the VFS serves itself. */
export interface LocalFile {
  read?(req: Request, sink: Uint8Array, nonblock: boolean, ofd: Ofd): number | Promise<number>;
  writeTo?(req: Request, src: Uint8Array, nonblock: boolean, ofd: Ofd): number | Promise<number>;
  /** pread64 and pwrite64 at `pos`; without them the file is not seekable (ESPIPE). */
  pread?(sink: Uint8Array, pos: number): number;
  pwrite?(src: Uint8Array, pos: number): number;
  /** getdents64 into `out`: bytes written (0 at the end). */
  getdents?(out: Uint8Array, ofd: Ofd): number | Promise<number>;
  lseek?(offset: number, whence: number, ofd: Ofd): number;
  stat(): Stat | Promise<Stat>;
  ioctl?(request: number, req: Request): number;
  /** The last fd referring to it closed. */
  release(): void;
  /** The process on `areaId` ended: drop its pending reads and writes. */
  forget?(areaId: number): void;
}

/** A process's filesystem context. */
export interface FsContext {
  table: FdTable;
  cwd: Loc;
  root: Loc;
  umask: number;
}

export class Vfs {
  readonly mounts = new MountTable();
  readonly ns = new Namespace(this.mounts);
  readonly procs = new Map<number, FsContext>();
  readonly ofds = new Map<number, Ofd>();
  readonly locals = new Map<number, LocalFile>();
  /** FIFOs open now (their pipes live here, in the VFS). */
  readonly fifos = new Fifos();
  /**
   * Pids whose process ended, until the kernel has reaped them: a request the
   * process sent before it was killed may still arrive, and must not make it
   * a new context that nothing would ever drop.
   */
  readonly #ended = new Set<number>();
  #nextOfd = 1;
  /** Journal of what must survive a crash (none in tests that build a Vfs alone). */
  readonly store?: VfsStore;
  readonly #fdJournal: FdJournal;

  constructor(readonly env: ServerEnv, store?: VfsStore) {
    this.store = store;
    // Only fds of files other servers hold can outlive a restart; the others
    // (ofd 0: lost) are recorded so that their numbers stay taken until closed.
    this.#fdJournal = {
      install: (pid, fd, e) => {
        const ofd = e.ofd.ep !== this.endpoint ? e.ofd.id : 0;
        this.store?.fd(pid, fd, { ofd, cloexec: e.cloexec, cap: e.cap });
      },
      close: (pid, fd) => {
        if (this.store?.image.fds.get(pid)?.has(fd)) this.store.close(pid, fd);
      },
    };
  }

  /** Record a context's cwd and umask (after fork, chdir, umask). */
  saveCtx(pid: number): void {
    const c = this.procs.get(pid);
    if (this.store === undefined || c?.cwd === undefined) return;
    let cwd = "/";
    try {
      cwd = this.ns.pathOf(c.cwd, c.root);
    } catch {
      // an unreachable cwd comes back as "/"
    }
    this.store.ctx(pid, { cwd, umask: c.umask });
  }

  /** Make a table for `pid` (journaled). */
  newTable(pid: number): FdTable {
    return new FdTable(pid, this.env.caps, (o) => this.release(o), this.#fdJournal);
  }

  set nextOfd(n: number) {
    this.#nextOfd = Math.max(this.#nextOfd, n);
  }

  get endpoint(): number {
    return this.env.init.endpoint;
  }

  /** Credentials of `pid` (EPERM if the kernel recorded none). */
  creds(pid: number): Creds {
    const c = this.env.sys.creds(pid);
    if (c === undefined) throw new ErrnoError(Errno.EPERM, `no credentials for pid ${pid}`);
    return c;
  }

  /** `pid`'s context, made on first use (cwd and root at "/"); ESRCH once it ended. */
  ctx(pid: number): FsContext {
    let c = this.procs.get(pid);
    if (c === undefined) {
      // pid 0: an area no process owns any more (its process ended).
      if (pid === 0 || this.#ended.has(pid)) throw new ErrnoError(Errno.ESRCH, `pid ${pid} ended`);
      const table = this.newTable(pid);
      const root = this.mounts.hasRoot ? this.ns.rootOf(this.mounts.root) : undefined;
      c = { table, cwd: root!, root: root!, umask: 0o022 };
      if (root !== undefined) {
        this.hold(root);
        this.hold(root);
      }
      this.procs.set(pid, c);
    }
    if (c.root === undefined && this.mounts.hasRoot) {
      c.root = this.ns.rootOf(this.mounts.root);
      c.cwd = c.root;
      this.hold(c.root);
      this.hold(c.root);
    }
    return c;
  }

  /** `pid`'s context for a path walk: ENOENT while no root filesystem is mounted. */
  rooted(pid: number): FsContext {
    const c = this.ctx(pid);
    if (c.root === undefined || c.cwd === undefined) {
      throw new ErrnoError(Errno.ENOENT, "no root filesystem");
    }
    return c;
  }

  hold(l: Loc | undefined): void {
    if (l !== undefined) l.node.refs++;
  }

  unhold(l: Loc | undefined): void {
    if (l !== undefined && l.node.refs > 0) l.node.refs--;
  }

  /** A context for a new process: a copy of the parent's (fork). */
  forkCtx(parent: number, child: number): FsContext {
    const p = this.ctx(parent);
    this.#ended.delete(child);
    const c: FsContext = { table: p.table.fork(child), cwd: p.cwd, root: p.root, umask: p.umask };
    this.hold(c.cwd);
    this.hold(c.root);
    this.procs.set(child, c);
    this.saveCtx(child);
    return c;
  }

  dropCtx(pid: number): void {
    // The kernel clears an ended process's area owner before it reaps it
    // (clearing its credentials): no request can name a reaped pid.
    for (const p of this.#ended) if (this.env.sys.creds(p) === undefined) this.#ended.delete(p);
    this.#ended.add(pid);
    const c = this.procs.get(pid);
    if (c === undefined) return;
    this.procs.delete(pid);
    c.table.retire();
    this.unhold(c.cwd);
    this.unhold(c.root);
    if (this.store?.image.ctxs.has(pid) || this.store?.image.fds.has(pid)) this.store.drop(pid);
  }

  /** An Ofd for an object another server holds. */
  remoteOfd(
    ep: number,
    root: { slot: number; gen: number },
    flags: number,
    node?: Loc,
    path?: string,
  ): Ofd {
    const o: Ofd = { id: this.#nextOfd++, ep, root, flags, refs: 0, node, path };
    this.ofds.set(o.id, o);
    this.hold(node);
    this.store?.ofd({
      id: o.id,
      ep,
      root,
      flags,
      node: node === undefined ? undefined : { mount: node.mount.id, ino: node.node.ino },
      path,
    });
    return o;
  }

  /** Put back an Ofd a previous VFS had (it is already in the journal). */
  restoreOfd(o: Ofd): void {
    this.ofds.set(o.id, o);
    this.hold(o.node);
  }

  /** An Ofd for an object the VFS serves itself. */
  localOfd(file: LocalFile, flags: number, node?: Loc, path?: string): Ofd {
    const id = this.#nextOfd++;
    const root = this.env.caps.mint(this.endpoint, ALL_RIGHTS, this.env.pid, id);
    const o: Ofd = { id, ep: this.endpoint, root, flags, refs: 0, node, path };
    this.ofds.set(id, o);
    this.locals.set(id, file);
    this.hold(node);
    return o;
  }

  /** No fd refers to `o` any more. */
  release(o: Ofd): void {
    if (o.lost) return; // nothing behind it
    this.ofds.delete(o.id);
    this.unhold(o.node);
    const local = this.locals.get(o.id);
    if (local !== undefined) {
      this.locals.delete(o.id);
      local.release();
      this.env.caps.free(o.root);
      return;
    }
    this.store?.release(o.id);
    void this.env.client.call(o.ep, ObjectOp.RELEASE, o.root);
  }

  /** The process on `areaId` ended: its pending reads, writes and FIFO opens are void. */
  forgetArea(areaId: number): void {
    for (const f of this.locals.values()) f.forget?.(areaId);
    this.fifos.forget(areaId);
  }

  /** The fd entry of `pid`'s `fd`. */
  fd(pid: number, fd: number): FdEntry {
    return this.ctx(pid).table.get(fd);
  }

  /**
   * The local file an Ofd id names (EBADF if none). An O_PATH fd opened
   * nothing, so only the calls that ask for it (`path`: fstat, fstatfs,
   * AT_EMPTY_PATH) get it; the rest are EBADF, as Linux's fdget() answers.
   */
  local(id: number, opts?: { path?: boolean }): { file: LocalFile; ofd: Ofd } {
    const file = this.locals.get(id);
    const ofd = this.ofds.get(id);
    if (file === undefined || ofd === undefined) {
      throw new ErrnoError(Errno.EBADF, `no open file ${id}`);
    }
    if ((ofd.flags & O.PATH) !== 0 && opts?.path !== true) {
      throw new ErrnoError(Errno.EBADF, `open file ${id} is O_PATH`);
    }
    return { file, ofd };
  }
}
