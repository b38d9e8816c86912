// Latency statistics of a set of timed rounds, as the host side of the
// benchmarks computes them (userland/bin/sysbench.ts computes the same inside
// MelloOS, where this file cannot be imported).

/** Percentiles and mean of a set of durations, in the unit they were given in. */
export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  max: number;
}

/** Summarize `times` (any order; the array is not changed). */
export function summarize(times: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(times).sort();
  let total = 0;
  for (const t of sorted) total += t;
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: total / sorted.length,
    max: sorted[sorted.length - 1],
  };
}

/** Nearest-rank percentile `p` (0-100] of ascending `sorted`. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** Time `rounds` runs of `fn` one by one, in ms; `warmup` untimed runs first. */
export async function timeRounds(
  rounds: number,
  fn: () => Promise<unknown>,
  opts: { warmup?: number; gapMs?: number } = {},
): Promise<Float64Array> {
  const timesMs = new Float64Array(rounds);
  for (let i = -(opts.warmup ?? 0); i < rounds; i++) {
    if ((opts.gapMs ?? 0) > 0) await sleepMs(opts.gapMs!);
    const t0 = performance.now();
    await fn();
    const elapsedMs = performance.now() - t0;
    if (i >= 0) timesMs[i] = elapsedMs;
  }
  return timesMs;
}

/** Resolve after `ms` milliseconds. */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
