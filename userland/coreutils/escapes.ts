// Backslash escapes as printf(1) reads them in a FORMAT (and in %b
// arguments), producing bytes: "\xff" is the byte 0xff, not a character.

const encoder = new TextEncoder();

/** Bytes built up piece by piece. */
export class Bytes {
  #parts: number[] = [];

  text(s: string): void {
    for (const b of encoder.encode(s)) this.#parts.push(b);
  }

  byte(b: number): void {
    this.#parts.push(b & 0xff);
  }

  get length(): number {
    return this.#parts.length;
  }

  done(): Uint8Array {
    return new Uint8Array(this.#parts);
  }
}

const SIMPLE: Record<string, number> = {
  "\\": 0x5c,
  a: 7,
  b: 8,
  e: 0x1b,
  f: 12,
  n: 10,
  r: 13,
  t: 9,
  v: 11,
  '"': 0x22,
  "'": 0x27,
  "?": 0x3f,
};

/**
 * Read one escape at `s[i]` (just after the backslash) into `out`. Returns
 * the index after it, or -1 for \c (stop all output). `percentB` is the %b
 * dialect (\0NNN octal).
 */
export function readEscape(s: string, i: number, out: Bytes, percentB = false): number {
  const c = s[i];
  if (c === undefined) {
    out.byte(0x5c);
    return i;
  }
  if (c === "c") return -1;
  if (Object.hasOwn(SIMPLE, c)) {
    out.byte(SIMPLE[c]);
    return i + 1;
  }
  if (/[0-7]/.test(c)) {
    const max = percentB && c === "0" ? 4 : 3;
    let j = i;
    while (j < s.length && j - i < max && /[0-7]/.test(s[j])) j++;
    out.byte(parseInt(s.slice(i, j), 8));
    return j;
  }
  if (c === "x") {
    let j = i + 1;
    while (j < s.length && j - i - 1 < 2 && /[0-9a-fA-F]/.test(s[j])) j++;
    if (j === i + 1) {
      out.text("\\x");
      return j;
    }
    out.byte(parseInt(s.slice(i + 1, j), 16));
    return j;
  }
  if (c === "u" || c === "U") {
    const n = c === "u" ? 4 : 8;
    const hex = s.slice(i + 1, i + 1 + n);
    if (hex.length === n && /^[0-9a-fA-F]+$/.test(hex)) {
      out.text(String.fromCodePoint(parseInt(hex, 16)));
      return i + 1 + n;
    }
  }
  out.byte(0x5c);
  out.text(c);
  return i + 1;
}

/** All escapes of `s` interpreted; `stop` if a \c ended it early. */
export function unescapeC(s: string, percentB = false): { bytes: Uint8Array; stop: boolean } {
  const out = new Bytes();
  for (let i = 0; i < s.length;) {
    const ch = s[i];
    if (ch !== "\\") {
      out.text(ch);
      i++;
      continue;
    }
    const next = readEscape(s, i + 1, out, percentB);
    if (next < 0) return { bytes: out.done(), stop: true };
    i = next;
  }
  return { bytes: out.done(), stop: false };
}
