// sysbench: time system calls from inside a program, for bench/ (`deno task bench`).
//
//   sysbench getpid N          N getpid() round trips to the kernel
//   sysbench spawn N [GAP_MS]  N times: spawn /bin/true, then waitpid() for it;
//                              sleep GAP_MS between rounds (default 0)
//
// Each round is timed alone with performance.now() (~0.1-0.2 µs per reading,
// included in the figures). Untimed warm-up rounds come first, so the figures
// are of JIT-compiled code. The result is one JSON line on stdout:
//   {"bench":"getpid","n":20000,"p50Us":..,"p95Us":..,"p99Us":..,"meanUs":..,"maxUs":..}

import { getpid, print, sleep, spawn, waitpid, warn, WEXITSTATUS, WIFEXITED } from "../lib/mod.ts";

const GETPID_WARMUP_ROUNDS = 2000;
const SPAWN_WARMUP_ROUNDS = 3;
const TRUE_PATH = "/bin/true";

export function main(argv: string[]): number {
  const [what, countText, gapText] = argv.slice(1);
  const rounds = Number(countText);
  const gapMs = gapText === undefined ? 0 : Number(gapText);
  if (!Number.isInteger(rounds) || rounds < 1 || !Number.isFinite(gapMs) || gapMs < 0) {
    warn("usage: sysbench getpid|spawn N [GAP_MS]");
    return 2;
  }
  if (what === "getpid") {
    print(JSON.stringify(summarize("getpid", timeGetpid(rounds))));
    return 0;
  }
  if (what === "spawn") {
    const timesUs = timeSpawn(rounds, gapMs);
    if (timesUs === undefined) return 1;
    print(JSON.stringify(summarize("spawn", timesUs)));
    return 0;
  }
  warn(`unknown benchmark '${what}'`);
  return 2;
}

function timeGetpid(rounds: number): Float64Array {
  for (let i = 0; i < GETPID_WARMUP_ROUNDS; i++) getpid();
  const timesUs = new Float64Array(rounds);
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    getpid();
    timesUs[i] = (performance.now() - t0) * 1000;
  }
  return timesUs;
}

/** Times of spawn + waitpid, or undefined (after a warning) if /bin/true failed. */
function timeSpawn(rounds: number, gapMs: number): Float64Array | undefined {
  const timesUs = new Float64Array(rounds);
  for (let i = -SPAWN_WARMUP_ROUNDS; i < rounds; i++) {
    if (gapMs > 0) sleep(gapMs);
    const t0 = performance.now();
    const pid = spawn(TRUE_PATH, ["true"]);
    const [, status] = waitpid(pid);
    const elapsedUs = (performance.now() - t0) * 1000;
    if (!WIFEXITED(status) || WEXITSTATUS(status) !== 0) {
      warn(`${TRUE_PATH} ended with wait status ${status}`);
      return undefined;
    }
    if (i >= 0) timesUs[i] = elapsedUs;
  }
  return timesUs;
}

function summarize(bench: string, timesUs: Float64Array) {
  const sorted = timesUs.slice().sort();
  let totalUs = 0;
  for (const t of sorted) totalUs += t;
  return {
    bench,
    n: sorted.length,
    p50Us: percentile(sorted, 50),
    p95Us: percentile(sorted, 95),
    p99Us: percentile(sorted, 99),
    meanUs: totalUs / sorted.length,
    maxUs: sorted[sorted.length - 1],
  };
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: Float64Array, p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
