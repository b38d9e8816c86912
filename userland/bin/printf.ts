// printf: format and print data, as GNU coreutils printf.
//
//   printf FORMAT [ARGUMENT]...
//
// %d %i %o %u %x %X (64-bit), %f %e %g %a (and upper-case forms), %c, %s,
// %b (ARGUMENT's backslash escapes), %%, with flags, width and precision
// (also "*"). FORMAT's own escapes: \n \t \NNN \xHH \uHHHH ... and \c (stop).
// The FORMAT is reused while ARGUMENTs remain. A non-numeric ARGUMENT for a
// numeric conversion prints 0 and makes the exit status 1.
import { stdout, warn } from "../lib/mod.ts";
import { usageError } from "../coreutils/getopt.ts";
import { printf } from "../coreutils/printf_format.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { print } from "../lib/mod.ts";

export function main(argv: string[]): number {
  let args = argv.slice(1);
  if (args[0] === "--help") {
    print("Usage: printf FORMAT [ARGUMENT]...\n  or:  printf OPTION");
    return 0;
  }
  if (args[0] === "--version") {
    print("printf (MelloOS coreutils) 9.1");
    return 0;
  }
  if (args[0] === "--") args = args.slice(1);
  if (args.length === 0) return usageError("missing operand");
  let r;
  try {
    r = printf(args[0], args.slice(1));
  } catch (err) {
    warn(err instanceof Error ? err.message : String(err));
    return 1;
  }
  stdout().write(r.bytes);
  for (const e of r.errors) warn(e);
  if (r.unused !== undefined) {
    warn(`warning: ignoring excess arguments, starting with ${quoteAlways(r.unused)}`);
  }
  return r.errors.length > 0 ? 1 : 0;
}
