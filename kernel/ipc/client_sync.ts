// The blocking call path, for programs (the libc side): one call at a time,
// the thread waits for its reply like a process in a syscall.
//
// Waiting: spin while a spinner slot is ours (a round trip to a spinning
// server is ~1 µs), then park on the area's reply bell. Every wake-up checks
// the kill word first, so a killed process ends even while it waits; a
// process that is not waiting is ended by its loop guards (kernel/loader).
// A reply from a server that has since restarted is never mistaken for ours:
// the channel's epoch tells, and the call fails with EIO.

import { Errno } from "../errno.ts";
import { type Area, type Channel, EndpointState } from "./channel.ts";
import { nowUs, type SpinSlots } from "./doorbell.ts";
import {
  type CapToken,
  HDR_ERRNO,
  HDR_ID,
  HDR_PLEN,
  HDR_VALUE,
  HEADER_BYTES,
  MAX_INLINE,
  MsgFlag,
  writeHeader,
} from "./message.ts";
import { CLIENT_SPIN_US, PARK_TIMEOUT_MS, RESTART_WAIT_MS } from "./params.ts";
import { align8 } from "./ring.ts";

/** The reply of a blocking call. `payload` is valid until the next call. */
export interface SyncReply {
  errno: number;
  value: number;
  payload: Uint8Array;
  /** The call was lost with its server (EIO from a restart, not from the server). */
  reset: boolean;
}

/** What the client does when the kernel has ordered its process to end. */
export type OnKilled = () => never;

/** Blocking calls from one program's IPC area. */
export class SyncClient {
  #nextId = 1;
  readonly #epochs: number[] = [];
  #payload = new Uint8Array(MAX_INLINE);
  readonly #reply: SyncReply = { errno: 0, value: 0, payload: new Uint8Array(0), reset: false };
  /** Called on every wake-up, to act on the kill word and pending signals. */
  onWake: () => void = () => {};

  constructor(readonly area: Area, readonly spin: SpinSlots, readonly onKilled: OnKilled) {}

  /**
   * Send one request and wait for its reply. `traceId` non-zero marks the
   * request TRACED. Returns the reply; errno 0 means success.
   */
  call(
    ep: number,
    op: number,
    cap: CapToken,
    payload?: Uint8Array,
    value = 0,
    traceId = 0,
  ): SyncReply {
    if (this.area.killed) this.onKilled();
    const ch = this.area.channel(ep);
    this.#noticeEpoch(ch);
    if (ch.down !== EndpointState.UP && !this.#waitUp(ch)) return this.#fail(Errno.EIO);
    const plen = payload?.length ?? 0;
    if (plen > MAX_INLINE) return this.#fail(Errno.E2BIG);
    const bytes = align8(HEADER_BYTES + plen);
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) >>> 0;
    const epoch = ch.epoch;

    ch.enter();
    let off = ch.requests.reserve(bytes);
    while (off < 0) {
      // Back-pressure: the server must hear about what is queued before we sleep.
      ch.leave();
      ch.requestBell.ring();
      ch.requests.spaceBell.park(() => ch.requests.usedBytes() + bytes <= ch.requests.size, 50);
      if (this.area.killed) this.onKilled();
      if (ch.epoch !== epoch) return this.#fail(Errno.EIO, true);
      ch.enter();
      off = ch.requests.reserve(bytes);
    }
    writeHeader(ch.requests.dv, off, {
      id,
      op,
      flags: traceId !== 0 ? MsgFlag.TRACED : 0,
      errno: 0,
      capSlot: cap.slot,
      capGen: cap.gen,
      value,
      trace: traceId,
      plen,
    });
    if (payload !== undefined) ch.requests.u8.set(payload, off + HEADER_BYTES);
    ch.requests.publish(off, bytes);
    ch.leave();
    ch.requestBell.ring();
    return this.#await(ch, id, epoch);
  }

  #await(ch: Channel, id: number, epoch: number): SyncReply {
    const ring = ch.replies;
    for (;;) {
      const off = this.#waitRecord(ch, epoch);
      if (off < 0) return this.#fail(Errno.EIO, true); // the server died with our call
      const dv = ring.dv;
      const gotId = dv.getUint32(off + HDR_ID, true);
      if (gotId !== id) {
        ring.consume(off); // a reply to a call we gave up on
        ring.commit();
        continue;
      }
      const plen = Math.min(
        dv.getUint32(off + HDR_PLEN, true),
        ring.recordBytes(off) - HEADER_BYTES,
      );
      const r = this.#reply;
      r.errno = dv.getInt32(off + HDR_ERRNO, true);
      r.value = dv.getFloat64(off + HDR_VALUE, true);
      if (plen > 0) {
        if (this.#payload.length < plen) this.#payload = new Uint8Array(plen);
        this.#payload.set(ring.u8.subarray(off + HEADER_BYTES, off + HEADER_BYTES + plen));
      }
      r.payload = this.#payload.subarray(0, plen);
      r.reset = false;
      ring.consume(off);
      ring.commit();
      return r;
    }
  }

  /** Offset of the next reply record, or -1 if the channel was reset meanwhile. */
  #waitRecord(ch: Channel, epoch: number): number {
    const ring = ch.replies;
    let off = ring.peek();
    if (off >= 0) return off;
    if (this.spin.take()) {
      try {
        const until = nowUs() + CLIENT_SPIN_US;
        for (let i = 1;; i++) {
          off = ring.peek();
          if (off >= 0) return off;
          if ((i & 63) === 0 && (nowUs() > until || ch.epoch !== epoch)) break;
        }
      } finally {
        this.spin.give();
      }
    }
    for (;;) {
      off = ring.peek();
      if (off >= 0) return off;
      if (ch.epoch !== epoch) return -1;
      this.area.replyBell.park(() => ring.hasRecord() || ch.epoch !== epoch, PARK_TIMEOUT_MS);
      if (this.area.killed) this.onKilled();
      this.onWake();
    }
  }

  #noticeEpoch(ch: Channel): void {
    const epoch = ch.epoch;
    const known = this.#epochs[ch.endpoint];
    if (known === epoch) return;
    if (known !== undefined) ch.resetReplies();
    this.#epochs[ch.endpoint] = epoch;
  }

  /** Wait for a restarting endpoint; false if it failed or took too long. */
  #waitUp(ch: Channel): boolean {
    const deadline = performance.now() + RESTART_WAIT_MS;
    while (ch.down === EndpointState.RESTARTING && performance.now() < deadline) {
      this.area.replyBell.park(() => ch.down !== EndpointState.RESTARTING, 20);
      if (this.area.killed) this.onKilled();
    }
    this.#noticeEpoch(ch);
    return ch.down === EndpointState.UP;
  }

  #fail(errno: number, reset = false): SyncReply {
    const r = this.#reply;
    r.errno = errno;
    r.reset = reset;
    r.value = -1;
    r.payload = this.#payload.subarray(0, 0);
    return r;
  }
}
