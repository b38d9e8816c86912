// realpath: print the resolved absolute file name.
//
//   realpath [-e | -m] [-q] [-z] FILE...
//
// All but the last component must exist by default (-e: all, -m: none).
import { stdout, warn } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { canonicalize, type CanonMode } from "../coreutils/canon.ts";

const USAGE = `Usage: realpath [OPTION]... FILE...
Print the resolved absolute file name;
all but the last component must exist

  -e, --canonicalize-existing  all components of the path must exist
  -m, --canonicalize-missing   no path components need exist or be a directory
  -q, --quiet                  suppress most error messages
  -z, --zero                   end each output line with NUL, not newline`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "emqzLPs",
    usage: USAGE,
    long: {
      "canonicalize-existing": { arg: "none", key: "e" },
      "canonicalize-missing": { arg: "none", key: "m" },
      quiet: { arg: "none", key: "q" },
      zero: { arg: "none", key: "z" },
    },
  });
  if (typeof p === "number") return p;
  let mode: CanonMode = "f";
  let quiet = false;
  let end = "\n";
  for (const { key } of p.opts) {
    if (key === "e" || key === "m") mode = key;
    else if (key === "q") quiet = true;
    else if (key === "z") end = "\0";
  }
  if (p.operands.length === 0) return usageError("missing operand");
  let status = 0;
  for (const f of p.operands) {
    try {
      stdout().write(canonicalize(f, mode) + end);
    } catch (err) {
      if (!quiet) warn(f, err);
      status = 1;
    }
  }
  return status;
}
