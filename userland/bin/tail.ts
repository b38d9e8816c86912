// tail: output the last part of files.
//
//   tail [-n [+]NUM | -c [+]NUM] [-q | -v] [-f] [FILE]...
//
// The last 10 lines by default; +NUM starts at line (byte) NUM instead.
// Several files get "==> NAME <==" headers. -f keeps reading a file as it
// grows (checking once a second), until killed.
import { fstat, read, sleep, stdout, warn } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { eachInput, readFd } from "../coreutils/files.ts";
import { obsoleteCount, parseCount } from "../coreutils/count_arg.ts";
import { isReg } from "../coreutils/consts.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: tail [OPTION]... [FILE]...
Print the last 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

  -c, --bytes=[+]NUM       output the last NUM bytes; or use -c +NUM to
                             output starting with byte NUM of each file
  -f, --follow             output appended data as the file grows
  -n, --lines=[+]NUM       output the last NUM lines, instead of the last 10;
                             or use -n +NUM to skip NUM-1 lines at the start
  -q, --quiet, --silent    never output headers giving file names
  -s, --sleep-interval=N   with -f, sleep for approximately N seconds
                             (default 1.0) between iterations
  -v, --verbose            always output headers giving file names`;

export function main(argv: string[]): number {
  const p = getopt(obsoleteCount(argv), {
    short: "c:fFn:qs:vz",
    usage: USAGE,
    long: {
      bytes: { arg: "required", key: "c" },
      follow: { arg: "optional", key: "f" },
      lines: { arg: "required", key: "n" },
      quiet: { arg: "none", key: "q" },
      silent: { arg: "none", key: "q" },
      "sleep-interval": { arg: "required", key: "s" },
      verbose: { arg: "none", key: "v" },
    },
  });
  if (typeof p === "number") return p;
  let bytes = false;
  let count = 10;
  let fromStart = false;
  let follow = false;
  let intervalMs = 1000;
  let headers: boolean | undefined;
  for (const { key, value } of p.opts) {
    if (key === "c" || key === "n") {
      const c = parseCount(value!);
      if (c === undefined) {
        warn(`invalid number of ${key === "c" ? "bytes" : "lines"}: ${quoteAlways(value!)}`);
        return 1;
      }
      bytes = key === "c";
      count = c.n;
      fromStart = c.sign === "+";
    } else if (key === "f" || key === "F") follow = true;
    else if (key === "s") intervalMs = Number(value) * 1000;
    else if (key === "q") headers = false;
    else if (key === "v") headers = true;
  }
  const files = p.operands.length === 0 ? ["-"] : p.operands;
  headers ??= files.length > 1;
  const out = stdout();
  const followed: { fd: number; name: string }[] = [];
  const status = eachInput(files, headers, (fd, name) => {
    out.write(lastPart(readFd(fd), count, bytes, fromStart));
    if (!follow || fd === 0 || !isReg(fstat(fd).mode)) return false;
    followed.push({ fd, name });
    return true;
  });
  if (followed.length === 0) return status;
  const buf = new Uint8Array(65536);
  let lastShown = followed[followed.length - 1].name;
  for (;;) {
    out.flush();
    sleep(Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : 1000);
    for (const f of followed) {
      for (;;) {
        const n = read(f.fd, buf);
        if (n === 0) break;
        if (headers && f.name !== lastShown) out.write(`\n==> ${f.name} <==\n`);
        lastShown = f.name;
        out.write(buf.slice(0, n));
      }
    }
  }
}

function lastPart(all: Uint8Array, count: number, bytes: boolean, fromStart: boolean): Uint8Array {
  if (bytes) {
    if (fromStart) return all.subarray(Math.max(0, count - 1));
    return all.subarray(Math.max(0, all.length - count));
  }
  if (fromStart) {
    let at = 0;
    for (let line = 1; line < count && at < all.length; line++) {
      const nl = all.indexOf(10, at);
      if (nl < 0) return all.subarray(all.length);
      at = nl + 1;
    }
    return all.subarray(at);
  }
  if (count === 0) return all.subarray(all.length);
  let i = all.length > 0 && all[all.length - 1] === 10 ? all.length - 2 : all.length - 1;
  for (let seen = 0; i >= 0; i--) {
    if (all[i] === 10 && ++seen === count) return all.subarray(i + 1);
  }
  return all;
}
