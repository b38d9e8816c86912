// basename: strip directory and suffix from file names.
//
//   basename NAME [SUFFIX]      basename -a [-s SUFFIX] NAME...
import { print } from "../lib/mod.ts";
import { getopt, has, last, usageError } from "../coreutils/getopt.ts";
import { baseName } from "../coreutils/path.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: basename NAME [SUFFIX]
  or:  basename OPTION... NAME...
Print NAME with any leading directory components removed.
If specified, also remove a trailing SUFFIX.

  -a, --multiple       support multiple arguments and treat each as a NAME
  -s, --suffix=SUFFIX  remove a trailing SUFFIX; implies -a
  -z, --zero           end each output line with NUL, not newline`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "+as:z",
    usage: USAGE,
    long: {
      multiple: { arg: "none", key: "a" },
      suffix: { arg: "required", key: "s" },
      zero: { arg: "none", key: "z" },
    },
  });
  if (typeof p === "number") return p;
  const names = p.operands;
  if (names.length === 0) return usageError("missing operand");
  let suffix = last(p, "s");
  let list = names;
  if (!has(p, "a") && suffix === undefined) {
    if (names.length > 2) return usageError(`extra operand ${quoteAlways(names[2])}`);
    suffix = names[1];
    list = [names[0]];
  }
  for (const n of list) {
    let b = baseName(n);
    if (suffix !== undefined && suffix !== "" && b !== suffix && b.endsWith(suffix)) {
      b = b.slice(0, -suffix.length);
    }
    print(b);
  }
  return 0;
}
