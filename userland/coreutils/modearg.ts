// The -m MODE option of mkfifo and mknod: a MODE relative to a=rw, umask ignored.
import { warn } from "../lib/mod.ts";
import { applyMode, compileMode } from "./mode.ts";
import { quoteAlways } from "./quote.ts";
import { currentUmask } from "./umask.ts";

/** The mode -m MODE asks for, or undefined after printing why it is invalid. */
export function specialFileMode(arg: string): number | undefined {
  const changes = compileMode(arg);
  if (changes === undefined) {
    warn(`invalid mode ${quoteAlways(arg)}`);
    return undefined;
  }
  const mode = applyMode(0o666, false, currentUmask(), changes).mode;
  if ((mode & ~0o777) !== 0) {
    warn("mode must specify only file permission bits");
    return undefined;
  }
  return mode;
}
