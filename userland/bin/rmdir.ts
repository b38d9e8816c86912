// rmdir: remove empty directories.
//
//   rmdir [-p] [-v] [--ignore-fail-on-non-empty] DIRECTORY...
//
// -p also removes each parent named in the path, stopping at the first that
// fails (reported as "failed to remove directory").
import { Errno, print, rmdir, warn } from "../lib/mod.ts";
import { getopt, has, usageError } from "../coreutils/getopt.ts";
import { errnoOf } from "../coreutils/files.ts";
import { stripTrailingSlashes } from "../coreutils/path.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: rmdir [OPTION]... DIRECTORY...
Remove the DIRECTORY(ies), if they are empty.

      --ignore-fail-on-non-empty
                    ignore each failure to remove a non-empty directory
  -p, --parents     remove DIRECTORY and its ancestors
  -v, --verbose     output a diagnostic for every directory processed`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "pv",
    usage: USAGE,
    long: {
      parents: { arg: "none", key: "p" },
      verbose: { arg: "none", key: "v" },
      "ignore-fail-on-non-empty": { arg: "none", key: "ignore" },
    },
  });
  if (typeof p === "number") return p;
  if (p.operands.length === 0) return usageError("missing operand");
  const parents = has(p, "p");
  const verbose = has(p, "v");
  const ignoreNonEmpty = has(p, "ignore");
  const nonEmpty = (err: unknown) =>
    errnoOf(err) === Errno.ENOTEMPTY || errnoOf(err) === Errno.EEXIST;
  let status = 0;
  for (const dir of p.operands) {
    if (verbose) print(`rmdir: removing directory, ${quoteAlways(dir)}`);
    try {
      rmdir(dir);
    } catch (err) {
      if (ignoreNonEmpty && nonEmpty(err)) continue;
      warn(`failed to remove ${quoteAlways(dir)}`, err);
      status = 1;
      continue;
    }
    if (!parents) continue;
    let path = stripTrailingSlashes(dir);
    for (;;) {
      const slash = path.lastIndexOf("/");
      if (slash <= 0) break;
      path = path.slice(0, slash).replace(/\/+$/, "");
      if (path === "") break;
      if (verbose) print(`rmdir: removing directory, ${quoteAlways(path)}`);
      try {
        rmdir(path);
      } catch (err) {
        if (!(ignoreNonEmpty && nonEmpty(err))) {
          warn(`failed to remove directory ${quoteAlways(path)}`, err);
          status = 1;
        }
        break;
      }
    }
  }
  return status;
}
