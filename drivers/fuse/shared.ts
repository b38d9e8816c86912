// What the Workers of one session share, in one SharedArrayBuffer: the state
// of the connection, what INIT negotiated, counters, and the interrupts.
//
//   word 0  state    STARTING -> READY (INIT answered) or REFUSED (INIT failed)
//   word 1  minor    the protocol minor we speak (set before READY)
//   word 2  flags    INIT flags we answered (set before READY)
//   word 3  serving  session Workers still in their loop
//   word 4  requests handled, word 5 errors answered, word 6 handler bugs
//   word 7  next slot of the interrupt ring
//   byte 64 interrupt ring: the uniques of the last INTERRUPT_SLOTS requests
//           the kernel interrupted (u64 each)
//
// Only one Worker sees INIT, and the kernel sends no other request before
// INIT is answered: the Worker stores minor and flags, then READY, then
// writes the reply, so every Worker that reads a later request sees them.
// Request ids only grow, so a stale slot in the ring names no live request.

import { INTERRUPT_SLOTS } from "./params.ts";

/** Values of the state word. */
export const SessionStateValue = {
  STARTING: 0,
  READY: 1,
  REFUSED: 2,
} as const;

const STATE = 0;
const MINOR = 1;
const FLAGS = 2;
const SERVING = 3;
const REQUESTS = 4;
const ERRORS = 5;
const BUGS = 6;
const RING_NEXT = 7;
const RING_BYTE = 64;

/** The shared words of one session, as any of its threads sees them. */
export class SessionShared {
  readonly words: Int32Array;
  readonly #ring: BigUint64Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.words = new Int32Array(sab, 0, RING_BYTE / 4);
    this.#ring = new BigUint64Array(sab, RING_BYTE, INTERRUPT_SLOTS);
  }

  /** A zeroed buffer for a new session. */
  static create(): SessionShared {
    return new SessionShared(new SharedArrayBuffer(RING_BYTE + INTERRUPT_SLOTS * 8));
  }

  get state(): number {
    return Atomics.load(this.words, STATE);
  }

  get minor(): number {
    return Atomics.load(this.words, MINOR);
  }

  get flags(): number {
    return Atomics.load(this.words, FLAGS) >>> 0;
  }

  /** INIT is settled: publish what it negotiated (nothing if refused) and wake waiters. */
  settle(state: number, minor = 0, flags = 0): void {
    Atomics.store(this.words, MINOR, minor);
    Atomics.store(this.words, FLAGS, flags | 0);
    Atomics.store(this.words, STATE, state);
    Atomics.notify(this.words, STATE);
  }

  /** Resolves once INIT is settled, with the state word. */
  async settled(): Promise<number> {
    for (;;) {
      const now = Atomics.load(this.words, STATE);
      if (now !== SessionStateValue.STARTING) return now;
      const w = Atomics.waitAsync(this.words, STATE, now);
      if (w.async) await w.value;
    }
  }

  get serving(): number {
    return Atomics.load(this.words, SERVING);
  }

  enterLoop(): void {
    Atomics.add(this.words, SERVING, 1);
  }

  leaveLoop(): void {
    Atomics.sub(this.words, SERVING, 1);
  }

  countRequest(): void {
    Atomics.add(this.words, REQUESTS, 1);
  }

  countError(): void {
    Atomics.add(this.words, ERRORS, 1);
  }

  countBug(): void {
    Atomics.add(this.words, BUGS, 1);
  }

  /** Requests handled, errors answered, handler bugs. */
  counters(): { requests: number; errors: number; bugs: number } {
    return {
      requests: Atomics.load(this.words, REQUESTS),
      errors: Atomics.load(this.words, ERRORS),
      bugs: Atomics.load(this.words, BUGS),
    };
  }

  /** Remember that the kernel interrupted request `unique`. */
  interrupt(unique: bigint): void {
    const slot = (Atomics.add(this.words, RING_NEXT, 1) >>> 0) % INTERRUPT_SLOTS;
    Atomics.store(this.#ring, slot, unique);
  }

  /** The kernel has interrupted request `unique` (within the last INTERRUPT_SLOTS interrupts). */
  isInterrupted(unique: bigint): boolean {
    for (let i = 0; i < INTERRUPT_SLOTS; i++) {
      if (Atomics.load(this.#ring, i) === unique) return true;
    }
    return false;
  }
}
