// The pieces mfs_ram's crash safety rests on, one at a time: the journal
// (kernel/persist/journal.ts), the snapshot store (store.ts), the codec, and
// the directory index (servers/mfs_ram/dir_index.ts).

import assert from "node:assert/strict";
import { ByteReader, ByteWriter, CodecError } from "../kernel/persist/codec.ts";
import { crc32 } from "../kernel/persist/crc32.ts";
import { Journal, JOURNAL_HEADER_BYTES } from "../kernel/persist/journal.ts";
import { PersistentStore, storeBytes, StoreCorrupt } from "../kernel/persist/store.ts";
import { DirIndex } from "../servers/mfs_ram/dir_index.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function records(j: Journal, epoch: number): string[] {
  const out: string[] = [];
  j.scan(epoch, (b) => out.push(dec.decode(b)));
  return out;
}

Deno.test("journal: records come back in order; a torn, stale or garbled one ends the scan", () => {
  const sab = new SharedArrayBuffer(4096);
  const j = new Journal(sab, 0, 4096);
  j.reset(7);
  for (const s of ["one", "two", "three"]) assert.ok(j.append(enc.encode(s)));
  assert.deepEqual(records(j, 7), ["one", "two", "three"]);
  assert.deepEqual(records(j, 6), []); // another epoch's records are not ours

  // A crash mid-append: the high-water mark raised (append() does that
  // first), bytes written, length not yet published.
  const u8 = new Uint8Array(sab);
  const dv = new DataView(sab);
  const tail = JOURNAL_HEADER_BYTES + j.used;
  dv.setUint32(0, j.used + 40, true);
  u8.set(enc.encode("half a record"), tail + 24);
  dv.setUint32(tail + 8, 7, true);
  dv.setUint32(tail + 12, 4, true);
  assert.deepEqual(records(j, 7), ["one", "two", "three"]);

  // Published but torn (its CRC does not match): ignored, and so is all after it.
  dv.setUint32(tail + 16, 13, true);
  dv.setUint32(tail, 40, true);
  assert.deepEqual(records(j, 7), ["one", "two", "three"]);

  // Recovery: scan, then open() zeroes the torn bytes; appends continue cleanly.
  const again = new Journal(sab, 0, 4096);
  const scanned = again.scan(7, () => {});
  assert.deepEqual([scanned.records, scanned.lastSeq], [3, 3]);
  again.open(7, scanned);
  assert.ok(u8.subarray(tail, tail + 64).every((b) => b === 0));
  assert.ok(again.append(enc.encode("four")));
  assert.deepEqual(records(again, 7), ["one", "two", "three", "four"]);

  // A record out of sequence (a stale one left at the same offset) ends the scan too.
  const off = JOURNAL_HEADER_BYTES; // first record: seq 1
  dv.setUint32(off + 12, 9, true);
  assert.deepEqual(records(again, 7), []);
});

Deno.test("journal: a full journal refuses the append and writes nothing; reset starts over", () => {
  const j = new Journal(new SharedArrayBuffer(256), 0, 256);
  j.reset(1);
  let n = 0;
  while (j.append(new Uint8Array(40))) n++;
  assert.equal(n, 3); // 192 bytes after the header: three 64-byte records
  const used = j.used;
  assert.equal(j.append(new Uint8Array(40)), false);
  assert.equal(j.used, used);
  j.reset(2);
  assert.equal(j.used, 0);
  assert.ok(j.append(enc.encode("x")));
  assert.deepEqual(records(j, 2), ["x"]);
  assert.deepEqual(records(j, 1), []);
});

