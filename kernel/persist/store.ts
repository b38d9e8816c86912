// A persistent store for a server's state: a snapshot (checkpoint) plus a
// write-ahead journal of what changed since, in a region of a
// SharedArrayBuffer that outlives the server's Worker (ServerInit.state).
//
// A server keeps its state in ordinary JS structures. Before it answers a
// request that changed them it appends a record saying what changed
// (append()); when the journal has grown enough it writes a whole snapshot
// (checkpoint()), which lets the journal start again empty. A restarted
// Worker rebuilds its state with recover(): the current snapshot, then every
// valid journal record of the same epoch, in order.
//
// Region layout (offsets from the start of the region, little-endian):
//
//      0  magic    u32   the owner's tag; 0 = never formatted
//      4  version  u32   STORE_VERSION
//      8  epoch    u32   THE COMMIT WORD: the current snapshot is the one in
//                        slot (epoch & 1); 0 = no snapshot yet (empty state)
//     64  slot 0 header: epoch u32 | length u32 | crc u32
//    128  slot 1 header: epoch u32 | length u32 | crc u32
//   4096  journal (journalBytes; see journal.ts)
//   4096 + journalBytes                  slot 0 data (snapshotBytes)
//   4096 + journalBytes + snapshotBytes  slot 1 data (snapshotBytes)
//
// Checkpoint order is the crash-safety argument:
//   1. write the snapshot into the slot the current epoch does not use, then
//      that slot's header (epoch + 1, length, CRC);
//   2. store epoch + 1 in the commit word (one atomic store);
//   3. reset the journal: its records all belong to the old epoch.
// A crash before step 2 leaves the old snapshot and the old journal, both
// intact. A crash after it leaves the new snapshot; the old epoch's records
// that step 3 had not yet zeroed fail the epoch check and are ignored.
// Snapshot data is never written over the slot the commit word names.

import { ByteWriter, CodecError } from "./codec.ts";
import { crc32 } from "./crc32.ts";
import { Journal, type ScanResult } from "./journal.ts";

export const STORE_VERSION = 1;
export const STORE_HEADER_BYTES = 4096;

const W_MAGIC = 0;
const W_VERSION = 1;
const W_EPOCH = 2;
const SLOT_HEADER_WORD = [16, 32]; // byte 64, byte 128
const S_EPOCH = 0;
const S_LENGTH = 1;
const S_CRC = 2;

/** Sizes of a store's parts. */
export interface StoreOptions {
  /** Owner's tag, so a buffer meant for another server is never misread. */
  magic: number;
  /** Bytes of the journal, header included; a multiple of 8. */
  journalBytes: number;
  /** Bytes of each of the two snapshot slots; a multiple of 8. */
  snapshotBytes: number;
}

/** Bytes a store with these options occupies. */
export function storeBytes(opts: Omit<StoreOptions, "magic">): number {
  return STORE_HEADER_BYTES + opts.journalBytes + 2 * opts.snapshotBytes;
}

/** What recover() found. */
export interface Recovery {
  /** The region was empty: nothing to recover (first start). */
  fresh: boolean;
  epoch: number;
  snapshotBytes: number;
  records: number;
  journalBytes: number;
}

/** A stored snapshot or journal that cannot be what was written. */
export class StoreCorrupt extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "StoreCorrupt";
  }
}

/** Snapshot + journal in `sab` at `offset` (4096-aligned). */
export class PersistentStore {
  readonly journal: Journal;
  readonly #sab: SharedArrayBuffer;
  readonly #hdr: Int32Array;
  readonly #opts: StoreOptions;
  readonly #slotOffset: [number, number];
  #lastSnapshotBytes = 0;

  constructor(sab: SharedArrayBuffer, offset: number, opts: StoreOptions) {
    if (offset % 4096 !== 0) throw new RangeError(`store offset ${offset} is not 4096-aligned`);
    if (offset + storeBytes(opts) > sab.byteLength) {
      throw new RangeError(`store needs ${storeBytes(opts)} bytes at ${offset}`);
    }
    this.#sab = sab;
    this.#opts = opts;
    this.#hdr = new Int32Array(sab, offset, STORE_HEADER_BYTES / 4);
    this.journal = new Journal(sab, offset + STORE_HEADER_BYTES, opts.journalBytes);
    const slot0 = offset + STORE_HEADER_BYTES + opts.journalBytes;
    this.#slotOffset = [slot0, slot0 + opts.snapshotBytes];
  }

