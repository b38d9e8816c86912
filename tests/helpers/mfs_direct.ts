// Test helper: run mfs_ram in this thread, without a Worker or rings, over
// a state buffer the test holds. "Restarting" is building a new instance
// over the same buffers, which is exactly what a restarted Worker does, so
// a test can stop it at a chosen point (an allocation never committed, a
// torn journal record, a transaction that failed half-way) and look at what
// recovery makes of it.

import { ROOT_CREDS } from "../../kernel/sysmem.ts";
import { CapTable } from "../../kernel/cap/table.ts";
import { ErrnoError } from "../../kernel/errno.ts";
import type { Area } from "../../kernel/ipc/channel.ts";
import { PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import type { ServerEnv } from "../../kernel/ipc/server_runtime.ts";
import { Endpoint } from "../../kernel/registry.ts";
import type { Mfs } from "../../servers/mfs_ram/context.ts";
import { STATE_BYTES } from "../../servers/mfs_ram/layout.ts";
import { recover } from "../../servers/mfs_ram/recovery.ts";
import { buildRoutes } from "../../servers/mfs_ram/setup.ts";

/** The pid requests come from (and open files are held by). */
export const HOLDER = 1;

/** One in-thread mfs_ram over a state buffer. */
export class DirectMfs {
  readonly mfs: Mfs;
  readonly routes: Map<number, Route>;
  readonly keepSlots: Set<number>;
  readonly summary: string;
  readonly logs: string[] = [];
  readonly data = new Uint8Array(1 << 20);
  readonly #w = new PayloadWriter();

  constructor(
    readonly state: SharedArrayBuffer,
    readonly caps: SharedArrayBuffer,
    options: Record<string, unknown> = {},
  ) {
    const table = new CapTable(caps, Endpoint.MFS_RAM);
    const env = {
      init: { options, endpoint: Endpoint.MFS_RAM, state, restart: true },
      caps: table,
      sys: { creds: () => ROOT_CREDS },
      log: (t: string) => this.logs.push(t),
      pid: 9,
    } as unknown as ServerEnv;
    const r = recover(env, state);
    this.mfs = r.mfs;
    this.keepSlots = r.keepSlots;
    this.summary = r.summary;
    this.routes = buildRoutes(r.mfs);
    // As the runtime does after setup: our range keeps only what we named.
    table.adoptRange((slot) => r.keepSlots.has(slot));
  }

  /** A fresh state buffer and capability table. */
  static fresh(options: Record<string, unknown> = {}): DirectMfs {
    return new DirectMfs(new SharedArrayBuffer(STATE_BYTES), CapTable.createBuffer(), options);
  }

  /** What a restarted Worker would rebuild from the same buffers. */
  restart(options: Record<string, unknown> = {}): DirectMfs {
    return new DirectMfs(this.state, this.caps, options);
  }

  /** Call a handler; returns its answer, or throws its error. */
  call(
    op: number,
    build?: (w: PayloadWriter) => void,
    opts: { object?: number; value?: number; capSlot?: number } = {},
  ): Answer {
    const route = this.routes.get(op);
    if (route === undefined) throw new Error(`no route ${op}`);
    if (build !== undefined) build(this.#w.reset());
    const req: Request = {
      op,
      id: 1,
      pid: HOLDER,
      area: { data: this.data } as unknown as Area,
      object: opts.object ?? 0,
      capSlot: opts.capSlot ?? 0,
      capGen: 0,
      value: opts.value ?? 0,
      args: new PayloadReader(build === undefined ? new Uint8Array(0) : this.#w.bytes().slice()),
      traceId: 0,
      traced: false,
    };
    const a = route.fn(req);
    if (a instanceof Promise) throw new Error("mfs_ram answered asynchronously");
    return a;
  }

  /** The errno a call fails with (0: success). */
  errno(op: number, build?: (w: PayloadWriter) => void, opts = {}): number {
    try {
      this.call(op, build, opts);
      return 0;
    } catch (e) {
      if (e instanceof ErrnoError) return e.errno;
      throw e;
    }
  }

  /** The answer's value and a reader over its payload. */
  ok(
    op: number,
    build?: (w: PayloadWriter) => void,
    opts: { object?: number; value?: number; capSlot?: number } = {},
  ): { value: number; r: PayloadReader } {
    const a = this.call(op, build, opts);
    if (typeof a === "number") return { value: a, r: new PayloadReader(new Uint8Array(0)) };
    return { value: a.value, r: new PayloadReader(a.payload ?? new Uint8Array(0)) };
  }
}
