// pwd: print the name of the current working directory.
//
//   pwd [-L | -P]
//
// -P (the default, as GNU's) prints the physical directory (getcwd); -L
// prints $PWD when it is absolute, free of "." and "..", and names the
// current directory.
import { getcwd, getenv, print, stat, warn } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";

const USAGE = `Usage: pwd [OPTION]...
Print the full filename of the current working directory.

  -L, --logical   use PWD from environment, even if it contains symlinks
  -P, --physical  avoid all symlinks (the default)`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "LP",
    usage: USAGE,
    long: { logical: { arg: "none", key: "L" }, physical: { arg: "none", key: "P" } },
  });
  if (typeof p === "number") return p;
  if (p.operands.length > 0) warn("ignoring non-option arguments");
  let logical = getenv("POSIXLY_CORRECT") !== undefined;
  for (const { key } of p.opts) logical = key === "L";
  if (logical) {
    const env = logicalCwd();
    if (env !== undefined) {
      print(env);
      return 0;
    }
  }
  try {
    print(getcwd());
  } catch (err) {
    warn("cannot determine current directory", err);
    return 1;
  }
  return 0;
}

function logicalCwd(): string | undefined {
  const pwd = getenv("PWD");
  if (pwd === undefined || !pwd.startsWith("/")) return undefined;
  if (pwd.split("/").some((c) => c === "." || c === "..")) return undefined;
  try {
    const a = stat(pwd);
    const b = stat(".");
    return a.dev === b.dev && a.ino === b.ino ? pwd : undefined;
  } catch {
    return undefined;
  }
}
