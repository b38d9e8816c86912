// od: dump files in octal and other formats, as GNU od.
//
//   od [-A RADIX] [-t TYPE]... [-j SKIP] [-N COUNT] [-w[N]] [-v] [-abcdfiloxs] [FILE]...
//
// Default: octal addresses and octal 2-byte words (-A o -t o2), 16 bytes a
// line, repeated lines shown once followed by "*". TYPE is a, c, d, o, u or x
// with a size (1, 2, 4, 8 or C, S, I, L), or f with 4 or 8 (F, D); a "z"
// suffix adds the >text< column. Several types print one line each per
// block, padded to line up, exactly as GNU pads them.
import { stdout, warn } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { closeInput, concat, openInput, readFd } from "../coreutils/files.ts";
import { parseSize } from "../coreutils/human.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: od [OPTION]... [FILE]...
Write an unambiguous representation, octal bytes by default,
of FILE to standard output.

  -A, --address-radix=RADIX   output format for file offsets; RADIX is one
                                of [doxn], for Decimal, Octal, Hex or None
  -j, --skip-bytes=BYTES      skip BYTES input bytes first
  -N, --read-bytes=BYTES      limit dump to BYTES input bytes
  -t, --format=TYPE           select output format or formats
  -v, --output-duplicates     do not use * to mark line suppression
  -w[BYTES], --width[=BYTES]  output BYTES bytes per output line;
                                32 is implied when BYTES is not specified

