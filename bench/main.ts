// `deno task bench`: every benchmark group, MelloOS beside the host doing the
// same work in the same run, printed as one table (see table.ts).
//
// The OS boots once, before anything is timed, and serves the groups that run
// programs in it (syscall, spawn). It is shut down before the groups that use
// only host threads and processes (ring, boot), so they do not share the
// machine with its idle Workers. Figures move with the machine's load: the
// header says what the load was when the run began.

import { boot, type Handle } from "../kernel/mod.ts";
import { bootBench } from "./boot_bench.ts";
import { ringBench } from "./ring_bench.ts";
import { spawnBench } from "./spawn_bench.ts";
import { sleepMs } from "./stats.ts";
import { syscallBench } from "./syscall_bench.ts";
import { fsBench } from "./fs_bench.ts";
import { fuseBench } from "./fuse_bench.ts";
import { formatTable, type Row } from "./table.ts";

const POOL_WAIT_MS = 10_000;

/** One group's rows, or why it produced none. */
type GroupResult = Row[] | Error;

async function group(name: string, fn: () => Promise<Row[]>): Promise<GroupResult> {
  console.error(`bench: ${name}...`);
  try {
    return await fn();
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** Resolves when the warm pool is full, or after POOL_WAIT_MS if it cannot fill. */
function poolFull(os: Handle): Promise<void> {
  return Promise.race([os.kernel.pool.whenFull(), sleepMs(POOL_WAIT_MS)]);
}

/** Stands in the table for a group that failed (its error is printed below the table). */
function failedRow(group: string): Row {
  return { name: `${group}: FAILED, see below`, unit: "ms", ours: NaN, hostWork: "", host: NaN };
}

function header(): string {
  const [load1] = Deno.loadavg();
  const cpus = navigator.hardwareConcurrency;
  const busy = load1 >= 0.5 ? " (other processes are busy: expect lower figures)" : "";
  return `MelloOS benchmarks: Deno ${Deno.version.deno}, ${Deno.build.os} ${Deno.build.arch}, ` +
    `${cpus} CPUs, load average ${load1.toFixed(2)} at start${busy}`;
}

async function main(): Promise<number> {
  const startedMs = performance.now();
  const title = header();
  const os = await boot();
  await poolFull(os);
  const syscall = await group("null syscall", () => syscallBench(os));
  const spawn = await group("spawn", () => spawnBench(os));
  const fs = await group("filesystem", () => fsBench(os));
  const fuse = await group("fuse", () => fuseBench(os));
  // A pool Worker still starting at shutdown would outlive it: let the pool fill first.
  await poolFull(os);
  await os.shutdown();
  const ring = await group("ring", () => ringBench());
  const wholeBoot = await group("boot", () => bootBench());

  const results: Array<[string, GroupResult]> = [
    ["null syscall", syscall],
    ["ring", ring],
    ["spawn", spawn],
    ["filesystem", fs],
    ["fuse", fuse],
    ["boot", wholeBoot],
  ];
  const rows = results.flatMap(([name, r]) => r instanceof Error ? [failedRow(name)] : r);
  const errors = results.flatMap(([, r]) => r instanceof Error ? [r] : []);
  console.log(title);
  console.log();
  console.log(formatTable(rows));
  console.log();
  console.log(
    "ratio: how MelloOS compares with the host doing the same work; " +
      `whole run ${((performance.now() - startedMs) / 1000).toFixed(1)} s`,
  );
  for (const err of errors) console.error(`bench: a group failed: ${err.stack ?? err.message}`);
  return errors.length === 0 ? 0 : 1;
}

Deno.exit(await main());
