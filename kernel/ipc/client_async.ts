// The asynchronous call path, for code that must never block its thread: the
// kernel's main thread and servers calling other servers.
//
// call() writes the request into the endpoint's request ring at once but
// rings the server's bell only at the end of the current task, so every call
// made in one turn of the event loop costs one wake-up (batching). Replies
// from every endpoint land in this area's reply rings, which share one bell;
// one waitAsync covers them all. A server that dies fails our calls in flight
// to it with EIO (its epoch changes); calls to a restarting server wait for it
// to come back, and fail with EIO if it never does.

import { Errno } from "../errno.ts";
import { type Area, type Channel, EndpointState } from "./channel.ts";
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
import { RESTART_WAIT_MS } from "./params.ts";
import { align8 } from "./ring.ts";
import { EventKind, traceClockUs, type TraceWriter } from "../trace/events.ts";

/** A reply as the caller gets it. */
export interface Reply {
  errno: number;
  value: number;
  payload: Uint8Array;
}

interface Outgoing {
  ep: number;
  op: number;
  cap: CapToken;
  payload?: Uint8Array;
  value: number;
  traceId: number;
  traced: boolean;
  background: boolean;
  resolve: (r: Reply) => void;
  queuedAt: number;
}

interface InFlight {
  resolve: (r: Reply) => void;
  ep: number;
  background: boolean;
}

const EMPTY = new Uint8Array(0);

/** Calls endpoints from one IPC area without blocking. */
export class AsyncClient {
  #nextId = 1;
  readonly #inFlight = new Map<number, InFlight>();
  readonly #queued: Outgoing[] = [];
  readonly #epochs: number[] = [];
  readonly #toRing = new Set<Channel>();
  #ringScheduled = false;
  #armed = false;
  #spaceArmed = new Set<Channel>();

  constructor(
    readonly area: Area,
    readonly trace?: TraceWriter,
    readonly ownPid = 0,
    /** True while everything is traced (deno task boot --trace). */
    readonly tracingAll: () => boolean = () => false,
  ) {}

  /** Calls sent and not yet answered. */
  get outstanding(): number {
    return this.#inFlight.size + this.#queued.length;
  }

  /**
   * Calls whose answer is expected soon (not `background` ones, such as a
   * read of a pipe that may wait for minutes): while there are some, a
   * server that made them must not spin, or it starves the one answering.
   */
  get awaiting(): number {
    return this.#inFlight.size + this.#queued.length - this.#background;
  }
  #background = 0;

  /** Send a request; resolves with the reply (never rejects: failures are errnos). */
  call(
    ep: number,
    op: number,
    cap: CapToken,
    payload?: Uint8Array,
    opts: { value?: number; traceId?: number; traced?: boolean; background?: boolean } = {},
  ): Promise<Reply> {
    if (payload !== undefined && payload.length > MAX_REQUEST) {
      return Promise.resolve({ errno: Errno.E2BIG, value: -1, payload: EMPTY });
    }
    return new Promise<Reply>((resolve) => {
      const out: Outgoing = {
        ep,
        op,
        cap,
        payload,
        value: opts.value ?? 0,
        traceId: opts.traceId ?? 0,
        traced: opts.traced ?? false,
        background: opts.background ?? false,
        resolve: (r: Reply) => {
          if (opts.background === true) this.#background--;
          resolve(r);
        },
        queuedAt: performance.now(),
      };
      if (out.background) this.#background++;
      if (this.#queued.length > 0 || !this.#send(out)) this.#queued.push(out);
      this.#arm();
    });
  }

  /** Try to put one request in its ring; false if it must wait (full or down). */
  #send(out: Outgoing): boolean {
    const ch = this.area.channel(out.ep);
    this.#noticeEpoch(ch);
    const down = ch.down;
    if (down === EndpointState.FAILED) {
      out.resolve({ errno: Errno.EIO, value: -1, payload: EMPTY });
      return true;
    }
    if (down !== EndpointState.UP) {
      if (performance.now() - out.queuedAt > RESTART_WAIT_MS) {
        out.resolve({ errno: Errno.EIO, value: -1, payload: EMPTY });
        return true;
      }
      return false;
    }
    const plen = out.payload?.length ?? 0;
    const bytes = align8(HEADER_BYTES + plen);
    ch.enter();
    const off = ch.requests.reserve(bytes);
    if (off < 0) {
      ch.leave();
      this.#waitForSpace(ch);
      return false;
    }
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) >>> 0;
    writeHeader(ch.requests.dv, off, {
      id,
      op: out.op,
      flags: out.traced ? MsgFlag.TRACED : 0,
      errno: 0,
      capSlot: out.cap.slot,
      capGen: out.cap.gen,
      value: out.value,
      trace: out.traceId,
      plen,
    });
    if (out.payload !== undefined) ch.requests.u8.set(out.payload, off + HEADER_BYTES);
    ch.requests.publish(off, bytes);
    ch.leave();
    if (this.trace !== undefined && (out.traced || this.tracingAll())) {
      this.trace.record({
        kind: EventKind.SEND,
        ts: traceClockUs(),
        dur: 0,
        pid: this.ownPid,
        op: out.op,
        peer: out.ep,
        area: this.area.id,
        reqId: id,
        traceId: out.traceId,
        errno: 0,
        size: plen,
        capSlot: out.cap.slot,
        value: 0,
      });
    }
    this.#inFlight.set(id, { resolve: out.resolve, ep: out.ep, background: out.background });
    this.#toRing.add(ch);
    if (!this.#ringScheduled) {
      this.#ringScheduled = true;
      queueMicrotask(() => this.#ringAll());
    }
    return true;
  }