Deno.test("store: recover = the committed snapshot + that epoch's journal; a failed checkpoint changes nothing", () => {
  const opts = { magic: 0x1234, journalBytes: 8192, snapshotBytes: 8192 };
  const sab = new SharedArrayBuffer(storeBytes(opts));
  const open = () => {
    const st = new PersistentStore(sab, 0, opts);
    let snap = "";
    const recs: string[] = [];
    const r = st.recover(
      (s) => snap = s === undefined ? "(none)" : dec.decode(s),
      (b) => recs.push(dec.decode(b)),
    );
    return { st, snap, recs, r };
  };
  let { st, snap, recs, r } = open();
  assert.equal(r.fresh, true);
  assert.equal(snap, "(none)");
  st.append(enc.encode("a"));
  st.append(enc.encode("b"));
  ({ st, snap, recs, r } = open());
  assert.deepEqual([r.fresh, r.epoch, snap, recs], [false, 0, "(none)", ["a", "b"]]);

  st.checkpoint((out) => out.bytesField(enc.encode("state ab")));
  st.append(enc.encode("c"));
  ({ st, snap, recs, r } = open());
  assert.deepEqual([r.epoch, snap, recs], [1, "\x08state ab", ["c"]]);

  // A checkpoint that dies while writing its snapshot: the old one stands.
  assert.throws(() =>
    st.checkpoint((out) => {
      out.bytesField(enc.encode("partial"));
      throw new Error("power cut");
    })
  );
  ({ st, snap, recs, r } = open());
  assert.deepEqual([r.epoch, snap, recs], [1, "\x08state ab", ["c"]]);

  // Two more checkpoints use both slots in turn.
  st.checkpoint((out) => out.bytesField(enc.encode("state abc")));
  st.checkpoint((out) => out.bytesField(enc.encode("state abc2")));
  st.append(enc.encode("d"));
  ({ st, snap, recs, r } = open());
  assert.deepEqual([r.epoch, snap, recs], [3, "\x0astate abc2", ["d"]]);

  // A snapshot too big for its slot fails like any other write: nothing changes.
  assert.throws(() => st.checkpoint((out) => out.bytesField(new Uint8Array(9000))), CodecError);
  ({ snap, r } = open());
  assert.equal(r.epoch, 3);

  // A committed snapshot that is not what was written: recovery refuses.
  new Uint8Array(sab)[4096 + 8192 + 8192 + 3] ^= 0xff; // slot 1 (epoch 3) data
  assert.throws(() => open(), StoreCorrupt);
});

Deno.test("codec: varints are exact to 2^53; short input and a full buffer throw CodecError", () => {
  const w = new ByteWriter(4);
  const values = [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, 2 ** 53];
  for (const v of values) w.uvar(v);
  for (const v of [-1, -(2 ** 51), 2 ** 51, -5]) w.svar(v);
  w.f64(-0.5).bytesField(enc.encode("xyz"));
  const r = new ByteReader(w.bytes().slice());
  for (const v of values) assert.equal(r.uvar(), v);
  for (const v of [-1, -(2 ** 51), 2 ** 51, -5]) assert.equal(r.svar(), v);
  assert.equal(r.f64(), -0.5);
  assert.equal(dec.decode(r.bytesField()), "xyz");
  assert.equal(r.remaining, 0);
  assert.throws(() => r.u8(), CodecError);
  assert.throws(() => new ByteReader(new Uint8Array([0x80, 0x80])).uvar(), CodecError);
  assert.throws(() => new ByteReader(new Uint8Array([5, 1])).bytesField(), CodecError);
  assert.throws(() => new ByteReader(new Uint8Array(9).fill(0xff)).uvar(), CodecError);
  assert.throws(() => ByteWriter.over(new Uint8Array(3)).f64(1), CodecError);
  assert.throws(() => new ByteWriter().uvar(-1), CodecError);
  assert.equal(crc32(enc.encode("123456789")), 0xcbf43926); // the standard check value
});

Deno.test("dir index: name order, cookies and lookups stay right through 20,000 random changes", () => {
  const ix = new DirIndex();
  const model = new Map<string, number>();
  let seq = 3;
  let x = 12345;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x % n;
  };
  for (let step = 0; step < 20_000; step++) {
    const name = String.fromCharCode(97 + rnd(5)) + rnd(2000).toString(36);
    if (model.has(name) && rnd(3) === 0) {
      assert.equal(ix.remove(name)?.name, name);
      model.delete(name);
    } else if (!model.has(name)) {
      ix.insert({ name, ino: step, seq });
      model.set(name, seq++);
    }
    if (step % 1000 === 0) {
      ix.verify();
      const sorted = [...model.keys()].sort();
      assert.deepEqual([...ix.from()].map((e) => e.name), sorted);
      const mid = sorted[sorted.length >> 1];
      assert.deepEqual(
        [...ix.from(mid)].map((e) => e.name),
        sorted.slice((sorted.length >> 1) + 1),
      );
      assert.deepEqual(
        [...ix.from(mid + "\0")].map((e) => e.name),
        sorted.slice((sorted.length >> 1) + 1),
      );
      for (const [n, s] of model) assert.equal(ix.bySeq(s)?.name, n);
    }
  }
  ix.verify();
  assert.equal(ix.size, model.size);
  for (const n of [...model.keys()]) ix.remove(n);
  ix.verify();
  assert.deepEqual([...ix.from()], []);
});
