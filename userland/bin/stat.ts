// stat: display file or file system status, in GNU stat's formats.
//
//   stat [-L] [-f] [-t] [-c FORMAT | --printf=FORMAT] FILE...
//
// The default output is GNU's, field for field ("Birth: -": MelloOS keeps no
// birth time). -c FORMAT takes %n %N %s %b %B %o %f %F %a %A %u %U %g %G %h
// %i %d %D %t %T %x %y %z %X %Y %Z %w %W %m and GNU's %Hd %Ld %Hr %Lr, each
// with printf flags and width (%-10s, %04a); %.9Y gives nanoseconds.
// -f shows the file system instead (%n %i %l %t %T %s %S %b %f %a %c %d).
import { lstat, readlink, type Stat, stat, statfs, stdout, warn } from "../lib/mod.ts";
import type { StatfsRecord } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { isDev, isLnk, major, minor } from "../coreutils/consts.ts";
import { fileTypeName, modeString } from "../coreutils/mode.ts";
import { quoteAlways, quoteIfNeeded } from "../coreutils/quote.ts";
import { statDate } from "../coreutils/time.ts";
import { groupName, userName } from "../coreutils/users.ts";
import { mountPointOf } from "../coreutils/mounts.ts";
import { unescapeC } from "../coreutils/escapes.ts";

const USAGE = `Usage: stat [OPTION]... FILE...
Display file or file system status.

  -L, --dereference     follow links
  -f, --file-system     display file system status instead of file status
  -c  --format=FORMAT   use the specified FORMAT instead of the default;
                          output a newline after each use of FORMAT
      --printf=FORMAT   like --format, but interpret backslash escapes,
                          and do not output a mandatory trailing newline
  -t, --terse           print the information in terse form`;

const FILE_FORMAT_HEAD = "  File: %N\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n";
const FILE_FORMAT_DEV = "Device: %Hd,%Ld\tInode: %-11i Links: %-5h Device type: %Hr,%Lr\n";
const FILE_FORMAT_NODEV = "Device: %Hd,%Ld\tInode: %-11i Links: %h\n";
const FILE_FORMAT_TAIL = "Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n" +
  "Access: %x\nModify: %y\nChange: %z\n Birth: %w\n";
const TERSE_FILE = "%n %s %b %f %u %g %D %i %h %t %T %X %Y %Z %W %o\n";
const FS_FORMAT = '  File: "%n"\n    ID: %-8i Namelen: %-7l Type: %T\n' +
  "Block size: %-10s Fundamental block size: %S\n" +
  "Blocks: Total: %-10b Free: %-10f Available: %a\n" +
  "Inodes: Total: %-10c Free: %d\n";
const TERSE_FS = "%n %i %l %t %s %S %b %f %a %c %d\n";

const FS_NAMES: Record<number, string> = {
  0x01021994: "tmpfs",
  0x9fa0: "proc",
  0x4d465344: "mfs_disk",
  0xef53: "ext2/ext3",
  0x65735546: "fuseblk",
  0x62656572: "sysfs",
};

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "Lfc:t",
    usage: USAGE,
    long: {
      dereference: { arg: "none", key: "L" },
      "file-system": { arg: "none", key: "f" },
      format: { arg: "required", key: "c" },
      printf: { arg: "required", key: "--printf" },
      terse: { arg: "none", key: "t" },
      "cached": { arg: "required", key: "--cached" },
    },
  });
  if (typeof p === "number") return p;
  let deref = false;
  let fs = false;
  let terse = false;
  let format: string | undefined;
  for (const { key, value } of p.opts) {
    if (key === "L") deref = true;
    else if (key === "f") fs = true;
    else if (key === "t") terse = true;
    else if (key === "c") format = value + "\n";
    else if (key === "--printf") format = new TextDecoder().decode(unescapeC(value!).bytes);
  }
  if (p.operands.length === 0) return usageError("missing operand");
  const out = stdout();
  let status = 0;
  for (const name of p.operands) {
    if (fs) {
      let sf: StatfsRecord;
      try {
        sf = statfs(name);
      } catch (err) {
        warn(`cannot read file system information for ${quoteAlways(name)}`, err);
        status = 1;
        continue;
      }
      out.write(
        render(format ?? (terse ? TERSE_FS : FS_FORMAT), (c, spec) => fsField(c, spec, name, sf)),
      );
      continue;
    }
    let st: Stat;
    try {
      st = deref ? stat(name) : lstat(name);
    } catch (err) {
      warn(`cannot statx ${quoteAlways(name)}`, err);
      status = 1;
      continue;
    }
    const fmt = format ??
      (terse
        ? TERSE_FILE
        : FILE_FORMAT_HEAD + (isDev(st.mode) ? FILE_FORMAT_DEV : FILE_FORMAT_NODEV) +
          FILE_FORMAT_TAIL);
    const always = format !== undefined;
    out.write(render(fmt, (c, spec) => fileField(c, spec, name, st, always)));
  }
  return status;
}

/** A conversion's flags, width and precision, as printf reads them. */
interface Spec {
  flags: string;
  width?: number;
  precision?: number;
}

