// mkfifo: make FIFOs (named pipes).
//
//   mkfifo [-m MODE] NAME...
import { chmod, mknod, warn } from "../lib/mod.ts";
import { getopt, last, usageError } from "../coreutils/getopt.ts";
import { S } from "../coreutils/consts.ts";
import { specialFileMode } from "../coreutils/modearg.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: mkfifo [OPTION]... NAME...
Create named pipes (FIFOs) with the given NAMEs.

  -m, --mode=MODE    set file permission bits to MODE, not a=rw - umask`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "m:",
    usage: USAGE,
    long: { mode: { arg: "required", key: "m" } },
  });
  if (typeof p === "number") return p;
  if (p.operands.length === 0) return usageError("missing operand");
  const modeArg = last(p, "m");
  const mode = modeArg === undefined ? 0o666 : specialFileMode(modeArg);
  if (mode === undefined) return 1;
  let status = 0;
  for (const name of p.operands) {
    try {
      mknod(name, S.IFIFO | mode, 0);
    } catch (err) {
      warn(`cannot create fifo ${quoteAlways(name)}`, err);
      status = 1;
      continue;
    }
    if (modeArg !== undefined) {
      try {
        chmod(name, mode);
      } catch (err) {
        warn(`cannot set permissions of ${quoteAlways(name)}`, err);
        status = 1;
      }
    }
  }
  return status;
}
