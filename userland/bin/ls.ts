// ls: list directory contents, as GNU ls does.
//
//   ls [-aAdilnRrtSUgoLHFp1Ch] [FILE]...
//
// Files named on the command line are listed first, then each directory's
// entries (with a "DIR:" header when there is more than one thing to show or
// with -R). Names sort by strcmp (the C locale). One name per line when
// stdout is not a terminal, columns when it is. Long format as GNU's:
// mode, links, owner, group, size (or "major, minor"), date, name [-> target].
// Exit 0, 1 for a problem inside a directory, 2 for an operand that cannot be
// accessed.
import {
  Errno,
  getdents64,
  getenv,
  ioctlBytes,
  isatty,
  lstat,
  O,
  open,
  readlink,
  type Stat,
  stat,
  stdout,
  warn,
} from "../lib/mod.ts";
import { close } from "../lib/mod.ts";
import { getopt, type Parsed } from "../coreutils/getopt.ts";
import { isDev, isDir, isLnk, major, minor, S } from "../coreutils/consts.ts";
import { modeString } from "../coreutils/mode.ts";
import { humanSize } from "../coreutils/human.ts";
import { compareBytes, join } from "../coreutils/path.ts";
import { lsDate, now } from "../coreutils/time.ts";
import { groupName, userName } from "../coreutils/users.ts";
import { quoteAlways, quoteIfNeeded } from "../coreutils/quote.ts";
import { isErrno } from "../coreutils/files.ts";

const USAGE = `Usage: ls [OPTION]... [FILE]...
List information about the FILEs (the current directory by default).
Sort entries alphabetically if none of -tSU is specified.

  -a, --all                  do not ignore entries starting with .
  -A, --almost-all           do not list implied . and ..
  -C                         list entries by columns
  -d, --directory            list directories themselves, not their contents
  -F, --classify             append indicator (one of */=@|) to entries
  -g                         like -l, but do not list owner
  -h, --human-readable       with -l, print sizes like 1K 234M 2G etc.
  -H, --dereference-command-line  follow symbolic links listed on the command line
  -i, --inode                print the index number of each file
  -l                         use a long listing format
  -L, --dereference          show information for the file links point to
  -n, --numeric-uid-gid      like -l, but list numeric user and group IDs
  -o                         like -l, but do not list group information
  -p                         append / indicator to directories
  -r, --reverse              reverse order while sorting
  -R, --recursive            list subdirectories recursively
  -S                         sort by file size, largest first
  -t                         sort by time, newest first
  -U                         do not sort; list entries in directory order
  -1                         list one file per line`;

/** A file to show: its name as shown, the path to reach it, what lstat/stat said. */
interface Entry {
  name: string;
  path: string;
  st?: Stat;
  target?: string;
  /** d_type from getdents (for -R without stat). */
  dtype?: number;
}

interface Options {
  all: boolean;
  almostAll: boolean;
  dirsThemselves: boolean;
  long: boolean;
  inode: boolean;
  numeric: boolean;
  human: boolean;
  recursive: boolean;
  reverse: boolean;
  sort: "name" | "time" | "size" | "none";
  format: "long" | "one" | "columns";
  showOwner: boolean;
  showGroup: boolean;
  deref: "never" | "cmdline-dirs" | "cmdline" | "always";
  indicator: "none" | "slash" | "classify";
  tty: boolean;
}

let status = 0;
const DT_DIR = 4;
const DT_UNKNOWN = 0;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "aAdilnRrtSUgoLHFp1Ch",
    usageStatus: 2,
    usage: USAGE,
    long: {
      all: { arg: "none", key: "a" },
      "almost-all": { arg: "none", key: "A" },
      directory: { arg: "none", key: "d" },
      inode: { arg: "none", key: "i" },
      "numeric-uid-gid": { arg: "none", key: "n" },
      recursive: { arg: "none", key: "R" },
      reverse: { arg: "none", key: "r" },
      dereference: { arg: "none", key: "L" },
      "dereference-command-line": { arg: "none", key: "H" },
      classify: { arg: "optional", key: "F" },
      "human-readable": { arg: "none", key: "h" },
      color: { arg: "optional", key: "--color" },
    },
  });
  if (typeof p === "number") return p;
  const o = options(p);
  status = 0;
  const out = stdout();
  const operands = p.operands.length === 0 ? ["."] : p.operands;

  const files: Entry[] = [];
  const dirs: Entry[] = [];
  for (const name of operands) {
    const e = statOperand(name, o);
    if (e === undefined) continue;
    if (!o.dirsThemselves && e.st !== undefined && isDir(e.st.mode)) dirs.push(e);
    else files.push(e);
  }
  sortEntries(files, o);
  sortEntries(dirs, o);

  let first = true;
  if (files.length > 0) {
    printEntries(files, o, false);
    first = false;
  }
  const showHeaders = o.recursive || files.length > 0 || operands.length > 1;
  for (const d of dirs) {
    first = listDir(d, o, showHeaders, first, true);
  }
  out.flush();
  return status;
}

