// Spawn, exit and wait of a small program: sysbench spawns /bin/true and
// waits for it, one round at a time, timing each round inside MelloOS.
//
// Two cadences, because spawn takes a pre-started Worker from the kernel's
// warm pool and the pool refills in the background:
//   - back to back, as a shell script runs commands: the pool's refill is
//     part of what each spawn pays;
//   - GAP_MS apart, long enough for the pool to be full again when each
//     round starts: the spawn path with a warm Worker waiting.
// Baselines, timed on the host the same way: a fresh Worker (start it, wait
// for its first message, terminate it) back to back, and a host process
// (`new Deno.Command("true").output()`) GAP_MS apart.

import type { Handle } from "../kernel/mod.ts";
import { summarize, timeRounds } from "./stats.ts";
import { runSysbench } from "./sysbench.ts";
import type { Row } from "./table.ts";

// A p95 needs enough rounds that a couple of stray scheduler stalls do not
// decide it: 400 back to back (~0.3 s); paced rounds cost GAP_MS each.
const BURST_ROUNDS = 400;
const PACED_ROUNDS = 100;
const HOST_ROUNDS = 100;
const HOST_WARMUP_ROUNDS = 3;
const GAP_MS = 50;
const TARGET_P95_MS = 1.5;
const WORKER_SOURCE = "postMessage(0);";

/** spawn+exit+wait p50 / p95 rows, back to back and paced. */
export async function spawnBench(os: Handle): Promise<Row[]> {
  const burst = await runSysbench(os, `spawn ${BURST_ROUNDS}`);
  const paced = await runSysbench(os, `spawn ${PACED_ROUNDS} ${GAP_MS}`);
  const worker = summarize(
    await timeRounds(HOST_ROUNDS, startWorker, { warmup: HOST_WARMUP_ROUNDS }),
  );
  const command = summarize(
    await timeRounds(HOST_ROUNDS, runTrue, { warmup: HOST_WARMUP_ROUNDS, gapMs: GAP_MS }),
  );
  const workerWork = "fresh Worker: start, 1st message, terminate";
  const commandWork = `Deno.Command("true").output(), ${GAP_MS} ms apart`;
  const usToMs = (us: number) => us / 1000;
  return [
    {
      name: `spawn+exit+wait /bin/true p50, back to back (×${burst.n})`,
      unit: "ms",
      ours: usToMs(burst.p50Us),
      hostWork: workerWork,
      host: worker.p50,
    },
    {
      name: "spawn+exit+wait /bin/true p95, back to back",
      unit: "ms",
      ours: usToMs(burst.p95Us),
      hostWork: workerWork,
      host: worker.p95,
      target: TARGET_P95_MS,
    },
    {
      name: `spawn+exit+wait /bin/true p50, ${GAP_MS} ms apart (×${paced.n})`,
      unit: "ms",
      ours: usToMs(paced.p50Us),
      hostWork: commandWork,
      host: command.p50,
    },
    {
      name: `spawn+exit+wait /bin/true p95, ${GAP_MS} ms apart`,
      unit: "ms",
      ours: usToMs(paced.p95Us),
      hostWork: commandWork,
      host: command.p95,
      target: TARGET_P95_MS,
    },
  ];
}

/** Start a Worker with no permissions (as a program's), wait for its first message, end it. */
async function startWorker(): Promise<void> {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const worker = new Worker(url, {
    type: "module",
    deno: { permissions: "none" },
  } as WorkerOptions);
  try {
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
    });
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

async function runTrue(): Promise<void> {
  const r = await new Deno.Command("true", { stdout: "null", stderr: "null" }).output();
  if (!r.success) throw new Error(`true exited with ${r.code}`);
}
