// The program runtime: the entry of every program Worker. It runs with no
// Deno permissions at all, and deletes the `Deno` global before any program
// code runs: everything a program does goes through its IPC area.
//
// Life of a program Worker (kernel/proc/pool.ts starts it):
//   1. "init" message: our IPC area, the spinner slots, our trace buffer;
//      set the area's state word to WARM, answer "ready", park on the job bell;
//   2. the kernel writes the job into the area's data (pid, argv, env, fd
//      routes, capabilities, the program image), sets RUNNING and rings;
//   3. evaluate the image (kernel/loader/build.ts made it) and call main();
//      exit() unwinds back here with an ExitSignal;
//   4. if the program left nothing running (no timer, listener, nested
//      Worker...), tidy up and park again: the kernel may hand us the next
//      program of the same protection domain. Otherwise end the Worker.
// Killing: the kernel sets the kill word and rings our bells; every wait
// checks it, and the image's loop guards check it as the program computes.
// Either way the Worker ends itself with self.close(), which Deno honours
// even mid-loop (worker.terminate() does not stop a busy loop in Deno 2.9).

import { parseArgs } from "node:util";
import * as nodeUtil from "node:util";
import { Area, AREA_SIGNALS, AREA_TRACED, AreaState } from "../../kernel/ipc/channel.ts";
import { SyncClient } from "../../kernel/ipc/client_sync.ts";
import { SpinSlots } from "../../kernel/ipc/doorbell.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import { TraceWriter } from "../../kernel/trace/events.ts";
import { ErrnoError } from "../../kernel/errno.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { workerScope } from "../../kernel/ipc/worker_scope.ts";
import * as chunked from "../lib/chunked.ts";
import * as consts from "../lib/consts.ts";
import * as context from "../lib/context.ts";
import * as errors from "../lib/errors.ts";
import * as fdRoutes from "../lib/fd_routes.ts";
import * as fs from "../lib/fs.ts";
import * as io from "../lib/io.ts";
import * as mello from "../lib/mello.ts";
import * as mod from "../lib/mod.ts";
import * as proc from "../lib/proc.ts";
import * as stdio from "../lib/stdio.ts";
import * as syscall from "../lib/syscall.ts";
import { ExitSignal } from "../lib/exit_signal.ts";

/** Loop iterations between two looks at the kill word. */
const GUARD_PERIOD = 10_000;
const KERNEL = 0;

// Every file of userland/lib, by the name a program's image requires it by
// (tests/loader_lib.test.ts checks that none is missing).
const modules: Record<string, unknown> = {
  "lib/chunked.ts": chunked,
  "lib/consts.ts": consts,
  "lib/context.ts": context,
  "lib/errors.ts": errors,
  "lib/fd_routes.ts": fdRoutes,
  "lib/fs.ts": fs,
  "lib/io.ts": io,
  "lib/mello.ts": mello,
  "lib/mod.ts": mod,
  "lib/proc.ts": proc,
  "lib/stdio.ts": stdio,
  "lib/syscall.ts": syscall,
  "lib/exit_signal.ts": { ExitSignal },
  "node:util": { ...nodeUtil, parseArgs },
};

interface Job {
  pid: number;
  ppid: number;
  argv: string[];
  env: string[];
  image: string;
  caps: Array<[number, number, number]>;
  fds: Array<[number, number, number, number]>;
}

function die(): never {
  workerScope.close();
  // self.close() ends the isolate at the next loop back-edge.
  while (true) { /* terminated here */ }
}

/** Facilities a program can use to leave work behind; using one makes its Worker single-use. */
let tainted = false;
/** Something of an old program ran after it ended: this Worker must not be reused. */
let poisoned = false;
const TAINTING = [
  "setTimeout",
  "setInterval",
  "addEventListener",
  "Worker",
  "fetch",
  "WebSocket",
  "BroadcastChannel",
  "MessageChannel",
  "EventSource",
] as const;

function guardGlobals(): Set<string> {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of TAINTING) {
    const real = g[name];
    if (typeof real !== "function") continue;
    g[name] = new Proxy(real as (...a: unknown[]) => unknown, {
      apply(target, self, args) {
        tainted = true;
        return Reflect.apply(target, self, args);
      },
      construct(target, args) {
        tainted = true;
        return Reflect.construct(target as unknown as new (...a: unknown[]) => object, args);
      },
    });
  }
  const waitAsync = Atomics.waitAsync;
  Atomics.waitAsync = ((...args: Parameters<typeof Atomics.waitAsync>) => {
    tainted = true;
    return waitAsync(...args);
  }) as typeof Atomics.waitAsync;
  Object.defineProperty(globalThis, "onmessage", {
    configurable: true,
    get: () => null,
    set: () => {
      tainted = true;
    },
  });
  delete (globalThis as { Deno?: unknown }).Deno;
  return new Set(Object.getOwnPropertyNames(globalThis));
}

workerScope.onmessage = (e: MessageEvent) => {
  const init = e.data as {
    type: string;
    area: SharedArrayBuffer;
    areaId: number;
    spin: SharedArrayBuffer;
    trace: SharedArrayBuffer;
  };
  if (init.type !== "init") return;
  workerScope.onmessage = null;
  const area = new Area(init.area, init.areaId);
  const client = new SyncClient(area, new SpinSlots(new Int32Array(init.spin)), die);
  addEventListener("unhandledrejection", (ev) => {
    ev.preventDefault();
    failAsync(ev.reason);
  });
  const baseline = guardGlobals();
  // WARM before "ready": the kernel may hand us a job the moment it hears.
  area.state = AreaState.WARM;
  Atomics.notify(area.i32, 0);
  workerScope.postMessage({ type: "ready" });
  void serve(area, client, init.trace, baseline);
};

