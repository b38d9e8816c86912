// printf(1)'s formatting, as GNU coreutils does it: the FORMAT is applied
// to the arguments, and reused while arguments remain. Integers are 64-bit
// (intmax_t), so %d of 2^62 is exact and %x of -1 is ffffffffffffffff.

import { Bytes, readEscape, unescapeC } from "./escapes.ts";
import { toExpC, toFixedC } from "./decimal.ts";

/** What a run produced: the bytes, and the messages for arguments that were not numbers. */
export interface PrintfResult {
  bytes: Uint8Array;
  errors: string[];
  /** A "\c" (or %b's) stopped the output. */
  stopped: boolean;
  /** The format had no conversion, so extra arguments were ignored. */
  unused?: string;
}

const INTMAX = (1n << 63n) - 1n;
const INTMIN = -(1n << 63n);
const UINTMAX = (1n << 64n) - 1n;

class Stop {}

/** Format `args` with `format`. Throws Error(message) for an invalid conversion. */
export function printf(format: string, args: string[]): PrintfResult {
  const out = new Bytes();
  const errors: string[] = [];
  let next = 0;
  const take = (): string | undefined => (next < args.length ? args[next++] : undefined);
  try {
    for (;;) {
      const used = next;
      const conversions = pass(format, out, take, errors);
      if (conversions === 0 && args.length > 0) {
        return { bytes: out.done(), errors, stopped: false, unused: args[0] };
      }
      if (next >= args.length || next === used) break;
    }
  } catch (err) {
    if (err instanceof Stop) return { bytes: out.done(), errors, stopped: true };
    throw err;
  }
  return { bytes: out.done(), errors, stopped: false };
}

/** One pass over the format; returns how many conversions consumed arguments. */
function pass(
  f: string,
  out: Bytes,
  take: () => string | undefined,
  errors: string[],
): number {
  let conversions = 0;
  for (let i = 0; i < f.length;) {
    const ch = f[i];
    if (ch === "\\") {
      const j = readEscape(f, i + 1, out);
      if (j < 0) throw new Stop();
      i = j;
      continue;
    }
    if (ch !== "%") {
      out.text(ch);
      i++;
      continue;
    }
    if (f[i + 1] === "%") {
      out.text("%");
      i += 2;
      continue;
    }
    const start = i;
    i++;
    let flags = "";
    while (i < f.length && "-+ #0'".includes(f[i])) flags += f[i++];
    let width: number | undefined;
    if (f[i] === "*") {
      width = intArg(take(), errors);
      conversions++;
      i++;
      if (width < 0) {
        flags += "-";
        width = -width;
      }
    } else {
      const m = /^\d+/.exec(f.slice(i));
      if (m !== null) {
        width = Number(m[0]);
        i += m[0].length;
      }
    }
    let precision: number | undefined;
    if (f[i] === ".") {
      i++;
      if (f[i] === "*") {
        precision = intArg(take(), errors);
        conversions++;
        i++;
        if (precision < 0) precision = undefined;
      } else {
        const m = /^\d*/.exec(f.slice(i))!;
        precision = Number(m[0] || "0");
        i += m[0].length;
      }
    }
    while ("hlLqjzt".includes(f[i]) && i < f.length) i++;
    const conv = f[i];
    if (
      conv === undefined || !"diouxXfFeEgGaAcsb".includes(conv) || !flagsOk(conv, flags, precision)
    ) {
      throw new Error(`${f.slice(start, i + 1)}: invalid conversion specification`);
    }
    i++;
    conversions++;
    const arg = take();
    out.text(convert(conv, arg, flags, width, precision, errors, out));
  }
  return conversions;
}

/** GNU printf rejects flags that mean nothing for a conversion (%05s, %#d, %'x, %.3c). */
function flagsOk(conv: string, flags: string, precision: number | undefined): boolean {
  if (flags.includes("'") && "aAceEosxX".includes(conv)) return false;
  if (flags.includes("#") && "cdisu".includes(conv)) return false;
  if (flags.includes("0") && "cs".includes(conv)) return false;
  if (precision !== undefined && conv === "c") return false;
  return true;
}

