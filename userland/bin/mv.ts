// mv: move (rename) files.
//
//   mv [OPTION]... SOURCE DEST      mv [OPTION]... SOURCE... DIRECTORY
//   mv [OPTION]... -t DIRECTORY SOURCE...
//
// A rename(2); when it crosses filesystems (EXDEV) the source is copied with
// everything kept (mode, owner, times, links, xattrs, symlinks as symlinks)
// and then removed, as GNU mv does. -f never asks, -i asks before
// overwriting, -n never overwrites, -v tells what was done.
import { Errno, lstat, print, rename, rmdir, type Stat, unlink, warn } from "../lib/mod.ts";
import { getopt, last } from "../coreutils/getopt.ts";
import { isDir } from "../coreutils/consts.ts";
import { copy, copyOptions } from "../coreutils/copy.ts";
import { listNames } from "../coreutils/dir.ts";
import { errnoOf } from "../coreutils/files.ts";
import { join } from "../coreutils/path.ts";
import { confirm } from "../coreutils/prompt.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { pairs } from "../coreutils/targets.ts";
import { currentUmask } from "../coreutils/umask.ts";

const USAGE = `Usage: mv [OPTION]... [-T] SOURCE DEST
  or:  mv [OPTION]... SOURCE... DIRECTORY
  or:  mv [OPTION]... -t DIRECTORY SOURCE...
Rename SOURCE to DEST, or move SOURCE(s) to DIRECTORY.

  -f, --force                  do not prompt before overwriting
  -i, --interactive            prompt before overwrite
  -n, --no-clobber             do not overwrite an existing file
  -t, --target-directory=DIRECTORY  move all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done`;

interface Options {
  interactive: boolean;
  noClobber: boolean;
  verbose: boolean;
}

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "fint:Tv",
    usage: USAGE,
    long: {
      force: { arg: "none", key: "f" },
      interactive: { arg: "none", key: "i" },
      "no-clobber": { arg: "none", key: "n" },
      "target-directory": { arg: "required", key: "t" },
      "no-target-directory": { arg: "none", key: "T" },
      verbose: { arg: "none", key: "v" },
    },
  });
  if (typeof p === "number") return p;
  const o: Options = { interactive: false, noClobber: false, verbose: false };
  for (const { key } of p.opts) {
    if (key === "f") o.interactive = o.noClobber = false;
    else if (key === "i") {
      o.interactive = true;
      o.noClobber = false;
    } else if (key === "n") {
      o.noClobber = true;
      o.interactive = false;
    } else if (key === "v") o.verbose = true;
  }
  const list = pairs(p.operands, last(p, "t"), p.opts.some((x) => x.key === "T"));
  if (typeof list === "number") return list;
  let ok = true;
  for (const [src, dst] of list) if (!move(src, dst, o)) ok = false;
  return ok ? 0 : 1;
}

function move(src: string, dst: string, o: Options): boolean {
  let sst: Stat;
  try {
    sst = lstat(src);
  } catch (err) {
    warn(`cannot stat ${quoteAlways(src)}`, err);
    return false;
  }
  let dstSt: Stat | undefined;
  try {
    dstSt = lstat(dst);
  } catch {
    dstSt = undefined;
  }
  if (dstSt !== undefined) {
    if (dstSt.dev === sst.dev && dstSt.ino === sst.ino) {
      warn(`${quoteAlways(src)} and ${quoteAlways(dst)} are the same file`);
      return false;
    }
    if (isDir(sst.mode) && !isDir(dstSt.mode)) {
      warn(`cannot overwrite non-directory ${quoteAlways(dst)} with directory ${quoteAlways(src)}`);
      return false;
    }
    if (!isDir(sst.mode) && isDir(dstSt.mode)) {
      warn(`cannot overwrite directory ${quoteAlways(dst)} with non-directory`);
      return false;
    }
    if (o.noClobber) return true;
    if (o.interactive && !confirm(`mv: overwrite ${quoteAlways(dst)}? `)) return true;
  }
  try {
    rename(src, dst);
  } catch (err) {
    const e = errnoOf(err);
    if (e === Errno.EXDEV) return moveAcross(src, dst, sst, dstSt, o);
    if (e === Errno.EINVAL && isDir(sst.mode)) {
      warn(`cannot move ${quoteAlways(src)} to a subdirectory of itself, ${quoteAlways(dst)}`);
    } else {
      warn(`cannot move ${quoteAlways(src)} to ${quoteAlways(dst)}`, err);
    }
    return false;
  }
  if (o.verbose) print(`renamed ${quoteAlways(src)} -> ${quoteAlways(dst)}`);
  return true;
}

/** EXDEV: copy everything, then remove the source. */
function moveAcross(src: string, dst: string, sst: Stat, dstSt: Stat | undefined, o: Options) {
  if (dstSt !== undefined) {
    try {
      if (isDir(dstSt.mode)) rmdir(dst);
      else unlink(dst);
    } catch (err) {
      warn(
        `inter-device move failed: ${quoteAlways(src)} to ${
          quoteAlways(dst)
        }; unable to remove target`,
        err,
      );
      return false;
    }
  }
  const c = copyOptions("mv", currentUmask());
  c.recursive = true;
  c.deref = "never";
  c.preserveMode =
    c.preserveOwner =
    c.preserveTimes =
    c.preserveLinks =
    c.preserveXattr =
      true;
  c.verbose = o.verbose;
  c.verbosePrefix = "copied ";
  if (!copy(src, dst, c)) return false;
  return removeTree(src, sst, o.verbose);
}

function removeTree(path: string, st: Stat, verbose: boolean): boolean {
  try {
    if (isDir(st.mode)) {
      let ok = true;
      for (const n of listNames(path)) {
        const child = join(path, n);
        if (!removeTree(child, lstat(child), verbose)) ok = false;
      }
      if (!ok) return false;
      rmdir(path);
      if (verbose) print(`removed directory ${quoteAlways(path)}`);
    } else {
      unlink(path);
      if (verbose) print(`removed ${quoteAlways(path)}`);
    }
    return true;
  } catch (err) {
    warn(`cannot remove ${quoteAlways(path)}`, err);
    return false;
  }
}
