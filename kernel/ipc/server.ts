// The serving side of an endpoint: watch every client's request ring, check
// each request's capability, dispatch it, and write the reply.
//
// The loop, on the Worker's event loop (servers never block their thread):
//   1. drain every channel with a published request: decode, consume, check,
//      dispatch; a handler may answer at once or later (a Promise);
//   2. ring each client's reply bell once for the whole batch;
//   3. if a spinner slot is free and we wait on no other server, poll the
//      channels for SERVER_SPIN_US;
//   4. park: arm Atomics.waitAsync on every channel's request bell.
// What must stay true: every request gets exactly one reply (a result or an
// errno), in any order; a reply that does not fit the client's full reply
// ring waits in a queue, and while that queue is long we stop reading that
// client's requests; bad input never throws out of the loop.

import { setImmediate } from "node:timers";
import { Errno, ErrnoError } from "../errno.ts";
import type { CapTable } from "../cap/table.ts";
import type { SysMem } from "../sysmem.ts";
import { type Area, type Channel } from "./channel.ts";
import { nowUs, type SpinSlots } from "./doorbell.ts";
import {
  HDR_CAP_GEN,
  HDR_CAP_SLOT,
  HDR_FLAGS,
  HDR_ID,
  HDR_OP,
  HDR_PLEN,
  HDR_TRACE,
  HDR_VALUE,
  HEADER_BYTES,
  MAX_INLINE,
  MsgFlag,
  PayloadReader,
  writeHeader,
} from "./message.ts";
import { MAX_PENDING_REPLIES, SERVER_SPIN_US, SLOT_HANDOFF_US, YIELD_AFTER_MS } from "./params.ts";
import { align8 } from "./ring.ts";
import { CopySlab } from "./copy_slab.ts";
import { EventKind, traceClockUs, type TraceWriter } from "../trace/events.ts";

/** A decoded request, as a handler sees it. */
export interface Request {
  readonly op: number;
  readonly id: number;
  /** Sender, from the kernel's area-owner table (never from the message). */
  readonly pid: number;
  readonly area: Area;
  /** What the presented capability designates. */
  readonly object: number;
  readonly capSlot: number;
  readonly capGen: number;
  readonly value: number;
  readonly args: PayloadReader;
  readonly traceId: number;
  readonly traced: boolean;
}

/** A handler's answer: a number, or a number with reply payload bytes. */
export interface Result {
  value: number;
  payload?: Uint8Array;
}
export type Answer = number | Result;
export type Handler = (req: Request) => Answer | Promise<Answer>;

/** A dispatch-table entry: the rights the capability needs, and the handler. */
export interface Route {
  need: number;
  fn: Handler;
  /**
   * The errno when an open file's capability lacks `need` (the fd was not
   * opened for this): EBADF unless given, as Linux answers a read of an
   * O_WRONLY fd (ftruncate of an O_RDONLY one says EINVAL).
   */
  denied?: number;
}

/** Right bits that concern an object (an open file) rather than an endpoint. */
const OBJECT_RIGHTS = 0xff;

/** Something that can log a line to the kernel log. */
export type Logger = (text: string) => void;

interface Watched {
  ch: Channel;
  armed: boolean;
  pending: Array<{ id: number; op: number; errno: number; value: number; payload?: Uint8Array }>;
  spaceArmed: boolean;
  // Epoch the channel had when we attached; a reset starts a new consumer.
  epoch: number;
}

export interface ServerOptions {
  endpoint: number;
  caps: CapTable;
  sys: SysMem;
  spin: SpinSlots;
  routes: Map<number, Route>;
  log: Logger;
  trace?: TraceWriter;
  /** True while this server waits on another server (then it must not spin). */
  waitingDownstream?: () => boolean;
  /**
   * A handler failed with a bug, not an errno (the caller got EIO). Default:
   * rethrow, so the Worker dies and the supervisor restarts it. The kernel,
   * which nobody restarts, logs instead.
   */
  onPanic?: (err: unknown) => void;
}

/** Counters `service` shows. */
export interface ServerStats {
  requests: number;
  replies: number;
  errors: number;
  rejected: number;
}

/** Serves one endpoint for every attached area. */
export class Server {
  readonly stats: ServerStats = { requests: 0, replies: 0, errors: 0, rejected: 0 };
  readonly #opts: ServerOptions;
  readonly #watched = new Map<number, Watched>();
  readonly #bells = new Set<Area>();
  #running = false;
  #again = false;
  #stopped = false;

  constructor(opts: ServerOptions) {
    this.#opts = opts;
  }