function intArg(arg: string | undefined, errors: string[]): number {
  return Number(parseInteger(arg ?? "0", errors, false));
}

function convert(
  conv: string,
  arg: string | undefined,
  flags: string,
  width: number | undefined,
  precision: number | undefined,
  errors: string[],
  out: Bytes,
): string {
  switch (conv) {
    case "s": {
      let s = arg ?? "";
      if (precision !== undefined) s = sliceBytes(s, precision);
      return pad(s, flags, width);
    }
    case "b": {
      const { bytes, stop } = unescapeC(arg ?? "", true);
      const body = precision !== undefined ? bytes.subarray(0, precision) : bytes;
      const fill = " ".repeat(Math.max(0, (width ?? 0) - body.length));
      if (!flags.includes("-")) out.text(fill);
      for (const b of body) out.byte(b);
      if (flags.includes("-")) out.text(fill);
      if (stop) throw new Stop();
      return "";
    }
    case "c":
      return pad(arg === undefined || arg === "" ? "\0" : [...arg][0], flags, width);
    case "d":
    case "i": {
      const v = parseInteger(arg ?? "0", errors, false);
      return integer(v < 0n ? -v : v, v < 0n, 10, flags, width, precision, false);
    }
    case "o":
    case "u":
    case "x":
    case "X": {
      let v = parseInteger(arg ?? "0", errors, true);
      if (v < 0n) v = (v + (1n << 64n)) & UINTMAX;
      const base = conv === "o" ? 8 : conv === "u" ? 10 : 16;
      return integer(v, false, base, flags, width, precision, conv === "X", conv);
    }
    default: {
      const v = parseFloatArg(arg ?? "0", errors);
      return float(v, conv, flags, width, precision);
    }
  }
}

function sliceBytes(s: string, n: number): string {
  const b = new TextEncoder().encode(s);
  return b.length <= n ? s : new TextDecoder().decode(b.subarray(0, n));
}

function pad(text: string, flags: string, width: number | undefined): string {
  const w = width ?? 0;
  const len = new TextEncoder().encode(text).length;
  if (len >= w) return text;
  return flags.includes("-") ? text + " ".repeat(w - len) : " ".repeat(w - len) + text;
}

function integer(
  abs: bigint,
  negative: boolean,
  base: number,
  flags: string,
  width: number | undefined,
  precision: number | undefined,
  upper: boolean,
  conv = "d",
): string {
  let digits = abs.toString(base);
  if (upper) digits = digits.toUpperCase();
  if (precision !== undefined) {
    digits = precision === 0 && abs === 0n ? "" : digits.padStart(precision, "0");
  }
  if (flags.includes("'") && base === 10) digits = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  let prefix = negative
    ? "-"
    : flags.includes("+") && conv === "d"
    ? "+"
    : flags.includes(" ") && conv === "d"
    ? " "
    : "";
  if (flags.includes("#")) {
    if (conv === "o" && !digits.startsWith("0")) digits = "0" + digits;
    if ((conv === "x" || conv === "X") && abs !== 0n) prefix = conv === "x" ? "0x" : "0X";
  }
  return padNumber(prefix, digits, flags, width, precision === undefined);
}

function padNumber(
  prefix: string,
  digits: string,
  flags: string,
  width: number | undefined,
  zeroOk: boolean,
): string {
  const w = width ?? 0;
  const len = prefix.length + digits.length;
  if (len >= w) return prefix + digits;
  if (flags.includes("-")) return prefix + digits + " ".repeat(w - len);
  if (flags.includes("0") && zeroOk) return prefix + "0".repeat(w - len) + digits;
  return " ".repeat(w - len) + prefix + digits;
}

