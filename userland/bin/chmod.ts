// chmod: change file mode bits.
//
//   chmod [-Rcfv] MODE[,MODE]... FILE...      chmod [-Rcfv] --reference=RFILE FILE...
//
// MODE is octal or symbolic ([ugoa]*[-+=]([rwxXst]*|[ugo])), as GNU takes it;
// a MODE starting with "-" (chmod -w f) is a mode, not an option. Without
// [ugoa] the umask limits what changes, and a result other than the one
// asked for is reported. -R changes trees; symlinks met inside them are
// left alone.
import { chmod, lstat, print, type Stat, stat, warn } from "../lib/mod.ts";
import { getopt, last, usageError } from "../coreutils/getopt.ts";
import { isDir, isLnk } from "../coreutils/consts.ts";
import { listNames } from "../coreutils/dir.ts";
import { applyMode, compileMode, type ModeChange, modeString } from "../coreutils/mode.ts";
import { join } from "../coreutils/path.ts";
import { quoteAlways, quoteIfNeeded } from "../coreutils/quote.ts";
import { currentUmask } from "../coreutils/umask.ts";

const USAGE = `Usage: chmod [OPTION]... MODE[,MODE]... FILE...
  or:  chmod [OPTION]... OCTAL-MODE FILE...
  or:  chmod [OPTION]... --reference=RFILE FILE...
Change the mode of each FILE to MODE.

  -c, --changes          like verbose but report only when a change is made
  -f, --silent, --quiet  suppress most error messages
  -v, --verbose          output a diagnostic for every file processed
      --reference=RFILE  use RFILE's mode instead of MODE values
  -R, --recursive        change files and directories recursively`;

interface Options {
  changes?: ModeChange[];
  refMode?: number;
  umask: number;
  recursive: boolean;
  verbosity: "quiet" | "normal" | "changes" | "verbose";
}

const MODE_ARG = /^-[rwxXstugoa,+=0-7-]+$/;

export function main(argv: string[]): number {
  let dashMode: string | undefined;
  const rest = [argv[0]];
  let ended = false;
  for (const a of argv.slice(1)) {
    if (a === "--") ended = true;
    if (!ended && dashMode === undefined && MODE_ARG.test(a) && a !== "-") dashMode = a;
    else rest.push(a);
  }
  const p = getopt(rest, {
    short: "cfvR",
    usage: USAGE,
    long: {
      changes: { arg: "none", key: "c" },
      silent: { arg: "none", key: "f" },
      quiet: { arg: "none", key: "f" },
      verbose: { arg: "none", key: "v" },
      recursive: { arg: "none", key: "R" },
      reference: { arg: "required", key: "--reference" },
      "preserve-root": { arg: "none", key: "--preserve-root" },
      "no-preserve-root": { arg: "none", key: "--no-preserve-root" },
    },
  });
  if (typeof p === "number") return p;
  const o: Options = { umask: 0, recursive: false, verbosity: "normal" };
  for (const { key } of p.opts) {
    if (key === "c") o.verbosity = "changes";
    else if (key === "f") o.verbosity = "quiet";
    else if (key === "v") o.verbosity = "verbose";
    else if (key === "R") o.recursive = true;
  }
  const files = [...p.operands];
  const ref = last(p, "--reference");
  if (ref !== undefined) {
    try {
      o.refMode = stat(ref).mode & 0o7777;
    } catch (err) {
      warn(`failed to get attributes of ${quoteAlways(ref)}`, err);
      return 1;
    }
  } else {
    const modeText = dashMode ?? files.shift();
    if (modeText === undefined) return usageError("missing operand");
    o.changes = compileMode(modeText);
    if (o.changes === undefined) return usageError(`invalid mode: ${quoteAlways(modeText)}`);
    if (files.length === 0) return usageError(`missing operand after ${quoteAlways(modeText)}`);
    o.umask = currentUmask();
  }
  if (files.length === 0) return usageError("missing operand");
  let ok = true;
  for (const f of files) if (!change(f, o, true)) ok = false;
  return ok ? 0 : 1;
}

function change(path: string, o: Options, cmdline: boolean): boolean {
  let st: Stat;
  try {
    st = cmdline ? stat(path) : lstat(path);
  } catch (err) {
    if (o.verbosity !== "quiet") warn(`cannot access ${quoteAlways(path)}`, err);
    return false;
  }
  if (isLnk(st.mode)) {
    if (o.verbosity === "verbose") {
      print(`neither symbolic link ${quoteAlways(path)} nor referent has been changed`);
    }
    return true;
  }
  const dir = isDir(st.mode);
  const old = st.mode & 0o7777;
  const mode = o.refMode ?? applyMode(old, dir, o.umask, o.changes!).mode;
  let ok = true;
  let changed = false;
  if (mode !== old) {
    try {
      chmod(path, mode);
      changed = true;
    } catch (err) {
      if (o.verbosity !== "quiet") warn(`changing permissions of ${quoteAlways(path)}`, err);
      ok = false;
    }
  }
  if (o.verbosity === "verbose" || (o.verbosity === "changes" && changed)) {
    if (changed) {
      print(
        `mode of ${quoteAlways(path)} changed from ${octal(old)} (${perms(old)}) to ${
          octal(mode)
        } (${perms(mode)})`,
      );
    } else if (ok) {
      print(`mode of ${quoteAlways(path)} retained as ${octal(old)} (${perms(old)})`);
    } else {
      print(
        `failed to change mode of ${quoteAlways(path)} from ${octal(old)} (${perms(old)}) to ${
          octal(mode)
        } (${perms(mode)})`,
      );
    }
  }
  if (ok && o.changes !== undefined && o.verbosity !== "quiet") {
    const naive = applyMode(old, dir, 0, o.changes).mode;
    if ((mode & ~naive & 0o7777) !== 0) {
      warn(`${quoteIfNeeded(path)}: new permissions are ${perms(mode)}, not ${perms(naive)}`);
      ok = false;
    }
  }
  if (o.recursive && dir) {
    let names: string[];
    try {
      names = listNames(path);
    } catch (err) {
      if (o.verbosity !== "quiet") warn(`cannot read directory ${quoteAlways(path)}`, err);
      return false;
    }
    for (const n of names) if (!change(join(path, n), o, false)) ok = false;
  }
  return ok;
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

function perms(mode: number): string {
  return modeString(mode).slice(1);
}
