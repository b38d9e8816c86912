// Null syscall: getpid() from a program to the kernel and back, beside the
// host making one Deno op (Deno.uid()) the same number of times. Both sides
// time each call alone with performance.now(), so both carry its cost.

import type { Handle } from "../kernel/mod.ts";
import { summarize } from "./stats.ts";
import { runSysbench } from "./sysbench.ts";
import type { Row } from "./table.ts";

const CALLS = 20_000;
const WARMUP_CALLS = 2_000;
const TARGET_P50_US = 5;

/** getpid round trip p50 / p99 / mean rows. */
export async function syscallBench(os: Handle): Promise<Row[]> {
  await runSysbench(os, `getpid ${WARMUP_CALLS}`);
  const ours = await runSysbench(os, `getpid ${CALLS}`);
  const host = summarize(timeDenoOp(CALLS));
  const hostWork = `Deno.uid() op ×${CALLS}`;
  return [
    {
      name: `getpid() round trip p50 (×${ours.n})`,
      unit: "µs",
      ours: ours.p50Us,
      hostWork,
      host: host.p50,
      target: TARGET_P50_US,
    },
    { name: "getpid() round trip p99", unit: "µs", ours: ours.p99Us, hostWork, host: host.p99 },
    { name: "getpid() round trip mean", unit: "µs", ours: ours.meanUs, hostWork, host: host.mean },
  ];
}

/** Each call of Deno.uid(), timed alone, in µs. */
function timeDenoOp(calls: number): Float64Array {
  for (let i = 0; i < WARMUP_CALLS; i++) Deno.uid();
  const timesUs = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    Deno.uid();
    timesUs[i] = (performance.now() - t0) * 1000;
  }
  return timesUs;
}