function options(p: Parsed): Options {
  const o: Options = {
    all: false,
    almostAll: false,
    dirsThemselves: false,
    long: false,
    inode: false,
    numeric: false,
    human: false,
    recursive: false,
    reverse: false,
    sort: "name",
    format: "one",
    showOwner: true,
    showGroup: true,
    deref: "cmdline-dirs",
    indicator: "none",
    tty: isatty(1),
  };
  o.format = o.tty ? "columns" : "one";
  let derefSet = false;
  for (const { key } of p.opts) {
    switch (key) {
      case "a":
        o.all = true;
        o.almostAll = false;
        break;
      case "A":
        o.almostAll = true;
        o.all = false;
        break;
      case "d":
        o.dirsThemselves = true;
        break;
      case "i":
        o.inode = true;
        break;
      case "l":
        o.format = "long";
        break;
      case "n":
        o.numeric = true;
        o.format = "long";
        break;
      case "g":
        o.showOwner = false;
        o.format = "long";
        break;
      case "o":
        o.showGroup = false;
        o.format = "long";
        break;
      case "h":
        o.human = true;
        break;
      case "R":
        o.recursive = true;
        break;
      case "r":
        o.reverse = true;
        break;
      case "t":
        o.sort = "time";
        break;
      case "S":
        o.sort = "size";
        break;
      case "U":
        o.sort = "none";
        break;
      case "L":
        o.deref = "always";
        derefSet = true;
        break;
      case "H":
        o.deref = "cmdline";
        derefSet = true;
        break;
      case "F":
        o.indicator = "classify";
        break;
      case "p":
        o.indicator = "slash";
        break;
      case "1":
        o.format = "one";
        break;
      case "C":
        o.format = "columns";
        break;
    }
  }
  o.long = o.format === "long";
  if (!derefSet && (o.dirsThemselves || o.long || o.indicator === "classify")) o.deref = "never";
  return o;
}

/** lstat or stat an operand as the dereference rule says; undefined after reporting an error. */
function statOperand(name: string, o: Options): Entry | undefined {
  const e: Entry = { name, path: name };
  try {
    if (o.deref === "always" || o.deref === "cmdline") {
      e.st = stat(name);
    } else {
      e.st = lstat(name);
      if (o.deref === "cmdline-dirs" && isLnk(e.st.mode)) {
        try {
          const t = stat(name);
          if (isDir(t.mode)) e.st = t;
        } catch {
          // a dangling link is shown as the link
        }
      }
    }
  } catch (err) {
    // A dangling link named with -L/-H is still shown, as GNU does after its message.
    warn(`cannot access ${quoteAlways(name)}`, err);
    status = 2;
    return undefined;
  }
  if (o.long && isLnk(e.st.mode)) e.target = tryReadlink(name);
  return e;
}

function tryReadlink(path: string): string | undefined {
  try {
    return readlink(path);
  } catch {
    return undefined;
  }
}

/** List directory `d`; returns the new value of `first` (nothing printed yet). */
function listDir(d: Entry, o: Options, header: boolean, first: boolean, cmdline: boolean): boolean {
  const out = stdout();
  let names: { name: string; type: number }[];
  try {
    names = readNames(d.path);
  } catch (err) {
    warn(`cannot open directory ${quoteAlways(d.path)}`, err);
    status = cmdline ? 2 : Math.max(status, 1);
    return first;
  }
  if (header || o.recursive) {
    if (!first) out.write("\n");
    out.write(`${o.tty ? quoteIfNeeded(d.path) : d.path}:\n`);
  }
  first = false;
  const shown = names.filter(({ name }) => {
    if (!name.startsWith(".")) return true;
    if (o.all) return true;
    return o.almostAll && name !== "." && name !== "..";
  });
  const needStat = o.long || o.inode || o.sort === "time" || o.sort === "size" ||
    o.indicator !== "none" || o.recursive;
  const entries: Entry[] = shown.map(({ name, type }) => ({
    name,
    path: join(d.path, name),
    dtype: type,
  }));
  for (const e of entries) {
    if (!needStat) continue;
    if (
      o.recursive && !o.long && !o.inode && o.sort === "name" && o.indicator === "none" &&
      e.dtype !== DT_UNKNOWN && o.deref !== "always"
    ) {
      continue; // d_type says enough to recurse
    }
    try {
      e.st = o.deref === "always" ? statOrLstat(e.path) : lstat(e.path);
      if (o.long && isLnk(e.st.mode)) e.target = tryReadlink(e.path);
    } catch (err) {
      warn(`cannot access ${quoteAlways(e.path)}`, err);
      status = Math.max(status, 1);
    }
  }
  sortEntries(entries, o);
  if (o.long) out.write(`total ${totalBlocks(entries, o)}\n`);
  printEntries(entries, o, true);
  if (o.recursive) {
    for (const e of entries) {
      if (e.name === "." || e.name === "..") continue;
      const dir = e.st !== undefined ? isDir(e.st.mode) : e.dtype === DT_DIR;
      if (dir) first = listDir(e, o, true, first, false);
    }
  }
  return first;
}

