// What every server Worker shares: the start-up handshake with the kernel,
// the control messages, the heartbeat, and the log.
//
// Start-up: the kernel posts ServerInit (the shared buffers, our endpoint,
// the areas of every process that exists); the server builds its dispatch
// table and answers "ready". Afterwards the kernel posts attach/detach as
// processes come and go, and "crash" when a user asks for one. The heartbeat
// is a counter we bump every HEARTBEAT_MS in shared memory: a server whose
// event loop is stuck stops bumping it, and the supervisor notices.

import { CapTable } from "../cap/table.ts";
import { Right } from "../cap/rights.ts";
import { workerScope } from "./worker_scope.ts";
import { SysMem } from "../sysmem.ts";
import { Area } from "./channel.ts";
import { AsyncClient } from "./client_async.ts";
import { SpinSlots } from "./doorbell.ts";
import type { CapToken } from "./message.ts";
import { type Route, Server } from "./server.ts";
import { TraceWriter } from "../trace/events.ts";

export const HEARTBEAT_MS = 100;

/** Requests every server answers, from the kernel (they need Right.SYSTEM). */
export const ServerOp = {
  PROC_EXIT: 0x80ff, // area id -> (): the process on that area ended; drop its waits
} as const;

/** Words of a server's status buffer (kernel reads them for `service`). */
export const Status = {
  BEAT: 0,
  REQUESTS: 1,
  REPLIES: 2,
  ERRORS: 3,
  REJECTED: 4,
  CHANNELS: 5,
  /** Set by the supervisor when it has given up on this Worker (see "hang"). */
  RETIRED: 6,
  WORDS: 8,
} as const;

/** The kernel's start-up message to a server. */
export interface ServerInit {
  type: "init";
  name: string;
  endpoint: number;
  pid: number;
  sys: SharedArrayBuffer;
  caps: SharedArrayBuffer;
  spin: SharedArrayBuffer;
  status: SharedArrayBuffer;
  trace: SharedArrayBuffer;
  /** Our own area, for calling other servers. */
  area: { id: number; sab: SharedArrayBuffer };
  /** Every process area to serve. */
  areas: Array<{ id: number; sab: SharedArrayBuffer }>;
  /** Endpoint capabilities we hold, by endpoint id. */
  endpointCaps: Record<number, CapToken>;
  /** Server-specific options. */
  options: Record<string, unknown>;
  /** State that outlives this Worker (servers that keep theirs in shared memory). */
  state?: SharedArrayBuffer;
  /** This is a restart: the previous instance died. */
  restart: boolean;
}

/** Kernel -> server control messages after init. */
export type Control =
  | { type: "attach"; id: number; sab: SharedArrayBuffer }
  | { type: "detach"; id: number }
  | { type: "crash" }
  | { type: "hang" }
  | { type: "stop" };

/** What a server's setup gets to work with. */
export interface ServerEnv {
  init: ServerInit;
  sys: SysMem;
  /** Capability table view minting in our own range. */
  caps: CapTable;
  spin: SpinSlots;
  /** Our client side, for calls to other servers. */
  client: AsyncClient;
  trace: TraceWriter;
  log: (text: string) => void;
  /** Our pid (the holder of capabilities we keep for ourselves). */
  pid: number;
}

/** What a server provides. */
export interface ServerParts {
  /** Capability slots of ours that stay valid across a restart (state kept in shared memory). */
  keepSlots?: Set<number>;
  routes: Map<number, Route>;
  /** The process on an area ended (or the area is gone): drop what it was waiting for. */
  onDetach?: (areaId: number) => void;
  /** The kernel is shutting down: restore what we changed on the host. */
  onStop?: () => void;
}

