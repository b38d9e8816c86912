// mknod: make block or character special files, or FIFOs.
//
//   mknod [-m MODE] NAME TYPE [MAJOR MINOR]
//
// TYPE is b (block), c or u (character), or p (FIFO, no numbers).
import { chmod, mknod, warn } from "../lib/mod.ts";
import { eprint } from "../lib/mod.ts";
import { getopt, last, tryHelp, usageError } from "../coreutils/getopt.ts";
import { makedev, S } from "../coreutils/consts.ts";
import { specialFileMode } from "../coreutils/modearg.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: mknod [OPTION]... NAME TYPE [MAJOR MINOR]
Create the special file NAME of the given TYPE.

  -m, --mode=MODE    set file permission bits to MODE, not a=rw - umask

Both MAJOR and MINOR must be specified when TYPE is b, c, or u, and they
must be omitted when TYPE is p.
  b      create a block (buffered) special file
  c, u   create a character (unbuffered) special file
  p      create a FIFO`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "m:",
    usage: USAGE,
    long: { mode: { arg: "required", key: "m" } },
  });
  if (typeof p === "number") return p;
  const args = p.operands;
  if (args.length === 0) return usageError("missing operand");
  if (args.length === 1) return usageError(`missing operand after ${quoteAlways(args[0])}`);
  const [name, type] = args;
  const numbered = type === "b" || type === "c" || type === "u";
  if (numbered && args.length < 4) {
    eprint(`mknod: missing operand after ${quoteAlways(args[args.length - 1])}`);
    if (args.length === 2) eprint("Special files require major and minor device numbers.");
    tryHelp();
    return 1;
  }
  if (type === "p" && args.length > 2) {
    eprint(`mknod: extra operand ${quoteAlways(args[2])}`);
    if (args.length === 4) eprint("Fifos do not have major and minor device numbers.");
    tryHelp();
    return 1;
  }
  if (numbered && args.length > 4) return usageError(`extra operand ${quoteAlways(args[4])}`);
  if (!numbered && type !== "p") return usageError(`invalid device type ${quoteAlways(type)}`);
  const modeArg = last(p, "m");
  const perm = modeArg === undefined ? 0o666 : specialFileMode(modeArg);
  if (perm === undefined) return 1;
  let dev = 0;
  let fmt: number = S.IFIFO;
  if (numbered) {
    fmt = type === "b" ? S.IFBLK : S.IFCHR;
    const maj = parseNumber(args[2]);
    if (maj === undefined) {
      warn(`invalid major device number ${quoteAlways(args[2])}`);
      return 1;
    }
    const min = parseNumber(args[3]);
    if (min === undefined) {
      warn(`invalid minor device number ${quoteAlways(args[3])}`);
      return 1;
    }
    dev = makedev(maj, min);
  }
  try {
    mknod(name, fmt | perm, dev);
  } catch (err) {
    warn(name, err);
    return 1;
  }
  if (modeArg !== undefined) {
    try {
      chmod(name, perm);
    } catch (err) {
      warn(`cannot set permissions of ${quoteAlways(name)}`, err);
      return 1;
    }
  }
  return 0;
}

/** A device number as strtoumax reads it: decimal, 0x hex or 0 octal. */
function parseNumber(s: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^0[0-7]*$/.test(s)) return parseInt(s, 8);
  if (/^[1-9]\d*$/.test(s)) return Number(s);
  return undefined;
}
