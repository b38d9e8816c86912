// The supervisor: starts each server in its own Worker, notices when one
// crashes (a Worker error or exit) or hangs (its heartbeat stops), and
// restarts it with back-off, as MINIX 3's reincarnation server does.
//
// A restart, in order:
//   1. every client's channel to the endpoint is marked RESTARTING, and its
//      request ring emptied with a new epoch: calls in flight fail with EIO
//      (or are retried by the library where that is safe), new calls wait;
//   2. the old Worker is terminated (best effort: a Worker stuck in a loop
//      cannot be stopped in Deno 2.9, but it no longer owns any channel);
//   3. after the back-off delay a new Worker gets the same endpoint, pid,
//      capabilities and state buffer, and every area;
//   4. when it answers "ready", the channels are marked UP and every
//      client is woken. Too many restarts in a row mark the endpoint FAILED:
//      calls to it fail with EIO instead of waiting for ever.

import type { Area } from "./ipc/channel.ts";
import { EndpointState } from "./ipc/channel.ts";
import type { CapToken } from "./ipc/message.ts";
import { type ServerInit, Status } from "./ipc/server_runtime.ts";
import type { ServerSpec } from "./registry.ts";
import { TRACE_AREA_BYTES } from "./trace/events.ts";

/** Supervisor tunables. */
export const RESTART_BASE_MS = 20; // first back-off step
export const RESTART_MAX_MS = 2000; // back-off ceiling
export const RESTART_BURST = 5; // restarts within RESTART_WINDOW_MS before FAILED
export const RESTART_WINDOW_MS = 10_000;
export const HANG_MS = 3000; // heartbeat silence that counts as a hang
export const READY_TIMEOUT_MS = 15_000;

export type ServerState = "starting" | "up" | "restarting" | "failed" | "stopped";

/** A supervised server. */
export interface ServerHandle {
  spec: ServerSpec;
  pid: number;
  state: ServerState;
  worker?: Worker;
  restarts: number;
  recent: number[];
  status: Int32Array;
  statusSab: SharedArrayBuffer;
  trace: SharedArrayBuffer;
  state_?: SharedArrayBuffer;
  area: Area;
  endpointCaps: Record<number, CapToken>;
  startedAt: number;
  lastBeat: number;
  lastBeatAt: number;
  ready?: Promise<void>;
}

/** What the supervisor needs from the kernel. */
export interface SupervisorHost {
  sys: SharedArrayBuffer;
  caps: SharedArrayBuffer;
  spin: SharedArrayBuffer;
  /** Every process area, for init and for marking channels. */
  areas(): Iterable<Area>;
  log(text: string): void;
  /** A server's traced events are to be collected from `trace`. */
  onTraceBuffer(name: string, endpoint: number, trace: SharedArrayBuffer): void;
}

export class Supervisor {
  readonly servers = new Map<string, ServerHandle>();
  readonly #byEndpoint = new Map<number, ServerHandle>();
  #monitor?: ReturnType<typeof setInterval>;
  #stopping = false;

  constructor(readonly host: SupervisorHost) {}

  /** Register and start a server; resolves when it is ready. */
  add(
    spec: ServerSpec,
    pid: number,
    area: Area,
    endpointCaps: Record<number, CapToken>,
  ): Promise<void> {
    const statusSab = new SharedArrayBuffer(Status.WORDS * 4);
    const h: ServerHandle = {
      spec,
      pid,
      state: "starting",
      restarts: 0,
      recent: [],
      status: new Int32Array(statusSab),
      statusSab,
      trace: new SharedArrayBuffer(TRACE_AREA_BYTES),
      state_: spec.stateBytes > 0 ? new SharedArrayBuffer(spec.stateBytes) : undefined,
      area,
      endpointCaps,
      startedAt: performance.now(),
      lastBeat: -1,
      lastBeatAt: performance.now(),
    };
    this.servers.set(spec.name, h);
    this.#byEndpoint.set(spec.endpoint, h);
    this.host.onTraceBuffer(spec.name, spec.endpoint, h.trace);
    this.#monitor ??= setInterval(() => this.#checkHeartbeats(), 250);
    return this.#start(h, false);
  }

  get(name: string): ServerHandle | undefined {
    return this.servers.get(name);
  }

  byEndpoint(ep: number): ServerHandle | undefined {
    return this.#byEndpoint.get(ep);
  }

  /** Tell every live server about a new area. */
  attach(area: Area): void {
    for (const h of this.servers.values()) {
      h.worker?.postMessage({ type: "attach", id: area.id, sab: area.sab });
    }
  }

  /** Tell every live server an area is gone. */
  detach(areaId: number): void {
    for (const h of this.servers.values()) h.worker?.postMessage({ type: "detach", id: areaId });
  }

  /** Restart a server now (as after a crash). */
  async restart(name: string, why = "restart requested"): Promise<void> {
    const h = this.servers.get(name);
    if (h === undefined) throw new Error(`no server ${name}`);
    await this.#recover(h, why, true);
  }

  /** Make a server hang (its event loop stops), for tests of hang detection. */
  hang(name: string): void {
    this.servers.get(name)?.worker?.postMessage({ type: "hang" });
  }

