// The FUSE bridge: a directory of the MelloOS VFS mounted on the host, served
// by session Workers that are MelloOS processes (vfs_worker.ts), and kept
// up: if a session Worker dies, the session aborts its connection (host
// programs get ENOTCONN, nothing hangs) and detaches the mount, and the
// bridge mounts it again after a back-off, as the supervisor restarts a
// server.

import type { Kernel } from "../../kernel/kernel.ts";
import type { Process } from "../../kernel/proc/process.ts";
import { NodeTable } from "./node_table.ts";
import { DEFAULT_WORKERS } from "./params.ts";
import { FuseSession, type SessionEnd } from "./session.ts";
import type { VfsWorkerOptions } from "./vfs_options.ts";

/** Nodes the host kernel may hold at once (the node table's size: 14 words each). */
const NODE_SLOTS = 1 << 18;
/** Restart back-off: first delay, doubling up to the cap. */
const RESTART_FIRST_MS = 100;
const RESTART_MAX_MS = 5000;
/** A session that served this long before it died starts the back-off afresh. */
const STABLE_MS = 10_000;

const workerModule = new URL("./vfs_worker.ts", import.meta.url);

/** What to mount. */
export interface FuseBridgeOptions {
  /** Host directory to mount on. */
  dir: string;
  /** MelloOS directory to serve (default "/"). */
  root?: string;
  /** Session Workers (requests served at once). */
  workers?: number;
  entryTimeoutMs?: number;
  attrTimeoutMs?: number;
}

/** State of a bridge, as `service` and the API show it. */
export type BridgeState = "up" | "restarting" | "stopped";

export class FuseBridge {
  state: BridgeState = "restarting";
  restarts = 0;
  #session?: FuseSession;
  #processes: Process[] = [];
  #stopping = false;
  #startedAt = 0;
  #delayMs = RESTART_FIRST_MS;
  #timer?: ReturnType<typeof setTimeout>;
  /** Waiting for the next "up" (or for the end). */
  #onUp: Array<() => void> = [];

  private constructor(readonly kernel: Kernel, readonly options: FuseBridgeOptions) {}

  /** Mount `options.dir` and serve it; resolves once the host can use it. */
  static async start(kernel: Kernel, options: FuseBridgeOptions): Promise<FuseBridge> {
    const b = new FuseBridge(kernel, options);
    await b.#start();
    return b;
  }

  get dir(): string {
    return this.#session?.dir ?? this.options.dir;
  }

  /** Session Workers' pids (MelloOS processes named "fuse"). */
  get pids(): number[] {
    return this.#processes.map((p) => p.pid);
  }

  /** Kill a session Worker's process, as a crash would (tests). */
  crash(): void {
    const p = this.#processes[0];
    if (p !== undefined) this.kernel.manager.terminate(p, 9);
  }

  /** `service crash|restart fuse`: end the session now; resolves once it is up again. */
  restartNow(): Promise<void> {
    if (this.state !== "up") return Promise.resolve();
    this.#delayMs = 0;
    const up = new Promise<void>((resolve) => this.#onUp.push(resolve));
    this.crash();
    return up;
  }

  async #start(): Promise<void> {
    const n = this.options.workers ?? DEFAULT_WORKERS;
    const attached = [];
    try {
      for (let i = 0; i < n; i++) attached.push(await this.kernel.attachProcess("fuse"));
    } catch (err) {
      for (const a of attached) this.kernel.manager.exit(a.process, 1);
      throw err;
    }
    this.#processes = attached.map((a) => a.process);
    const handlerOptions: VfsWorkerOptions = {
      nodes: NodeTable.create(NODE_SLOTS, new TextEncoder().encode("root")).sab,
      root: this.options.root ?? "/",
      processes: attached.map((a) => a.init),
      claim: new SharedArrayBuffer(4),
      // The same counters the VFS reads (no file data in them).
      attrEpochs: this.kernel.supervisor.get("vfs")?.spec.options?.attrEpochs as
        | Record<number, SharedArrayBuffer>
        | undefined,
    };
    try {
      this.#session = await FuseSession.mount(this.options.dir, {
        workerModule,
        handlerOptions,
        workers: n,
        entryTimeoutMs: this.options.entryTimeoutMs,
        attrTimeoutMs: this.options.attrTimeoutMs,
        fsName: "melloos",
        log: (t) => this.kernel.log(t),
      });
    } catch (err) {
      this.#endProcesses();
      throw err;
    }
    this.state = "up";
    this.#startedAt = performance.now();
    for (const done of this.#onUp.splice(0)) done();
    const session = this.#session;
    // A killed process's Worker fails its next request; end the session so it restarts.
    for (const p of this.#processes) {
      p.exited.then(() => {
        if (this.#session === session && !this.#stopping) void session.abort();
      });
    }
    void session.ended.then((end) => this.#ended(session, end));
  }

  #ended(session: FuseSession, end: SessionEnd): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    this.#endProcesses();
    if (this.#stopping) {
      this.state = "stopped";
      return;
    }
    this.kernel.log(
      `fuse: ${this.options.dir}: session ended (${end.crashes.length} crashes); restarting`,
    );
    this.state = "restarting";
    if (performance.now() - this.#startedAt > STABLE_MS) this.#delayMs = RESTART_FIRST_MS;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.restarts++;
      this.#start().catch((err) => {
        this.kernel.log(`fuse: ${this.options.dir}: restart failed: ${err}`);
        this.#ended(session, { errnos: [], crashes: [] });
      });
    }, this.#delayMs);
    this.#delayMs = Math.min(this.#delayMs * 2, RESTART_MAX_MS);
  }

  #endProcesses(): void {
    for (const p of this.#processes) {
      if (p.state === "running") this.kernel.manager.exit(p, 0);
    }
    this.#processes = [];
  }

  /** Abort the connection (nothing hangs), detach the mount, end the Workers. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const session = this.#session;
    if (session !== undefined) await session.abort();
    this.#endProcesses();
    this.state = "stopped";
    for (const done of this.#onUp.splice(0)) done();
  }
}
