// A FUSE session: one mount, served by a few Workers that share its fd.
//
// Start: mount (mount.ts), start the Workers, hand each the fd, and wait
// until one of them has answered INIT (the shared state word turns READY):
// from then on host programs are served. The calling thread never blocks
// on the connection; only the Workers do.
//
// Stop: unmount() detaches the mount; when its last user lets go the kernel
// ends the connection, every Worker's read fails with ENODEV, and the
// Workers end. abort() fails everything at once (ENOTCONN for host
// programs) and then detaches: for shutdown, and for a Worker that crashed,
// since a request it held would otherwise wait for ever. Only after every
// Worker has left its loop is the fd closed.
//
// Permissions: a session Worker holds ffi only (it reads /dev/fuse and
// /proc/<pid>/status through libc), plus whatever `permissions` adds for the
// handler. The thread that calls mount() needs ffi, read access to the
// Worker's module files (Deno checks the creator's permission to load a
// Worker), and env and run for the fusermount3 path.

import { abortConnection, type Mounted, mountFuse, unmountFuse } from "./mount.ts";
import { libc } from "./libc.ts";
import { DEFAULT_ATTR_TIMEOUT_MS, DEFAULT_ENTRY_TIMEOUT_MS, DEFAULT_WORKERS } from "./params.ts";
import { SessionShared, SessionStateValue } from "./shared.ts";
import type { WorkerEvent, WorkerInit } from "./session_worker.ts";

/** How to serve a mount. */
export interface SessionOptions {
  /** A Worker entry module that calls runFuseWorker(factory) (session_worker.ts). */
  workerModule: URL;
  /** Given to the handler factory in every Worker (structured-cloneable; SharedArrayBuffers are shared). */
  handlerOptions?: unknown;
  /** Session Workers, so requests served at once. */
  workers?: number;
  entryTimeoutMs?: number;
  attrTimeoutMs?: number;
  /** Deno permissions the handler needs beyond ffi. */
  permissions?: Deno.PermissionOptionsObject;
  /** Shown in /proc/mounts as the source and the subtype (fuse.<fsName>). */
  fsName?: string;
  /** Admit every host user (allow_other); true unless said otherwise. */
  allowOther?: boolean;
  /** mount(2) as root (the default), or always fusermount3. */
  via?: "auto" | "fusermount3";
  /** Where Worker logs and bug reports go. */
  log?: (text: string) => void;
}

/** Why a session ended. */
export interface SessionEnd {
  /** Errnos the Workers' loops ended with (ENODEV for a normal end). */
  errnos: number[];
  /** Reports of Workers that crashed, if any. */
  crashes: string[];
}

/** A mounted, served FUSE filesystem. */
export class FuseSession {
  /** Resolves when every Worker has left its loop and the fd is closed. */
  readonly ended: Promise<SessionEnd>;

  private constructor(
    readonly mounted: Mounted,
    readonly shared: SessionShared,
    ended: Promise<SessionEnd>,
  ) {
    this.ended = ended;
  }

  /** Mount on `dir` and serve it; resolves once INIT is answered. */
  static async mount(dir: string, options: SessionOptions): Promise<FuseSession> {
    const mounted = await mountFuse(dir, options);
    const shared = SessionShared.create();
    const log = options.log ?? (() => {});
    const workers: Worker[] = [];
    const ends: Promise<WorkerEnd>[] = [];
    const onCrash = () => abortWhileServing(mounted, shared);
    try {
      for (let i = 0; i < (options.workers ?? DEFAULT_WORKERS); i++) {
        const w = startWorker(i, mounted, shared, options);
        workers.push(w);
        ends.push(watchWorker(w, log, onCrash));
      }
    } catch (err) {
      abortConnection(mounted.connection);
      await unmountFuse(mounted);
      throw err;
    }
    const ended = Promise.all(ends).then((list) => {
      libc().close(mounted.fd);
      for (const w of workers) w.terminate();
      return {
        errnos: list.flatMap((e) => e.errno === undefined ? [] : [e.errno]),
        crashes: list.flatMap((e) => e.crash === undefined ? [] : [e.crash]),
      };
    });
    const session = new FuseSession(mounted, shared, ended);
    // Every Worker gone before INIT was answered also settles the wait.
    const state = await Promise.race([shared.settled(), ended.then(() => -1)]);
    if (state !== SessionStateValue.READY) {
      await session.abort();
      const end = await ended;
      throw new Error(`fuse: mount of ${mounted.dir} failed at INIT ${JSON.stringify(end)}`);
    }
    return session;
  }

  /** The mount point (absolute, no symlinks). */
  get dir(): string {
    return this.mounted.dir;
  }

  /** fusectl's number for this connection. */
  get connection(): number {
    return this.mounted.connection;
  }

  /**
   * Detach the mount and wait for the Workers to end. Host programs still
   * inside the mount keep it (and the Workers) until they leave.
   */
  async unmount(): Promise<SessionEnd> {
    await unmountFuse(this.mounted);
    return await this.ended;
  }

  /** Fail every request with ENOTCONN, detach, and wait for the Workers to end. */
  async abort(): Promise<SessionEnd> {
    abortWhileServing(this.mounted, this.shared);
    await unmountFuse(this.mounted);
    return await this.ended;
  }
}

/**
 * Abort the connection if a Worker still reads it. Only then is its number
 * surely ours: the kernel frees the number when it ends the connection, and
 * that ends every read. With no Worker left, closing our fd (when `ended`
 * settles) ends the connection instead, as a dead server's would.
 */
function abortWhileServing(mounted: Mounted, shared: SessionShared): void {
  if (shared.serving > 0) abortConnection(mounted.connection);
}

interface WorkerEnd {
  errno?: number;
  crash?: string;
}

function startWorker(
  index: number,
  mounted: Mounted,
  shared: SessionShared,
  options: SessionOptions,
): Worker {
  const w = new Worker(options.workerModule, {
    type: "module",
    name: `fuse-${mounted.fsName}-${index}`,
    deno: { permissions: { ...options.permissions, ffi: true } },
  } as WorkerOptions);
  const init: WorkerInit = {
    type: "init",
    fd: mounted.fd,
    shared: shared.sab,
    timeouts: {
      entryMs: options.entryTimeoutMs ?? DEFAULT_ENTRY_TIMEOUT_MS,
      attrMs: options.attrTimeoutMs ?? DEFAULT_ATTR_TIMEOUT_MS,
    },
    handlerOptions: options.handlerOptions,
  };
  w.postMessage(init);
  return w;
}

/** Resolves when Worker `w` has left its loop or died; a crash aborts the connection. */
function watchWorker(
  w: Worker,
  log: (text: string) => void,
  onCrash: () => void,
): Promise<WorkerEnd> {
  return new Promise((resolve) => {
    const crashed = (text: string) => {
      log(`fuse: session Worker crashed: ${text}`);
      onCrash();
      resolve({ crash: text });
    };
    w.onmessage = (e: MessageEvent) => {
      const m = e.data as WorkerEvent;
      if (m.type === "log") log(m.text);
      else if (m.type === "ended") resolve({ errno: m.errno });
      else if (m.type === "crashed") crashed(m.text);
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      crashed(e.message);
    };
  });
}
