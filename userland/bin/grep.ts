// grep: print lines that match patterns, as GNU grep 3.x.
//
//   grep [OPTION]... PATTERNS [FILE]...      grep [OPTION]... -e PATTERN... [FILE]...
//
// Basic regular expressions by default (-G), extended with -E, fixed strings
// with -F; translated to JavaScript RegExp (coreutils/regex.ts). -i -v -w -x
// -c -l -L -n -h -H -o -q -s -m NUM -r, and context with -A -B -C.
// Exit 0 if a line was selected, 1 if none, 2 on an error (unless -q found one).
import { eprint, fstat, stdout, warn } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { isDir, isLnk } from "../coreutils/consts.ts";
import { listNames } from "../coreutils/dir.ts";
import { closeInput, openInput, readFd, readFile } from "../coreutils/files.ts";
import { join } from "../coreutils/path.ts";
import { RegexError, translateRegex } from "../coreutils/regex.ts";
import { lstat, stat } from "../lib/mod.ts";
import { errText } from "../lib/mod.ts";

const USAGE = `Usage: grep [OPTION]... PATTERNS [FILE]...
Search for PATTERNS in each FILE.

  -E, --extended-regexp     PATTERNS are extended regular expressions
  -F, --fixed-strings       PATTERNS are strings
  -G, --basic-regexp        PATTERNS are basic regular expressions
  -e, --regexp=PATTERNS     use PATTERNS for matching
  -f, --file=FILE           take PATTERNS from FILE
  -i, --ignore-case         ignore case distinctions in patterns and data
  -w, --word-regexp         match only whole words
  -x, --line-regexp         match only whole lines
  -v, --invert-match        select non-matching lines
  -m, --max-count=NUM       stop after NUM selected lines
  -n, --line-number         print line number with output lines
  -H, --with-filename       print file name with output lines
  -h, --no-filename         suppress the file name prefix on output
  -o, --only-matching       show only nonempty parts of lines that match
  -q, --quiet, --silent     suppress all normal output
  -s, --no-messages         suppress error messages
  -r, --recursive           search directories recursively
  -L, --files-without-match  print only names of FILEs with no selected lines
  -l, --files-with-matches  print only names of FILEs with selected lines
  -c, --count               print only a count of selected lines per FILE
  -A, --after-context=NUM   print NUM lines of trailing context
  -B, --before-context=NUM  print NUM lines of leading context
  -C, --context=NUM         print NUM lines of output context`;

const decoder = new TextDecoder();

interface Options {
  mode: "G" | "E" | "F";
  patterns: string[];
  ignoreCase: boolean;
  word: boolean;
  line: boolean;
  invert: boolean;
  count: boolean;
  list: "none" | "with" | "without";
  lineNumber: boolean;
  filename: boolean | undefined;
  only: boolean;
  quiet: boolean;
  noMessages: boolean;
  recursive: boolean;
  maxCount: number;
  after: number;
  before: number;
}

