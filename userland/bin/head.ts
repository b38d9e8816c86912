// head: output the first part of files.
//
//   head [-n [-]NUM | -c [-]NUM] [-q | -v] [FILE]...
//
// The first 10 lines by default; -n -NUM all but the last NUM lines, -c
// bytes instead of lines. With several files each gets a "==> NAME <=="
// header (-q never, -v always). Input is read only as far as needed, so
// `yes | head` ends.
import { read, stdout, warn } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { obsoleteCount, parseCount } from "../coreutils/count_arg.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { concat, eachInput } from "../coreutils/files.ts";

const USAGE = `Usage: head [OPTION]... [FILE]...
Print the first 10 lines of each FILE to standard output.
With more than one FILE, precede each with a header giving the file name.

  -c, --bytes=[-]NUM       print the first NUM bytes of each file;
                             with the leading '-', print all but the last
                             NUM bytes of each file
  -n, --lines=[-]NUM       print the first NUM lines instead of the first 10;
                             with the leading '-', print all but the last
                             NUM lines of each file
  -q, --quiet, --silent    never print headers giving file names
  -v, --verbose            always print headers giving file names`;

export function main(argv: string[]): number {
  const p = getopt(obsoleteCount(argv), {
    short: "c:n:qvz",
    usage: USAGE,
    long: {
      bytes: { arg: "required", key: "c" },
      lines: { arg: "required", key: "n" },
      quiet: { arg: "none", key: "q" },
      silent: { arg: "none", key: "q" },
      verbose: { arg: "none", key: "v" },
    },
  });
  if (typeof p === "number") return p;
  let bytes = false;
  let count = 10;
  let allBut = false;
  let headers: boolean | undefined;
  for (const { key, value } of p.opts) {
    if (key === "c" || key === "n") {
      const c = parseCount(value!);
      if (c === undefined || c.sign === "+") {
        warn(`invalid number of ${key === "c" ? "bytes" : "lines"}: ${quoteAlways(value!)}`);
        return 1;
      }
      bytes = key === "c";
      count = c.n;
      allBut = c.sign === "-";
    } else if (key === "q") headers = false;
    else if (key === "v") headers = true;
  }
  const files = p.operands.length === 0 ? ["-"] : p.operands;
  headers ??= files.length > 1;
  return eachInput(files, headers, (fd) => {
    if (allBut) allButLast(fd, count, bytes);
    else firstPart(fd, count, bytes);
  });
}

function firstPart(fd: number, count: number, bytes: boolean): void {
  const out = stdout();
  const buf = new Uint8Array(65536);
  let left = count;
  while (left > 0) {
    const n = read(fd, buf);
    if (n === 0) return;
    const chunk = buf.subarray(0, n);
    if (bytes) {
      const take = Math.min(left, n);
      out.write(chunk.slice(0, take));
      left -= take;
      continue;
    }
    let end = 0;
    while (left > 0 && end < n) {
      const nl = chunk.indexOf(10, end);
      if (nl < 0) {
        end = n;
        break;
      }
      end = nl + 1;
      left--;
    }
    out.write(chunk.slice(0, end));
  }
}

function allButLast(fd: number, count: number, bytes: boolean): void {
  const chunks: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = read(fd, buf);
    if (n === 0) break;
    chunks.push(buf.slice(0, n));
  }
  const all = concat(chunks);
  if (bytes) {
    stdout().write(all.subarray(0, Math.max(0, all.length - count)));
    return;
  }
  // Line starts from the end: drop the last `count` lines (a final line without "\n" counts).
  let end = all.length;
  let dropped = 0;
  // A final newline ends the last line; the search for line ends starts before it.
  let i = all.length > 0 && all[all.length - 1] === 10 ? all.length - 2 : all.length - 1;
  while (dropped < count && end > 0) {
    const nl = all.lastIndexOf(10, i);
    end = nl + 1;
    dropped++;
    i = nl - 1;
    if (nl < 0) {
      end = 0;
      break;
    }
  }
  stdout().write(all.subarray(0, end));
}
