// sort: sort lines of text files, as GNU sort in the C locale.
//
//   sort [-bdfghiMnrsuV] [-k POS1[,POS2]]... [-t SEP] [-o FILE] [-c | -C] [FILE]...
//
// Lines compare by their keys (-k; the whole line without one), each by its
// own options or, if it has none, the global ones; when every key is equal
// the whole lines compare byte by byte, unless -s or -u. -u keeps the first
// of each run of equal lines. -c checks instead ("disorder" on stderr, exit 1).
import { close, O, open, stdout, warn, writeAll } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { closeInput, openInput, readFd } from "../coreutils/files.ts";
import { compareBytes } from "../coreutils/path.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { eprint } from "../lib/mod.ts";

const USAGE = `Usage: sort [OPTION]... [FILE]...
Write sorted concatenation of all FILE(s) to standard output.

  -b, --ignore-leading-blanks  ignore leading blanks
  -d, --dictionary-order      consider only blanks and alphanumeric characters
  -f, --ignore-case           fold lower case to upper case characters
  -g, --general-numeric-sort  compare according to general numerical value
  -i, --ignore-nonprinting    consider only printable characters
  -M, --month-sort            compare (unknown) < 'JAN' < ... < 'DEC'
  -h, --human-numeric-sort    compare human readable numbers (e.g., 2K 1G)
  -n, --numeric-sort          compare according to string numerical value
  -r, --reverse               reverse the result of comparisons
  -V, --version-sort          natural sort of (version) numbers within text
  -c, --check                 check for sorted input; do not sort
  -C                          like -c, but do not report first bad line
  -k, --key=KEYDEF            sort via a key; KEYDEF gives location and type
  -o, --output=FILE           write result to FILE instead of standard output
  -s, --stable                stabilize sort by disabling last-resort comparison
  -t, --field-separator=SEP   use SEP instead of non-blank to blank transition
  -u, --unique                output only the first of an equal run`;

interface KeyOpts {
  b: boolean; // leading blanks (start)
  bEnd: boolean;
  d: boolean;
  f: boolean;
  g: boolean;
  h: boolean;
  i: boolean;
  M: boolean;
  n: boolean;
  r: boolean;
  V: boolean;
}

interface Key extends KeyOpts {
  sField: number;
  sChar: number;
  eField: number; // 0: end of line
  eChar: number; // 0: end of field
}

const ORDERING = "bdfghiMnrV";
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

