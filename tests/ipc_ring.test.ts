import assert from "node:assert/strict";
import { align8, Ring } from "../kernel/ipc/ring.ts";
import { Bell } from "../kernel/ipc/doorbell.ts";

function record(ring: Ring, body: Uint8Array): boolean {
  const bytes = align8(4 + body.length);
  const off = ring.reserve(bytes);
  if (off < 0) return false;
  ring.u8.set(body, off + 4);
  ring.publish(off, bytes);
  return true;
}

function take(ring: Ring): Uint8Array | undefined {
  const off = ring.peek();
  if (off < 0) return undefined;
  const out = ring.u8.slice(off + 4, off + ring.recordBytes(off));
  ring.consume(off);
  ring.commit();
  return out;
}

Deno.test("ring: records come out in order with their bytes intact", () => {
  const ring = new Ring(new SharedArrayBuffer(Ring.bytesFor(256)), 0, 256);
  for (let i = 0; i < 1000; i++) {
    const body = new Uint8Array(1 + (i % 40)).fill(i & 0xff);
    assert.ok(record(ring, body));
    const got = take(ring);
    assert.ok(got !== undefined);
    assert.equal(got[0], i & 0xff);
    assert.ok(got.length >= body.length);
  }
  assert.ok(ring.isEmpty());
});

Deno.test("ring: a record that would straddle the end wraps behind a pad", () => {
  const ring = new Ring(new SharedArrayBuffer(Ring.bytesFor(128)), 0, 128);
  assert.ok(record(ring, new Uint8Array(92))); // 96 bytes: 32 left before the end
  assert.ok(take(ring));
  const body = new Uint8Array(44).map((_, i) => i + 1); // 48 bytes: does not fit in 32
  assert.ok(record(ring, body));
  const got = take(ring);
  assert.deepEqual(got?.subarray(0, 44), body);
  // The pad and the record were both consumed; the ring is empty and all zero.
  assert.ok(ring.isEmpty());
  assert.ok(ring.u8.subarray(ring.base, ring.base + 128).every((b) => b === 0));
});

Deno.test("ring: a full ring refuses instead of overwriting, then accepts after a take", () => {
  const ring = new Ring(new SharedArrayBuffer(Ring.bytesFor(64)), 0, 64);
  assert.ok(record(ring, new Uint8Array(28).fill(1)));
  assert.ok(record(ring, new Uint8Array(28).fill(2)));
  assert.equal(record(ring, new Uint8Array(4)), false);
  assert.deepEqual(take(ring)?.[0], 1);
  assert.ok(record(ring, new Uint8Array(28).fill(3)));
  assert.equal(take(ring)?.[0], 2);
  assert.equal(take(ring)?.[0], 3);
  assert.equal(take(ring), undefined);
});

Deno.test("ring: an unpublished reservation blocks the consumer, later records wait behind it", () => {
  const ring = new Ring(new SharedArrayBuffer(Ring.bytesFor(256)), 0, 256);
  const first = ring.reserve(16);
  assert.ok(record(ring, new Uint8Array(8).fill(9)));
  assert.equal(ring.peek(), -1); // the first record is reserved but not yet published
  ring.u8[first + 4] = 7;
  ring.publish(first, 16);
  assert.equal(take(ring)?.[0], 7);
  assert.equal(take(ring)?.[0], 9);
});

Deno.test("ring: 4 concurrent producers, 4 KiB ring: nothing lost, nothing duplicated", async () => {
  const size = 4096;
  const sab = new SharedArrayBuffer(Ring.bytesFor(size) + 64);
  const bellIndex = Ring.bytesFor(size) >> 2;
  const ring = new Ring(sab, 0, size);
  const bell = new Bell(new Int32Array(sab), bellIndex);
  const producers = 4;
  const count = 50_000;
  const workers = Array.from(
    { length: producers },
    () => new Worker(new URL("./helpers/ring_producer.ts", import.meta.url), { type: "module" }),
  );
  const done = workers.map((w) => new Promise((r) => (w.onmessage = r)));
  workers.forEach((w, producer) => w.postMessage({ sab, at: 0, size, producer, count, bellIndex }));
  const next = new Array(producers).fill(0);
  let received = 0;
  try {
    while (received < producers * count) {
      const off = ring.peek();
      if (off < 0) {
        await bell.arm(() => ring.hasRecord());
        bell.settle();
        continue;
      }
      const producer = ring.dv.getUint32(off + 4, true);
      const seq = ring.dv.getUint32(off + 8, true);
      assert.equal(seq, next[producer], `producer ${producer} out of order`);
      const body = 8 + ((seq * 7 + producer * 13) % 200);
      for (let i = 12; i < 4 + body; i++) {
        if (ring.u8[off + i] !== ((producer + seq + i) & 0xff)) {
          assert.fail(`corrupt byte ${i} in ${producer}/${seq}`);
        }
      }
      next[producer]++;
      received++;
      ring.consume(off);
      ring.commit();
    }
    await Promise.all(done);
    assert.deepEqual(next, new Array(producers).fill(count));
    assert.ok(ring.isEmpty());
  } finally {
    workers.forEach((w) => w.terminate());
  }
});

Deno.test("payload: a length field near 2^32 is EBADMSG, not a short read", async () => {
  const { PayloadReader, PayloadWriter } = await import("../kernel/ipc/message.ts");
  const { Errno, ErrnoError } = await import("../kernel/errno.ts");
  for (const len of [0x7ffffffd, 0xfffffffd, 0xffffffff, 9]) {
    const b = new Uint8Array(12);
    new DataView(b.buffer).setUint32(0, len, true);
    const r = new PayloadReader(b);
    assert.throws(
      () => r.bytesField(),
      (e) => e instanceof ErrnoError && e.errno === Errno.EBADMSG,
    );
  }
  const ok = new PayloadReader(new PayloadWriter().str("hello").num(7).bytes().slice());
  assert.equal(ok.str(), "hello");
  assert.equal(ok.int(), 7);
});

Deno.test("ring: a record over half the ring gets in behind its wrap pad once the pad is seen", () => {
  // The producer pads the end, finds too little room for its record, and
  // waits; the consumer sees only the pad. Unless seeing it frees its room,
  // the producer waits forever (nothing else arrives to make the consumer commit).
  const ring = new Ring(new SharedArrayBuffer(Ring.bytesFor(1024)), 0, 1024);
  assert.ok(record(ring, new Uint8Array(396))); // 400 bytes: the ends move to 400
  assert.ok(take(ring));
  const big = new Uint8Array(700).fill(7); // 704 bytes: neither 624 to the end nor 400 after it
  assert.equal(record(ring, big), false);
  assert.equal(ring.peek(), -1); // only the pad: nothing to read, but its room is free now
  assert.ok(record(ring, big));
  assert.deepEqual(take(ring)?.subarray(0, 700), big);
});
