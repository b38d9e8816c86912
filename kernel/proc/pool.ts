// Warm Workers: program Workers started ahead of time, so that spawn does not
// pay a Worker start (~20-30 ms) on its path.
//
// A warm Worker has loaded the runtime and the userland library, received
// its IPC area, and sits in Atomics.wait on the area's job bell. Spawning
// writes the job into the area and rings the bell: no postMessage (whose
// first use costs ~2 ms) on the hot path. Each Worker runs one program and
// is then closed; its replacement starts in the background.

import { type Area, AreaState } from "../ipc/channel.ts";
import { TRACE_AREA_BYTES } from "../trace/events.ts";

/** A started, idle program Worker. */
export interface WarmWorker {
  worker: Worker;
  area: Area;
  trace: SharedArrayBuffer;
}

export interface PoolHost {
  spin: SharedArrayBuffer;
  /** A fresh area, already known to every server. */
  newArea(): Area;
  /** Give an area back (the Worker failed to start). */
  dropArea(area: Area): void;
}

const runtimeUrl = new URL("../../userland/runtime/worker.ts", import.meta.url);

export class WarmPool {
  readonly #ready: WarmWorker[] = [];
  readonly #waiting: Array<(w: WarmWorker) => void> = [];
  #starting = 0;
  #closed = false;

  constructor(readonly host: PoolHost, readonly size: number) {}

  /** Start Workers until `size` are warm or warming. */
  fill(): void {
    while (
      !this.#closed && this.#ready.length + this.#starting < this.size + this.#waiting.length
    ) {
      this.#starting++;
      this.#startOne().then(
        (w) => {
          this.#starting--;
          const waiter = this.#waiting.shift();
          if (waiter !== undefined) waiter(w);
          else this.#ready.push(w);
          this.fill();
        },
        () => {
          this.#starting--;
          this.fill();
        },
      );
    }
  }

  /** A warm Worker (at once if one is ready). */
  take(): Promise<WarmWorker> {
    const w = this.#ready.shift();
    this.fill();
    if (w !== undefined) return Promise.resolve(w);
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.fill();
    });
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
    const area = this.host.newArea();
    area.state = AreaState.WARM;
    const trace = new SharedArrayBuffer(TRACE_AREA_BYTES);
    const worker = new Worker(runtimeUrl, {
      type: "module",
      name: `program-${area.id}`,
      deno: { permissions: "none" },
    } as WorkerOptions);
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
    }
    return { worker, area, trace };
  }

  /** Stop every idle Worker. */
  close(): void {
    this.#closed = true;
    for (const w of this.#ready.splice(0)) {
      w.area.kill();
      w.worker.terminate();
    }
  }
}