/** Run jobs until one leaves this Worker unfit for another. */
async function serve(
  area: Area,
  client: SyncClient,
  traceSab: SharedArrayBuffer,
  baseline: Set<string>,
) {
  for (;;) {
    while (area.state !== AreaState.RUNNING) {
      area.jobBell.park(() => area.state === AreaState.RUNNING || area.killed, 1000);
      if (area.killed) die();
    }
    const data = area.data;
    const len = new DataView(data.buffer, data.byteOffset).getUint32(0, true);
    const job = JSON.parse(new TextDecoder().decode(data.slice(4, 4 + len))) as Job;
    const clean = await run(job, area, client, traceSab);
    // Let stray microtasks of the program run now, while it is still ours to blame.
    await Promise.resolve();
    if (!clean || poisoned || area.killed) die();
    tidy(baseline);
    // Offer ourselves again; the kernel hands a recycled Worker a job only once it reads WARM.
    Atomics.compareExchange(area.i32, 0, AreaState.RUNNING, AreaState.WARM);
    Atomics.notify(area.i32, 0);
  }
}

/** Forget the previous program: its globals and the library's per-process state. */
function tidy(baseline: Set<string>): void {
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (!baseline.has(name)) delete g[name];
  }
  stdio.resetStdio();
}

let current: { reject: (err: unknown) => void } | undefined;

/** Run one program to its exit. True when the Worker may be reused. */
async function run(
  job: Job,
  area: Area,
  client: SyncClient,
  traceSab: SharedArrayBuffer,
): Promise<boolean> {
  tainted = false;
  const traced = Atomics.load(area.i32, AREA_TRACED) !== 0;
  const w = new PayloadWriter();
  const c: context.Context = {
    pid: job.pid,
    area,
    client,
    caps: new Map(job.caps.map(([ep, slot, gen]) => [ep, { slot, gen }])),
    fds: new Map(
      job.fds.map((
        [fd, ep, slot, gen],
      ) => [fd, {
        ep,
        cap: { slot, gen },
        epoch: area.channel(ep).epoch,
        vfsEpoch: area.channel(1).epoch,
      }]),
    ),
    env: new Map(job.env.map((kv) => {
      const i = kv.indexOf("=");
      return i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
    })),
    argv: job.argv,
    trace: traced ? new TraceWriter(traceSab, 0xffff) : undefined,
    traceSeq: 0,
    handlers: new Map(),
    atExit: [],
    depth: 0,
    die,
    exitHook: (code) => {
      // The kernel reaps us now; it keeps the Worker only if we stay clean.
      const reusable = tainted ? 0 : 1;
      client.call(
        KERNEL,
        Sys.exit_group,
        c.caps.get(KERNEL)!,
        w.reset().num(reusable).bytes(),
        code,
      );
    },
  };
  context.setContext(c);
  client.onWake = syscall.deliverSignals;

  const guard = {
    n: GUARD_PERIOD,
    t() {
      guard.n = GUARD_PERIOD;
      if (area.killed) die();
      if (Atomics.load(area.i32, AREA_SIGNALS) !== 0) syscall.deliverSignals();
    },
  };
  const nl = job.image.indexOf("\n");
  const body = nl < 0 ? "" : job.image.slice(nl + 1);
  const module = { exports: {} as Record<string, unknown> };
  const require = (spec: string) => {
    const m = modules[spec];
    if (m === undefined) throw new Error(`cannot find module '${spec}'`);
    return m;
  };
  try {
    new Function("require", "exports", "module", "__mello_g", body)(
      require,
      module.exports,
      module,
      guard,
    );
    const main = module.exports.main;
    if (typeof main !== "function") {
      errors.warn("program has no main()");
      proc.exit(126);
    }
    let result = (main as (argv: string[]) => unknown)(job.argv);
    if (result instanceof Promise) {
      result = await new Promise((resolve, reject) => {
        current = { reject };
        (result as Promise<unknown>).then(resolve, reject);
      });
    }
    proc.exit(typeof result === "number" ? result : 0);
  } catch (err) {
    if (!(err instanceof ExitSignal)) report(err);
  } finally {
    current = undefined;
  }
  return c.exited !== undefined && !tainted;
}

/** An uncaught error (at load or in main) ends the program with status 1. */
function report(err: unknown): void {
  const c = context.ctx();
  if (c.exited !== undefined) return;
  try {
    if (err instanceof ErrnoError) errors.warn(errors.errText(err));
    else errors.warn(err instanceof Error ? (err.stack ?? err.message) : String(err));
  } catch {
    // stderr itself may be gone
  }
  try {
    proc.exit(1);
  } catch {
    // ExitSignal: done
  }
}

/** A rejection nobody awaited: the program is broken; end it. */
function failAsync(err: unknown): void {
  if (current !== undefined) {
    current.reject(err);
    return;
  }
  tainted = true;
  poisoned = true;
  report(err);
}