/** Run this Worker as a server: `setup` builds the dispatch table. */
export function runServer(setup: (env: ServerEnv) => ServerParts | Promise<ServerParts>): void {
  // A bug that escapes a handler ends this Worker; the supervisor hears of it
  // here rather than through a stack trace on the user's terminal.
  const die = (what: unknown) => {
    const text = what instanceof Error ? (what.stack ?? what.message) : String(what);
    workerScope.postMessage({ type: "crashed", text });
    workerScope.close();
  };
  addEventListener("error", (e) => {
    e.preventDefault();
    die((e as ErrorEvent).error ?? (e as ErrorEvent).message);
  });
  addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    die(e.reason);
  });

  let server: Server | undefined;
  let onDetach: ((id: number) => void) | undefined;
  let onStop: (() => void) | undefined;
  let status: SharedArrayBuffer | undefined;
  const early: Control[] = [];

  workerScope.onmessage = async (e: MessageEvent) => {
    const msg = e.data as ServerInit | Control;
    if (msg.type === "init") {
      const env = makeEnv(msg);
      status = msg.status;
      const parts = await setup(env);
      // A successor revokes what its predecessor minted, except what it kept.
      if (msg.restart) env.caps.adoptRange((slot) => parts.keepSlots?.has(slot) ?? false);
      onDetach = parts.onDetach;
      onStop = parts.onStop;
      const routes = new Map(parts.routes);
      // Every server forgets what a process that ended was waiting for.
      routes.set(ServerOp.PROC_EXIT, {
        need: Right.SYSTEM,
        fn: (req) => {
          parts.onDetach?.(req.args.int(0));
          return 0;
        },
      });
      server = new Server({
        endpoint: msg.endpoint,
        caps: env.caps,
        sys: env.sys,
        spin: env.spin,
        routes,
        log: env.log,
        trace: env.trace,
        waitingDownstream: () => env.client.awaiting > 0,
      });
      for (const a of msg.areas) server.attach(new Area(a.sab, a.id));
      for (const c of early.splice(0)) control(c);
      startHeartbeat(msg.status, server);
      workerScope.postMessage({ type: "ready" });
      return;
    }
    if (server === undefined) early.push(msg);
    else control(msg);
  };

  function control(msg: Control): void {
    switch (msg.type) {
      case "attach":
        server!.attach(new Area(msg.sab, msg.id));
        break;
      case "detach":
        server!.detach(msg.id);
        onDetach?.(msg.id);
        break;
      case "crash":
        // On purpose, for recovery tests: an uncaught error ends this Worker.
        setTimeout(() => {
          throw new Error("crash requested by the kernel");
        }, 0);
        break;
      case "hang": {
        // On purpose, for supervisor tests: the event loop stops (no heartbeat,
        // no requests served) until the supervisor retires us.
        const words = new Int32Array(status!);
        while (Atomics.load(words, Status.RETIRED) === 0) {
          Atomics.wait(words, Status.RETIRED, 0, 1000);
        }
        server!.stop();
        workerScope.close();
        break;
      }
      case "stop":
        server!.stop();
        onStop?.();
        workerScope.postMessage({ type: "stopped" });
        workerScope.close();
        break;
    }
  }
}

function makeEnv(init: ServerInit): ServerEnv {
  const sys = new SysMem(init.sys);
  const caps = new CapTable(init.caps, init.endpoint);
  const trace = new TraceWriter(init.trace, init.endpoint);
  const area = new Area(init.area.sab, init.area.id);
  return {
    init,
    sys,
    caps,
    spin: new SpinSlots(new Int32Array(init.spin)),
    client: new AsyncClient(area, trace, init.pid, () => sys.traceAll),
    trace,
    log: (text) => workerScope.postMessage({ type: "log", text: `${init.name}: ${text}` }),
    pid: init.pid,
  };
}

function startHeartbeat(status: SharedArrayBuffer, server: Server): void {
  const words = new Int32Array(status);
  const beat = () => {
    Atomics.add(words, Status.BEAT, 1);
    Atomics.store(words, Status.REQUESTS, server.stats.requests | 0);
    Atomics.store(words, Status.REPLIES, server.stats.replies | 0);
    Atomics.store(words, Status.ERRORS, server.stats.errors | 0);
    Atomics.store(words, Status.REJECTED, server.stats.rejected | 0);
    Atomics.store(words, Status.CHANNELS, server.channels);
  };
  beat();
  setInterval(beat, HEARTBEAT_MS);
}
