// The program runtime: the entry of every program Worker. It runs with no
// Deno permissions at all; everything it does goes through its IPC area.
//
// Life of a program Worker (kernel/proc/pool.ts starts it):
//   1. "init" message: our IPC area, the spinner slots, our trace buffer;
//      answer "ready", then park on the job bell (Atomics.wait);
//   2. the kernel writes the job into the area's data (pid, argv, env, fd
//      routes, capabilities, the program image) and rings;
//   3. evaluate the image (kernel/loader/build.ts made it) and call main();
//   4. exit with what main returns; an uncaught error prints and exits 1.
// Killing: the kernel sets the kill word and rings our bells; every wait
// checks it, and the image's loop guards check it as the program computes.
// Either way the Worker ends itself with workerScope.close(), which Deno honours
// even mid-loop.

import { parseArgs } from "node:util";
import * as nodeUtil from "node:util";
import { Area, AREA_SIGNALS, AreaState } from "../../kernel/ipc/channel.ts";
import { SyncClient } from "../../kernel/ipc/client_sync.ts";
import { SpinSlots } from "../../kernel/ipc/doorbell.ts";
import { TraceWriter } from "../../kernel/trace/events.ts";
import { ErrnoError } from "../../kernel/errno.ts";
import { workerScope } from "../../kernel/ipc/worker_scope.ts";
import * as context from "../lib/context.ts";
import * as errors from "../lib/errors.ts";
import * as io from "../lib/io.ts";
import * as mello from "../lib/mello.ts";
import * as mod from "../lib/mod.ts";
import * as proc from "../lib/proc.ts";
import * as stdio from "../lib/stdio.ts";
import * as syscall from "../lib/syscall.ts";

/** Loop iterations between two looks at the kill word. */
const GUARD_PERIOD = 10_000;

const modules: Record<string, unknown> = {
  "lib/context.ts": context,
  "lib/errors.ts": errors,
  "lib/io.ts": io,
  "lib/mello.ts": mello,
  "lib/mod.ts": mod,
  "lib/proc.ts": proc,
  "lib/stdio.ts": stdio,
  "lib/syscall.ts": syscall,
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
  // workerScope.close() ends the isolate at the next loop back-edge.
  while (true) { /* terminated here */ }
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
  const spin = new SpinSlots(new Int32Array(init.spin));
  workerScope.postMessage({ type: "ready" });
  while (area.state !== AreaState.RUNNING) {
    area.jobBell.park(() => area.state === AreaState.RUNNING || area.killed, 1000);
    if (area.killed) die();
  }
  const data = area.data;
  const len = new DataView(data.buffer, data.byteOffset).getUint32(0, true);
  const job = JSON.parse(new TextDecoder().decode(data.slice(4, 4 + len))) as Job;
  start(job, area, spin, init.trace);
};

function start(job: Job, area: Area, spin: SpinSlots, traceSab: SharedArrayBuffer): void {
  const client = new SyncClient(area, spin, die);
  const traced = Atomics.load(area.i32, 48) !== 0;
  const c: context.Context = {
    pid: job.pid,
    area,
    client,
    caps: new Map(job.caps.map(([ep, slot, gen]) => [ep, { slot, gen }])),
    fds: new Map(
      job.fds.map((
        [fd, ep, slot, gen],
      ) => [fd, { ep, cap: { slot, gen }, epoch: area.channel(ep).epoch }]),
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
    die,
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
  addEventListener("unhandledrejection", (ev) => {
    ev.preventDefault();
    fail(ev.reason);
  });

  const nl = job.image.indexOf("\n");
  const body = nl < 0 ? "" : job.image.slice(nl + 1);
  const module = { exports: {} as Record<string, unknown> };
  const require = (spec: string) => {
    const m = modules[spec];
    if (m === undefined) throw new Error(`cannot find module '${spec}'`);
    return m;
  };
  let main: unknown;
  try {
    new Function("require", "exports", "module", "__mello_g", body)(
      require,
      module.exports,
      module,
      guard,
    );
    main = module.exports.main;
  } catch (err) {
    fail(err, 126);
  }
  if (typeof main !== "function") {
    errors.warn("program has no main()");
    proc.exit(126);
  }
  let result: unknown;
  try {
    result = (main as (argv: string[]) => unknown)(job.argv);
  } catch (err) {
    fail(err);
  }
  if (result instanceof Promise) {
    result.then((code) => proc.exit(typeof code === "number" ? code : 0), (err) => fail(err));
  } else {
    proc.exit(typeof result === "number" ? result : 0);
  }
}

function fail(err: unknown, code = 1): never {
  try {
    if (err instanceof ErrnoError) errors.warn(errors.errText(err));
    else errors.warn(err instanceof Error ? (err.stack ?? err.message) : String(err));
  } catch {
    // stderr itself may be gone
  }
  return proc.exit(code);
}