  /** Start serving the channel of `area` for our endpoint. */
  attach(area: Area): void {
    // An area id is reused only after a detach; a new buffer replaces the old.
    if (this.#watched.get(area.id)?.ch.area.sab === area.sab) return;
    const ch = area.channel(this.#opts.endpoint);
    ch.requests.resync();
    this.#watched.set(area.id, {
      ch,
      armed: false,
      pending: [],
      spaceArmed: false,
      epoch: ch.epoch,
    });
    this.kick();
  }

  /** Stop serving an area (its process is gone). */
  detach(areaId: number): void {
    this.#watched.delete(areaId);
  }

  /** Stop for good (the Worker is retiring). */
  stop(): void {
    this.#stopped = true;
  }

  get channels(): number {
    return this.#watched.size;
  }

  readonly #slab = new CopySlab();

  /** Handlers that answered with a Promise not yet settled. */
  #inFlight = 0;

  /** Run the loop soon (after an attach, a wake-up, or a freed reply ring). */
  kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    queueMicrotask(() => this.#run());
  }

  #run(): void {
    const started = performance.now();
    try {
      for (let round = 1;; round++) {
        this.#again = false;
        if (this.#stopped) return;
        if ((round & 63) === 0 && performance.now() - started > YIELD_AFTER_MS) {
          // Let timers and control messages (heartbeat, restarts) run too.
          // setImmediate, not setTimeout(0): Deno clamps the latter to ~1-2 ms
          // (measured), which cost a busy server a fifth of its time.
          setImmediate(() => this.kick());
          return;
        }
        const n = this.#drainAll();
        this.#ringBells();
        if (n > 0 || this.#again) {
          this.#settlingSince = 0;
          continue;
        }
        if (this.#spin()) continue;
        if (this.#letHandlersSettle()) return;
        if (this.#armAll()) continue;
        return;
      }
    } finally {
      this.#running = false;
    }
  }

  #drainAll(): number {
    let n = 0;
    for (const w of this.#watched.values()) {
      if (w.pending.length > 0) this.#flushPending(w);
      if (w.pending.length >= MAX_PENDING_REPLIES) continue;
      n += this.#drain(w);
    }
    return n;
  }

  #drain(w: Watched): number {
    const ring = w.ch.requests;
    let n = 0;
    for (let off = ring.peek(); off >= 0; off = ring.peek()) {
      this.#accept(w, off);
      ring.consume(off);
      n++;
      if (w.pending.length >= MAX_PENDING_REPLIES) break;
    }
    if (n > 0) ring.commit();
    return n;
  }

  /** Decode, check and dispatch one request (the record is still in the ring). */
  #accept(w: Watched, off: number): void {
    const ring = w.ch.requests;
    const dv = ring.dv;
    const len = ring.recordBytes(off);
    const id = dv.getUint32(off + HDR_ID, true);
    const op = dv.getUint16(off + HDR_OP, true);
    const flags = dv.getUint16(off + HDR_FLAGS, true);
    const traceId = dv.getUint32(off + HDR_TRACE, true);
    const plen = dv.getUint32(off + HDR_PLEN, true);
    const t0 = this.#tracing(flags) ? traceClockUs() : 0;
    this.stats.requests++;
    if (len < HEADER_BYTES || plen > len - HEADER_BYTES) {
      this.#finish(w, { id, op, flags, traceId, t0, capSlot: 0, size: 0 }, Errno.EBADMSG, -1);
      this.#opts.log(`malformed message from area ${w.ch.area.id}: len ${len}, plen ${plen}`);
      return;
    }
    const capSlot = dv.getUint32(off + HDR_CAP_SLOT, true);
    const capGen = dv.getUint32(off + HDR_CAP_GEN, true);
    const meta = { id, op, flags, traceId, t0, capSlot, size: plen };
    const route = this.#opts.routes.get(op);
    if (route === undefined) {
      this.#finish(w, meta, Errno.ENOSYS, -1);
      return;
    }
    const pid = this.#opts.sys.owner(w.ch.area.id);
    let object: number;
    try {
      object = this.#opts.caps.check(capSlot, capGen, this.#opts.endpoint, pid, route.need);
    } catch (err) {
      let errno = err instanceof ErrnoError ? err.errno : Errno.EBADF;
      if (errno === Errno.EPERM && (route.need & OBJECT_RIGHTS) !== 0) {
        errno = route.denied ?? Errno.EBADF;
      }
      this.stats.rejected++;
      this.#opts.log(`rejected op ${op} from pid ${pid}: ${(err as Error).message}`);
      this.#finish(w, meta, errno, -1);
      return;
    }
    const req: Request = {
      op,
      id,
      pid,
      area: w.ch.area,
      object,
      capSlot,
      capGen,
      value: dv.getFloat64(off + HDR_VALUE, true),
      args: this.#args(ring.u8, off + HEADER_BYTES, plen),
      traceId,
      traced: (flags & MsgFlag.TRACED) !== 0,
    };
    let answer: Answer | Promise<Answer>;
    try {
      answer = route.fn(req);
    } catch (err) {
      this.#fail(w, meta, err);
      return;
    }
    if (answer instanceof Promise) {
      this.#inFlight++;
      answer.then(
        (a) => {
          this.#inFlight--;
          this.#answer(w, meta, a);
          this.#ringBells();
        },
        (err) => {
          this.#inFlight--;
          this.#fail(w, meta, err);
          this.#ringBells();
        },
      );
    } else {
      this.#answer(w, meta, answer);
    }
  }

