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
  MAX_REQUEST,
  MsgFlag,
  writeHeader,
} from "./message.ts";
import { CLIENT_SPIN_US, PARK_TIMEOUT_MS, RESTART_WAIT_MS } from "./params.ts";
import { align8 } from "./ring.ts";

/** The reply of a blocking call. */
export interface SyncReply {
  errno: number;
  value: number;
  payload: Uint8Array;
  /** The call was lost with its server (EIO from a restart, not from the server). */
  reset: boolean;
}

/** What the client does when the kernel has ordered its process to end. */
export type OnKilled = () => never;

const EMPTY = new Uint8Array(0);

/**
 * Blocking calls from one program's IPC area. Calls may nest: a signal
 * handler run while a call waits (onWake) may make calls of its own. A nested
 * call that meets the reply of a call it sits inside keeps it aside (the
 * stash) for that call, instead of dropping it.
 */
export class SyncClient {
  #nextId = 1;
  readonly #epochs: number[] = [];
  readonly #inCall = new Set<number>();
  readonly #stash = new Map<number, SyncReply>();
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
    if (ch.down !== EndpointState.UP && !this.#waitUp(ch)) return fail(Errno.EIO);
    const plen = payload?.length ?? 0;
    if (plen > MAX_REQUEST) return fail(Errno.E2BIG);
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
      if (ch.epoch !== epoch) return fail(Errno.EIO, true);
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
    this.#inCall.add(id);
    try {
      return this.#await(ch, id, epoch);
    } finally {
      this.#inCall.delete(id);
      this.#stash.delete(id);
    }
  }

  #await(ch: Channel, id: number, epoch: number): SyncReply {
    const ring = ch.replies;
    for (;;) {
      const kept = this.#stash.get(id);
      if (kept !== undefined) return kept;
      const off = this.#waitRecord(ch, epoch, id);
      if (off === -2) continue; // a nested call found our reply and kept it
      if (off < 0) return fail(Errno.EIO, true); // the server died with our call
      const dv = ring.dv;
      const gotId = dv.getUint32(off + HDR_ID, true);
      const plen = Math.min(
        dv.getUint32(off + HDR_PLEN, true),
        ring.recordBytes(off) - HEADER_BYTES,
      );
      const r: SyncReply = {
        errno: dv.getInt32(off + HDR_ERRNO, true),
        value: dv.getFloat64(off + HDR_VALUE, true),
        payload: plen > 0 ? ring.u8.slice(off + HEADER_BYTES, off + HEADER_BYTES + plen) : EMPTY,
        reset: false,
      };
      ring.consume(off);
      ring.commit();
      if (gotId === id) return r;
      // Someone else's: an outer call's (keep it for it), or one we gave up on (drop it).
      if (this.#inCall.has(gotId)) this.#stash.set(gotId, r);
    }
  }

  /**
   * Offset of the next reply record; -1 if the channel was reset meanwhile,
   * -2 if a nested call (from onWake) left our reply in the stash.
   */
  #waitRecord(ch: Channel, epoch: number, id: number): number {
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
      if (this.#stash.has(id)) return -2;
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
}

function fail(errno: number, reset = false): SyncReply {
  return { errno, value: -1, payload: EMPTY, reset };
}
