// tee: copy standard input to standard output and to files.
//
//   tee [-a] [-i] [-p] [FILE]...
//
// -a appends instead of truncating; -i ignores SIGINT. A file that cannot
// be opened or written is reported and left out; the others go on (exit 1).
import { close, O, open, read, Sig, signal, stdout, warn, writeAll } from "../lib/mod.ts";
import { getopt, has } from "../coreutils/getopt.ts";

const USAGE = `Usage: tee [OPTION]... [FILE]...
Copy standard input to each FILE, and also to standard output.

  -a, --append              append to the given FILEs, do not overwrite
  -i, --ignore-interrupts   ignore interrupt signals
  -p                        diagnose errors writing to non pipes`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "aip",
    usage: USAGE,
    long: {
      append: { arg: "none", key: "a" },
      "ignore-interrupts": { arg: "none", key: "i" },
      "output-error": { arg: "optional", key: "p" },
    },
  });
  if (typeof p === "number") return p;
  if (has(p, "i")) signal(Sig.SIGINT, "ignore");
  const flags = O.WRONLY | O.CREAT | (has(p, "a") ? O.APPEND : O.TRUNC);
  let status = 0;
  const outs: { fd: number; name: string }[] = [{ fd: 1, name: "standard output" }];
  for (const name of p.operands) {
    if (name === "-") {
      outs.push({ fd: 1, name: "standard output" });
      continue;
    }
    try {
      outs.push({ fd: open(name, flags, 0o666), name });
    } catch (err) {
      warn(name, err);
      status = 1;
    }
  }
  stdout().flush();
  const buf = new Uint8Array(65536);
  for (;;) {
    let n: number;
    try {
      n = read(0, buf);
    } catch (err) {
      warn("read error", err);
      status = 1;
      break;
    }
    if (n === 0) break;
    for (const o of outs) {
      if (o.fd < 0) continue;
      try {
        writeAll(o.fd, buf.subarray(0, n));
      } catch (err) {
        warn(o.name, err);
        status = 1;
        o.fd = -1;
      }
    }
  }
  for (const o of outs) if (o.fd > 2) close(o.fd);
  return status;
}
