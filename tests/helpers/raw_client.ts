// A fake process for tests of bad input: its own IPC area, a pid the kernel
// knows (root's credentials), and a VFS capability, with which it writes
// request records by hand (any header, any payload) to any server and reads
// the replies. Through the VFS it can open files like a program and then
// talk to the server holding each one with the fd's capability.

import { ALL_RIGHTS, Right } from "../../kernel/cap/rights.ts";
import type { Area } from "../../kernel/ipc/channel.ts";
import {
  type CapToken,
  HDR_CAP_GEN,
  HDR_CAP_SLOT,
  HDR_ERRNO,
  HDR_ID,
  HDR_OP,
  HDR_PLEN,
  HDR_VALUE,
  HEADER_BYTES,
  PayloadReader,
  PayloadWriter,
} from "../../kernel/ipc/message.ts";
import type { Handle } from "../../kernel/mod.ts";
import { Endpoint } from "../../kernel/registry.ts";
import { ROOT_CREDS } from "../../kernel/sysmem.ts";
import { decodeRoutes } from "../../servers/vfs/mod.ts";

export interface RawReply {
  id: number;
  errno: number;
  value: number;
  payload: Uint8Array;
}

/** Header fields of a hand-made record; `len` and `plen` default to the truth. */
export interface RawFields {
  op: number;
  cap: CapToken;
  value?: number;
  len?: number;
  plen?: number;
}

export class RawClient {
  readonly area: Area;
  readonly pid: number;
  readonly vfsCap: CapToken;
  #nextId = 1;

  constructor(readonly os: Handle) {
    const k = os.kernel;
    this.area = k.newArea();
    this.pid = k.manager.allocPid();
    k.manager.add({
      pid: this.pid,
      ppid: 1,
      pgid: this.pid,
      sid: this.pid,
      creds: ROOT_CREDS,
      name: "raw",
      argv: ["raw"],
      area: this.area,
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
    this.vfsCap = k.caps.mint(Endpoint.VFS, Right.CALL | Right.MOUNT, this.pid, 0);
  }

  /** Bytes of our data area (where read and write data go). */
  get data(): Uint8Array {
    return this.area.data;
  }

  /** Put one record on endpoint `ep`'s request ring; returns its id. */
  send(ep: number, f: RawFields, payload: Uint8Array = new Uint8Array(0)): number {
    const ch = this.area.channel(ep);
    const bytes = f.len ?? ((HEADER_BYTES + payload.length + 7) & ~7);
    const off = ch.requests.reserve(Math.max(bytes, 8));
    if (off < 0) throw new Error("request ring full");
    const dv = ch.requests.dv;
    const id = this.#nextId++;
    dv.setUint32(off + HDR_ID, id, true);
    if (bytes >= HEADER_BYTES) {
      dv.setUint16(off + HDR_OP, f.op, true);
      dv.setUint32(off + HDR_CAP_SLOT, f.cap.slot, true);
      dv.setUint32(off + HDR_CAP_GEN, f.cap.gen, true);
      dv.setFloat64(off + HDR_VALUE, f.value ?? 0, true);
      dv.setUint32(off + HDR_PLEN, f.plen ?? payload.length, true);
      ch.requests.u8.set(payload.subarray(0, bytes - HEADER_BYTES), off + HEADER_BYTES);
    }
    ch.requests.publish(off, Math.max(bytes, 8));
    ch.requestBell.force();
    return id;
  }

  /** The next reply on endpoint `ep`'s reply ring. */
  async reply(ep: number): Promise<RawReply> {
    const ring = this.area.channel(ep).replies;
    for (;;) {
      const off = ring.peek();
      if (off >= 0) {
        const plen = ring.dv.getUint32(off + HDR_PLEN, true);
        const r = {
          id: ring.dv.getUint32(off + HDR_ID, true),
          errno: ring.dv.getInt32(off + HDR_ERRNO, true),
          value: ring.dv.getFloat64(off + HDR_VALUE, true),
          payload: ring.u8.slice(off + HEADER_BYTES, off + HEADER_BYTES + plen),
        };
        ring.consume(off);
        ring.commit();
        return r;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  /** Send and wait for the answer (one request in flight per endpoint). */
  async call(ep: number, f: RawFields, payload?: Uint8Array): Promise<RawReply> {
    const id = this.send(ep, f, payload);
    const r = await this.reply(ep);
    if (r.id !== id) throw new Error(`reply ${r.id} for request ${id}`);
    return r;
  }

  /** The errno of one request (0 on success). */
  async errno(ep: number, f: RawFields, payload?: Uint8Array): Promise<number> {
    return (await this.call(ep, f, payload)).errno;
  }

  /** A well-formed call to the VFS with our endpoint capability; throws on an errno. */
  async vfs(op: number, payload?: Uint8Array, value = 0): Promise<RawReply> {
    const r = await this.call(Endpoint.VFS, { op, cap: this.vfsCap, value }, payload);
    if (r.errno !== 0) throw new Error(`vfs op ${op}: errno ${r.errno}`);
    return r;
  }

  /** Routes (fd, endpoint, capability) a reply that made fds carries. */
  routes(r: RawReply): Array<{ fd: number; ep: number; cap: CapToken }> {
    return decodeRoutes(new PayloadReader(r.payload));
  }
}

/** A payload of f64 numbers and strings, as the library writes requests. */
export function payload(...fields: Array<number | string | Uint8Array>): Uint8Array {
  const w = new PayloadWriter();
  for (const f of fields) {
    if (typeof f === "number") w.num(f);
    else if (typeof f === "string") w.str(f);
    else w.bytesField(f);
  }
  return w.bytes().slice();
}
