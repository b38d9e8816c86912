// Warm Workers: program Workers ready before anyone asks, so that spawn pays
// neither a Worker start (~20 ms) nor its first postMessage (~2 ms).
//
// A warm Worker has loaded the runtime and the userland library, holds its
// IPC area, and is parked on the area's job bell (its state word reads WARM).
// Spawning writes the job into the area and rings: nothing else.
//
// Where Workers come from, in order of preference:
//   1. recycled: a Worker whose program exited cleanly goes back to sleep,
//      still attached to every server (no postMessage: each costs ~0.3 ms),
//      and may run the next program of the same protection domain: the same
//      credentials (uids, gids, groups) and the same endpoint rights. A
//      program can leave traps in its Worker's JavaScript realm (replace a
//      built-in, say); those can only reach a later process that could do
//      nothing its predecessor could not, as Linux processes of one uid may
//      ptrace each other. The runtime offers itself only when the program
//      left nothing running behind it (no timers, listeners or nested
//      Workers); see userland/runtime/worker.ts.
//   2. fresh: started in the background. `new Worker()` blocks the kernel's
//      thread for 6-12 ms in Deno 2.9 (and nested Workers take ~0.5 s to
//      start, so another thread cannot do it for us), so starts are never on
//      a syscall's path: they run from a timer after the work that used one.

import { type Area, AreaState } from "../ipc/channel.ts";
import { TRACE_AREA_BYTES } from "../trace/events.ts";

/** An idle program Worker, known by its area. */
export interface WarmWorker {
  worker: Worker;
  area: Area;
  trace: SharedArrayBuffer;
}

export interface PoolHost {
  spin: SharedArrayBuffer;
  /** A fresh area, already known to every server. */
  newArea(): Area;
  /** Give an area back for good. */
  dropArea(area: Area): void;
  /** An uncaught error ended the Worker running on `area`. */
  onWorkerError(area: Area, message: string): void;
}

/** Recycled Workers kept at most (each holds its program's heap until reused). */
const MAX_RECYCLED = 8;
/** A recycled Worker that has not parked by then is stuck in its old program. */
const PARK_DEADLINE_MS = 2000;
/** How long a spawn waits for a recycled Worker still tidying up. */
const SETTLE_MS = 5;

const runtimeUrl = new URL("../../userland/runtime/worker.ts", import.meta.url);

interface Recycled extends WarmWorker {
  domain: string;
  since: number;
}

/** How the pool has served takes (`service` prints them). */
export interface PoolStats {
  recycledTakes: number;
  warmTakes: number;
  coldTakes: number;
  started: number;
}

export class WarmPool {
  readonly stats: PoolStats = { recycledTakes: 0, warmTakes: 0, coldTakes: 0, started: 0 };
  readonly #ready: WarmWorker[] = [];
  readonly #recycled: Recycled[] = [];
  readonly #waiting: Array<(w: WarmWorker) => void> = [];
  #starting = 0;
  #fillTimer?: ReturnType<typeof setTimeout>;
  #closed = false;
  #failures = 0;

  constructor(readonly host: PoolHost, readonly size: number) {}

