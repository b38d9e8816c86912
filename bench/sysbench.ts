// Running userland/bin/sysbench inside the booted OS and reading its one JSON
// line of results (the program times itself, so the shell and the pipes that
// carry its output stay outside the figures).

import type { Handle } from "../kernel/mod.ts";
import { Sig } from "../kernel/signals.ts";

/** What sysbench prints, in µs. */
export interface SysbenchResult {
  bench: string;
  n: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  meanUs: number;
  maxUs: number;
  opsPerSec: number;
}

const RUN_TIMEOUT_MS = 30_000; // a hung program fails its group instead of the whole run

/** Run `sysbench ARGS` in `os`; throws with its stderr if it fails or hangs. */
export async function runSysbench(os: Handle, args: string): Promise<SysbenchResult> {
  const { pid, done } = await os.start(`sysbench ${args}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      os.kill(-pid, Sig.SIGKILL); // the shell leads a process group: end it all
      reject(new Error(`sysbench ${args}: no result after ${RUN_TIMEOUT_MS} ms`));
    }, RUN_TIMEOUT_MS);
  });
  const r = await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  const line = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !line.startsWith("{")) {
    throw new Error(`sysbench ${args}: status ${r.status}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return JSON.parse(line) as SysbenchResult;
}