function noOpts(): KeyOpts {
  return {
    b: false,
    bEnd: false,
    d: false,
    f: false,
    g: false,
    h: false,
    i: false,
    M: false,
    n: false,
    r: false,
    V: false,
  };
}

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "bcCdfghik:Mnmo:rsS:t:T:uVz",
    usageStatus: 2,
    usage: USAGE,
    long: {
      "ignore-leading-blanks": { arg: "none", key: "b" },
      "dictionary-order": { arg: "none", key: "d" },
      "ignore-case": { arg: "none", key: "f" },
      "general-numeric-sort": { arg: "none", key: "g" },
      "ignore-nonprinting": { arg: "none", key: "i" },
      "month-sort": { arg: "none", key: "M" },
      "human-numeric-sort": { arg: "none", key: "h" },
      "numeric-sort": { arg: "none", key: "n" },
      reverse: { arg: "none", key: "r" },
      "version-sort": { arg: "none", key: "V" },
      check: { arg: "optional", key: "c" },
      key: { arg: "required", key: "k" },
      output: { arg: "required", key: "o" },
      stable: { arg: "none", key: "s" },
      "field-separator": { arg: "required", key: "t" },
      unique: { arg: "none", key: "u" },
      "buffer-size": { arg: "required", key: "S" },
      "temporary-directory": { arg: "required", key: "T" },
      merge: { arg: "none", key: "m" },
    },
  });
  if (typeof p === "number") return p;
  const global = noOpts();
  const keys: Key[] = [];
  let sep: string | undefined;
  let check: "none" | "loud" | "quiet" = "none";
  let stable = false;
  let unique = false;
  let output: string | undefined;
  for (const { key, value } of p.opts) {
    if (ORDERING.includes(key)) {
      global[key as keyof KeyOpts] = true;
      if (key === "b") global.bEnd = true;
    } else if (key === "k") {
      const k = parseKey(value!);
      if (typeof k === "string") {
        warn(k);
        return 2;
      }
      keys.push(k);
    } else if (key === "t") {
      if (value!.length > 1 && value !== "\\0") {
        warn(`multi-character tab ${quoteAlways(value!)}`);
        return 2;
      }
      if (value === "") {
        warn("empty tab");
        return 2;
      }
      sep = value === "\\0" ? "\0" : value;
    } else if (key === "c") check = value === "quiet" || value === "silent" ? "quiet" : "loud";
    else if (key === "C") check = "quiet";
    else if (key === "s") stable = true;
    else if (key === "u") unique = true;
    else if (key === "o") output = value;
  }
  // A key without ordering options takes the global ones.
  for (const k of keys) {
    if (!ORDERING.split("").some((c) => k[c as keyof KeyOpts])) {
      Object.assign(k, { ...global, bEnd: global.b || k.bEnd, b: global.b || k.b });
    }
  }
  const useKeys: Key[] = keys.length > 0
    ? keys
    : [{ ...global, sField: 1, sChar: 1, eField: 0, eChar: 0 }];
  const lastResort = !stable && !unique;
  const cmpKeys = (a: string, b: string) => {
    for (const k of useKeys) {
      const c = compareKey(keyText(a, k, sep), keyText(b, k, sep), k);
      if (c !== 0) return k.r ? -c : c;
    }
    return 0;
  };
  const cmp = (a: string, b: string) => {
    const c = cmpKeys(a, b);
    if (c !== 0 || !lastResort) return c;
    const d = compareBytes(a, b);
    return global.r ? -d : d;
  };

  const files = p.operands.length === 0 ? ["-"] : p.operands;
  const lines: string[] = [];
  for (const name of files) {
    try {
      const fd = openInput(name);
      try {
        const text = new TextDecoder().decode(readFd(fd));
        const ls = text.split("\n");
        if (ls[ls.length - 1] === "") ls.pop();
        for (const l of ls) lines.push(l);
      } finally {
        closeInput(fd);
      }
    } catch (err) {
      warn(`cannot read: ${name}`, err);
      return 2;
    }
  }

  if (check !== "none") {
    for (let i = 1; i < lines.length; i++) {
      const c = cmp(lines[i - 1], lines[i]);
      if (c > 0 || (unique && c === 0)) {
        if (check === "loud") eprint(`sort: ${files[0]}:${i + 1}: disorder: ${lines[i]}`);
        return 1;
      }
    }
    return 0;
  }

  lines.sort(cmp);
  let result = lines;
  if (unique) {
    result = [];
    for (const l of lines) {
      if (result.length === 0 || cmpKeys(result[result.length - 1], l) !== 0) result.push(l);
    }
  }
  const text = result.map((l) => l + "\n").join("");
  if (output === undefined) {
    stdout().write(text);
    return 0;
  }
  try {
    const fd = open(output, O.WRONLY | O.CREAT | O.TRUNC, 0o666);
    try {
      writeAll(fd, text);
    } finally {
      close(fd);
    }
  } catch (err) {
    warn(`open failed: ${output}`, err);
    return 2;
  }
  return 0;
}

/** Parse -k POS1[,POS2]: F[.C][OPTS][,F[.C][OPTS]]; a message if invalid. */
function parseKey(text: string): Key | string {
  const m = /^(\d+)(?:\.(\d+))?([bdfghiMnrV]*)(?:,(\d+)(?:\.(\d+))?([bdfghiMnrV]*))?$/.exec(text);
  const bad = (why: string) => `${why}: invalid field specification ${quoteAlways(text)}`;
  if (m === null) {
    return /^\d/.test(text)
      ? bad("stray character in field spec")
      : `invalid number at field start: invalid count at start of ${quoteAlways(text)}`;
  }
  const k: Key = {
    ...noOpts(),
    sField: Number(m[1]),
    sChar: Number(m[2] ?? 1),
    eField: 0,
    eChar: 0,
  };
  if (k.sField === 0) return bad("field number is zero");
  if (m[2] !== undefined && k.sChar === 0) return bad("character offset is zero");
  for (const c of m[3]) {
    if (c === "b") k.b = true;
    else k[c as keyof KeyOpts] = true;
  }
  if (m[4] !== undefined) {
    k.eField = Number(m[4]);
    k.eChar = Number(m[5] ?? 0);
    if (k.eField === 0) return bad("field number is zero");
    for (const c of m[6]) {
      if (c === "b") k.bEnd = true;
      else k[c as keyof KeyOpts] = true;
    }
  }
  return k;
}

const isBlank = (c: string) => c === " " || c === "\t";

/** The text of key `k` in `line`. */
function keyText(line: string, k: Key, sep: string | undefined): string {
  // Field starts: with SEP, after each SEP; without, each field is its
  // leading blanks plus the non-blanks that follow.
  const starts: number[] = [0];
  const ends: number[] = [];
  if (sep !== undefined) {
    for (let i = 0; i < line.length; i++) {
      if (line[i] === sep) {
        ends.push(i);
        starts.push(i + 1);
      }
    }
  } else {
    let i = 0;
    for (;;) {
      while (i < line.length && isBlank(line[i])) i++;
      while (i < line.length && !isBlank(line[i])) i++;
      if (i >= line.length) break;
      ends.push(i);
      starts.push(i);
    }
  }
  ends.push(line.length);
  const field = (n: number) =>
    n - 1 < starts.length ? [starts[n - 1], ends[n - 1]] : [line.length, line.length];
  let [s, sEnd] = field(k.sField);
  if (k.b) { while (s < sEnd && isBlank(line[s])) s++; }
  s = Math.min(s + k.sChar - 1, sEnd);
  let e = line.length;
  if (k.eField > 0) {
    const [eStart, eEnd] = field(k.eField);
    if (k.eChar === 0) e = eEnd;
    else {
      let t = eStart;
      if (k.bEnd) { while (t < eEnd && isBlank(line[t])) t++; }
      e = Math.min(t + k.eChar, eEnd);
    }
  }
  return e > s ? line.slice(s, e) : "";
}