  /** Make a server crash, as a bug would; resolves when it is back (or failed). */
  async crash(name: string): Promise<void> {
    const h = this.servers.get(name);
    if (h === undefined) throw new Error(`no server ${name}`);
    const before = h.restarts;
    const back = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (h.state === "up" && h.worker !== undefined && h.restarts > before) {
          clearInterval(poll);
          resolve();
        } else if (h.state === "failed") {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    h.worker?.postMessage({ type: "crash" });
    await back;
  }

  #start(h: ServerHandle, restart: boolean): Promise<void> {
    const spec = h.spec;
    // Each Worker gets its own status words: a retired one keeps its RETIRED flag.
    h.statusSab = new SharedArrayBuffer(Status.WORDS * 4);
    h.status = new Int32Array(h.statusSab);
    const worker = new Worker(spec.module, {
      type: "module",
      name: spec.name,
      deno: { permissions: spec.permissions },
    } as WorkerOptions);
    h.worker = worker;
    h.state = restart ? "restarting" : "starting";
    h.startedAt = performance.now();
    h.lastBeatAt = performance.now();
    h.lastBeat = -1;
    const init: ServerInit = {
      type: "init",
      name: spec.name,
      endpoint: spec.endpoint,
      pid: h.pid,
      sys: this.host.sys,
      caps: this.host.caps,
      spin: this.host.spin,
      status: h.statusSab,
      trace: h.trace,
      area: { id: h.area.id, sab: h.area.sab },
      areas: [...this.host.areas()].map((a) => ({ id: a.id, sab: a.sab })),
      endpointCaps: h.endpointCaps,
      options: spec.options ?? {},
      state: h.state_,
      restart,
    };
    h.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${spec.name} not ready`)), READY_TIMEOUT_MS);
      worker.onmessage = (e: MessageEvent) => {
        const m = e.data as { type: string; text?: string };
        if (m.type === "ready") {
          clearTimeout(timer);
          h.state = "up";
          this.#markAll(spec.endpoint, EndpointState.UP);
          resolve();
        } else if (m.type === "log" && typeof m.text === "string") {
          this.host.log(m.text);
        } else if (m.type === "crashed") {
          clearTimeout(timer);
          if (h.worker !== worker) return;
          this.host.log(
            `${spec.name}: crashed: ${String(m.text).split("\n").slice(0, 4).join(" / ")}`,
          );
          void this.#recover(h, "crash", false);
          resolve();
        }
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        clearTimeout(timer);
        if (h.worker !== worker) return;
        this.host.log(`${spec.name}: crashed: ${e.message}`);
        void this.#recover(h, `crash: ${e.message}`, false);
        resolve();
      };
    });
    worker.postMessage(init);
    return h.ready;
  }

  async #recover(h: ServerHandle, why: string, requested: boolean): Promise<void> {
    if (this.#stopping || h.state === "stopped") return;
    const old = h.worker;
    h.worker = undefined;
    h.state = "restarting";
    this.#markAll(h.spec.endpoint, EndpointState.RESTARTING, true);
    // A Worker stuck in Atomics.wait wakes to find itself retired; one stuck
    // in a loop cannot be stopped by Deno 2.9, but it owns nothing any more.
    Atomics.store(h.status, Status.RETIRED, 1);
    Atomics.notify(h.status, Status.RETIRED);
    old?.terminate();
    const now = performance.now();
    h.recent = h.recent.filter((t) => now - t < RESTART_WINDOW_MS);
    if (!requested && h.recent.length >= RESTART_BURST) {
      h.state = "failed";
      this.#markAll(h.spec.endpoint, EndpointState.FAILED);
      this.host.log(
        `${h.spec.name}: failed: ${h.recent.length} restarts in ${RESTART_WINDOW_MS} ms`,
      );
      return;
    }
    const delay = requested ? 0 : Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** h.recent.length);
    h.recent.push(now);
    h.restarts++;
    this.host.log(`${h.spec.name}: restarting in ${delay} ms (${why})`);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (this.#stopping) return;
    try {
      await this.#start(h, true);
    } catch (err) {
      // It never said it was ready: give up on it (FAILED), as after a burst of crashes.
      this.host.log(`${h.spec.name}: ${(err as Error).message}`);
      (h.worker as Worker | undefined)?.terminate();
      h.worker = undefined;
      h.state = "failed";
      this.#markAll(h.spec.endpoint, EndpointState.FAILED);
    }
  }

  /** Set every area's channel to `ep` to `state` (and empty it when going down). */
  #markAll(ep: number, state: number, reset = false): void {
    for (const area of this.host.areas()) {
      const ch = area.channel(ep);
      ch.setDown(state);
      if (reset) ch.reset();
      else area.replyBell.force();
    }
  }

  #checkHeartbeats(): void {
    const now = performance.now();
    for (const h of this.servers.values()) {
      if (h.state !== "up") continue;
      const beat = Atomics.load(h.status, Status.BEAT);
      if (beat !== h.lastBeat) {
        h.lastBeat = beat;
        h.lastBeatAt = now;
      } else if (now - h.lastBeatAt > HANG_MS) {
        this.host.log(`${h.spec.name}: no heartbeat for ${Math.round(now - h.lastBeatAt)} ms`);
        void this.#recover(h, "hung", false);
      }
    }
  }

  /** Stop every server (shutdown). */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#monitor !== undefined) clearInterval(this.#monitor);
    const waits: Promise<void>[] = [];
    for (const h of this.servers.values()) {
      const w = h.worker;
      h.state = "stopped";
      if (w === undefined) continue;
      waits.push(
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            w.terminate();
            resolve();
          }, 500);
          w.onmessage = (e: MessageEvent) => {
            if ((e.data as { type: string }).type === "stopped") {
              clearTimeout(timer);
              resolve();
            }
          };
          w.postMessage({ type: "stop" });
        }),
      );
    }
    await Promise.all(waits);
  }
}