  /** Start Workers (one per timer tick) until `size` are warm or warming. */
  fill(): void {
    if (this.#closed || this.#fillTimer !== undefined) return;
    if (this.#ready.length + this.#starting >= this.size + this.#waiting.length) return;
    this.#fillTimer = setTimeout(() => {
      this.#fillTimer = undefined;
      if (this.#closed) return;
      this.#startOne().then(
        (w) => {
          this.#failures = 0;
          if (this.#closed) {
            this.#discard(w); // shut down while it was starting
            return;
          }
          const waiter = this.#waiting.shift();
          if (waiter !== undefined) waiter(w);
          else this.#ready.push(w);
          this.fill();
        },
        () => {
          this.#failures++;
          setTimeout(() => this.fill(), Math.min(5000, 50 * 2 ** this.#failures));
        },
      );
      this.fill();
    }, 0);
  }

  /** A Worker for a program of protection `domain`: a recycled one if it is parked, else a warm one. */
  async take(domain: string): Promise<WarmWorker> {
    const now = performance.now();
    let settling: Recycled | undefined;
    for (let i = 0; i < this.#recycled.length; i++) {
      const r = this.#recycled[i];
      if (r.domain === domain && r.area.state === AreaState.WARM) {
        this.#recycled.splice(i, 1);
        this.stats.recycledTakes++;
        return r;
      }
      if (r.area.state !== AreaState.WARM && now - r.since > PARK_DEADLINE_MS) {
        this.#recycled.splice(i--, 1);
        this.#discard(r);
      } else if (r.domain === domain) {
        settling ??= r;
      }
    }
    // A Worker of this domain is still tidying after its last program (a few
    // µs): waiting for it beats taking a warm one, whose replacement costs
    // the kernel's thread ~10 ms.
    if (settling !== undefined && await this.#settles(settling)) {
      const i = this.#recycled.indexOf(settling);
      if (i >= 0) {
        this.#recycled.splice(i, 1);
        this.stats.recycledTakes++;
        return settling;
      }
    }
    const w = this.#ready.shift();
    this.fill();
    if (w !== undefined) {
      this.stats.warmTakes++;
      return w;
    }
    this.stats.coldTakes++;
    // Queue first, then fill: fill() counts waiters (with size 0 nothing else starts one).
    const cold = new Promise<WarmWorker>((resolve) => this.#waiting.push(resolve));
    this.fill();
    return await cold;
  }

  /** Wait (up to SETTLE_MS) for a recycled Worker to park. */
  async #settles(r: Recycled): Promise<boolean> {
    const state = r.area.i32;
    const deadline = performance.now() + SETTLE_MS;
    while (Atomics.load(state, 0) !== AreaState.WARM) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      const res = Atomics.waitAsync(state, 0, Atomics.load(state, 0), left);
      if (res.async) await res.value;
    }
    return true;
  }

  /** A Worker whose program exited cleanly, for the next program of the same `domain`. */
  recycle(w: WarmWorker, domain: string): void {
    if (this.#closed || this.#recycled.length >= MAX_RECYCLED) {
      this.#discard(w);
      return;
    }
    this.#recycled.push({ ...w, domain, since: performance.now() });
  }

  /** End a Worker we do not want back. */
  #discard(w: WarmWorker): void {
    w.area.kill();
    w.worker.terminate();
    this.host.dropArea(w.area);
  }

  /** Workers the pool holds with their areas: warm, recycled and starting. */
  get idle(): number {
    return this.#ready.length + this.#recycled.length + this.#starting;
  }

  /** Workers ready right now. */
  get warm(): number {
    return this.#ready.length;
  }

  /** Resolves once `size` Workers are warm. */
  async whenFull(): Promise<void> {
    this.fill();
    while (this.#ready.length < this.size && !this.#closed) {
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async #startOne(): Promise<WarmWorker> {
    this.#starting++;
    this.stats.started++;
    const area = this.host.newArea();
    const trace = new SharedArrayBuffer(TRACE_AREA_BYTES);
    const worker = new Worker(runtimeUrl, {
      type: "module",
      name: `program-${area.id}`,
      deno: { permissions: "none" },
    } as WorkerOptions);
    const w = { worker, area, trace };
    try {
      await new Promise<void>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent) => {
          if ((e.data as { type: string }).type === "ready") resolve();
        };
        worker.onerror = (e: ErrorEvent) => {
          e.preventDefault();
          reject(new Error(e.message));
        };
        worker.postMessage({
          type: "init",
          area: area.sab,
          areaId: area.id,
          spin: this.host.spin,
          trace,
        });
      });
    } catch (err) {
      worker.terminate();
      this.host.dropArea(area);
      throw err;
    } finally {
      this.#starting--;
    }
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.host.onWorkerError(w.area, e.message);
    };
    return w;
  }

  /** Stop every idle Worker. */
  close(): void {
    this.#closed = true;
    if (this.#fillTimer !== undefined) clearTimeout(this.#fillTimer);
    for (const w of [...this.#ready.splice(0), ...this.#recycled.splice(0)]) {
      w.area.kill();
      w.worker.terminate();
    }
  }
}