function statOrLstat(path: string): Stat {
  try {
    return stat(path);
  } catch (err) {
    if (isErrno(err, Errno.ENOENT) || isErrno(err, Errno.ELOOP)) return lstat(path);
    throw err;
  }
}

function readNames(path: string): { name: string; type: number }[] {
  const fd = open(path, O.RDONLY | O.DIRECTORY | O.CLOEXEC);
  try {
    const all: { name: string; type: number }[] = [];
    for (;;) {
      const batch = getdents64(fd);
      if (batch.length === 0) return all;
      for (const d of batch) all.push({ name: d.name, type: d.type });
    }
  } finally {
    close(fd);
  }
}

function sortEntries(entries: Entry[], o: Options): void {
  if (o.sort === "none") return;
  const byName = (a: Entry, b: Entry) => compareBytes(a.name, b.name);
  let cmp = byName;
  if (o.sort === "time") {
    cmp = (a, b) => {
      const ta = a.st?.mtime ?? { sec: 0, nsec: 0 };
      const tb = b.st?.mtime ?? { sec: 0, nsec: 0 };
      return tb.sec - ta.sec || tb.nsec - ta.nsec || byName(a, b);
    };
  } else if (o.sort === "size") {
    cmp = (a, b) => (b.st?.size ?? 0) - (a.st?.size ?? 0) || byName(a, b);
  }
  entries.sort(o.reverse ? (a, b) => cmp(b, a) : cmp);
}

/** The "total" of a long listing: 1K blocks (or human-readable bytes with -h). */
function totalBlocks(entries: Entry[], o: Options): string {
  let blocks = 0;
  for (const e of entries) blocks += e.st?.blocks ?? 0;
  return o.human ? humanSize(blocks * 512) : String(Math.ceil(blocks / 2));
}

function indicator(e: Entry, o: Options): string {
  if (o.indicator === "none" || e.st === undefined) return "";
  const t = e.st.mode & S.IFMT;
  if (t === S.IFDIR) return "/";
  if (o.indicator === "slash") return "";
  if (t === S.IFLNK) return "@";
  if (t === S.IFIFO) return "|";
  if (t === S.IFSOCK) return "=";
  if (t === S.IFREG && (e.st.mode & 0o111) !== 0) return "*";
  return "";
}

function displayName(e: Entry, o: Options): string {
  return o.tty ? quoteIfNeeded(e.name) : e.name;
}

function printEntries(entries: Entry[], o: Options, _inDir: boolean): void {
  if (entries.length === 0) return;
  const inodeWidth = o.inode
    ? Math.max(...entries.map((e) => (e.st !== undefined ? String(e.st.ino).length : 1)))
    : 0;
  const ino = (e: Entry) =>
    o.inode ? `${(e.st !== undefined ? String(e.st.ino) : "?").padStart(inodeWidth)} ` : "";
  if (o.long) {
    printLong(entries, o, ino);
    return;
  }
  const cells = entries.map((e) => ino(e) + displayName(e, o) + indicator(e, o));
  if (o.format === "one") {
    const out = stdout();
    for (const c of cells) out.write(c + "\n");
    return;
  }
  printColumns(cells);
}

