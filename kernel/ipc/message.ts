// Message records: the header every request and reply carries, and the codec
// for payloads. Layout (little-endian, 40 bytes, then the payload; the whole
// record is padded to a multiple of 8). docs/ipc.md draws the same picture.
//
//    0  len      u32  record bytes, header included (the ring's length word)
//    4  id       u32  request id, chosen by the client; the reply echoes it
//    8  op       u16  opcode: the syscall number for program requests
//   10  flags    u16  REPLY | TRACED
//   12  errno    i32  0, or a Linux errno in a reply
//   16  capSlot  u32  capability: slot in the capability table
//   20  capGen   u32  capability: generation the holder was given
//   24  value    f64  reply: the result (fd, byte count, offset, pid ...)
//   32  trace    u32  trace id of the syscall that caused this message, or 0
//   36  plen     u32  payload bytes that follow the header
//   40  payload
//
// Payload fields are 8-byte numbers (f64, exact for every integer up to 2^53),
// and byte strings as u32 length + bytes, padded to 4. A field that runs past
// plen is a malformed message: the decoder throws EBADMSG, never RangeError.
// Payloads larger than MAX_INLINE travel by reference: (offset, length) into
// the sender's shared data area (see channel.ts).

import { Errno, ErrnoError } from "../errno.ts";

export const HDR_LEN = 0;
export const HDR_ID = 4;
export const HDR_OP = 8;
export const HDR_FLAGS = 10;
export const HDR_ERRNO = 12;
export const HDR_CAP_SLOT = 16;
export const HDR_CAP_GEN = 20;
export const HDR_VALUE = 24;
export const HDR_TRACE = 32;
export const HDR_PLEN = 36;
export const HEADER_BYTES = 40;

/** Header flag bits. */
export const MsgFlag = {
  REPLY: 1,
  TRACED: 2, // the sender records this message in the trace
} as const;

/** Payloads up to this size ride in the ring; larger ones go by reference. */
export const MAX_INLINE = 4096;

/**
 * A request's payload may be larger than a reply's: a call naming two paths
 * of PATH_MAX - 1 bytes each (renameat2, linkat, symlinkat) needs about 8.2
 * KiB, and a filesystem server is asked to make a symlink with a 4095-byte
 * target and a 255-byte name. Still well under a ring (16 KiB), so one such
 * request always fits.
 */
export const MAX_REQUEST = 12288;

/** A capability as it travels: table slot and generation. */
export interface CapToken {
  slot: number;
  gen: number;
}

/** The null capability (slot 0 is never minted). */
export const NO_CAP: CapToken = { slot: 0, gen: 0 };

/** Header fields of a record, decoded. */
export interface Header {
  id: number;
  op: number;
  flags: number;
  errno: number;
  capSlot: number;
  capGen: number;
  value: number;
  trace: number;
  plen: number;
}

/** Read the header of the record at byte offset `off`. */
export function readHeader(dv: DataView, off: number): Header {
  return {
    id: dv.getUint32(off + HDR_ID, true),
    op: dv.getUint16(off + HDR_OP, true),
    flags: dv.getUint16(off + HDR_FLAGS, true),
    errno: dv.getInt32(off + HDR_ERRNO, true),
    capSlot: dv.getUint32(off + HDR_CAP_SLOT, true),
    capGen: dv.getUint32(off + HDR_CAP_GEN, true),
    value: dv.getFloat64(off + HDR_VALUE, true),
    trace: dv.getUint32(off + HDR_TRACE, true),
    plen: dv.getUint32(off + HDR_PLEN, true),
  };
}

