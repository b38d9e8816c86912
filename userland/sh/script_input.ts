// Commands read from a shell's stdin when it is not a terminal (a pipe, a
// file): a line at a time, never past it, so that a command the line runs
// reads the rest of the same stdin, as with Linux shells
// (`printf 'cat\nhello\n' | sh` prints hello). From a file the shell reads a
// block and seeks back to the end of the line; from a pipe, which cannot
// seek back, it reads a byte at a time.

import { Errno, ErrnoError, lseek, read, SEEK } from "../lib/mod.ts";

const decoder = new TextDecoder();

export class ScriptInput {
  readonly #buf = new Uint8Array(4096);
  #seekable: boolean | undefined;

  constructor(readonly fd = 0) {}

  /** The next line without its newline, or undefined at end of file. */
  next(): string | undefined {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const want = this.#canSeek() ? this.#buf.length : 1;
      const n = read(this.fd, this.#buf.subarray(0, want));
      if (n === 0) return total === 0 ? undefined : this.#text(parts, total);
      const chunk = this.#buf.subarray(0, n);
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        parts.push(chunk.slice());
        total += n;
        continue;
      }
      if (nl + 1 < n) lseek(this.fd, nl + 1 - n, SEEK.CUR); // only from a seekable fd
      parts.push(chunk.slice(0, nl));
      return this.#text(parts, total + nl);
    }
  }

  #canSeek(): boolean {
    if (this.#seekable === undefined) {
      try {
        lseek(this.fd, 0, SEEK.CUR);
        this.#seekable = true;
      } catch (err) {
        if (!(err instanceof ErrnoError) || err.errno !== Errno.ESPIPE) throw err;
        this.#seekable = false;
      }
    }
    return this.#seekable;
  }

  #text(parts: Uint8Array[], total: number): string {
    const all = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return decoder.decode(all);
  }
}
