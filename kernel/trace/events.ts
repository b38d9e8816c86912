// Trace events: what a Worker records while tracing is on, and how.
//
// Each Worker writes events into its own trace ring (a Ring in a
// SharedArrayBuffer the kernel also holds); the kernel drains the rings,
// turns events into Chrome trace-event JSON (tracer.ts) and strace-like lines
// for `trace CMD`. With tracing off a Worker tests one boolean per message
// and writes nothing.
//
// Event record (little-endian, then `text`, padded to 8):
//    0  len      u32  (the ring's length word)
//    4  kind     u16  EventKind
//    6  ep       u16  endpoint that recorded it (programs: 0xffff)
//    8  ts       f64  start, µs since the Unix epoch (one clock for all Workers)
//   16  dur      f64  µs
//   24  pid      i32  the caller (server slices) or the recorder (syscalls, sends)
//   28  op       u16  opcode / syscall number
//   30  peer     u16  SEND: the endpoint the message went to
//   32  area     u32  the caller's IPC area
//   36  reqId    u32  request id within that area's channel
//   40  traceId  u32  the syscall that caused this, or 0
//   44  errno    i32
//   48  size     u32  payload bytes in + out
//   52  capSlot  u32
//   56  value    f64  result
//   64  textLen  u32  SYSCALL: the strace-like rendering of the call
//   68  text

import { Ring } from "../ipc/ring.ts";

export const EventKind = {
  SERVE: 1, // a server handled a request
  SYSCALL: 2, // a program made a syscall (client side, whole call)
  SEND: 3, // a message left for another endpoint (start of a flow arrow)
} as const;

export const TRACE_RING_BYTES = 1 << 21;
export const TRACE_AREA_BYTES = Ring.bytesFor(TRACE_RING_BYTES);
const FIXED = 68;
export const PROGRAM_EP = 0xffff;

/** A decoded trace event. */
export interface TraceEvent {
  kind: number;
  ep: number;
  ts: number;
  dur: number;
  pid: number;
  op: number;
  peer: number;
  area: number;
  reqId: number;
  traceId: number;
  errno: number;
  size: number;
  capSlot: number;
  value: number;
  text: string;
}

/** Microseconds since the Unix epoch, comparable across Workers. */
export function traceClockUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The recording side, one per Worker. */
export class TraceWriter {
  readonly ring: Ring;
  dropped = 0;

  constructor(readonly sab: SharedArrayBuffer, readonly ep: number) {
    this.ring = new Ring(sab, 0, TRACE_RING_BYTES);
  }

  /** Record one event; a full ring drops it and counts the drop. */
  record(e: Omit<TraceEvent, "ep" | "text">, text = ""): void {
    const textBytes = text === "" ? undefined : encoder.encode(text);
    const bytes = (FIXED + (textBytes?.length ?? 0) + 7) & ~7;
    const off = this.ring.reserve(bytes);
    if (off < 0) {
      this.dropped++;
      return;
    }
    const dv = this.ring.dv;
    dv.setUint16(off + 4, e.kind, true);
    dv.setUint16(off + 6, this.ep, true);
    dv.setFloat64(off + 8, e.ts, true);
    dv.setFloat64(off + 16, e.dur, true);
    dv.setInt32(off + 24, e.pid, true);
    dv.setUint16(off + 28, e.op, true);
    dv.setUint16(off + 30, e.peer, true);
    dv.setUint32(off + 32, e.area, true);
    dv.setUint32(off + 36, e.reqId, true);
    dv.setUint32(off + 40, e.traceId, true);
    dv.setInt32(off + 44, e.errno, true);
    dv.setUint32(off + 48, e.size, true);
    dv.setUint32(off + 52, e.capSlot, true);
    dv.setFloat64(off + 56, e.value, true);
    dv.setUint32(off + 64, textBytes?.length ?? 0, true);
    if (textBytes !== undefined) this.ring.u8.set(textBytes, off + FIXED);
    this.ring.publish(off, bytes);
  }
}

/** The kernel's side: take every event recorded so far. */
export function drainEvents(ring: Ring, out: TraceEvent[]): void {
  const dv = ring.dv;
  for (let off = ring.peek(); off >= 0; off = ring.peek()) {
    const textLen = dv.getUint32(off + 64, true);
    out.push({
      kind: dv.getUint16(off + 4, true),
      ep: dv.getUint16(off + 6, true),
      ts: dv.getFloat64(off + 8, true),
      dur: dv.getFloat64(off + 16, true),
      pid: dv.getInt32(off + 24, true),
      op: dv.getUint16(off + 28, true),
      peer: dv.getUint16(off + 30, true),
      area: dv.getUint32(off + 32, true),
      reqId: dv.getUint32(off + 36, true),
      traceId: dv.getUint32(off + 40, true),
      errno: dv.getInt32(off + 44, true),
      size: dv.getUint32(off + 48, true),
      capSlot: dv.getUint32(off + 52, true),
      value: dv.getFloat64(off + 56, true),
      text: textLen === 0 ? "" : decoder.decode(ring.u8.slice(off + FIXED, off + FIXED + textLen)),
    });
    ring.consume(off);
  }
  ring.commit();
}
