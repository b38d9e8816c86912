// cut: remove sections from each line of files.
//
//   cut -b LIST | -c LIST | -f LIST [-d DELIM] [-s] [--complement]
//       [--output-delimiter=STRING] [FILE]...
//
// LIST is N, N-M, N- or -M, comma-separated, counted from 1. -c counts
// bytes, as GNU cut does. With -f, lines without the delimiter print whole
// unless -s.
import { stdout, warn } from "../lib/mod.ts";
import { getopt, has, last, usageError } from "../coreutils/getopt.ts";
import { closeInput, openInput, readFd } from "../coreutils/files.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: cut OPTION... [FILE]...
Print selected parts of lines from each FILE to standard output.

  -b, --bytes=LIST        select only these bytes
  -c, --characters=LIST   select only these characters
  -d, --delimiter=DELIM   use DELIM instead of TAB for field delimiter
  -f, --fields=LIST       select only these fields;  also print any line
                            that contains no delimiter character, unless
                            the -s option is specified
  -n                      (ignored)
      --complement        complement the set of selected bytes, characters
                            or fields
  -s, --only-delimited    do not print lines not containing delimiters
      --output-delimiter=STRING  use STRING as the output delimiter
                            the default is to use the input delimiter`;

type Range = [number, number]; // 1-based, inclusive; end Infinity for "N-"

const encoder = new TextEncoder();

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "b:c:d:f:nsz",
    usage: USAGE,
    long: {
      bytes: { arg: "required", key: "b" },
      characters: { arg: "required", key: "c" },
      delimiter: { arg: "required", key: "d" },
      fields: { arg: "required", key: "f" },
      "only-delimited": { arg: "none", key: "s" },
      complement: { arg: "none", key: "--complement" },
      "output-delimiter": { arg: "required", key: "--output-delimiter" },
    },
  });
  if (typeof p === "number") return p;
  let mode: "b" | "f" | undefined;
  let listText = "";
  for (const { key, value } of p.opts) {
    if (key === "b" || key === "c" || key === "f") {
      if (mode !== undefined) return usageError("only one list may be specified");
      mode = key === "f" ? "f" : "b";
      listText = value!;
    }
  }
  if (mode === undefined) {
    return usageError("you must specify a list of bytes, characters, or fields");
  }
  const delimText = last(p, "d");
  if (delimText !== undefined && mode !== "f") {
    return usageError("an input delimiter may be specified only when operating on fields");
  }
  if (has(p, "s") && mode !== "f") {
    return usageError(
      "suppressing non-delimited lines makes sense\n\tonly when operating on fields",
    );
  }
  if (delimText !== undefined && encoder.encode(delimText).length > 1) {
    return usageError("the delimiter must be a single character");
  }
  const ranges = parseList(listText, mode === "f");
  if (typeof ranges === "string") return usageError(ranges);
  const delim = delimText === undefined ? 9 : delimText === "" ? 0 : encoder.encode(delimText)[0];
  const outDelimText = last(p, "--output-delimiter");
  const outDelim = outDelimText !== undefined
    ? encoder.encode(outDelimText)
    : mode === "f"
    ? new Uint8Array([delim])
    : undefined;
  const complement = has(p, "--complement");
  const onlyDelimited = has(p, "s");
  const selected = (n: number) => ranges.some(([a, b]) => n >= a && n <= b) !== complement;

  const out = stdout();
  let status = 0;
  for (const name of p.operands.length === 0 ? ["-"] : p.operands) {
    let data: Uint8Array;
    try {
      const fd = openInput(name);
      try {
        data = readFd(fd);
      } finally {
        closeInput(fd);
      }
    } catch (err) {
      warn(name, err);
      status = 1;
      continue;
    }
    let start = 0;
    while (start < data.length) {
      let end = data.indexOf(10, start);
      if (end < 0) end = data.length;
      const line = data.subarray(start, end);
      start = end + 1;
      const parts: Uint8Array[] = [];
      if (mode === "b") {
        let run: number[] = [];
        let prevSel = false;
        for (let i = 0; i < line.length; i++) {
          const sel = selected(i + 1);
          if (sel) {
            if (!prevSel && run.length > 0 && outDelim !== undefined) {
              parts.push(new Uint8Array(run));
              run = [];
            }
            run.push(line[i]);
          }
          prevSel = sel;
        }
        if (run.length > 0) parts.push(new Uint8Array(run));
        writeJoined(parts, outDelim);
      } else {
        if (!line.includes(delim)) {
          if (!onlyDelimited) out.write(line.slice());
          if (!onlyDelimited) out.write("\n");
          continue;
        }
        let from = 0;
        let n = 1;
        for (;;) {
          const at = line.indexOf(delim, from);
          const field = line.subarray(from, at < 0 ? line.length : at);
          if (selected(n)) parts.push(field);
          if (at < 0) break;
          from = at + 1;
          n++;
        }
        writeJoined(parts, outDelim);
      }
      out.write("\n");
    }
  }
  return status;
}

function writeJoined(parts: Uint8Array[], sep: Uint8Array | undefined): void {
  const out = stdout();
  parts.forEach((p, i) => {
    if (i > 0 && sep !== undefined) out.write(sep);
    out.write(p.slice());
  });
}

/** Parse a LIST; a message for cut's usage error if invalid. */
function parseList(text: string, fields: boolean): Range[] | string {
  const ranges: Range[] = [];
  const what = fields ? "field" : "byte/character position";
  for (const item of text.split(/[,\s]/)) {
    if (item === "") {
      return fields ? "fields are numbered from 1" : "byte/character positions are numbered from 1";
    }
    const m = /^(\d*)(-?)(\d*)$/.exec(item);
    if (m === null) {
      return `invalid ${fields ? "field value" : "byte/character position"} ${quoteAlways(item)}`;
    }
    if (m[2] === "" && m[1] === "") return `invalid ${what} ${quoteAlways(item)}`;
    if (m[2] === "-" && m[1] === "" && m[3] === "") return "invalid range with no endpoint: -";
    const a = m[1] === "" ? 1 : Number(m[1]);
    const b = m[2] === "" ? a : m[3] === "" ? Infinity : Number(m[3]);
    if (a === 0 || b === 0) {
      return fields ? "fields are numbered from 1" : "byte/character positions are numbered from 1";
    }
    if (b < a) return "invalid decreasing range";
    ranges.push([a, b]);
  }
  return ranges;
}
