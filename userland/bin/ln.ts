// ln: make links between files.
//
//   ln [-sfnTv] TARGET LINK_NAME      ln [-sfnv] TARGET... DIRECTORY
//   ln [-sfv] -t DIRECTORY TARGET...
//
// Hard links by default, symbolic with -s. -f removes an existing
// destination first; -n treats a destination that is a symlink to a
// directory as a file; -T never treats it as a directory.
import { Errno, ErrnoError, link, lstat, print, stat, symlink, unlink, warn } from "../lib/mod.ts";
import { getopt, has, last, usageError } from "../coreutils/getopt.ts";
import { isDir, isLnk } from "../coreutils/consts.ts";
import { errnoOf } from "../coreutils/files.ts";
import { baseName, join } from "../coreutils/path.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: ln [OPTION]... [-T] TARGET LINK_NAME
  or:  ln [OPTION]... TARGET
  or:  ln [OPTION]... TARGET... DIRECTORY
  or:  ln [OPTION]... -t DIRECTORY TARGET...

  -f, --force                 remove existing destination files
  -n, --no-dereference        treat LINK_NAME as a normal file if
                                it is a symbolic link to a directory
  -s, --symbolic              make symbolic links instead of hard links
  -t, --target-directory=DIRECTORY  specify the DIRECTORY in which to create
                                the links
  -T, --no-target-directory   treat LINK_NAME as a normal file always
  -v, --verbose               print name of each linked file`;

interface Options {
  symbolic: boolean;
  force: boolean;
  verbose: boolean;
}

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "fnst:Tv",
    usage: USAGE,
    long: {
      force: { arg: "none", key: "f" },
      "no-dereference": { arg: "none", key: "n" },
      symbolic: { arg: "none", key: "s" },
      "target-directory": { arg: "required", key: "t" },
      "no-target-directory": { arg: "none", key: "T" },
      verbose: { arg: "none", key: "v" },
    },
  });
  if (typeof p === "number") return p;
  const o: Options = { symbolic: has(p, "s"), force: has(p, "f"), verbose: has(p, "v") };
  const noDeref = has(p, "n");
  const noTargetDir = has(p, "T");
  const targetDir = last(p, "t");
  const args = p.operands;
  if (args.length === 0) return usageError("missing file operand");

  if (targetDir !== undefined) {
    if (noTargetDir) {
      return usageError("cannot combine --target-directory and --no-target-directory");
    }
    if (!isDirectory(targetDir, false)) {
      warn(`target directory ${quoteAlways(targetDir)}`, whyNotDir(targetDir));
      return 1;
    }
    return linkAll(args, targetDir, o);
  }
  if (noTargetDir) {
    if (args.length > 2) return usageError(`extra operand ${quoteAlways(args[2])}`);
    if (args.length < 2) {
      return usageError(`missing destination file operand after ${quoteAlways(args[0])}`);
    }
    return makeLink(args[0], args[1], o) ? 0 : 1;
  }
  if (args.length === 1) return makeLink(args[0], baseName(args[0]), o) ? 0 : 1;
  const dest = args[args.length - 1];
  if (args.length === 2 && !isDirectory(dest, noDeref)) return makeLink(args[0], dest, o) ? 0 : 1;
  if (!isDirectory(dest, noDeref)) {
    warn(`target ${quoteAlways(dest)}`, whyNotDir(dest));
    return 1;
  }
  return linkAll(args.slice(0, -1), dest, o);
}

function linkAll(sources: string[], dir: string, o: Options): number {
  let status = 0;
  for (const s of sources) if (!makeLink(s, join(dir, baseName(s)), o)) status = 1;
  return status;
}

/** Is `path` a directory (following a final symlink unless `noDeref`)? */
function isDirectory(path: string, noDeref: boolean): boolean {
  try {
    const st = noDeref ? lstat(path) : stat(path);
    return isDir(st.mode);
  } catch {
    return false;
  }
}

function whyNotDir(path: string): unknown {
  try {
    stat(path);
    return new ErrnoError(Errno.ENOTDIR, path);
  } catch (err) {
    return err;
  }
}

function makeLink(source: string, dest: string, o: Options): boolean {
  if (!o.symbolic) {
    try {
      if (isDir(stat(source).mode)) {
        warn(`${source}: hard link not allowed for directory`);
        return false;
      }
    } catch (err) {
      warn(`failed to access ${quoteAlways(source)}`, err);
      return false;
    }
  }
  if (o.force) {
    try {
      const d = lstat(dest);
      if (!o.symbolic && sameFile(source, d)) {
        warn(`${quoteAlways(source)} and ${quoteAlways(dest)} are the same file`);
        return false;
      }
      if (isDir(d.mode)) {
        warn(`${quoteAlways(dest)}: cannot overwrite directory`);
        return false;
      }
      unlink(dest);
    } catch (err) {
      if (errnoOf(err) !== Errno.ENOENT) {
        warn(`cannot remove ${quoteAlways(dest)}`, err);
        return false;
      }
    }
  }
  try {
    if (o.symbolic) symlink(source, dest);
    else link(source, dest);
  } catch (err) {
    const e = errnoOf(err);
    if (o.symbolic) {
      warn(`failed to create symbolic link ${quoteAlways(dest)}`, err);
    } else if (e === Errno.EMLINK) {
      warn(`failed to create hard link to ${quoteAlways(source)}`, err);
    } else if (
      e === Errno.EEXIST || e === Errno.EDQUOT || e === Errno.ENOSPC || e === Errno.EROFS
    ) {
      warn(`failed to create hard link ${quoteAlways(dest)}`, err);
    } else {
      warn(`failed to create hard link ${quoteAlways(dest)} => ${quoteAlways(source)}`, err);
    }
    return false;
  }
  if (o.verbose) {
    print(`${quoteAlways(dest)} ${o.symbolic ? "->" : "=>"} ${quoteAlways(source)}`);
  }
  return true;
}

function sameFile(source: string, d: { dev: number; ino: number; mode: number }): boolean {
  if (isLnk(d.mode)) return false;
  try {
    const s = stat(source);
    return s.dev === d.dev && s.ino === d.ino;
  } catch {
    return false;
  }
}
