// IPC areas: the one SharedArrayBuffer each process (program or server) owns
// for talking to servers. Only that process, the servers and the kernel hold
// it, so no process can see another's messages or data.
//
//   0        control block (4 KiB)
//              word 0   state: AreaState (FREE until the runtime parks: WARM;
//                       the kernel sets RUNNING when it hands over a job)
//              word 1   pid of the current program (informational: servers
//                       trust the kernel's area-owner table, never this word)
//              word 16  reply bell: seq, waiting (all reply rings share it)
//              word 32  kill: nonzero = the process must end now
//              word 33  pending signals (bit n = signal n)
//              word 34  job bell: seq, waiting (a warm Worker waits here)
//              word 48  traced: nonzero = record this process's syscalls
//   4096     channel slot e, for endpoint e = 0 .. MAX_ENDPOINTS-1, each:
//              +0    request bell: seq, waiting
//              +8    epoch (u32): bumped each time endpoint e is reset
//              +12   busy: the client is writing a request
//              +16   down: 0 up, 1 restarting, 2 failed (kernel-written)
//              +64   request ring  (process -> server e)
//              +...  reply ring    (server e -> process)
//   end-DATA data area: payloads too big for a ring travel here by reference
//
// A channel is (area, endpoint). Its request ring has one producer (the
// process; the ring also allows more) and one consumer (the server).

import { Bell } from "./doorbell.ts";
import { Ring } from "./ring.ts";

export const MAX_ENDPOINTS = 16;
export const REQ_RING_BYTES = 16384;
export const REPLY_RING_BYTES = 16384;
export const DATA_BYTES = 1 << 20;
export const CTRL_BYTES = 4096;

export const AREA_STATE = 0;
export const AREA_PID = 1;
export const AREA_REPLY_BELL = 16;
export const AREA_KILL = 32;
export const AREA_SIGNALS = 33;
export const AREA_JOB_BELL = 34;
export const AREA_TRACED = 48;

/** Lifecycle of an area, in word 0. */
export const AreaState = {
  FREE: 0,
  WARM: 1, // a Worker waits for a job
  RUNNING: 2,
} as const;

const SLOT_REQ_BELL = 0;
const SLOT_EPOCH = 8;
const SLOT_BUSY = 12;
const SLOT_DOWN = 16;
const SLOT_REQ_RING = 64;
const SLOT_REPLY_RING = SLOT_REQ_RING + Ring.bytesFor(REQ_RING_BYTES);
export const SLOT_BYTES = SLOT_REPLY_RING + Ring.bytesFor(REPLY_RING_BYTES);

/** Endpoint state in a channel slot's `down` word. */
export const EndpointState = {
  UP: 0,
  RESTARTING: 1,
  FAILED: 2,
} as const;

export const DATA_OFFSET = CTRL_BYTES + MAX_ENDPOINTS * SLOT_BYTES;
export const AREA_BYTES = DATA_OFFSET + DATA_BYTES;

/** One endpoint's slot in an area: its two rings and their state words. */
export class Channel {
  readonly requests: Ring;
  readonly replies: Ring;
  readonly requestBell: Bell;
  readonly #at: number;

  constructor(readonly area: Area, readonly endpoint: number) {
    this.#at = CTRL_BYTES + endpoint * SLOT_BYTES;
    this.requests = new Ring(area.sab, this.#at + SLOT_REQ_RING, REQ_RING_BYTES);
    this.replies = new Ring(area.sab, this.#at + SLOT_REPLY_RING, REPLY_RING_BYTES);
    this.requestBell = new Bell(area.i32, (this.#at + SLOT_REQ_BELL) >> 2);
  }

  get epoch(): number {
    return Atomics.load(this.area.i32, (this.#at + SLOT_EPOCH) >> 2);
  }

  get down(): number {
    return Atomics.load(this.area.i32, (this.#at + SLOT_DOWN) >> 2);
  }

  /** Kernel: mark the endpoint restarting / failed / up. */
  setDown(state: number): void {
    Atomics.store(this.area.i32, (this.#at + SLOT_DOWN) >> 2, state);
  }

  /** Client: announce that a request is being written (see reset()). */
  enter(): void {
    Atomics.store(this.area.i32, (this.#at + SLOT_BUSY) >> 2, 1);
  }

  leave(): void {
    Atomics.store(this.area.i32, (this.#at + SLOT_BUSY) >> 2, 0);
  }

  get busy(): boolean {
    return Atomics.load(this.area.i32, (this.#at + SLOT_BUSY) >> 2) !== 0;
  }

  /**
   * Kernel, after the endpoint's server died and with `down` already set:
   * empty the request ring and bump the epoch, so the client fails or retries
   * what it had in flight. Waits briefly for a client caught mid-write. The
   * reply ring is the client's to empty (resetReplies), because the client is
   * its only live user: the server that wrote to it is dead, and its
   * successor writes a reply only to a request sent after the client's reset.
   */
  reset(): void {
    const deadline = performance.now() + 5;
    while (this.busy && performance.now() < deadline) { /* a write takes < 1 µs */ }
    this.requests.reset();
    Atomics.add(this.area.i32, (this.#at + SLOT_EPOCH) >> 2, 1);
    this.area.replyBell.force();
  }

  /** Client, on seeing a new epoch: drop whatever the dead server left. */
  resetReplies(): void {
    this.replies.reset();
  }
}

/** A process's IPC area. */
export class Area {
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly replyBell: Bell;
  readonly jobBell: Bell;
  /** The data area (payloads by reference). */
  readonly data: Uint8Array;
  readonly #channels: (Channel | undefined)[] = [];

  constructor(readonly sab: SharedArrayBuffer, readonly id: number) {
    if (sab.byteLength < AREA_BYTES) throw new RangeError("area too small");
    this.i32 = new Int32Array(sab);
    this.u8 = new Uint8Array(sab);
    this.replyBell = new Bell(this.i32, AREA_REPLY_BELL);
    this.jobBell = new Bell(this.i32, AREA_JOB_BELL);
    this.data = this.u8.subarray(DATA_OFFSET, DATA_OFFSET + DATA_BYTES);
  }

  /** Allocate a zeroed area. */
  static create(id: number): Area {
    return new Area(new SharedArrayBuffer(AREA_BYTES), id);
  }

  /** The channel to endpoint `ep`. */
  channel(ep: number): Channel {
    let ch = this.#channels[ep];
    if (ch === undefined) {
      if (ep < 0 || ep >= MAX_ENDPOINTS) throw new RangeError(`no endpoint ${ep}`);
      ch = new Channel(this, ep);
      this.#channels[ep] = ch;
    }
    return ch;
  }

  get killed(): boolean {
    return Atomics.load(this.i32, AREA_KILL) !== 0;
  }

  /** Kernel: order the owner to end, and wake it wherever it waits. */
  kill(): void {
    Atomics.store(this.i32, AREA_KILL, 1);
    this.replyBell.force();
    this.jobBell.force();
  }

  get state(): number {
    return Atomics.load(this.i32, AREA_STATE);
  }

  set state(s: number) {
    Atomics.store(this.i32, AREA_STATE, s);
  }
}
