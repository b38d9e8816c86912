// Doorbells: how a waiter sleeps until a ring has something for it.
//
// A bell is two words on their own cache line: `seq`, the futex word, and
// `waiting`, set by a consumer about to park. The protocol is an eventcount:
//   consumer: waiting = 1; s = seq; if (work visible) {waiting = 0; go}
//             else wait(seq, s);
//   producer: publish the record; if (waiting) {seq++; notify(seq)}.
// Atomics are sequentially consistent, so either the consumer sees the record
// on its re-check or the producer sees `waiting` and bumps `seq`, which makes
// the consumer's wait return at once. No wake-up is lost.
//
// Spinning is rationed (../shared/MEASURED.md): a waiter spins only while it
// holds one of the machine's spinner slots, so that spinners never outnumber
// cores; a server waiting on another server never spins.

/** A doorbell: words `seq` and `waiting` at `index` and `index + 1` of `i32`. */
export class Bell {
  constructor(readonly i32: Int32Array, readonly index: number) {}

  /** Producer side: wake the consumer if it is parked (or about to park). */
  ring(): boolean {
    if (Atomics.load(this.i32, this.index + 1) === 0) return false;
    Atomics.add(this.i32, this.index, 1);
    Atomics.notify(this.i32, this.index);
    return true;
  }

  /** Wake whoever waits, whatever `waiting` says (signals, shutdown, resets). */
  force(): void {
    Atomics.add(this.i32, this.index, 1);
    Atomics.notify(this.i32, this.index);
  }

  /**
   * Consumer side, blocking: park until rung, unless `ready()` turns true
   * after we announced ourselves. Returns false on timeout.
   */
  park(ready: () => boolean, timeoutMs: number): boolean {
    Atomics.store(this.i32, this.index + 1, 1);
    const seq = Atomics.load(this.i32, this.index);
    if (ready()) {
      Atomics.store(this.i32, this.index + 1, 0);
      return true;
    }
    const result = Atomics.wait(this.i32, this.index, seq, timeoutMs);
    Atomics.store(this.i32, this.index + 1, 0);
    return result !== "timed-out";
  }

  /**
   * Consumer side, for event-loop code: resolves when rung. Returns null when
   * `ready()` is already true after announcing, so the caller goes on at once.
   * The `waiting` word stays set until `settle()`.
   */
  arm(ready: () => boolean): Promise<unknown> | null {
    Atomics.store(this.i32, this.index + 1, 1);
    const seq = Atomics.load(this.i32, this.index);
    if (ready()) {
      Atomics.store(this.i32, this.index + 1, 0);
      return null;
    }
    const result = Atomics.waitAsync(this.i32, this.index, seq);
    return result.async ? result.value : null;
  }

  /** The consumer is awake again: producers need not ring. */
  settle(): void {
    Atomics.store(this.i32, this.index + 1, 0);
  }
}

/**
 * Spinner slots shared by every Worker: a counter of how many more threads may
 * spin right now. Word 0 of `i32` holds it.
 */
export class SpinSlots {
  constructor(readonly i32: Int32Array, readonly index = 0) {}

  /** Set the number of slots (the kernel does this once, at boot). */
  init(slots: number): void {
    Atomics.store(this.i32, this.index, slots);
  }

  /** Take a slot if one is free. */
  take(): boolean {
    if (Atomics.load(this.i32, this.index) <= 0) return false;
    if (Atomics.sub(this.i32, this.index, 1) > 0) return true;
    Atomics.add(this.i32, this.index, 1);
    return false;
  }

  /** Give a slot back. */
  give(): void {
    Atomics.add(this.i32, this.index, 1);
  }
}

/** Clock in µs for spin budgets; performance.now() costs ~200 ns, so call it rarely. */
export function nowUs(): number {
  return performance.now() * 1000;
}