let status = 1;
let errors = false;
/** A line was printed already (in any file): the next context group starts with "--". */
let printedAny = false;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "EFGPe:f:iywxvcLlnHhoqsrRm:A:B:C:aUz",
    usageStatus: 2,
    usage: USAGE,
    long: {
      "extended-regexp": { arg: "none", key: "E" },
      "fixed-strings": { arg: "none", key: "F" },
      "basic-regexp": { arg: "none", key: "G" },
      "perl-regexp": { arg: "none", key: "P" },
      regexp: { arg: "required", key: "e" },
      file: { arg: "required", key: "f" },
      "ignore-case": { arg: "none", key: "i" },
      "no-ignore-case": { arg: "none", key: "--no-ignore-case" },
      "word-regexp": { arg: "none", key: "w" },
      "line-regexp": { arg: "none", key: "x" },
      "invert-match": { arg: "none", key: "v" },
      count: { arg: "none", key: "c" },
      "files-without-match": { arg: "none", key: "L" },
      "files-with-matches": { arg: "none", key: "l" },
      "line-number": { arg: "none", key: "n" },
      "with-filename": { arg: "none", key: "H" },
      "no-filename": { arg: "none", key: "h" },
      "only-matching": { arg: "none", key: "o" },
      quiet: { arg: "none", key: "q" },
      silent: { arg: "none", key: "q" },
      "no-messages": { arg: "none", key: "s" },
      recursive: { arg: "none", key: "r" },
      "dereference-recursive": { arg: "none", key: "R" },
      "max-count": { arg: "required", key: "m" },
      "after-context": { arg: "required", key: "A" },
      "before-context": { arg: "required", key: "B" },
      context: { arg: "required", key: "C" },
      text: { arg: "none", key: "a" },
      color: { arg: "optional", key: "--color" },
      colour: { arg: "optional", key: "--color" },
    },
  });
  if (typeof p === "number") return p;
  status = 1;
  errors = false;
  printedAny = false;
  const o: Options = {
    mode: "G",
    patterns: [],
    ignoreCase: false,
    word: false,
    line: false,
    invert: false,
    count: false,
    list: "none",
    lineNumber: false,
    filename: undefined,
    only: false,
    quiet: false,
    noMessages: false,
    recursive: false,
    maxCount: -1,
    after: 0,
    before: 0,
  };
  let explicit = false;
  for (const { key, value } of p.opts) {
    switch (key) {
      case "E":
      case "P":
        o.mode = "E";
        break;
      case "F":
        o.mode = "F";
        break;
      case "G":
        o.mode = "G";
        break;
      case "e":
        o.patterns.push(...value!.split("\n"));
        explicit = true;
        break;
      case "f":
        try {
          const text = decoder.decode(value === "-" ? readFd(0) : readFile(value!));
          const lines = text.split("\n");
          if (lines[lines.length - 1] === "") lines.pop();
          o.patterns.push(...lines);
          explicit = true;
        } catch (err) {
          warn(value!, err);
          return 2;
        }
        break;
      case "i":
      case "y":
        o.ignoreCase = true;
        break;
      case "--no-ignore-case":
        o.ignoreCase = false;
        break;
      case "w":
        o.word = true;
        break;
      case "x":
        o.line = true;
        break;
      case "v":
        o.invert = true;
        break;
      case "c":
        o.count = true;
        break;
      case "L":
        o.list = "without";
        break;
      case "l":
        o.list = "with";
        break;
      case "n":
        o.lineNumber = true;
        break;
      case "H":
        o.filename = true;
        break;
      case "h":
        o.filename = false;
        break;
      case "o":
        o.only = true;
        break;
      case "q":
        o.quiet = true;
        break;
      case "s":
        o.noMessages = true;
        break;
      case "r":
      case "R":
        o.recursive = true;
        break;
      case "m":
      case "A":
      case "B":
      case "C": {
        const n = Number(value);
        if (!/^\d+$/.test(value!)) {
          if (key === "m") return usageError(`invalid max count`, 2);
          warn(`${value}: invalid context length argument`);
          return 2;
        }
        if (key === "m") o.maxCount = n;
        if (key === "A" || key === "C") o.after = n;
        if (key === "B" || key === "C") o.before = n;
        break;
      }
    }
  }
  const operands = [...p.operands];
  if (!explicit) {
    const pat = operands.shift();
    if (pat === undefined) {
      eprint("Usage: grep [OPTION]... PATTERNS [FILE]...");
      eprint("Try 'grep --help' for more information.");
      return 2;
    }
    o.patterns.push(...pat.split("\n"));
  }
  let re: RegExp;
  try {
    re = compile(o);
  } catch (err) {
    warn(err instanceof RegexError ? err.message : errText(err));
    return 2;
  }
  let files = operands;
  let implicit = false;
  if (files.length === 0) {
    files = o.recursive ? ["."] : ["-"];
    implicit = o.recursive;
  }
  if (o.filename === undefined) o.filename = files.length > 1 || o.recursive;
  for (const f of files) {
    if (o.recursive && f !== "-") searchTree(f, re, o, true, implicit);
    else searchFile(f, re, o);
    if (o.quiet && status === 0) return 0;
  }
  stdout().flush();
  if (errors && !(o.quiet && status === 0)) return 2;
  return status;
}

function compile(o: Options): RegExp {
  const parts = o.patterns.map((pat) => {
    let src = o.mode === "F"
      ? pat.replace(/[\\^$.|?*+()[\]{}\/]/g, "\\$&")
      : translateRegex(pat, o.mode === "E");
    if (o.line) src = `^(?:${src})$`;
    else if (o.word) src = `(?<![0-9A-Za-z_])(?:${src})(?![0-9A-Za-z_])`;
    return src;
  });
  const src = parts.length === 1 ? parts[0] : parts.map((s) => `(?:${s})`).join("|");
  return new RegExp(src, o.ignoreCase ? "gi" : "g");
}

