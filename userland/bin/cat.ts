// cat: concatenate files (or "-", standard input) to standard output.
//
//   cat [-AbeEnstTuv] [FILE]...
//
// -n numbers lines ("%6d\t"), -b only non-blank ones, -s squeezes repeated
// blank lines, -E marks line ends with $, -T shows tabs as ^I, -v shows
// other control bytes as ^X and M-X; -A is -vET, -e -vE, -t -vT. Numbering
// runs on across files, as GNU's does. Exit 1 if any file failed.
import { read, stdout, warn, writeAll } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { closeInput, openInput } from "../coreutils/files.ts";

const USAGE = `Usage: cat [OPTION]... [FILE]...
Concatenate FILE(s) to standard output.

With no FILE, or when FILE is -, read standard input.

  -A, --show-all           equivalent to -vET
  -b, --number-nonblank    number nonempty output lines, overrides -n
  -e                       equivalent to -vE
  -E, --show-ends          display $ at end of each line
  -n, --number             number all output lines
  -s, --squeeze-blank      suppress repeated empty output lines
  -t                       equivalent to -vT
  -T, --show-tabs          display TAB characters as ^I
  -u                       (ignored)
  -v, --show-nonprinting   use ^ and M- notation, except for LFD and TAB`;

const encoder = new TextEncoder();

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "AbeEnstTuv",
    usage: USAGE,
    long: {
      "show-all": { arg: "none", key: "A" },
      "number-nonblank": { arg: "none", key: "b" },
      "show-ends": { arg: "none", key: "E" },
      number: { arg: "none", key: "n" },
      "squeeze-blank": { arg: "none", key: "s" },
      "show-tabs": { arg: "none", key: "T" },
      "show-nonprinting": { arg: "none", key: "v" },
    },
  });
  if (typeof p === "number") return p;
  const f = { number: false, nonblank: false, ends: false, squeeze: false, tabs: false, v: false };
  for (const { key } of p.opts) {
    if (key === "A") f.v = f.ends = f.tabs = true;
    else if (key === "b") f.nonblank = true;
    else if (key === "e") f.v = f.ends = true;
    else if (key === "E") f.ends = true;
    else if (key === "n") f.number = true;
    else if (key === "s") f.squeeze = true;
    else if (key === "t") f.v = f.tabs = true;
    else if (key === "T") f.tabs = true;
    else if (key === "v") f.v = true;
  }
  if (f.nonblank) f.number = true;
  const plain = !f.number && !f.ends && !f.squeeze && !f.tabs && !f.v;
  const fmt = new Formatter(f);
  const out = stdout();
  out.flush();
  let status = 0;
  const buf = new Uint8Array(65536);
  for (const name of p.operands.length === 0 ? ["-"] : p.operands) {
    let fd: number;
    try {
      fd = openInput(name);
    } catch (err) {
      warn(name, err);
      status = 1;
      continue;
    }
    try {
      for (;;) {
        const n = read(fd, buf);
        if (n === 0) break;
        if (plain) writeAll(1, buf.subarray(0, n));
        else out.write(fmt.format(buf.subarray(0, n)));
      }
    } catch (err) {
      out.flush();
      warn(name, err);
      status = 1;
    } finally {
      closeInput(fd);
    }
  }
  out.flush();
  return status;
}

/** The -n/-b/-s/-E/-T/-v transformation, keeping its state across chunks and files. */
class Formatter {
  #line = 0;
  #atLineStart = true;
  #blankRun = 0; // empty lines in a row

  constructor(
    readonly f: {
      number: boolean;
      nonblank: boolean;
      ends: boolean;
      squeeze: boolean;
      tabs: boolean;
      v: boolean;
    },
  ) {}

  format(chunk: Uint8Array): Uint8Array {
    const out: number[] = [];
    const push = (s: string) => {
      for (const b of encoder.encode(s)) out.push(b);
    };
    for (const b of chunk) {
      if (this.#atLineStart) {
        if (b === 10) {
          this.#blankRun++;
          if (this.f.squeeze && this.#blankRun > 1) continue;
          if (this.f.number && !this.f.nonblank) push(`${String(++this.#line).padStart(6)}\t`);
          if (this.f.ends) out.push(36);
          out.push(10);
          continue;
        }
        this.#blankRun = 0;
        if (this.f.number) push(`${String(++this.#line).padStart(6)}\t`);
        this.#atLineStart = false;
      }
      if (b === 10) {
        if (this.f.ends) out.push(36);
        out.push(10);
        this.#atLineStart = true;
        continue;
      }
      if (b === 9) {
        if (this.f.tabs) out.push(94, 73);
        else out.push(9);
        continue;
      }
      if (!this.f.v) {
        out.push(b);
        continue;
      }
      let c = b;
      if (c >= 128) {
        out.push(77, 45); // "M-"
        c -= 128;
      }
      if (c < 32) out.push(94, c + 64);
      else if (c === 127) out.push(94, 63);
      else out.push(c);
    }
    return new Uint8Array(out);
  }
}