  #ringAll(): void {
    this.#ringScheduled = false;
    for (const ch of this.#toRing) ch.requestBell.ring();
    this.#toRing.clear();
  }

  #waitForSpace(ch: Channel): void {
    ch.requestBell.ring(); // the server must run to make room: never sleep with work unannounced
    if (this.#spaceArmed.has(ch)) return;
    const p = ch.requests.spaceBell.arm(() => false);
    this.#spaceArmed.add(ch);
    const retry = () => {
      this.#spaceArmed.delete(ch);
      ch.requests.spaceBell.settle();
      this.#pump();
    };
    if (p === null) queueMicrotask(retry);
    else p.then(retry);
  }

  /** A server restarted: everything in flight to it is lost. */
  #noticeEpoch(ch: Channel): void {
    const epoch = ch.epoch;
    const known = this.#epochs[ch.endpoint];
    if (known === undefined) {
      this.#epochs[ch.endpoint] = epoch;
      return;
    }
    if (known === epoch) return;
    this.#epochs[ch.endpoint] = epoch;
    ch.resetReplies();
    for (const [id, f] of this.#inFlight) {
      if (f.ep !== ch.endpoint) continue;
      this.#inFlight.delete(id);
      f.resolve({ errno: Errno.EIO, value: -1, payload: EMPTY });
    }
  }

  /** Take every reply that has arrived and retry queued sends. */
  #pump(): void {
    const seen = new Set<number>();
    for (const f of this.#inFlight.values()) seen.add(f.ep);
    for (const ep of seen) {
      const ch = this.area.channel(ep);
      this.#noticeEpoch(ch);
      this.#takeReplies(ch);
    }
    while (this.#queued.length > 0) {
      if (!this.#send(this.#queued[0])) break;
      this.#queued.shift();
    }
  }

  #takeReplies(ch: Channel): void {
    const ring = ch.replies;
    const dv = ring.dv;
    let n = 0;
    for (let off = ring.peek(); off >= 0; off = ring.peek()) {
      const id = dv.getUint32(off + HDR_ID, true);
      const plen = Math.min(
        dv.getUint32(off + HDR_PLEN, true),
        ring.recordBytes(off) - HEADER_BYTES,
      );
      const reply: Reply = {
        errno: dv.getInt32(off + HDR_ERRNO, true),
        value: dv.getFloat64(off + HDR_VALUE, true),
        payload: plen > 0 ? ring.u8.slice(off + HEADER_BYTES, off + HEADER_BYTES + plen) : EMPTY,
      };
      ring.consume(off);
      n++;
      const f = this.#inFlight.get(id);
      if (f !== undefined && f.ep === ch.endpoint) {
        this.#inFlight.delete(id);
        f.resolve(reply);
      }
    }
    if (n > 0) ring.commit();
  }

  /** Keep one waitAsync on the reply bell while anything is outstanding. */
  #arm(): void {
    if (this.#armed || this.outstanding === 0) return;
    const bell = this.area.replyBell;
    const p = bell.arm(() => this.#anyReply());
    if (p === null) {
      queueMicrotask(() => {
        this.#pump();
        this.#arm();
      });
      return;
    }
    this.#armed = true;
    // A queued call to a restarting server re-checks now and then.
    const timer = this.#queued.length > 0 ? setTimeout(() => bell.force(), 50) : undefined;
    p.then(() => {
      if (timer !== undefined) clearTimeout(timer);
      this.#armed = false;
      bell.settle();
      this.#pump();
      this.#arm();
    });
  }

  #anyReply(): boolean {
    for (const f of this.#inFlight.values()) {
      const ch = this.area.channel(f.ep);
      if (ch.replies.hasRecord() || ch.epoch !== this.#epochs[f.ep]) return true;
    }
    return false;
  }

  /** Read a reply's text payload (helper for callers). */
  static text(r: Reply): string {
    return new TextDecoder().decode(r.payload);
  }
}