/** Write a header (not the length word: the ring's publish() stores that last). */
export function writeHeader(
  dv: DataView,
  off: number,
  h: {
    id: number;
    op: number;
    flags: number;
    errno: number;
    capSlot: number;
    capGen: number;
    value: number;
    trace: number;
    plen: number;
  },
): void {
  dv.setUint32(off + HDR_ID, h.id, true);
  dv.setUint16(off + HDR_OP, h.op, true);
  dv.setUint16(off + HDR_FLAGS, h.flags, true);
  dv.setInt32(off + HDR_ERRNO, h.errno, true);
  dv.setUint32(off + HDR_CAP_SLOT, h.capSlot, true);
  dv.setUint32(off + HDR_CAP_GEN, h.capGen, true);
  dv.setFloat64(off + HDR_VALUE, h.value, true);
  dv.setUint32(off + HDR_TRACE, h.trace, true);
  dv.setUint32(off + HDR_PLEN, h.plen, true);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** Builds a payload in a reusable scratch buffer. */
export class PayloadWriter {
  #buf: Uint8Array;
  #dv: DataView;
  #len = 0;

  constructor(capacity = MAX_INLINE) {
    this.#buf = new Uint8Array(capacity);
    this.#dv = new DataView(this.#buf.buffer);
  }

  /** Start a new payload. */
  reset(): this {
    this.#len = 0;
    return this;
  }

  get length(): number {
    return this.#len;
  }

  /** The payload so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  #grow(extra: number): void {
    if (this.#len + extra <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + extra));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#dv = new DataView(next.buffer);
  }

  /** An integer or float (8 bytes). */
  num(v: number): this {
    this.#grow(8);
    this.#dv.setFloat64(this.#len, v, true);
    this.#len += 8;
    return this;
  }

  /** A byte string: u32 length, bytes, padded to 4. */
  bytesField(b: Uint8Array): this {
    const padded = (b.length + 3) & ~3;
    this.#grow(4 + padded);
    this.#dv.setUint32(this.#len, b.length, true);
    this.#buf.set(b, this.#len + 4);
    this.#buf.fill(0, this.#len + 4 + b.length, this.#len + 4 + padded);
    this.#len += 4 + padded;
    return this;
  }

  /** A UTF-8 string. */
  str(s: string): this {
    return this.bytesField(encoder.encode(s));
  }

  /** A list of strings: count, then each string. */
  strs(list: readonly string[]): this {
    this.num(list.length);
    for (const s of list) this.str(s);
    return this;
  }
}

/** Reads a payload; every read checks bounds and throws EBADMSG past the end. */
export class PayloadReader {
  readonly #dv: DataView;
  /** Where `bytes` starts in #dv. */
  readonly #base: number;
  #pos = 0;

  /**
   * `dv`, if given, views the whole of `bytes.buffer` (copy_slab.ts): no
   * DataView of our own, which would move a small buffer off V8's heap.
   */
  constructor(readonly bytes: Uint8Array, dv?: DataView) {
    if (dv === undefined) {
      this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      this.#base = 0;
    } else {
      this.#dv = dv;
      this.#base = bytes.byteOffset - dv.byteOffset;
    }
  }

  get remaining(): number {
    return this.bytes.length - this.#pos;
  }

  #need(n: number): void {
    if (this.#pos + n > this.bytes.length) {
      throw new ErrnoError(Errno.EBADMSG, "truncated payload");
    }
  }

  num(): number {
    this.#need(8);
    const v = this.#dv.getFloat64(this.#base + this.#pos, true);
    this.#pos += 8;
    return v;
  }

  /** An integer in [min, max]; anything else (NaN, fraction, out of range) is EINVAL. */
  int(min = -(2 ** 53), max = 2 ** 53): number {
    const v = this.num();
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new ErrnoError(Errno.EINVAL, `bad integer ${v}`);
    }
    return v;
  }

  bytesField(): Uint8Array {
    this.#need(4);
    const len = this.#dv.getUint32(this.#base + this.#pos, true);
    this.#need(4 + len); // before any arithmetic on len: it may be up to 2^32 - 1
    const padded = len + ((4 - (len % 4)) % 4);
    this.#need(4 + padded);
    const out = this.bytes.subarray(this.#pos + 4, this.#pos + 4 + len);
    this.#pos += 4 + padded;
    return out;
  }

  str(): string {
    return decoder.decode(this.bytesField());
  }

  strs(max = 65536): string[] {
    const n = this.int(0, max);
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.str());
    return out;
  }
}

/** Encode a UTF-8 string (shared helper so every module uses one encoder). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decode UTF-8 bytes. */
export function fromUtf8(b: Uint8Array): string {
  return decoder.decode(b);
}
