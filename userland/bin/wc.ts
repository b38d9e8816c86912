// wc: print newline, word, and byte counts for each file.
//
//   wc [-lwcmL] [FILE]...
//
// Columns in GNU's order (lines, words, chars, bytes, max line length) and
// widths: wide enough for the total size of the regular files, at least 7
// when any input is not a regular file, no padding for a single count of a
// single file. A "total" line follows when there are several files.
import { fstat, read, stdout, warn } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { isReg } from "../coreutils/consts.ts";
import { closeInput, openInput } from "../coreutils/files.ts";

const USAGE = `Usage: wc [OPTION]... [FILE]...
Print newline, word, and byte counts for each FILE, and a total line if
more than one FILE is specified.

  -c, --bytes            print the byte counts
  -m, --chars            print the character counts
  -l, --lines            print the newline counts
  -L, --max-line-length  print the maximum display width
  -w, --words            print the word counts`;

interface Counts {
  lines: number;
  words: number;
  chars: number;
  bytes: number;
  maxLine: number;
}

interface Input {
  name: string;
  fd: number;
  failed: boolean;
  regular: boolean;
  size: number;
}

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "clLmw",
    usage: USAGE,
    long: {
      bytes: { arg: "none", key: "c" },
      chars: { arg: "none", key: "m" },
      lines: { arg: "none", key: "l" },
      "max-line-length": { arg: "none", key: "L" },
      words: { arg: "none", key: "w" },
    },
  });
  if (typeof p === "number") return p;
  const show = { l: false, w: false, m: false, c: false, L: false };
  for (const { key } of p.opts) show[key as keyof typeof show] = true;
  if (!show.l && !show.w && !show.m && !show.c && !show.L) show.l = show.w = show.c = true;
  const nShown = Object.values(show).filter((x) => x).length;
  const names = p.operands.length === 0 ? ["-"] : p.operands;
  let status = 0;
  const inputs: Input[] = names.map((name) => {
    try {
      const fd = openInput(name);
      let regular = false;
      let size = 0;
      try {
        const st = fstat(fd);
        regular = isReg(st.mode);
        size = st.size;
      } catch {
        // unknown: treated as not regular
      }
      return { name, fd, failed: false, regular, size };
    } catch (err) {
      warn(name, err);
      status = 1;
      return { name, fd: -1, failed: true, regular: false, size: 0 };
    }
  });
  let width = 1;
  if (!(names.length === 1 && nShown === 1)) {
    let min = 1;
    let total = 0;
    for (const i of inputs) {
      if (i.failed) continue;
      if (i.regular) total += i.size;
      else min = 7;
    }
    width = Math.max(String(total).length, min);
  }
  const out = stdout();
  const line = (c: Counts, name: string | undefined) => {
    const cols: number[] = [];
    if (show.l) cols.push(c.lines);
    if (show.w) cols.push(c.words);
    if (show.m) cols.push(c.chars);
    if (show.c) cols.push(c.bytes);
    if (show.L) cols.push(c.maxLine);
    out.write(
      cols.map((n) => String(n).padStart(width)).join(" ") +
        (name === undefined ? "" : ` ${name}`) + "\n",
    );
  };
  const total: Counts = { lines: 0, words: 0, chars: 0, bytes: 0, maxLine: 0 };
  for (const i of inputs) {
    if (i.failed) continue;
    let c: Counts;
    try {
      c = count(i.fd);
    } catch (err) {
      warn(i.name, err);
      status = 1;
      c = { lines: 0, words: 0, chars: 0, bytes: 0, maxLine: 0 };
      line(c, p.operands.length === 0 ? undefined : i.name);
      continue;
    } finally {
      closeInput(i.fd);
    }
    line(c, p.operands.length === 0 ? undefined : i.name);
    total.lines += c.lines;
    total.words += c.words;
    total.chars += c.chars;
    total.bytes += c.bytes;
    total.maxLine = Math.max(total.maxLine, c.maxLine);
  }
  if (names.length > 1) line(total, "total");
  return status;
}

function count(fd: number): Counts {
  const c: Counts = { lines: 0, words: 0, chars: 0, bytes: 0, maxLine: 0 };
  const buf = new Uint8Array(65536);
  let inWord = false;
  let col = 0;
  for (;;) {
    const n = read(fd, buf);
    if (n === 0) break;
    c.bytes += n;
    for (let i = 0; i < n; i++) {
      const b = buf[i];
      c.chars++; // the C locale: a character is a byte
      if (b === 10) {
        c.lines++;
        c.maxLine = Math.max(c.maxLine, col);
        col = 0;
      } else if (b === 9) {
        col += 8 - (col % 8);
      } else if (b === 13 || b === 12) {
        col = 0;
      } else if (b >= 0x20 && b !== 0x7f && (b & 0xc0) !== 0x80) {
        col++;
      }
      const space = b === 32 || (b >= 9 && b <= 13);
      if (space) inWord = false;
      else if (!inWord) {
        inWord = true;
        c.words++;
      }
    }
  }
  c.maxLine = Math.max(c.maxLine, col);
  return c;
}
