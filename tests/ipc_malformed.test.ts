import assert from "node:assert/strict";
import { withOs } from "./helpers/system.ts";
import { Errno } from "../kernel/errno.ts";
import { ALL_RIGHTS, Right } from "../kernel/cap/rights.ts";
import {
  HDR_CAP_GEN,
  HDR_CAP_SLOT,
  HDR_ERRNO,
  HDR_ID,
  HDR_OP,
  HDR_PLEN,
  HDR_VALUE,
  HEADER_BYTES,
} from "../kernel/ipc/message.ts";
import { Endpoint } from "../kernel/registry.ts";
import { Sys } from "../kernel/syscalls.ts";
import { ROOT_CREDS } from "../kernel/sysmem.ts";
import type { Area } from "../kernel/ipc/channel.ts";
import { F } from "../kernel/fcntl.ts";
import type { Handle } from "../kernel/mod.ts";

/** A fake client process with its own area, talking raw records to the VFS. */
function rawClient(os: Handle) {
  const k = os.kernel;
  const area: Area = k.newArea();
  const pid = k.manager.allocPid();
  k.manager.add({
    pid,
    ppid: 1,
    pgid: pid,
    sid: pid,
    creds: ROOT_CREDS,
    name: "raw",
    argv: ["raw"],
    area,
    state: "running",
    status: 0,
    caps: new Map(),
    rights: ALL_RIGHTS,
    children: new Set(),
    dispositions: new Uint8Array(32),
    traced: false,
    isServer: false,
    startedAt: Date.now(),
  });
  const cap = k.caps.mint(Endpoint.VFS, Right.CALL, pid, 0);
  const ch = area.channel(Endpoint.VFS);
  let nextId = 1;
  return {
    cap,
    /** Put one record with the given header words and payload bytes; returns its id. */
    send(
      fields: {
        len?: number;
        op: number;
        plen?: number;
        slot?: number;
        gen?: number;
        value?: number;
      },
      payload: Uint8Array = new Uint8Array(0),
    ): number {
      const bytes = fields.len ?? ((HEADER_BYTES + payload.length + 7) & ~7);
      const off = ch.requests.reserve(Math.max(bytes, 8));
      const dv = ch.requests.dv;
      const id = nextId++;
      if (bytes >= HEADER_BYTES) {
        dv.setUint32(off + HDR_ID, id, true);
        dv.setUint16(off + HDR_OP, fields.op, true);
        dv.setUint32(off + HDR_CAP_SLOT, fields.slot ?? cap.slot, true);
        dv.setUint32(off + HDR_CAP_GEN, fields.gen ?? cap.gen, true);
        dv.setFloat64(off + HDR_VALUE, fields.value ?? 0, true);
        dv.setUint32(off + HDR_PLEN, fields.plen ?? payload.length, true);
        ch.requests.u8.set(payload, off + HEADER_BYTES);
      } else {
        dv.setUint32(off + HDR_ID, id, true);
      }
      ch.requests.publish(off, Math.max(bytes, 8));
      ch.requestBell.force();
      return id;
    },
    /** The next reply: its id, errno and value. */
    async reply(): Promise<{ id: number; errno: number; value: number }> {
      const ring = ch.replies;
      for (;;) {
        const off = ring.peek();
        if (off >= 0) {
          const r = {
            id: ring.dv.getUint32(off + HDR_ID, true),
            errno: ring.dv.getInt32(off + HDR_ERRNO, true),
            value: ring.dv.getFloat64(off + HDR_VALUE, true),
          };
          ring.consume(off);
          ring.commit();
          return r;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
    },
  };
}

function nums(...values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setFloat64(i * 8, v, true));
  return b;
}

Deno.test("ipc: malformed messages get error replies and the server keeps serving", async () => {
  await withOs(async (os) => {
    const c = rawClient(os);
    // A record shorter than a header.
    let id = c.send({ len: 16, op: Sys.close });
    assert.deepEqual(await c.reply(), { id, errno: Errno.EBADMSG, value: -1 });
    // A payload length past the end of its record.
    id = c.send({ op: Sys.fcntl, plen: 4000 }, nums(0, 1, 0));
    assert.deepEqual(await c.reply(), { id, errno: Errno.EBADMSG, value: -1 });
    // A truncated payload: fcntl needs three numbers.
    id = c.send({ op: Sys.fcntl }, nums(0));
    assert.deepEqual(await c.reply(), { id, errno: Errno.EBADMSG, value: -1 });
    // An opcode nobody answers.
    id = c.send({ op: 4242 });
    assert.deepEqual(await c.reply(), { id, errno: Errno.ENOSYS, value: -1 });
    // A number where an integer must be.
    id = c.send({ op: Sys.fcntl }, nums(NaN, F.GETFD, 0));
    assert.deepEqual(await c.reply(), { id, errno: Errno.EINVAL, value: -1 });
    // A forged capability.
    id = c.send({ op: Sys.pipe2, slot: c.cap.slot + 7 });
    assert.deepEqual(await c.reply(), { id, errno: Errno.EBADF, value: -1 });
    // And a good request still works: pipe2 gives fds 0 and 1, then fcntl reads fd 1's flags.
    id = c.send({ op: Sys.pipe2, value: 0 });
    assert.deepEqual(await c.reply(), { id, errno: 0, value: 0 });
    id = c.send({ op: Sys.fcntl }, nums(1, F.GETFD, 0));
    assert.deepEqual(await c.reply(), { id, errno: 0, value: 0 });
    assert.equal(os.services().find((s) => s.name === "vfs")!.restarts, 0);
  });
});

Deno.test("ipc: many more requests than a ring holds all complete (back-pressure, no loss)", async () => {
  await withOs(async (os) => {
    const k = os.kernel;
    const [r, w] = await k.fds.pipe();
    const n = 5000;
    const calls = [];
    for (let i = 0; i < n; i++) {
      calls.push(
        k.client.call(Endpoint.VFS, Sys.fcntl, k.vfsCap, nums(i % 2 === 0 ? r : w, F.GETFL, 0)),
      );
    }
    const replies = await Promise.all(calls);
    replies.forEach((rep, i) => {
      assert.equal(rep.errno, 0);
      assert.equal(rep.value, i % 2 === 0 ? 0 : 1); // O_RDONLY, O_WRONLY
    });
  });
});
