// Extended attribute values as text, the way attr's getfattr prints them and
// setfattr reads them: "text" (quoted, \ooo for NUL, CR, LF), 0x hex, 0s base64.

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Mostly printable: at most one byte in eight is not (a final NUL aside). */
function wellEnoughPrintable(v: Uint8Array): boolean {
  let size = v.length;
  if (size > 0 && v[size - 1] === 0) size--;
  let nonpr = 0;
  for (let i = 0; i < size; i++) if (v[i] < 0x20 || v[i] > 0x7e) nonpr++;
  return size >= nonpr * 8;
}

/** Encode `v` as getfattr does: `encoding` text, hex or base64, or chosen from the value. */
export function encodeValue(v: Uint8Array, encoding?: string): string {
  const enc = encoding ?? (wellEnoughPrintable(v) ? "text" : "base64");
  if (enc === "hex") return "0x" + Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
  if (enc === "base64") return "0s" + base64(v);
  const bytes: number[] = [0x22];
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (b === 0 && i + 1 === v.length) break;
    if (b === 0 || b === 10 || b === 13) {
      for (const c of encoder.encode("\\" + b.toString(8).padStart(3, "0"))) bytes.push(c);
    } else if (b === 0x5c || b === 0x22) {
      bytes.push(0x5c, b);
    } else {
      bytes.push(b);
    }
  }
  bytes.push(0x22);
  return decoder.decode(new Uint8Array(bytes));
}

function base64(v: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < v.length; i += 3) {
    out += B64[v[i] >> 2] + B64[((v[i] & 3) << 4) | (v[i + 1] >> 4)] +
      B64[((v[i + 1] & 15) << 2) | (v[i + 2] >> 6)] + B64[v[i + 2] & 63];
  }
  if (v.length - i === 2) {
    out += B64[v[i] >> 2] + B64[((v[i] & 3) << 4) | (v[i + 1] >> 4)] + B64[(v[i + 1] & 15) << 2] +
      "=";
  } else if (v.length - i === 1) {
    out += B64[v[i] >> 2] + B64[(v[i] & 3) << 4] + "==";
  }
  return out;
}

/** Decode a setfattr -v VALUE; undefined if its 0x or 0s form is malformed. */
export function decodeValue(s: string): Uint8Array | undefined {
  if (/^0[xX]/.test(s)) {
    const hex = s.slice(2).replace(/\s/g, "");
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  if (/^0[sS]/.test(s)) {
    const b = s.slice(2).replace(/\s/g, "").replace(/=+$/, "");
    const out: number[] = [];
    let acc = 0;
    let bits = 0;
    for (const ch of b) {
      const v = B64.indexOf(ch);
      if (v < 0) return undefined;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 0xff);
      }
    }
    return new Uint8Array(out);
  }
  if (s.startsWith('"')) {
    const body = s.endsWith('"') && s.length > 1 ? s.slice(1, -1) : s.slice(1);
    const out: number[] = [];
    const raw = encoder.encode(body);
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] !== 0x5c || i + 1 >= raw.length) {
        out.push(raw[i]);
        continue;
      }
      const oct = /^[0-7]{3}/.exec(decoder.decode(raw.subarray(i + 1, i + 4)));
      if (oct !== null) {
        out.push(parseInt(oct[0], 8) & 0xff);
        i += 3;
      } else {
        out.push(raw[++i]);
      }
    }
    return new Uint8Array(out);
  }
  return encoder.encode(s);
}
