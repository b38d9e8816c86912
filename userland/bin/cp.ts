// cp: copy files and directories.
//
//   cp [OPTION]... SOURCE DEST      cp [OPTION]... SOURCE... DIRECTORY
//   cp [OPTION]... -t DIRECTORY SOURCE...
//
// -r/-R copies trees (symlinks inside copied as symlinks), -p keeps mode,
// ownership and timestamps, -a is -dR --preserve=all (links and xattrs
// too), -d/-P copy symlinks as symlinks, -L follows them, -f replaces a
// destination that cannot be opened, -i asks, -n never overwrites.
import { warn } from "../lib/mod.ts";
import { getopt, last, usageError } from "../coreutils/getopt.ts";
import { copy, copyOptions } from "../coreutils/copy.ts";
import { pairs } from "../coreutils/targets.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { currentUmask } from "../coreutils/umask.ts";

const USAGE = `Usage: cp [OPTION]... [-T] SOURCE DEST
  or:  cp [OPTION]... SOURCE... DIRECTORY
  or:  cp [OPTION]... -t DIRECTORY SOURCE...
Copy SOURCE to DEST, or multiple SOURCE(s) to DIRECTORY.

  -a, --archive                same as -dR --preserve=all
  -d                           same as --no-dereference --preserve=links
  -f, --force                  if an existing destination file cannot be
                                 opened, remove it and try again
  -i, --interactive            prompt before overwrite
  -H                           follow command-line symbolic links in SOURCE
  -L, --dereference            always follow symbolic links in SOURCE
  -n, --no-clobber             do not overwrite an existing file
  -P, --no-dereference         never follow symbolic links in SOURCE
  -p                           same as --preserve=mode,ownership,timestamps
      --preserve[=ATTR_LIST]   preserve the specified attributes
      --no-preserve=ATTR_LIST  don't preserve the specified attributes
  -R, -r, --recursive          copy directories recursively
  -t, --target-directory=DIRECTORY  copy all SOURCE arguments into DIRECTORY
  -T, --no-target-directory    treat DEST as a normal file
  -v, --verbose                explain what is being done`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "adfiHLnPpRrt:Tv",
    usage: USAGE,
    long: {
      archive: { arg: "none", key: "a" },
      force: { arg: "none", key: "f" },
      interactive: { arg: "none", key: "i" },
      dereference: { arg: "none", key: "L" },
      "no-clobber": { arg: "none", key: "n" },
      "no-dereference": { arg: "none", key: "P" },
      preserve: { arg: "optional", key: "--preserve" },
      "no-preserve": { arg: "required", key: "--no-preserve" },
      recursive: { arg: "none", key: "R" },
      "target-directory": { arg: "required", key: "t" },
      "no-target-directory": { arg: "none", key: "T" },
      verbose: { arg: "none", key: "v" },
    },
  });
  if (typeof p === "number") return p;
  const o = copyOptions("cp", currentUmask());
  let deref: "never" | "always" | "cmdline" | undefined;
  const setPreserve = (list: string, on: boolean): string | undefined => {
    for (const a of list.split(",")) {
      if (a === "mode") o.preserveMode = on;
      else if (a === "ownership") o.preserveOwner = on;
      else if (a === "timestamps") o.preserveTimes = on;
      else if (a === "links") o.preserveLinks = on;
      else if (a === "xattr") o.preserveXattr = on;
      else if (a === "context") continue;
      else if (a === "all") {
        o.preserveMode =
          o.preserveOwner =
          o.preserveTimes =
          o.preserveLinks =
            on;
        o.preserveXattr = on;
      } else return a;
    }
    return undefined;
  };
  for (const { key, value } of p.opts) {
    switch (key) {
      case "a":
        o.recursive = true;
        deref = "never";
        setPreserve("all", true);
        break;
      case "d":
        deref = "never";
        o.preserveLinks = true;
        break;
      case "f":
        o.force = true;
        break;
      case "i":
        o.interactive = true;
        o.noClobber = false;
        break;
      case "n":
        o.noClobber = true;
        o.interactive = false;
        break;
      case "H":
        deref = "cmdline";
        break;
      case "L":
        deref = "always";
        break;
      case "P":
        deref = "never";
        break;
      case "p":
        setPreserve("mode,ownership,timestamps", true);
        break;
      case "--preserve": {
        const bad = setPreserve(value ?? "mode,ownership,timestamps", true);
        if (bad !== undefined) {
          return usageError(`invalid argument ${quoteAlways(bad)} for '--preserve'`);
        }
        break;
      }
      case "--no-preserve": {
        const bad = setPreserve(value!, false);
        if (bad !== undefined) {
          return usageError(`invalid argument ${quoteAlways(bad)} for '--no-preserve'`);
        }
        break;
      }
      case "R":
      case "r":
        o.recursive = true;
        break;
      case "v":
        o.verbose = true;
        break;
    }
  }
  o.deref = deref ?? (o.recursive ? "never" : "always");
  const list = pairs(p.operands, last(p, "t"), p.opts.some((x) => x.key === "T"));
  if (typeof list === "number") return list;
  let ok = true;
  for (const [src, dst] of list) {
    try {
      if (!copy(src, dst, o)) ok = false;
    } catch (err) {
      warn(`cannot copy ${quoteAlways(src)}`, err);
      ok = false;
    }
  }
  return ok ? 0 : 1;
}
