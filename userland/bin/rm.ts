// rm: remove files or directories.
//
//   rm [-fiIrRdv] [--no-preserve-root] FILE...
//
// Without -r a directory is refused ("Is a directory") unless -d and empty.
// "." and ".." are always refused, and so is "/" with -r unless
// --no-preserve-root. -f ignores missing files and never prompts; -i asks
// before each removal; a write-protected file is asked about only when
// standard input is a terminal. Exit 1 if anything was not removed.
import { access, isatty, lstat, print, rmdir, type Stat, unlink, warn } from "../lib/mod.ts";
import { Errno, ErrnoError } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { isDir, isLnk, W_OK } from "../coreutils/consts.ts";
import { listNames } from "../coreutils/dir.ts";
import { errnoOf } from "../coreutils/files.ts";
import { fileTypeName } from "../coreutils/mode.ts";
import { baseName, join } from "../coreutils/path.ts";
import { confirm } from "../coreutils/prompt.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: rm [OPTION]... [FILE]...
Remove (unlink) the FILE(s).

  -f, --force           ignore nonexistent files and arguments, never prompt
  -i                    prompt before every removal
  -I                    prompt once before removing more than three files, or
                          when removing recursively
  -r, -R, --recursive   remove directories and their contents recursively
  -d, --dir             remove empty directories
  -v, --verbose         explain what is being done
      --no-preserve-root  do not treat '/' specially
      --preserve-root   do not remove '/' (default)`;

interface Options {
  force: boolean;
  interactive: "never" | "once" | "always";
  recursive: boolean;
  dir: boolean;
  verbose: boolean;
  preserveRoot: boolean;
  stdinTty: boolean;
  root?: Stat;
}

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "fiIrRdv",
    usage: USAGE,
    long: {
      force: { arg: "none", key: "f" },
      interactive: { arg: "optional", key: "--interactive" },
      recursive: { arg: "none", key: "r" },
      dir: { arg: "none", key: "d" },
      verbose: { arg: "none", key: "v" },
      "no-preserve-root": { arg: "none", key: "--no-preserve-root" },
      "preserve-root": { arg: "optional", key: "--preserve-root" },
    },
  });
  if (typeof p === "number") return p;
  const o: Options = {
    force: false,
    interactive: "never",
    recursive: false,
    dir: false,
    verbose: false,
    preserveRoot: true,
    stdinTty: isatty(0),
  };
  for (const { key, value } of p.opts) {
    if (key === "f") {
      o.force = true;
      o.interactive = "never";
    } else if (key === "i") {
      o.interactive = "always";
      o.force = false;
    } else if (key === "I") {
      o.interactive = "once";
      o.force = false;
    } else if (key === "--interactive") {
      if (value === undefined || value === "always" || value === "yes") o.interactive = "always";
      else if (value === "once") o.interactive = "once";
      else if (value === "never" || value === "no" || value === "none") o.interactive = "never";
      else return usageError(`invalid argument ${quoteAlways(value)} for '--interactive'`);
    } else if (key === "r" || key === "R") o.recursive = true;
    else if (key === "d") o.dir = true;
    else if (key === "v") o.verbose = true;
    else if (key === "--no-preserve-root") o.preserveRoot = false;
    else if (key === "--preserve-root") o.preserveRoot = true;
  }
  if (p.operands.length === 0) {
    if (o.force) return 0;
    return usageError("missing operand");
  }
  if (o.interactive === "once" && (o.recursive || p.operands.length > 3)) {
    const what = p.operands.length === 1
      ? `recursively ${quoteAlways(p.operands[0])}`
      : `${p.operands.length} arguments${o.recursive ? " recursively" : ""}`;
    if (!confirm(`rm: remove ${what}? `)) return 0;
  }
  if (o.recursive && o.preserveRoot) {
    try {
      o.root = lstat("/");
    } catch {
      // no root to protect
    }
  }
  let ok = true;
  for (const f of p.operands) {
    const base = baseName(f);
    if (base === "." || base === "..") {
      warn(`refusing to remove '.' or '..' directory: skipping ${quoteAlways(f)}`);
      ok = false;
      continue;
    }
    if (!remove(f, o)) ok = false;
  }
  return ok ? 0 : 1;
}

/** Remove `path` (and, with -r, what is under it); false if something stayed. */
function remove(path: string, o: Options): boolean {
  let st: Stat;
  try {
    st = lstat(path);
  } catch (err) {
    if (o.force && errnoOf(err) === Errno.ENOENT) return true;
    warn(`cannot remove ${quoteAlways(path)}`, err);
    return false;
  }
  if (isDir(st.mode)) {
    if (o.root !== undefined && st.dev === o.root.dev && st.ino === o.root.ino) {
      warn(`it is dangerous to operate recursively on ${quoteAlways(path)}`);
      warn("use --no-preserve-root to override this failsafe");
      return false;
    }
    if (!o.recursive) {
      if (!o.dir) {
        warn(`cannot remove ${quoteAlways(path)}`, new ErrnoError(Errno.EISDIR, path));
        return false;
      }
      return removeDir(path, o);
    }
    let names: string[];
    try {
      names = listNames(path);
    } catch (err) {
      // An unreadable directory may still be empty and removable.
      if (!o.force && o.interactive === "always" && !ask("remove directory", path, o)) return false;
      try {
        rmdir(path);
        if (o.verbose) print(`removed directory ${quoteAlways(path)}`);
        return true;
      } catch {
        warn(`cannot remove ${quoteAlways(path)}`, err);
        return false;
      }
    }
    if (o.interactive === "always" && names.length > 0) {
      if (!confirm(`rm: descend into directory ${quoteAlways(path)}? `)) return false;
    }
    let ok = true;
    for (const n of names) if (!remove(join(path, n), o)) ok = false;
    if (!ok) return false;
    if (o.interactive === "always" && !ask("remove directory", path, o)) return false;
    return removeDir(path, o, true);
  }
  if (o.interactive === "always") {
    if (!ask(`remove ${fileTypeName(st.mode, st.size)}`, path, o)) return false;
  } else if (!o.force && o.interactive === "never" && o.stdinTty && !isLnk(st.mode)) {
    if (
      !writable(path) && !ask(`remove write-protected ${fileTypeName(st.mode, st.size)}`, path, o)
    ) {
      return false;
    }
  }
  try {
    unlink(path);
  } catch (err) {
    warn(`cannot remove ${quoteAlways(path)}`, err);
    return false;
  }
  if (o.verbose) print(`removed ${quoteAlways(path)}`);
  return true;
}

function removeDir(path: string, o: Options, asked = false): boolean {
  if (!asked && o.interactive === "always" && !ask("remove directory", path, o)) return false;
  try {
    rmdir(path);
  } catch (err) {
    warn(`cannot remove ${quoteAlways(path)}`, err);
    return false;
  }
  if (o.verbose) print(`removed directory ${quoteAlways(path)}`);
  return true;
}

function ask(what: string, path: string, _o: Options): boolean {
  return confirm(`rm: ${what} ${quoteAlways(path)}? `);
}

function writable(path: string): boolean {
  try {
    access(path, W_OK);
    return true;
  } catch {
    return false;
  }
}
