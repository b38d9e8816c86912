// getfattr: get extended attributes of files, as attr's getfattr.
//
//   getfattr [-hRLP] [-n NAME | -d] [-e ENC] [-m PATTERN] [--only-values] PATH...
//
// Prints "# file: PATH", then NAME or NAME=VALUE lines, then a blank line.
// Names are those matching PATTERN (an ERE, default ^user\.), sorted; a
// leading "/" is stripped from paths (with one warning) unless
// --absolute-names. VALUE is encoded as text, hex (0x) or base64 (0s).
import {
  eprint,
  getxattr,
  lgetxattr,
  listxattr,
  llistxattr,
  lstat,
  stdout,
  strerror,
} from "../lib/mod.ts";
import { Errno } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { isDir, isLnk } from "../coreutils/consts.ts";
import { listNames } from "../coreutils/dir.ts";
import { errnoOf } from "../coreutils/files.ts";
import { compareBytes, join } from "../coreutils/path.ts";
import { translateRegex } from "../coreutils/regex.ts";
import { encodeValue } from "../coreutils/xattr_text.ts";

const SYNOPSIS = "Usage: getfattr [-hRLP] [-n name|-d] [-e en] [-m pattern] path...";
const TRY = "Try `getfattr --help' for more information.";
const USAGE = `getfattr 2.5.1 -- get extended attributes
${SYNOPSIS}
  -n, --name=name         get the named extended attribute value
  -d, --dump              get all extended attribute values
  -e, --encoding=...      encode values (as 'text', 'hex' or 'base64')
      --match=pattern     only get attributes with names matching pattern
      --only-values       print the bare values only
  -h, --no-dereference    do not dereference symbolic links
      --absolute-names    don't strip leading '/' in pathnames
  -R, --recursive         recurse into subdirectories
  -L, --logical           logical walk, follow symbolic links
  -P  --physical          physical walk, do not follow symbolic links
      --version           print version and exit
      --help              this help text`;

interface Options {
  name?: string;
  dump: boolean;
  encoding?: string;
  pattern: RegExp;
  valuesOnly: boolean;
  deref: boolean;
  stripSlash: boolean;
  recursive: boolean;
  logical: boolean;
}

let warnedAbsolute = false;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "n:de:m:hRLP",
    usageStatus: 2,
    usage: USAGE,
    tryText: `${SYNOPSIS}\n${TRY}`,
    long: {
      name: { arg: "required", key: "n" },
      dump: { arg: "none", key: "d" },
      encoding: { arg: "required", key: "e" },
      match: { arg: "required", key: "m" },
      "only-values": { arg: "none", key: "v" },
      "no-dereference": { arg: "none", key: "h" },
      "absolute-names": { arg: "none", key: "a" },
      "one-file-system": { arg: "none", key: "--one-file-system" },
      recursive: { arg: "none", key: "R" },
      logical: { arg: "none", key: "L" },
      physical: { arg: "none", key: "P" },
    },
  });
  if (typeof p === "number") return p;
  warnedAbsolute = false;
  let pattern = "^user\\.";
  const o: Options = {
    dump: false,
    pattern: /(?:)/,
    valuesOnly: false,
    deref: true,
    stripSlash: true,
    recursive: false,
    logical: false,
  };
  for (const { key, value } of p.opts) {
    if (key === "n") {
      o.dump = true;
      o.name = value;
    } else if (key === "d") o.dump = true;
    else if (key === "e") {
      if (value !== "text" && value !== "hex" && value !== "base64") {
        eprint(`${SYNOPSIS}\n${TRY}`);
        return 2;
      }
      o.encoding = value;
    } else if (key === "m") pattern = value === "-" ? "" : value!;
    else if (key === "v") o.valuesOnly = true;
    else if (key === "h") o.deref = false;
    else if (key === "a") o.stripSlash = false;
    else if (key === "R") o.recursive = true;
    else if (key === "L") o.logical = true;
    else if (key === "P") o.logical = false;
  }
  if (p.operands.length === 0) {
    eprint(`${SYNOPSIS}\n${TRY}`);
    return 2;
  }
  try {
    o.pattern = new RegExp(translateRegex(pattern, true));
  } catch {
    eprint(`getfattr: invalid regular expression "${pattern}"`);
    return 1;
  }
  let errors = 0;
  for (const path of p.operands) errors += walk(path, o, true);
  stdout().flush();
  return errors > 0 ? 1 : 0;
}

function walk(path: string, o: Options, top: boolean): number {
  let errors = 0;
  try {
    const st = lstat(path);
    errors += show(path, o);
    const followLink = isLnk(st.mode) && (o.logical || (top && o.deref));
    if (o.recursive && (isDir(st.mode) || followLink)) {
      for (const n of listNames(path)) errors += walk(join(path, n), o, false);
    }
  } catch (err) {
    stdout().flush();
    eprint(`getfattr: ${path}: ${strerror(errnoOf(err))}`);
    return errors + 1;
  }
  return errors;
}

function show(path: string, o: Options): number {
  const out = stdout();
  let names: string[];
  if (o.name !== undefined) {
    names = [o.name];
  } else {
    try {
      names = (o.deref ? listxattr(path) : llistxattr(path)).filter((n) => o.pattern.test(n));
    } catch (err) {
      out.flush();
      eprint(`getfattr: ${path}: ${eaText(err)}`);
      return 1;
    }
    names.sort(compareBytes);
  }
  let header = false;
  let errors = 0;
  for (const name of names) {
    let value: Uint8Array | undefined;
    if (o.dump || o.valuesOnly) {
      try {
        value = o.deref ? getxattr(path, name) : lgetxattr(path, name);
      } catch (err) {
        out.flush();
        eprint(`${path}: ${name}: ${eaText(err)}`);
        errors++;
        continue;
      }
    }
    const shown = displayPath(path, o);
    if (!header && !o.valuesOnly) {
      out.write(`# file: ${shown}\n`);
      header = true;
    }
    if (o.valuesOnly) out.write(value!);
    else if (o.dump) out.write(`${name}=${encodeValue(value!, o.encoding)}\n`);
    else out.write(`${name}\n`);
  }
  if (header) out.write("\n");
  return errors;
}

function displayPath(path: string, o: Options): string {
  if (!o.stripSlash) return path;
  let p = path;
  if (p.startsWith("/")) {
    if (!warnedAbsolute) {
      stdout().flush();
      eprint("getfattr: Removing leading '/' from absolute path names");
      warnedAbsolute = true;
    }
    p = p.replace(/^\/+/, "");
  } else if (p.startsWith("./")) {
    p = p.slice(1).replace(/^\/+/, "");
  }
  return p === "" ? "." : p;
}

/** strerror, with ENODATA as attr names it. */
function eaText(err: unknown): string {
  const e = errnoOf(err);
  return e === Errno.ENODATA ? "No such attribute" : strerror(e);
}
