// The host console: the kernel's side of the tty server's input.
//
// The kernel reads the host's stdin (one reader for the whole session, so
// nothing is lost when the tty server restarts) into the tty's input queue,
// and owns the terminal's raw mode: set at boot, restored at shutdown even if
// the tty server died meanwhile.

import { InputQueue } from "../servers/tty/input.ts";

export class HostConsole {
  readonly queue = new InputQueue(InputQueue.createBuffer());
  readonly isTerminal = Deno.stdin.isTerminal();
  #raw = false;
  #stopped = false;

  /**
   * Take the terminal now (raw mode: from here on the tty server's line
   * discipline, not the host's, echoes and edits), and start reading once
   * the tty server first wants input.
   */
  watch(): void {
    if (this.isTerminal) {
      Deno.stdin.setRaw(true);
      this.#raw = true;
    }
    const p = this.queue.wantBell.arm(() => this.queue.wanted);
    if (p === null) void this.#read();
    else p.then(() => this.#stopped || void this.#read());
  }

  async #read(): Promise<void> {
    const buf = new Uint8Array(4096);
    while (!this.#stopped) {
      const n = await Deno.stdin.read(buf);
      const chunk = n === null ? new Uint8Array(0) : buf.slice(0, n);
      while (!this.queue.put(chunk) && !this.#stopped) {
        await new Promise((r) => setTimeout(r, 10)); // the queue is full: the user typed ahead
      }
      if (n === null) return;
    }
  }

  /** Give the terminal back as we found it. */
  stop(): void {
    this.#stopped = true;
    this.queue.wantBell.force();
    if (this.#raw) {
      Deno.stdin.setRaw(false);
      this.#raw = false;
    }
  }
}
