// Exact decimal formatting of doubles, rounded as glibc's printf rounds
// (to nearest, ties to even, on the exact binary value). JavaScript's
// toFixed/toExponential round exact ties up (printf "%.3e" 1234.5 gives
// 1.234e+03 in C, 1.235e+03 in JS).

/** Exact decimal digits of |x| (finite): value = 0.DIGITS * 10^point. */
function exact(x: number): { digits: string; point: number } {
  const a = Math.abs(x);
  if (a === 0) return { digits: "0", point: 1 };
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, a);
  const bits = dv.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (e >= 0) {
    const s = (mant << BigInt(e)).toString();
    return { digits: s, point: s.length };
  }
  const k = -e;
  const s = (mant * 5n ** BigInt(k)).toString();
  return { digits: s, point: s.length - k };
}

/** Keep the first `keep` digits of `digits` (keep may be <= 0), rounding half to even. */
function round(digits: string, point: number, keep: number): { digits: string; point: number } {
  if (keep >= digits.length) return { digits: digits.padEnd(keep, "0"), point };
  if (keep < 0) return { digits: "0", point: point - keep + 1 };
  const head = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  const last = keep > 0 ? head.charCodeAt(keep - 1) - 48 : 0;
  const up = first > 5 || (first === 5 && (tail || last % 2 === 1));
  if (!up) return { digits: head === "" ? "0" : head, point: head === "" ? point + 1 : point };
  const n = (BigInt(head === "" ? "0" : head) + 1n).toString();
  if (head === "") return { digits: n, point: point + 1 };
  if (n.length > head.length) return { digits: n.slice(0, keep), point: point + 1 };
  return { digits: n.padStart(keep, "0"), point };
}

/** %.{p}f of |x|. */
export function toFixedC(x: number, p: number): string {
  const { digits, point } = exact(x);
  const r = round(digits, point, point + p);
  let d = r.digits;
  let pt = r.point;
  if (pt <= 0) {
    d = "0".repeat(1 - pt) + d;
    pt = 1;
  }
  d = d.padEnd(pt + p, "0");
  const int = d.slice(0, pt);
  const frac = d.slice(pt, pt + p);
  return p > 0 ? `${int}.${frac}` : int;
}

/** %.{p}e of |x| as [mantissa, exponent]. */
export function toExpC(x: number, p: number): [string, number] {
  if (x === 0) return [p > 0 ? `0.${"0".repeat(p)}` : "0", 0];
  const { digits, point } = exact(x);
  const nz = digits.search(/[1-9]/);
  const r = round(digits.slice(nz), point - nz, p + 1);
  const m = r.digits.padEnd(p + 1, "0");
  return [p > 0 ? `${m[0]}.${m.slice(1)}` : m[0], r.point - 1];
}
