// The VFS's pipe buffer on its own: Linux's blocking rules, and no lost
// wake-ups between a blocked writer and a blocked reader.
import assert from "node:assert/strict";
import { Errno, ErrnoError } from "../kernel/errno.ts";
import { Pipe } from "../servers/vfs/pipe.ts";
import { PIPE_BUF, PIPE_CAPACITY } from "../servers/vfs/params.ts";

function pipe(): Pipe {
  const p = new Pipe(1, 0, 0);
  p.readers = 1;
  p.writers = 1;
  return p;
}

const settled = async <T>(v: T | Promise<T>) => await Promise.race([v, Promise.resolve("pending")]);

Deno.test("pipe: a reader that empties the pipe lets a blocked big writer finish (reader waiting first)", async () => {
  const p = pipe();
  const first = new Uint8Array(PIPE_CAPACITY);
  const reading = p.read(1, first, false); // a reader waits on the empty pipe
  const src = new Uint8Array(PIPE_CAPACITY + 26).map((_, i) => i & 0xff);
  const writing = p.write(2, src, false);
  assert.equal(await reading, PIPE_CAPACITY);
  const rest = new Uint8Array(100);
  assert.equal(await p.read(1, rest, false), 26);
  assert.equal(await writing, src.length);
  assert.deepEqual(rest.subarray(0, 26), src.subarray(PIPE_CAPACITY));
});

Deno.test("pipe: writes of at most PIPE_BUF are atomic; bigger ones go in as room appears", async () => {
  const p = pipe();
  assert.equal(p.write(1, new Uint8Array(PIPE_CAPACITY - 10), false), PIPE_CAPACITY - 10);
  const small = p.write(1, new Uint8Array(PIPE_BUF), false);
  assert.equal(await settled(small), "pending"); // 10 bytes of room: not enough for an atomic write
  assert.equal(p.buffered, PIPE_CAPACITY - 10);
  assert.equal(p.read(2, new Uint8Array(PIPE_BUF), false), PIPE_BUF);
  assert.equal(await small, PIPE_BUF);
  assert.equal(p.buffered, PIPE_CAPACITY - 10);
});

Deno.test("pipe: EOF once writers are gone; EPIPE with no reader; EAGAIN when non-blocking", () => {
  const p = pipe();
  assert.throws(
    () => p.read(1, new Uint8Array(1), true),
    (e: ErrnoError) => e.errno === Errno.EAGAIN,
  );
  p.write(1, new Uint8Array(PIPE_CAPACITY), false);
  assert.throws(
    () => p.write(1, new Uint8Array(1), true),
    (e: ErrnoError) => e.errno === Errno.EAGAIN,
  );
  p.closeWriter();
  assert.equal(p.read(1, new Uint8Array(PIPE_CAPACITY), false), PIPE_CAPACITY);
  assert.equal(p.read(1, new Uint8Array(1), false), 0);
  p.closeReader();
  assert.throws(
    () => p.write(1, new Uint8Array(1), false),
    (e: ErrnoError) => e.errno === Errno.EPIPE,
  );
});