  /** The arguments, copied out of the ring (the record is consumed next). */
  #args(u8: Uint8Array, from: number, n: number): PayloadReader {
    const c = this.#slab.copy(u8, from, from + n);
    return new PayloadReader(c.bytes, c.dv);
  }

  #answer(w: Watched, meta: ReplyMeta, a: Answer): void {
    if (typeof a === "number") this.#finish(w, meta, 0, a);
    else if (a.payload !== undefined && a.payload.length > MAX_INLINE) {
      this.#fail(
        w,
        meta,
        new Error(`op ${meta.op}: reply payload ${a.payload.length} > ${MAX_INLINE}`),
      );
    } else this.#finish(w, meta, 0, a.value, a.payload);
  }

  #fail(w: Watched, meta: ReplyMeta, err: unknown): void {
    if (err instanceof ErrnoError) {
      this.#finish(w, meta, err.errno, -1);
      return;
    }
    // A bug, not bad input: answer EIO, then panic (a server Worker crashes
    // and is restarted; the kernel logs).
    this.#finish(w, meta, Errno.EIO, -1);
    this.#ringBells();
    const panic = this.#opts.onPanic ?? ((e: unknown) => {
      throw e;
    });
    queueMicrotask(() => panic(err));
  }

  #finish(
    w: Watched,
    meta: ReplyMeta,
    errno: number,
    value: number,
    payload?: Uint8Array,
  ): void {
    if (errno !== 0) this.stats.errors++;
    if (meta.t0 !== 0) this.#traceServe(w, meta, errno, value, payload?.length ?? 0);
    if (!this.#watched.has(w.ch.area.id) || w.ch.epoch !== w.epoch) return; // client gone or reset
    const reply = { id: meta.id, op: meta.op, errno, value, payload };
    if (w.pending.length > 0 || !this.#writeReply(w.ch, reply)) {
      w.pending.push(reply);
      this.#armSpace(w);
    }
    this.#bells.add(w.ch.area);
  }

  #writeReply(
    ch: Channel,
    r: { id: number; op: number; errno: number; value: number; payload?: Uint8Array },
  ): boolean {
    const plen = r.payload?.length ?? 0;
    const bytes = align8(HEADER_BYTES + plen);
    const off = ch.replies.reserve(bytes);
    if (off < 0) return false;
    writeHeader(ch.replies.dv, off, {
      id: r.id,
      op: r.op,
      flags: MsgFlag.REPLY,
      errno: r.errno,
      capSlot: 0,
      capGen: 0,
      value: r.value,
      trace: 0,
      plen,
    });
    if (r.payload !== undefined) ch.replies.u8.set(r.payload, off + HEADER_BYTES);
    ch.replies.publish(off, bytes);
    this.stats.replies++;
    return true;
  }

  #flushPending(w: Watched): void {
    while (w.pending.length > 0 && this.#writeReply(w.ch, w.pending[0])) {
      w.pending.shift();
      this.#bells.add(w.ch.area);
    }
  }

  #armSpace(w: Watched): void {
    if (w.spaceArmed) return;
    const bell = w.ch.replies.spaceBell;
    const p = bell.arm(() => false);
    if (p === null) {
      this.kick();
      return;
    }
    w.spaceArmed = true;
    p.then(() => {
      w.spaceArmed = false;
      bell.settle();
      this.kick();
    });
  }

  #ringBells(): void {
    for (const area of this.#bells) area.replyBell.ring();
    this.#bells.clear();
  }

  /** When the current wait for in-flight handlers began (µs), 0 if none. */
  #settlingSince = 0;

  /**
   * Handlers in flight that wait only on microtasks (a cache hit in an async
   * path) finish once this loop returns. Rather than park and pay a wake-up
   * for the next request, come back right after them, for at most
   * SERVER_SPIN_US: then carry on polling. Not while waiting on another
   * server: its reply comes through the event loop, which this would starve.
   */
  #letHandlersSettle(): boolean {
    if (this.#inFlight === 0 || this.#opts.waitingDownstream?.() === true) {
      this.#settlingSince = 0;
      return false;
    }
    const now = nowUs();
    if (this.#settlingSince === 0) this.#settlingSince = now;
    else if (now - this.#settlingSince > SERVER_SPIN_US) {
      this.#settlingSince = 0;
      return false;
    }
    queueMicrotask(() => this.kick());
    return true;
  }

  /**
   * Poll for new requests while a spinner slot is ours. True if one came.
   * Not while a handler is in flight: its continuations are microtasks,
   * which run only once this loop returns, so spinning would delay them.
   */
  #spin(): boolean {
    if (this.#inFlight > 0 || this.#opts.waitingDownstream?.() === true) return false;
    if (!this.#takeSlot()) return false;
    try {
      const until = nowUs() + SERVER_SPIN_US;
      for (let i = 1;; i++) {
        for (const w of this.#watched.values()) {
          if (w.pending.length < MAX_PENDING_REPLIES && w.ch.requests.hasRecord()) return true;
        }
        if ((i & 31) === 0 && nowUs() > until) return false;
      }
    } finally {
      this.#opts.spin.give();
    }
  }

  /**
   * Take a spinner slot, waiting a moment for one: right after we reply, the
   * slot is usually held by the very client we answered, which gives it back
   * as soon as it sees the reply (well under a microsecond).
   */
  #takeSlot(): boolean {
    const spin = this.#opts.spin;
    if (spin.take()) return true;
    const until = nowUs() + SLOT_HANDOFF_US;
    for (let i = 1;; i++) {
      if (spin.take()) return true;
      if ((i & 15) === 0 && nowUs() > until) return false;
    }
  }

  /** Park every channel's bell. True if one turned out to have work already. */
  #armAll(): boolean {
    let ready = false;
    for (const w of this.#watched.values()) {
      if (w.armed) {
        if (w.ch.requests.hasRecord()) ready = true;
        continue;
      }
      const bell = w.ch.requestBell;
      const p = bell.arm(() => w.ch.requests.hasRecord());
      if (p === null) {
        ready = true;
        continue;
      }
      w.armed = true;
      p.then(() => {
        w.armed = false;
        bell.settle();
        if (this.#watched.get(w.ch.area.id) === w) this.kick();
      });
    }
    return ready;
  }

  #tracing(flags: number): boolean {
    return this.#opts.trace !== undefined &&
      ((flags & MsgFlag.TRACED) !== 0 || this.#opts.sys.traceAll);
  }

  #traceServe(w: Watched, meta: ReplyMeta, errno: number, value: number, outBytes: number): void {
    const now = traceClockUs();
    this.#opts.trace?.record({
      kind: EventKind.SERVE,
      ts: meta.t0,
      dur: now - meta.t0,
      pid: this.#opts.sys.owner(w.ch.area.id),
      op: meta.op,
      peer: 0,
      area: w.ch.area.id,
      reqId: meta.id,
      traceId: meta.traceId,
      errno,
      size: meta.size + outBytes,
      capSlot: meta.capSlot,
      value,
    });
  }
}

interface ReplyMeta {
  id: number;
  op: number;
  flags: number;
  traceId: number;
  t0: number;
  capSlot: number;
  size: number;
}

/**
 * The caller's buffer of `len` bytes whose data-area offset is the next
 * payload field. The offset is an address in the caller's memory: any
 * number that is not one inside the area is EFAULT, as Linux says of a bad
 * pointer (a missing field is still EBADMSG).
 */
export function callerBuffer(req: Request, len: number): Uint8Array {
  return callerData(req, req.args.num(), len);
}

/** Bounds-checked view of `len` bytes at `off` of the caller's data area (EFAULT). */
export function callerData(req: Request, off: number, len: number): Uint8Array {
  const data = req.area.data;
  if (
    !Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 ||
    off + len > data.length
  ) {
    throw new ErrnoError(Errno.EFAULT, `data area [${off}, +${len})`);
  }
  return data.subarray(off, off + len);
}
