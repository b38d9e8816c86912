// Human-readable sizes as GNU's human_readable() prints them for -h:
// powers of 1024, suffixes K M G T P E, one decimal below 10, rounded up.

const SUFFIXES = ["", "K", "M", "G", "T", "P", "E", "Z", "Y"];

/** 1234 -> "1.3K", 1048576 -> "1.0M", 500 -> "500". `base` 1000 for --si (suffix k). */
export function humanSize(n: number, base = 1024): string {
  if (n < base) return String(n);
  const big = BigInt(Math.round(n));
  const b = BigInt(base);
  let exp = 0;
  let div = 1n;
  while (big >= div * b && exp < SUFFIXES.length - 1) {
    div *= b;
    exp++;
  }
  const suffix = exp === 1 && base === 1000 ? "k" : SUFFIXES[exp];
  // Tenths, rounded up.
  const tenths = (big * 10n + div - 1n) / div;
  if (tenths < 100n) return `${tenths / 10n}.${tenths % 10n}${suffix}`;
  let whole = (big + div - 1n) / div;
  if (whole >= b && exp < SUFFIXES.length - 1) {
    return `1.0${exp + 1 === 1 && base === 1000 ? "k" : SUFFIXES[exp + 1]}`;
  }
  if (whole < 10n) whole = 10n;
  return `${whole}${suffix}`;
}

/** Blocks of `unit` bytes needed for `bytes`, rounded up (df, ls totals). */
export function ceilDiv(bytes: number, unit: number): number {
  return Math.ceil(bytes / unit);
}

/**
 * A size argument with GNU's suffixes (head -c, tail -c, ...): b 512, K/KiB
 * 1024, kB 1000, M/MiB, MB, G, ...; undefined if malformed.
 */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+)(b|[KMGTPEZY](?:iB|B)?|kB|k)?$/.exec(s);
  if (m === null) return undefined;
  const n = Number(m[1]);
  const suf = m[2] ?? "";
  if (suf === "") return n;
  if (suf === "b") return n * 512;
  const letter = suf[0].toUpperCase();
  const exp = "KMGTPEZY".indexOf(letter) + 1;
  const base = suf.endsWith("B") && !suf.endsWith("iB") ? 1000 : 1024;
  return n * base ** exp;
}
