// A compact binary codec for persisted records: unsigned and zigzag varints
// (LEB128, exact for every integer up to 2^53), raw f64, and length-prefixed
// byte strings. Journal records and snapshots are written with it.
//
// What must stay true: a reader never reads outside its bytes (a short or
// garbled input throws CodecError, never RangeError), and a writer over a
// fixed buffer never writes past it (it throws CodecError("full") first).

/** Input that does not decode, or a fixed buffer that is full. */
export class CodecError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "CodecError";
  }
}

const MAX_UVAR = 2 ** 53;

/** Appends fields to a growable buffer, or in place to a fixed one (`ByteWriter.over`). */
export class ByteWriter {
  #buf: Uint8Array;
  #dv: DataView;
  #len = 0;
  readonly #fixed: boolean;

  constructor(capacity = 4096, target?: Uint8Array) {
    this.#buf = target ?? new Uint8Array(capacity);
    this.#dv = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
    this.#fixed = target !== undefined;
  }

  /** A writer that fills `target` in place and throws CodecError("full") at its end. */
  static over(target: Uint8Array): ByteWriter {
    return new ByteWriter(0, target);
  }

  get length(): number {
    return this.#len;
  }

  /** Start again at byte 0. */
  reset(): this {
    this.#len = 0;
    return this;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#len);
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    if (this.#fixed) throw new CodecError("full");
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n, 64));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#dv = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#room(1);
    this.#buf[this.#len++] = v;
    return this;
  }

  /** An unsigned integer below 2^53, 1 to 8 bytes. */
  uvar(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > MAX_UVAR) throw new CodecError(`uvar ${v}`);
    this.#room(8);
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
    return this;
  }

  /** A signed integer of magnitude below 2^52 (zigzag). */
  svar(v: number): this {
    return this.uvar(v < 0 ? -v * 2 - 1 : v * 2);
  }

  f64(v: number): this {
    this.#room(8);
    this.#dv.setFloat64(this.#len, v, true);
    this.#len += 8;
    return this;
  }

  /** A byte string: uvar length, then the bytes. */
  bytesField(b: Uint8Array): this {
    this.uvar(b.length);
    this.#room(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
    return this;
  }
}

/** Reads what a ByteWriter wrote; every read is bounds-checked. */
export class ByteReader {
  #pos = 0;
  readonly #dv: DataView;

  constructor(readonly buf: Uint8Array) {
    this.#dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.#pos;
  }

  #need(n: number): void {
    if (this.#pos + n > this.buf.length) throw new CodecError("truncated");
  }

  u8(): number {
    this.#need(1);
    return this.buf[this.#pos++];
  }

  uvar(): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (v > MAX_UVAR) break;
        return v;
      }
      scale *= 0x80;
    }
    throw new CodecError("bad varint");
  }

  svar(): number {
    const z = this.uvar();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  f64(): number {
    this.#need(8);
    const v = this.#dv.getFloat64(this.#pos, true);
    this.#pos += 8;
    return v;
  }

  /** A byte string (a view into the input, not a copy). */
  bytesField(): Uint8Array {
    const n = this.uvar();
    this.#need(n);
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
}
