// The console's input queue: bytes the kernel read from the host's stdin,
// waiting for the tty server's line discipline.
//
// Why the kernel reads stdin and not the tty server: a read of Deno.stdin
// pending in a Worker that dies is not cancelled, and would swallow the next
// keystrokes; the kernel's thread never dies, so there is exactly one reader
// for the whole session, and input survives a tty restart.
//
// The queue is a Ring in its own SharedArrayBuffer followed by two doorbells:
// one the kernel rings when it queued input, one the tty server rings the
// first time a program reads the console (the kernel starts reading the
// host's stdin only then, so a session that never reads leaves stdin alone).
// Record: length word, byte count (u32), the bytes; a count of 0 is end of file.

import { Bell } from "../../kernel/ipc/doorbell.ts";
import { Ring } from "../../kernel/ipc/ring.ts";

export const INPUT_RING_BYTES = 65536;
const BELL_AT = Ring.bytesFor(INPUT_RING_BYTES);
const WANT_BELL_AT = BELL_AT + 64;
export const INPUT_BYTES = WANT_BELL_AT + 64;

/** The queue as either side sees it. */
export class InputQueue {
  readonly ring: Ring;
  readonly bell: Bell;
  /** Rung by the tty server when input is first wanted; `seq` > 0 once it was. */
  readonly wantBell: Bell;

  constructor(readonly sab: SharedArrayBuffer) {
    this.ring = new Ring(sab, 0, INPUT_RING_BYTES);
    this.bell = new Bell(new Int32Array(sab), BELL_AT >> 2);
    this.wantBell = new Bell(new Int32Array(sab), WANT_BELL_AT >> 2);
  }

  /** tty server: ask the kernel to start reading the host's stdin. */
  want(): void {
    this.wantBell.force();
  }

  /** True once input was asked for. */
  get wanted(): boolean {
    return Atomics.load(this.wantBell.i32, this.wantBell.index) > 0;
  }

  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(INPUT_BYTES);
  }

  /** Kernel: queue `bytes` (empty = EOF); false if the queue is full. */
  put(bytes: Uint8Array): boolean {
    const size = (8 + bytes.length + 7) & ~7;
    const off = this.ring.reserve(size);
    if (off < 0) return false;
    this.ring.dv.setUint32(off + 4, bytes.length, true);
    this.ring.u8.set(bytes, off + 8);
    this.ring.publish(off, size);
    this.bell.ring();
    return true;
  }

  /**
   * tty server: the oldest queued chunk (`null` marks EOF), or undefined when
   * the queue is empty. It stays queued until done() (after the server saved
   * what it did with it).
   */
  peek(): Uint8Array | null | undefined {
    const off = this.ring.peek();
    if (off < 0) return undefined;
    const n = this.ring.dv.getUint32(off + 4, true);
    return n === 0 ? null : this.ring.u8.slice(off + 8, off + 8 + n);
  }

  /** tty server: drop the chunk peek() returned. */
  done(): void {
    const off = this.ring.peek();
    if (off < 0) return;
    this.ring.consume(off);
    this.ring.commit();
  }
}