type Field = string | number | { num: number | bigint; base?: 8 | 16; upper?: boolean };

/** Expand %-conversions of `fmt` with `field` (undefined: not a conversion, printed as is). */
function render(fmt: string, field: (conv: string, spec: Spec) => Field | undefined): string {
  let out = "";
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== "%") {
      out += ch;
      continue;
    }
    const m = /^%([-#0 +']*)(\d*)(?:\.(\d*))?([HL]?[a-zA-Z%]?)/.exec(fmt.slice(i));
    if (m === null || m[4] === "") {
      out += "%";
      continue;
    }
    i += m[0].length - 1;
    const conv = m[4];
    if (conv === "%") {
      out += "%";
      continue;
    }
    const spec: Spec = {
      flags: m[1],
      width: m[2] === "" ? undefined : Number(m[2]),
      precision: m[3] === undefined ? undefined : Number(m[3] || "0"),
    };
    const v = field(conv, spec);
    if (v === undefined) {
      out += m[0];
      continue;
    }
    out += pad(v, spec);
  }
  return out;
}

function pad(v: Field, spec: Spec): string {
  let s: string;
  let numeric = false;
  if (typeof v === "string") {
    s = spec.precision !== undefined ? v.slice(0, spec.precision) : v;
  } else if (typeof v === "number") {
    numeric = true;
    s = String(v);
  } else {
    numeric = true;
    s = v.num.toString(v.base ?? 10);
    if (v.upper) s = s.toUpperCase();
    if (spec.flags.includes("#") && v.base === 8 && !s.startsWith("0")) s = "0" + s;
    if (spec.flags.includes("#") && v.base === 16 && s !== "0") s = "0x" + s;
  }
  if (numeric && spec.flags.includes("+") && !s.startsWith("-")) s = "+" + s;
  const width = spec.width ?? 0;
  if (s.length >= width) return s;
  if (spec.flags.includes("-")) return s.padEnd(width);
  if (numeric && spec.flags.includes("0")) {
    const sign = /^[-+]/.test(s) ? s[0] : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  }
  return s.padStart(width);
}

function fileField(
  conv: string,
  spec: Spec,
  name: string,
  st: Stat,
  alwaysQuote: boolean,
): Field | undefined {
  const time = (t: Stat["mtime"]): Field => {
    if (spec.precision === undefined) return t.sec;
    const p = Math.min(spec.precision, 9);
    const frac = String(t.nsec).padStart(9, "0").slice(0, p);
    spec.precision = undefined;
    return p === 0 ? String(t.sec) : `${t.sec}.${frac}`;
  };
  switch (conv) {
    case "n":
      return name;
    case "N": {
      const quote = alwaysQuote ? quoteAlways : quoteIfNeeded;
      if (!isLnk(st.mode)) return quote(name);
      let target = "";
      try {
        target = readlink(name);
      } catch {
        // shown without a target
      }
      return `${quote(name)} -> ${quote(target)}`;
    }
    case "s":
      return st.size;
    case "b":
      return st.blocks;
    case "B":
      return 512;
    case "o":
      return st.blksize;
    case "f":
      return { num: st.mode, base: 16 };
    case "F":
      return fileTypeName(st.mode, st.size);
    case "a":
      return { num: st.mode & 0o7777, base: 8 };
    case "A":
      return modeString(st.mode);
    case "u":
      return st.uid;
    case "U":
      return userName(st.uid);
    case "g":
      return st.gid;
    case "G":
      return groupName(st.gid);
    case "h":
      return st.nlink;
    case "i":
      return st.ino;
    case "d":
      return st.dev;
    case "D":
      return { num: st.dev, base: 16 };
    case "Hd":
      return major(st.dev);
    case "Ld":
      return minor(st.dev);
    case "Hr":
      return major(st.rdev);
    case "Lr":
      return minor(st.rdev);
    case "t":
      return { num: major(st.rdev), base: 16 };
    case "T":
      return { num: minor(st.rdev), base: 16 };
    case "x":
      return statDate(st.atime);
    case "y":
      return statDate(st.mtime);
    case "z":
      return statDate(st.ctime);
    case "X":
      return time(st.atime);
    case "Y":
      return time(st.mtime);
    case "Z":
      return time(st.ctime);
    case "w":
      return "-";
    case "W":
      return 0;
    case "m":
      return mountPointOf(name, st) ?? "?";
    case "C":
      return "?";
    default:
      return undefined;
  }
}

function fsField(conv: string, _spec: Spec, name: string, sf: StatfsRecord): Field | undefined {
  switch (conv) {
    case "n":
      return name;
    case "i":
      return { num: sf.fsid, base: 16 };
    case "l":
      return sf.namelen;
    case "t":
      return { num: sf.type, base: 16 };
    case "T":
      return FS_NAMES[sf.type] ?? `UNKNOWN (0x${sf.type.toString(16)})`;
    case "s":
      return sf.bsize;
    case "S":
      return sf.frsize || sf.bsize;
    case "b":
      return sf.blocks;
    case "f":
      return sf.bfree;
    case "a":
      return sf.bavail;
    case "c":
      return sf.files;
    case "d":
      return sf.ffree;
    default:
      return undefined;
  }
}
