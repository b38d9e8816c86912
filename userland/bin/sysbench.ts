// sysbench: time system calls from inside a program, for bench/ (`deno task bench`).
//
//   sysbench getpid N              N getpid() round trips to the kernel
//   sysbench spawn N [GAP_MS]      N times spawn /bin/true and waitpid() for it,
//                                  sleeping GAP_MS between rounds (default 0)
//   sysbench stat N PATH           N stat() calls
//   sysbench openclose N PATH      N open(O_RDONLY) + close()
//   sysbench createunlink N DIR    N creat() + close() + unlink() of a new file in DIR
//   sysbench read4k N FILE         N pread() of 4 KiB at random 4 KiB-aligned offsets
//   sysbench ls N DIR              N times run `ls DIR` (output to /dev/null) and wait
//   sysbench mkfiles N DIR         (setup) create DIR and N empty files in it
//   sysbench mkfile BYTES PATH     (setup) write a file of BYTES bytes
//
// Each round is timed alone with performance.now() (~0.1-0.2 µs per reading,
// included in the figures). Untimed warm-up rounds come first, so the figures
// are of JIT-compiled code and cached files. The result is one JSON line:
//   {"bench":"stat","n":20000,"p50Us":..,"p95Us":..,"p99Us":..,"meanUs":..,"maxUs":..,"opsPerSec":..}

import {
  close,
  creat,
  FileAction,
  fstat,
  getpid,
  mkdir,
  O,
  open,
  pread,
  print,
  sleep,
  spawn,
  stat,
  unlink,
  waitpid,
  warn,
  WEXITSTATUS,
  WIFEXITED,
  writeAll,
} from "../lib/mod.ts";

const WARMUP = {
  getpid: 2000,
  spawn: 3,
  stat: 500,
  openclose: 200,
  createunlink: 100,
  read4k: 2000,
  ls: 3,
};
const TRUE_PATH = "/bin/true";
const LS_PATH = "/bin/ls";
const BLOCK = 4096;

export function main(argv: string[]): number {
  const [what, countText, arg] = argv.slice(1);
  const n = Number(countText);
  if (!Number.isInteger(n) || n < 1) {
    warn(
      "usage: sysbench getpid|spawn|stat|openclose|createunlink|read4k|ls|mkfiles|mkfile N [ARG]",
    );
    return 2;
  }
  switch (what) {
    case "getpid":
      return report(what, timed(n, WARMUP.getpid, () => getpid()));
    case "spawn": {
      const gapMs = arg === undefined ? 0 : Number(arg);
      return report(
        what,
        timed(n, WARMUP.spawn, () => run([TRUE_PATH, "true"]), () => gapMs > 0 && sleep(gapMs)),
      );
    }
    case "stat":
      return report(what, timed(n, WARMUP.stat, () => stat(arg)));
    case "openclose":
      return report(what, timed(n, WARMUP.openclose, () => close(open(arg, O.RDONLY))));
    case "createunlink": {
      const path = `${arg}/sysbench.${getpid()}`;
      return report(
        what,
        timed(n, WARMUP.createunlink, () => {
          close(creat(path, 0o644));
          unlink(path);
        }),
      );
    }
    case "read4k": {
      const fd = open(arg, O.RDONLY);
      const blocks = Math.max(1, Math.floor(fstat(fd).size / BLOCK));
      const buf = new Uint8Array(BLOCK);
      let seed = 12345;
      const times = timed(n, WARMUP.read4k, () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        if (pread(fd, buf, (seed % blocks) * BLOCK) !== BLOCK) throw new Error("short read");
      });
      close(fd);
      return report(what, times);
    }
    case "ls": {
      const devNull = open("/dev/null", O.WRONLY | O.CLOEXEC);
      const actions = [{ kind: FileAction.DUP2, fd: devNull, fd2: 1 }];
      const times = timed(n, WARMUP.ls, () => run([LS_PATH, "ls", arg], actions));
      close(devNull);
      return report(what, times);
    }
    case "mkfiles":
      mkdir(arg, 0o755);
      for (let i = 0; i < n; i++) close(creat(`${arg}/file${String(i).padStart(3, "0")}`, 0o644));
      return 0;
    case "mkfile": {
      const fd = creat(arg, 0o644);
      const chunk = new Uint8Array(65536).map((_, i) => i & 0xff);
      for (let done = 0; done < n; done += chunk.length) {
        writeAll(fd, chunk.subarray(0, Math.min(chunk.length, n - done)));
      }
      close(fd);
      return 0;
    }
  }
  warn(`unknown benchmark '${what}'`);
  return 2;
}

/** Spawn argv (path first, then argv) and wait; throws if it fails. */
function run(cmd: string[], actions: Array<{ kind: number; fd: number; fd2: number }> = []): void {
  const pid = spawn(cmd[0], cmd.slice(1), { actions });
  const [, status] = waitpid(pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) !== 0) {
    throw new Error(`${cmd[0]} ended with wait status ${status}`);
  }
}

/** Each of `rounds` calls of `fn` timed alone (after `warmup` untimed ones), in µs. */
function timed(
  rounds: number,
  warmup: number,
  fn: () => unknown,
  between?: () => unknown,
): Float64Array {
  for (let i = 0; i < warmup; i++) fn();
  const timesUs = new Float64Array(rounds);
  for (let i = 0; i < rounds; i++) {
    between?.();
    const t0 = performance.now();
    fn();
    timesUs[i] = (performance.now() - t0) * 1000;
  }
  return timesUs;
}

function report(bench: string, timesUs: Float64Array): number {
  const sorted = timesUs.slice().sort();
  let totalUs = 0;
  for (const t of sorted) totalUs += t;
  print(JSON.stringify({
    bench,
    n: sorted.length,
    p50Us: percentile(sorted, 50),
    p95Us: percentile(sorted, 95),
    p99Us: percentile(sorted, 99),
    meanUs: totalUs / sorted.length,
    maxUs: sorted[sorted.length - 1],
    opsPerSec: sorted.length / (totalUs / 1e6),
    // Where the time went: the share of the total spent in slow rounds.
    timeOver10Us: shareOver(sorted, 10, totalUs),
    timeOver100Us: shareOver(sorted, 100, totalUs),
    timeOver1Ms: shareOver(sorted, 1000, totalUs),
  }));
  return 0;
}

/** The share of `totalUs` spent in rounds longer than `us`. */
function shareOver(sorted: Float64Array, us: number, totalUs: number): number {
  let sum = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i] > us; i--) sum += sorted[i];
  return Math.round((sum / totalUs) * 1000) / 1000;
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: Float64Array, p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