Traditional format specifications may be intermixed; they accumulate:
  -a   same as -t a,  select named characters, ignoring high-order bit
  -b   same as -t o1, select octal bytes
  -c   same as -t c,  select printable characters or backslash escapes
  -d   same as -t u2, select unsigned decimal 2-byte units
  -f   same as -t fF, select floats
  -i   same as -t dI, select decimal ints
  -l   same as -t dL, select decimal longs
  -o   same as -t o2, select octal 2-byte units
  -s   same as -t d2, select decimal 2-byte units
  -x   same as -t x2, select hexadecimal 2-byte units`;

type Kind = "a" | "c" | "d" | "o" | "u" | "x" | "f";

interface Spec {
  kind: Kind;
  size: number;
  width: number;
  pad: number;
  trailer: boolean;
}

const INT_WIDTH: Record<string, number[]> = {
  // index: size in bytes
  o: [0, 3, 6, 0, 11, 0, 0, 0, 22],
  u: [0, 3, 5, 0, 10, 0, 0, 0, 20],
  d: [0, 4, 6, 0, 11, 0, 0, 0, 20],
  x: [0, 2, 4, 0, 8, 0, 0, 0, 16],
};

const NAMES = [
  "nul",
  "soh",
  "stx",
  "etx",
  "eot",
  "enq",
  "ack",
  "bel",
  "bs",
  "ht",
  "nl",
  "vt",
  "ff",
  "cr",
  "so",
  "si",
  "dle",
  "dc1",
  "dc2",
  "dc3",
  "dc4",
  "nak",
  "syn",
  "etb",
  "can",
  "em",
  "sub",
  "esc",
  "fs",
  "gs",
  "rs",
  "us",
  "sp",
];

const C_ESCAPES: Record<number, string> = {
  0: "\\0",
  7: "\\a",
  8: "\\b",
  12: "\\f",
  10: "\\n",
  13: "\\r",
  9: "\\t",
  11: "\\v",
};

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "A:j:N:t:vw::abcdfiloxsDeFHIXLOBh",
    usage: USAGE,
    long: {
      "address-radix": { arg: "required", key: "A" },
      "skip-bytes": { arg: "required", key: "j" },
      "read-bytes": { arg: "required", key: "N" },
      format: { arg: "required", key: "t" },
      "output-duplicates": { arg: "none", key: "v" },
      width: { arg: "optional", key: "w" },
    },
  });
  if (typeof p === "number") return p;
  const specs: Spec[] = [];
  let radix = 8;
  let padLen = 7;
  let skip = 0;
  let limit = -1;
  let dupes = true;
  let width: number | undefined;
  const old: Record<string, string> = {
    a: "a",
    b: "o1",
    c: "c",
    D: "u4",
    d: "u2",
    e: "fD",
    F: "fD",
    f: "fF",
    H: "x4",
    X: "x4",
    i: "dI",
    I: "dL",
    L: "dL",
    l: "dL",
    O: "o4",
    o: "o2",
    B: "o2",
    s: "d2",
    x: "x2",
    h: "x2",
  };
  for (const { key, value } of p.opts) {
    if (key === "A") {
      const r = value![0];
      if (r === "d") [radix, padLen] = [10, 7];
      else if (r === "o") [radix, padLen] = [8, 7];
      else if (r === "x") [radix, padLen] = [16, 6];
      else if (r === "n") [radix, padLen] = [0, 0];
      else {
        warn(`invalid output address radix '${r}'; it must be one character from [doxn]`);
        return 1;
      }
    } else if (key === "j" || key === "N") {
      const n = parseNumber(value!);
      if (n === undefined) {
        warn(
          `invalid ${key === "j" ? "--skip-bytes" : "--read-bytes"} argument ${
            quoteAlways(value!)
          }`,
        );
        return 1;
      }
      if (key === "j") skip = n;
      else limit = n;
    } else if (key === "t") {
      const err = parseTypes(value!, specs);
      if (err !== undefined) {
        warn(err);
        return 1;
      }
    } else if (key === "v") dupes = false;
    else if (key === "w") width = value === undefined ? 32 : Number(value);
    else if (Object.hasOwn(old, key)) parseTypes(old[key], specs);
  }
  if (specs.length === 0) parseTypes("o2", specs);

  let status = 0;
  // Read no more than -j and -N need: the input may never end (/dev/zero).
  const chunks: Uint8Array[] = [];
  let have = 0;
  const need = limit >= 0 ? skip + limit : Infinity;
  for (const name of p.operands.length === 0 ? ["-"] : p.operands) {
    if (have >= need) break;
    let fd: number;
    try {
      fd = openInput(name);
    } catch (err) {
      warn(name, err);
      status = 1;
      continue;
    }
    try {
      const got = readFd(fd, need - have);
      chunks.push(got);
      have += got.length;
    } catch (err) {
      warn(name, err);
      status = 1;
    } finally {
      closeInput(fd);
    }
  }
  let data = concat(chunks);
  if (skip > data.length) {
    warn("cannot skip past end of combined input");
    return 1;
  }
  data = data.subarray(skip, limit >= 0 ? Math.min(data.length, skip + limit) : data.length);

  const lcm = specs.reduce((l, s) => lcmOf(l, s.size), 1);
  let perBlock: number;
  if (width !== undefined) {
    if (width !== 0 && width % lcm === 0) perBlock = width;
    else {
      warn(`warning: invalid width ${width}; using ${lcm} instead`);
      perBlock = lcm;
    }
  } else {
    perBlock = lcm < 16 ? lcm * Math.floor(16 / lcm) : lcm;
  }
  let widthPerBlock = 0;
  for (const s of specs) {
    widthPerBlock = Math.max(widthPerBlock, (s.width + 1) * (perBlock / s.size));
  }
  for (const s of specs) s.pad = widthPerBlock - s.width * (perBlock / s.size);

  const out = stdout();
  const address = (n: number) => radix === 0 ? "" : n.toString(radix).padStart(padLen, "0");
  let prev: Uint8Array | undefined;
  let prevEqual = false;
  let offset = 0;
  for (; offset < data.length; offset += perBlock) {
    const n = Math.min(perBlock, data.length - offset);
    let block = data.subarray(offset, offset + n);
    if (dupes && prev !== undefined && n === perBlock && equal(prev, block)) {
      if (!prevEqual) out.write("*\n");
      prevEqual = true;
      continue;
    }
    prevEqual = false;
    prev = block;
    if (n < perBlock) {
      const padded = new Uint8Array(Math.ceil(n / lcm) * lcm);
      padded.set(block);
      block = padded;
    }
    specs.forEach((s, i) => {
      let line = i === 0 ? address(skip + offset) : " ".repeat(padLen);
      line += fields(s, block, perBlock, n);
      out.write(line + "\n");
    });
  }
  if (radix !== 0) out.write(address(skip + data.length) + "\n");
  return status;
}

function fields(s: Spec, block: Uint8Array, perBlock: number, n: number): string {
  const total = perBlock / s.size;
  const blank = Math.floor((perBlock - n) / s.size);
  const dv = new DataView(block.buffer, block.byteOffset, block.byteLength);
  let out = "";
  let padLeft = s.pad;
  for (let i = total, k = 0; i > blank; i--, k++) {
    const next = Math.floor((s.pad * (i - 1)) / total);
    const w = padLeft - next + s.width;
    out += format(s, dv, k * s.size).padStart(w);
    padLeft = next;
  }
  if (s.trailer) {
    const padWidth = Math.floor((s.pad * blank) / total);
    out += " ".repeat(blank * s.width + padWidth) + "  >";
    for (let i = 0; i < n; i++) {
      const b = block[i];
      out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
    }
    out += "<";
  }
  return out;
}

function format(s: Spec, dv: DataView, at: number): string {
  switch (s.kind) {
    case "a": {
      const c = dv.getUint8(at) & 0x7f;
      return c === 127 ? "del" : c <= 32 ? NAMES[c] : String.fromCharCode(c);
    }
    case "c": {
      const c = dv.getUint8(at);
      if (Object.hasOwn(C_ESCAPES, c)) return C_ESCAPES[c];
      return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : c.toString(8).padStart(3, "0");
    }
    case "f": {
      const v = s.size === 4 ? dv.getFloat32(at, true) : dv.getFloat64(at, true);
      return formatFloat(v, shortest(v, s.size === 4));
    }
    default: {
      const v = readInt(dv, at, s.size, s.kind === "d");
      if (s.kind === "o") return v.toString(8).padStart(INT_WIDTH.o[s.size], "0");
      if (s.kind === "x") return v.toString(16).padStart(INT_WIDTH.x[s.size], "0");
      return v.toString();
    }
  }
}

function readInt(dv: DataView, at: number, size: number, signed: boolean): bigint {
  switch (size) {
    case 1:
      return BigInt(signed ? dv.getInt8(at) : dv.getUint8(at));
    case 2:
      return BigInt(signed ? dv.getInt16(at, true) : dv.getUint16(at, true));
    case 4:
      return BigInt(signed ? dv.getInt32(at, true) : dv.getUint32(at, true));
    default:
      return signed ? dv.getBigInt64(at, true) : dv.getBigUint64(at, true);
  }
}

/** The fewest significant digits that read back as `v` (as gnulib's ftoastr). */
function shortest(v: number, single: boolean): number {
  if (!Number.isFinite(v) || v === 0) return 1;
  for (let p = 1; p < 17; p++) {
    const back = Number(v.toPrecision(p));
    if ((single ? Math.fround(back) : back) === v) return p;
  }
  return 17;
}

/** %g with `digits` significant digits, as printf prints it. */
function formatFloat(v: number, digits: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v < 0 ? "-inf" : "inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= digits) {
    const [m, e] = v.toExponential(digits - 1).split("e");
    const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
    const en = Number(e);
    return `${mant}e${en < 0 ? "-" : "+"}${String(Math.abs(en)).padStart(2, "0")}`;
  }
  const f = v.toFixed(Math.max(0, digits - 1 - exp));
  return f.includes(".") ? f.replace(/0+$/, "").replace(/\.$/, "") : f;
}

/** Add the specs of a -t TYPE string; an error message if it is invalid. */
function parseTypes(t: string, specs: Spec[]): string | undefined {
  let i = 0;
  while (i < t.length) {
    const kind = t[i] as Kind;
    i++;
    let size: number;
    if (kind === "a" || kind === "c") {
      size = 1;
    } else if (kind === "d" || kind === "o" || kind === "u" || kind === "x") {
      const m = /^(\d+|[CSIL])?/.exec(t.slice(i))!;
      i += m[0].length;
      const letter: Record<string, number> = { C: 1, S: 2, I: 4, L: 8 };
      size = m[1] === undefined ? 4 : letter[m[1]] ?? Number(m[1]);
      if (![1, 2, 4, 8].includes(size)) {
        return `invalid type string ${
          quoteAlways(t)
        };\nthis system doesn't provide a ${size}-byte integral type`;
      }
    } else if (kind === "f") {
      const m = /^(\d+|[FDL])?/.exec(t.slice(i))!;
      i += m[0].length;
      const letter: Record<string, number> = { F: 4, D: 8, L: 8 };
      size = m[1] === undefined ? 8 : letter[m[1]] ?? Number(m[1]);
      if (size !== 4 && size !== 8) {
        return `invalid type string ${
          quoteAlways(t)
        };\nthis system doesn't provide a ${size}-byte floating point type`;
      }
    } else {
      return `invalid type string ${quoteAlways(t)}`;
    }
    let trailer = false;
    if (t[i] === "z") {
      trailer = true;
      i++;
    }
    const width = kind === "a" || kind === "c"
      ? 3
      : kind === "f"
      ? (size === 4 ? 15 : 24)
      : INT_WIDTH[kind][size];
    specs.push({ kind, size, width, pad: 0, trailer });
  }
  return undefined;
}

function parseNumber(s: string): number | undefined {
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^0[0-7]+$/.test(s)) return parseInt(s, 8);
  return parseSize(s);
}

function lcmOf(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a * b) / gcd(a, b);
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
