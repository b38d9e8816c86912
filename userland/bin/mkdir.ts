// mkdir: make directories.
//
//   mkdir [-p] [-m MODE] [-v] DIRECTORY...
//
// -p makes missing parents (mode u+wx beyond the umask) and is quiet about a
// directory that exists; -m sets the mode of the new directories (octal or
// symbolic, relative to a=rwx), whatever the umask; -v reports each one.
import { chmod, Errno, mkdir, print, stat, warn } from "../lib/mod.ts";
import { getopt, has, last, usageError } from "../coreutils/getopt.ts";
import { isDir } from "../coreutils/consts.ts";
import { errnoOf } from "../coreutils/files.ts";
import { applyMode, compileMode } from "../coreutils/mode.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { currentUmask } from "../coreutils/umask.ts";
import { ErrnoError } from "../lib/mod.ts";

const USAGE = `Usage: mkdir [OPTION]... DIRECTORY...
Create the DIRECTORY(ies), if they do not already exist.

  -m, --mode=MODE   set file mode (as in chmod), not a=rwx - umask
  -p, --parents     no error if existing, make parent directories as needed,
                    with their file modes unaffected by any -m option.
  -v, --verbose     print a message for each created directory`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "m:pv",
    usage: USAGE,
    long: {
      mode: { arg: "required", key: "m" },
      parents: { arg: "none", key: "p" },
      verbose: { arg: "none", key: "v" },
    },
  });
  if (typeof p === "number") return p;
  if (p.operands.length === 0) return usageError("missing operand");
  const parents = has(p, "p");
  const verbose = has(p, "v");
  const modeArg = last(p, "m");
  const mask = modeArg !== undefined || parents ? currentUmask() : 0;
  let mode = 0o777;
  let explicit = false;
  if (modeArg !== undefined) {
    const changes = compileMode(modeArg);
    if (changes === undefined) {
      warn(`invalid mode ${quoteAlways(modeArg)}`);
      return 1;
    }
    mode = applyMode(0o777, true, mask, changes).mode;
    explicit = true;
  }
  const created = (dir: string) => {
    if (verbose) print(`mkdir: created directory ${quoteAlways(dir)}`);
  };
  let status = 0;
  for (const dir of p.operands) {
    try {
      if (parents) makeParents(dir.replace(/\/+$/, ""), mask, created);
      try {
        mkdir(dir, mode);
      } catch (err) {
        if (parents && errnoOf(err) === Errno.EEXIST && isDirectory(dir)) continue;
        throw new Failed(dir, err);
      }
      created(dir);
      if (explicit && (mode & ~0o777 || (mode & mask) !== 0)) chmod(dir, mode);
    } catch (err) {
      if (err instanceof Failed) warn(`cannot create directory ${quoteAlways(err.dir)}`, err.cause);
      else warn(`cannot create directory ${quoteAlways(dir)}`, err);
      status = 1;
    }
  }
  return status;
}

class Failed {
  constructor(readonly dir: string, readonly cause: unknown) {}
}

function isDirectory(path: string): boolean {
  try {
    return isDir(stat(path).mode);
  } catch {
    return false;
  }
}

/** Make every missing ancestor of `dir`, as mkdir -p does. */
function makeParents(dir: string, mask: number, created: (d: string) => void): void {
  const parts = dir.split("/");
  let prefix = dir.startsWith("/") ? "/" : "";
  for (let i = 0; i < parts.length - 1; i++) {
    const c = parts[i];
    if (c === "") continue;
    prefix += c;
    if (c !== "." && c !== "..") {
      try {
        mkdir(prefix, 0o777);
        created(prefix);
        if ((mask & 0o300) !== 0) chmod(prefix, (0o777 & ~mask) | 0o300);
      } catch (err) {
        if (errnoOf(err) !== Errno.EEXIST) throw new Failed(prefix, err);
        if (!isDirectory(prefix)) throw new Failed(prefix, new ErrnoError(Errno.ENOTDIR, prefix));
      }
    }
    prefix += "/";
  }
}
