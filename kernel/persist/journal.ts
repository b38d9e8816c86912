// A write-ahead journal: an append-only log of records in a region of a
// SharedArrayBuffer, so that what a server appended outlives its Worker.
//
// Region layout (little-endian; offsets from the start of the region):
//
//    0  hwm    u32  high-water mark: bytes of record space ever reserved since
//                   the last reset (stored BEFORE a record's bytes are written)
//    4  (unused to 64)
//   64  records, each 8-byte aligned:
//        +0  len      u32  whole record, header included, a multiple of 8;
//                          stored LAST, with Atomics.store: 0 = not published
//        +4  crc      u32  CRC-32 of bytes +8 .. +24+bodyLen
//        +8  epoch    u32  the store epoch the record belongs to
//       +12  seq      u32  1, 2, 3 ... within the epoch
//       +16  bodyLen  u32
//       +20  (zero)
//       +24  body
//
// What must stay true:
//   - a record is valid only if its length is published, and its epoch, its
//     sequence number (one more than the previous record's) and its CRC all
//     match: a record torn by a crash mid-append, a stale record of an older
//     epoch, and garbage past the end all fail one of these, and a scan stops
//     at the first that fails (later records are never trusted);
//   - bytes past the valid end are zero before the next append reuses them:
//     open() zeroes [end, hwm) after a scan, reset() zeroes [0, hwm), and
//     hwm is raised before any byte of a new record is written.

import { crc32 } from "./crc32.ts";

export const JOURNAL_HEADER_BYTES = 64;
export const RECORD_HEADER_BYTES = 24;

const HWM = 0;
const R_LEN = 0;
const R_CRC = 4;
const R_EPOCH = 8;
const R_SEQ = 12;
const R_BODY_LEN = 16;

/** What a scan found. */
export interface ScanResult {
  records: number;
  /** Offset (from the first record) just past the last valid record. */
  end: number;
  /** Sequence number of the last valid record (0: none). */
  lastSeq: number;
}

/** An append-only record log in `bytes` of `sab` at `offset`. */
export class Journal {
  readonly #u8: Uint8Array;
  readonly #dv: DataView;
  readonly #i32: Int32Array;
  readonly capacity: number;
  #tail = 0;
  #seq = 0;
  #epoch = 0;

  constructor(sab: SharedArrayBuffer, offset: number, bytes: number) {
    if (offset % 8 !== 0 || bytes % 8 !== 0 || bytes <= JOURNAL_HEADER_BYTES) {
      throw new RangeError(`journal region ${offset}+${bytes} is not 8-aligned`);
    }
    this.#u8 = new Uint8Array(sab, offset, bytes);
    this.#dv = new DataView(sab, offset, bytes);
    this.#i32 = new Int32Array(sab, offset, bytes / 4);
    this.capacity = bytes - JOURNAL_HEADER_BYTES;
  }

  /** Bytes of records since the last reset. */
  get used(): number {
    return this.#tail;
  }

  /** Bytes still free for records. */
  get free(): number {
    return this.capacity - this.#tail;
  }

  /** Bytes a record with a body of `bodyBytes` takes. */
  static recordBytes(bodyBytes: number): number {
    return (RECORD_HEADER_BYTES + bodyBytes + 7) & ~7;
  }

  /** Call `fn` with the body of each valid record of `epoch`, in order. */
  scan(epoch: number, fn: (body: Uint8Array, seq: number) => void): ScanResult {
    let pos = 0;
    let seq = 0;
    let records = 0;
    while (pos + RECORD_HEADER_BYTES <= this.capacity) {
      const at = JOURNAL_HEADER_BYTES + pos;
      const len = Atomics.load(this.#i32, at / 4 + R_LEN / 4) >>> 0;
      if (len < RECORD_HEADER_BYTES || len % 8 !== 0 || pos + len > this.capacity) break;
      const bodyLen = this.#dv.getUint32(at + R_BODY_LEN, true);
      if (
        this.#dv.getUint32(at + R_EPOCH, true) !== epoch >>> 0 ||
        this.#dv.getUint32(at + R_SEQ, true) !== seq + 1 ||
        Journal.recordBytes(bodyLen) !== len
      ) break;
      const covered = this.#u8.subarray(at + R_EPOCH, at + RECORD_HEADER_BYTES + bodyLen);
      if (crc32(covered) !== this.#dv.getUint32(at + R_CRC, true)) break;
      seq++;
      records++;
      fn(this.#u8.subarray(at + RECORD_HEADER_BYTES, at + RECORD_HEADER_BYTES + bodyLen), seq);
      pos += len;
    }
    return { records, end: pos, lastSeq: seq };
  }

  /** Continue appending after a scan: zero whatever lies past its end. */
  open(epoch: number, scanned: ScanResult): void {
    const hwm = Math.min(Atomics.load(this.#i32, HWM) >>> 0, this.capacity);
    if (hwm > scanned.end) {
      this.#u8.fill(0, JOURNAL_HEADER_BYTES + scanned.end, JOURNAL_HEADER_BYTES + hwm);
    }
    Atomics.store(this.#i32, HWM, scanned.end);
    this.#epoch = epoch;
    this.#tail = scanned.end;
    this.#seq = scanned.lastSeq;
  }

  /** Append one record; false (nothing written) if it does not fit. */
  append(body: Uint8Array): boolean {
    const len = Journal.recordBytes(body.length);
    if (this.#tail + len > this.capacity) return false;
    const at = JOURNAL_HEADER_BYTES + this.#tail;
    // The high-water mark first: a crash from here on leaves bytes that the
    // next open() must know to zero.
    const hwm = Atomics.load(this.#i32, HWM) >>> 0;
    if (this.#tail + len > hwm) Atomics.store(this.#i32, HWM, this.#tail + len);
    const seq = this.#seq + 1;
    this.#dv.setUint32(at + R_EPOCH, this.#epoch, true);
    this.#dv.setUint32(at + R_SEQ, seq, true);
    this.#dv.setUint32(at + R_BODY_LEN, body.length, true);
    this.#dv.setUint32(at + 20, 0, true);
    this.#u8.set(body, at + RECORD_HEADER_BYTES);
    this.#u8.fill(0, at + RECORD_HEADER_BYTES + body.length, at + len);
    const covered = this.#u8.subarray(at + R_EPOCH, at + RECORD_HEADER_BYTES + body.length);
    this.#dv.setUint32(at + R_CRC, crc32(covered), true);
    Atomics.store(this.#i32, at / 4 + R_LEN / 4, len); // publish: the record exists from here
    this.#tail += len;
    this.#seq = seq;
    return true;
  }

  /** Forget every record (a checkpoint covers them) and start `epoch` at offset 0. */
  reset(epoch: number): void {
    const hwm = Math.min(Atomics.load(this.#i32, HWM) >>> 0, this.capacity);
    this.#u8.fill(0, JOURNAL_HEADER_BYTES, JOURNAL_HEADER_BYTES + Math.max(hwm, this.#tail));
    Atomics.store(this.#i32, HWM, 0);
    this.#epoch = epoch;
    this.#tail = 0;
    this.#seq = 0;
  }
}