function printLong(entries: Entry[], o: Options, ino: (e: Entry) => string): void {
  const nowSec = now().sec;
  const rows = entries.map((e) => {
    const st = e.st;
    if (st === undefined) {
      return {
        e,
        mode: "?????????? ",
        nlink: "?",
        owner: "?",
        ownerNum: false,
        group: "?",
        groupNum: false,
        size: "?",
        maj: "",
        min: "",
        date: "           ?",
      };
    }
    const owner = o.numeric ? String(st.uid) : userName(st.uid);
    const group = o.numeric ? String(st.gid) : groupName(st.gid);
    return {
      e,
      mode: modeString(st.mode),
      nlink: String(st.nlink),
      owner,
      ownerNum: o.numeric || owner === String(st.uid),
      group,
      groupNum: o.numeric || group === String(st.gid),
      size: isDev(st.mode) ? "" : o.human ? humanSize(st.size) : String(st.size),
      maj: isDev(st.mode) ? String(major(st.rdev)) : "",
      min: isDev(st.mode) ? String(minor(st.rdev)) : "",
      date: lsDate(st.mtime, nowSec),
    };
  });
  const w = (f: (r: typeof rows[number]) => string) => Math.max(...rows.map((r) => f(r).length));
  const nlinkW = w((r) => r.nlink);
  const ownerW = w((r) => r.owner);
  const groupW = w((r) => r.group);
  const majW = w((r) => r.maj);
  const minW = w((r) => r.min);
  const hasDev = rows.some((r) => r.maj !== "");
  const sizeW = Math.max(w((r) => r.size), hasDev ? majW + 2 + minW : 0);
  const out = stdout();
  for (const r of rows) {
    let line = ino(r.e) + r.mode + " " + r.nlink.padStart(nlinkW) + " ";
    if (o.showOwner) line += (r.ownerNum ? r.owner.padStart(ownerW) : r.owner.padEnd(ownerW)) + " ";
    if (o.showGroup) line += (r.groupNum ? r.group.padStart(groupW) : r.group.padEnd(groupW)) + " ";
    const size = r.maj !== "" ? `${r.maj.padStart(majW)}, ${r.min.padStart(minW)}` : r.size;
    line += size.padStart(sizeW) + " " + r.date + " " + displayName(r.e, o);
    if (r.e.target !== undefined) line += ` -> ${o.tty ? quoteIfNeeded(r.e.target) : r.e.target}`;
    else line += indicator(r.e, o);
    out.write(line + "\n");
  }
}

/**
 * Vertical columns as GNU ls -C lays them out (calculate_columns): every
 * column at least 3 wide, 2 spaces after each but the configuration's last,
 * the most columns whose line stays shorter than the terminal width.
 */
function printColumns(cells: string[]): void {
  const width = terminalWidth();
  const n = cells.length;
  const maxCols = Math.max(1, Math.min(n, Math.floor(width / MIN_COLUMN_WIDTH)));
  const configs = Array.from({ length: maxCols }, (_, i) => ({
    valid: true,
    lineLen: (i + 1) * MIN_COLUMN_WIDTH,
    cols: new Array<number>(i + 1).fill(MIN_COLUMN_WIDTH),
  }));
  cells.forEach((cell, fileNo) => {
    configs.forEach((c, i) => {
      if (!c.valid) return;
      const idx = Math.floor(fileNo / Math.floor((n + i) / (i + 1)));
      const len = cell.length + (idx === i ? 0 : 2);
      if (c.cols[idx] < len) {
        c.lineLen += len - c.cols[idx];
        c.cols[idx] = len;
        c.valid = c.lineLen < width;
      }
    });
  });
  let best = 0;
  for (let i = maxCols - 1; i >= 0; i--) {
    if (configs[i].valid) {
      best = i;
      break;
    }
  }
  const colWidths = configs[best].cols;
  const rows = Math.ceil(n / (best + 1));
  const out = stdout();
  for (let r = 0; r < rows; r++) {
    let line = "";
    let pos = 0;
    for (let fileNo = r, col = 0; fileNo < n; fileNo += rows, col++) {
      line += cells[fileNo];
      if (fileNo + rows >= n) break;
      line += indent(pos + cells[fileNo].length, pos + colWidths[col]);
      pos += colWidths[col];
    }
    out.write(line + "\n");
  }
}

/** Blanks from column `from` to `to`: tabs where a tab stop (every 8) fits, as GNU ls. */
function indent(from: number, to: number): string {
  let s = "";
  while (from < to) {
    if (Math.floor(to / TAB_SIZE) > Math.floor((from + 1) / TAB_SIZE)) {
      s += "\t";
      from += TAB_SIZE - (from % TAB_SIZE);
    } else {
      s += " ";
      from++;
    }
  }
  return s;
}

const TAB_SIZE = 8;

const MIN_COLUMN_WIDTH = 3;

function terminalWidth(): number {
  const env = Number(getenv("COLUMNS"));
  if (Number.isInteger(env) && env > 0) return env;
  try {
    const ws = ioctlBytes(1, 0x5413);
    const cols = new DataView(ws.buffer, ws.byteOffset, ws.byteLength).getUint16(2, true);
    if (cols > 0) return cols;
  } catch {
    // not a terminal after all
  }
  return 80;
}