function compareKey(a: string, b: string, k: KeyOpts): number {
  if (k.b && !(k.n || k.g || k.h)) {
    a = a.replace(/^[ \t]+/, "");
    b = b.replace(/^[ \t]+/, "");
  }
  if (k.n) return compareNumeric(a, b);
  if (k.h) return compareHuman(a, b);
  if (k.g) return compareGeneral(a, b);
  if (k.M) return month(a) - month(b);
  if (k.V) return compareVersion(a, b);
  if (k.d) {
    a = a.replace(/[^ \t0-9A-Za-z]/g, "");
    b = b.replace(/[^ \t0-9A-Za-z]/g, "");
  }
  if (k.i) {
    a = a.replace(/[^\x20-\x7e]/g, "");
    b = b.replace(/[^\x20-\x7e]/g, "");
  }
  if (k.f) {
    a = a.toUpperCase();
    b = b.toUpperCase();
  }
  return compareBytes(a, b);
}

/** Leading number of -n: blanks, "-", digits, ".", digits. */
function numericPrefix(s: string): string {
  const m = /^[ \t]*(-?)(\d*)(?:\.(\d*))?/.exec(s)!;
  const int = m[2].replace(/^0+/, "");
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (int === "" && frac === "") return "0";
  return `${m[1]}${int || "0"}${frac === "" ? "" : "." + frac}`;
}

/** Exact comparison of decimal strings like "-12.5" (arbitrary length). */
function compareDecimal(x: string, y: string): number {
  const nx = x.startsWith("-");
  const ny = y.startsWith("-");
  if (nx !== ny) return nx ? -1 : 1;
  const [ai, af = ""] = (nx ? x.slice(1) : x).split(".");
  const [bi, bf = ""] = (ny ? y.slice(1) : y).split(".");
  let c = ai.length - bi.length || (ai < bi ? -1 : ai > bi ? 1 : 0);
  if (c === 0) {
    const n = Math.max(af.length, bf.length);
    const fa = af.padEnd(n, "0");
    const fb = bf.padEnd(n, "0");
    c = fa < fb ? -1 : fa > fb ? 1 : 0;
  }
  return nx ? -c : c;
}

function compareNumeric(a: string, b: string): number {
  return compareDecimal(numericPrefix(a), numericPrefix(b));
}

function compareHuman(a: string, b: string): number {
  const parse = (s: string) => {
    const m = /^[ \t]*(-?\d*(?:\.\d*)?)([KMGTPEZYkmgtpezy]?)/.exec(s)!;
    const order = m[2] === "" ? 0 : "KMGTPEZY".indexOf(m[2].toUpperCase()) + 1;
    const num = numericPrefix(m[1]);
    const sign = num.startsWith("-") ? -1 : num === "0" ? 0 : 1;
    return { sign, order, num };
  };
  const x = parse(a);
  const y = parse(b);
  if (x.sign !== y.sign) return x.sign - y.sign;
  if (x.order !== y.order) return x.sign * (x.order - y.order);
  return compareDecimal(x.num, y.num);
}

function compareGeneral(a: string, b: string): number {
  const parse = (s: string) => {
    const m = /^[ \t]*([+-]?(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))/i.exec(s);
    if (m === null) return undefined;
    const t = m[1].replace(/^\+/, "").replace(/inf(inity)?/i, "Infinity").replace(
      /^-?nan$/i,
      "NaN",
    );
    return Number(t);
  };
  const x = parse(a);
  const y = parse(b);
  // Non-numbers first, then NaN, then numbers in order.
  const rank = (v: number | undefined) => v === undefined ? 0 : Number.isNaN(v) ? 1 : 2;
  if (rank(x) !== rank(y) || rank(x) < 2) return rank(x) - rank(y);
  return x! < y! ? -1 : x! > y! ? 1 : 0;
}

function month(s: string): number {
  const t = s.replace(/^[ \t]+/, "").slice(0, 3).toUpperCase();
  return MONTHS.indexOf(t) + 1;
}

function compareVersion(a: string, b: string): number {
  const split = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    const pd = /^\d/.test(p);
    const qd = /^\d/.test(q);
    let c: number;
    if (pd && qd) c = compareDecimal(p.replace(/^0+(?=\d)/, ""), q.replace(/^0+(?=\d)/, ""));
    else c = compareBytes(p, q);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}
