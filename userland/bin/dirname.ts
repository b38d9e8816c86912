// dirname: strip the last component from file names.
//
//   dirname NAME...
import { print } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { dirName } from "../coreutils/path.ts";

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "z",
    usage:
      "Usage: dirname [OPTION] NAME...\nOutput each NAME with its last non-slash component and trailing slashes\nremoved; if NAME contains no /'s, output '.' (meaning the current directory).",
    long: { zero: { arg: "none", key: "z" } },
  });
  if (typeof p === "number") return p;
  if (p.operands.length === 0) return usageError("missing operand");
  for (const n of p.operands) print(dirName(n));
  return 0;
}