  /** The epoch of the current snapshot (0: none). */
  get epoch(): number {
    return Atomics.load(this.#hdr, W_EPOCH) >>> 0;
  }

  /** Bytes of the last snapshot written or loaded. */
  get lastSnapshotBytes(): number {
    return this.#lastSnapshotBytes;
  }

  /**
   * Rebuild: `load` gets the current snapshot (undefined: none, start empty),
   * then `replay` gets each valid journal record in order. A fresh region is
   * formatted instead. Throws StoreCorrupt if the committed snapshot is bad.
   */
  recover(
    load: (snapshot: Uint8Array | undefined) => void,
    replay: (record: Uint8Array) => void,
  ): Recovery {
    const magic = Atomics.load(this.#hdr, W_MAGIC) >>> 0;
    if (magic === 0) {
      this.#format();
      load(undefined);
      return { fresh: true, epoch: 0, snapshotBytes: 0, records: 0, journalBytes: 0 };
    }
    if (magic !== this.#opts.magic >>> 0) throw new StoreCorrupt(`magic ${magic.toString(16)}`);
    const version = Atomics.load(this.#hdr, W_VERSION);
    if (version !== STORE_VERSION) throw new StoreCorrupt(`version ${version}`);
    const epoch = this.epoch;
    let snapshotBytes = 0;
    if (epoch === 0) load(undefined);
    else {
      const snap = this.#committedSnapshot(epoch);
      snapshotBytes = snap.length;
      load(snap);
    }
    this.#lastSnapshotBytes = snapshotBytes;
    const scanned: ScanResult = this.journal.scan(epoch, (body) => replay(body));
    this.journal.open(epoch, scanned);
    return {
      fresh: false,
      epoch,
      snapshotBytes,
      records: scanned.records,
      journalBytes: scanned.end,
    };
  }

  /** Append a journal record; false if the journal is full (checkpoint, then retry). */
  append(body: Uint8Array): boolean {
    return this.journal.append(body);
  }

  /**
   * Write a snapshot with `write` (into the free slot, in place), commit it,
   * and empty the journal. Returns the snapshot's bytes. If `write` throws
   * (CodecError "full": the state does not fit the slot), nothing changes.
   */
  checkpoint(write: (out: ByteWriter) => void): number {
    const next = nextEpoch(this.epoch);
    const slot = next & 1;
    const data = new Uint8Array(this.#sab, this.#slotOffset[slot], this.#opts.snapshotBytes);
    const sw = SLOT_HEADER_WORD[slot];
    // The slot is the previous snapshot's, no longer committed: mark it empty
    // while it is rewritten.
    Atomics.store(this.#hdr, sw + S_EPOCH, 0);
    const out = ByteWriter.over(data);
    write(out);
    const length = out.length;
    this.#hdr[sw + S_LENGTH] = length;
    this.#hdr[sw + S_CRC] = crc32(data.subarray(0, length));
    Atomics.store(this.#hdr, sw + S_EPOCH, next);
    Atomics.store(this.#hdr, W_EPOCH, next); // commit
    this.journal.reset(next);
    this.#lastSnapshotBytes = length;
    return length;
  }

  #committedSnapshot(epoch: number): Uint8Array {
    const slot = epoch & 1;
    const sw = SLOT_HEADER_WORD[slot];
    const length = this.#hdr[sw + S_LENGTH] >>> 0;
    if ((Atomics.load(this.#hdr, sw + S_EPOCH) >>> 0) !== epoch) {
      throw new StoreCorrupt(`slot ${slot} does not hold epoch ${epoch}`);
    }
    if (length > this.#opts.snapshotBytes) throw new StoreCorrupt(`snapshot length ${length}`);
    const data = new Uint8Array(this.#sab, this.#slotOffset[slot], length);
    if (crc32(data) !== this.#hdr[sw + S_CRC] >>> 0) {
      throw new StoreCorrupt(`snapshot of epoch ${epoch} fails its CRC`);
    }
    return data;
  }

  #format(): void {
    Atomics.store(this.#hdr, W_EPOCH, 0);
    Atomics.store(this.#hdr, W_VERSION, STORE_VERSION);
    this.journal.reset(0);
    Atomics.store(this.#hdr, W_MAGIC, this.#opts.magic);
  }
}

/** The epoch after `e`; never 0 (no snapshot), and always the other slot. */
function nextEpoch(e: number): number {
  return e === 0xffffffff ? 2 : e + 1;
}

export { CodecError };
