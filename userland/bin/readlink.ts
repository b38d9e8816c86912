// readlink: print resolved symbolic links or canonical file names.
//
//   readlink [-f | -e | -m] [-n] [-q | -s | -v] [-z] FILE...
//
// Without -f/-e/-m, prints the target of each symlink (nothing, status 1,
// for anything else). Errors are silent unless -v.
import { readlink, stdout, warn } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { canonicalize, type CanonMode } from "../coreutils/canon.ts";

const USAGE = `Usage: readlink [OPTION]... FILE...
Print value of a symbolic link or canonical file name

  -f, --canonicalize            canonicalize by following every symlink in
                                every component of the given name recursively;
                                all but the last component must exist
  -e, --canonicalize-existing   canonicalize by following every symlink in
                                every component of the given name recursively,
                                all components must exist
  -m, --canonicalize-missing    canonicalize by following every symlink in
                                every component of the given name recursively,
                                without requirements on components existence
  -n, --no-newline              do not output the trailing delimiter
  -q, --quiet
  -s, --silent                  suppress most error messages (on by default)
  -v, --verbose                 report error messages
  -z, --zero                    end each output line with NUL, not newline`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "efmnqsvz",
    usage: USAGE,
    long: {
      canonicalize: { arg: "none", key: "f" },
      "canonicalize-existing": { arg: "none", key: "e" },
      "canonicalize-missing": { arg: "none", key: "m" },
      "no-newline": { arg: "none", key: "n" },
      quiet: { arg: "none", key: "q" },
      silent: { arg: "none", key: "s" },
      verbose: { arg: "none", key: "v" },
      zero: { arg: "none", key: "z" },
    },
  });
  if (typeof p === "number") return p;
  let mode: CanonMode | undefined;
  let newline = true;
  let verbose = false;
  let end = "\n";
  for (const { key } of p.opts) {
    if (key === "f" || key === "e" || key === "m") mode = key;
    else if (key === "n") newline = false;
    else if (key === "v") verbose = true;
    else if (key === "q" || key === "s") verbose = false;
    else if (key === "z") end = "\0";
  }
  if (p.operands.length === 0) return usageError("missing operand");
  if (!newline && p.operands.length > 1) {
    warn("ignoring --no-newline with multiple arguments");
    newline = true;
  }
  let status = 0;
  for (const f of p.operands) {
    try {
      const v = mode === undefined ? readlink(f) : canonicalize(f, mode);
      stdout().write(v + (newline ? end : ""));
    } catch (err) {
      if (verbose) warn(f, err);
      status = 1;
    }
  }
  return status;
}