function float(
  v: number,
  conv: string,
  flags: string,
  width: number | undefined,
  precision: number | undefined,
): string {
  const upper = conv === conv.toUpperCase();
  const negative = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let body: string;
  if (!Number.isFinite(a)) {
    body = Number.isNaN(a) ? "nan" : "inf";
    if (upper) body = body.toUpperCase();
    const prefix = negative && !Number.isNaN(a)
      ? "-"
      : flags.includes("+")
      ? "+"
      : flags.includes(" ")
      ? " "
      : "";
    return padNumber(prefix, body, flags.replace("0", ""), width, false);
  }
  const p = precision ?? 6;
  const lc = conv.toLowerCase();
  if (lc === "f") {
    body = toFixedC(a, p);
    if (flags.includes("#") && p === 0) body += ".";
  } else if (lc === "e") {
    body = expForm(a, p, flags.includes("#"));
  } else if (lc === "g") {
    const P = p === 0 ? 1 : p;
    const x = toExpC(a, P - 1)[1];
    if (x < -4 || x >= P) body = expForm(a, P - 1, flags.includes("#"));
    else body = toFixedC(a, Math.max(0, P - 1 - x));
    if (!flags.includes("#") && body.includes(".")) {
      body = body.replace(/(\.\d*?)0+(e|$)/, "$1$2").replace(/\.(e|$)/, "$1");
    }
  } else {
    body = hexFloat(a, precision);
  }
  if (upper) body = body.toUpperCase();
  const prefix = negative ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
  return padNumber(prefix, body, flags, width, true);
}

function expForm(a: number, p: number, alt: boolean): string {
  const [m, en] = toExpC(a, p);
  const mant = alt && !m.includes(".") ? m + "." : m;
  return `${mant}e${en < 0 ? "-" : "+"}${String(Math.abs(en)).padStart(2, "0")}`;
}

/** %a as glibc prints a long double: the leading hex digit is 8 to f (1.0 is 0x8p-3). */
function hexFloat(a: number, precision: number | undefined): string {
  if (a === 0) return precision ? `0x0.${"0".repeat(precision)}p+0` : "0x0p+0";
  let e = Math.floor(Math.log2(a)) - 3;
  let m = a / 2 ** e;
  if (m >= 16) {
    m /= 2;
    e++;
  } else if (m < 8) {
    m *= 2;
    e--;
  }
  const lead = Math.floor(m);
  let frac = "";
  for (let r = m - lead; r > 0 && frac.length < 16;) {
    r *= 16;
    const d = Math.floor(r);
    frac += d.toString(16);
    r -= d;
  }
  if (precision !== undefined) frac = frac.slice(0, precision).padEnd(precision, "0");
  return `0x${lead.toString(16)}${frac === "" ? "" : "." + frac}p${e < 0 ? "-" : "+"}${
    Math.abs(e)
  }`;
}

/** An integer argument as GNU printf reads it (with its warnings). */
function parseInteger(s: string, errors: string[], unsigned: boolean): bigint {
  if (/^['"]/.test(s)) {
    const cp = s.codePointAt(1);
    return BigInt(cp ?? 0);
  }
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(s);
  if (m === null) {
    errors.push(`'${s}': expected a numeric value`);
    return 0n;
  }
  const digits = m[2];
  let v = /^0[xX]/.test(digits)
    ? BigInt(digits)
    : digits.length > 1 && digits.startsWith("0")
    ? BigInt("0o" + digits.slice(1))
    : BigInt(digits);
  if (m[1] === "-") v = -v;
  const max = unsigned ? UINTMAX : INTMAX;
  if (v > max || v < INTMIN) {
    errors.push(`'${s}': Numerical result out of range`);
    v = v > max ? max : INTMIN;
  }
  if (m[0].length !== s.length) errors.push(`'${s}': value not completely converted`);
  return v;
}

function parseFloatArg(s: string, errors: string[]): number {
  if (/^['"]/.test(s)) return s.codePointAt(1) ?? 0;
  const m = /^\s*[+-]?(?:inf(?:inity)?|nan|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/i
    .exec(s);
  if (m === null) {
    errors.push(`'${s}': expected a numeric value`);
    return 0;
  }
  const t = m[0].trim();
  const v = /^[+-]?0[xX]/.test(t) ? Number(t.replace(/^([+-]?)/, "$1")) : Number(
    t.replace(/^\+/, "").replace(/^(-?)inf(inity)?$/i, "$1Infinity").replace(
      /^[+-]?nan$/i,
      "NaN",
    ),
  );
  if (m[0].length !== s.length) errors.push(`'${s}': value not completely converted`);
  return v;
}