function searchTree(path: string, re: RegExp, o: Options, cmdline: boolean, implicit: boolean) {
  let isDirectory = false;
  try {
    const st = cmdline ? stat(path) : lstat(path);
    if (isLnk(st.mode)) return; // -r does not follow symlinks inside trees
    isDirectory = isDir(st.mode);
  } catch (err) {
    if (!o.noMessages) warn(path, err);
    errors = true;
    return;
  }
  if (!isDirectory) {
    searchFile(path, re, o);
    return;
  }
  let names: string[];
  try {
    names = listNames(path);
  } catch (err) {
    if (!o.noMessages) warn(path, err);
    errors = true;
    return;
  }
  for (const n of names) {
    const child = implicit && path === "." ? n : join(path, n);
    searchTree(child, re, o, false, false);
    if (o.quiet && status === 0) return;
  }
}

function searchFile(name: string, re: RegExp, o: Options): void {
  let fd: number;
  try {
    fd = openInput(name);
  } catch (err) {
    if (!o.noMessages) warn(name, err);
    errors = true;
    return;
  }
  let data: Uint8Array;
  try {
    if (fd !== 0 && isDir(fstat(fd).mode)) {
      if (!o.noMessages) warn(`${name}: Is a directory`);
      errors = true;
      return;
    }
    data = readFd(fd);
  } catch (err) {
    if (!o.noMessages) warn(name, err);
    errors = true;
    return;
  } finally {
    closeInput(fd);
  }
  const label = name === "-" ? "(standard input)" : name;
  scan(data, label, re, o);
}

function scan(data: Uint8Array, label: string, re: RegExp, o: Options): void {
  const binary = data.includes(0);
  const text = decoder.decode(data);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out = stdout();
  const prefix = (n: number, sep: string) =>
    (o.filename ? label + sep : "") + (o.lineNumber ? `${n}${sep}` : "");
  let count = 0;
  let lastPrinted = -1; // index of the last line printed (for context and "--")
  let afterLeft = 0;
  const context = o.before > 0 || o.after > 0;
  const printLine = (i: number, sep: string) => {
    if (context && printedAny && (lastPrinted < 0 || i > lastPrinted + 1)) out.write("--\n");
    out.write(prefix(i + 1, sep) + lines[i] + "\n");
    lastPrinted = i;
    printedAny = true;
  };
  const listOnly = o.quiet || o.count || o.list !== "none";
  for (let i = 0; i < lines.length; i++) {
    if (o.maxCount >= 0 && count >= o.maxCount) {
      if (afterLeft > 0 && !listOnly && !binary) {
        re.lastIndex = 0;
        if (re.test(lines[i]) === o.invert) {
          printLine(i, "-");
          afterLeft--;
          continue;
        }
      }
      break;
    }
    re.lastIndex = 0;
    const matched = re.test(lines[i]);
    if (matched === o.invert) {
      if (afterLeft > 0 && !listOnly && !binary) {
        printLine(i, "-");
        afterLeft--;
      }
      continue;
    }
    count++;
    status = 0;
    if (o.quiet) return;
    if (listOnly) continue;
    if (binary) continue;
    for (let b = Math.max(0, i - o.before, lastPrinted + 1); b < i; b++) printLine(b, "-");
    if (o.only) {
      if (!o.invert) {
        re.lastIndex = 0;
        for (const m of lines[i].matchAll(re)) {
          if (m[0] === "") continue;
          out.write(prefix(i + 1, ":") + m[0] + "\n");
        }
        lastPrinted = i;
      }
    } else {
      printLine(i, ":");
    }
    afterLeft = o.after;
  }
  if (o.count) out.write((o.filename ? label + ":" : "") + count + "\n");
  if (o.list === "with" && count > 0) out.write(label + "\n");
  if (o.list === "without" && count === 0) out.write(label + "\n");
  if (binary && count > 0 && !listOnly) {
    out.flush();
    eprint(`grep: ${label}: binary file matches`);
  }
}
