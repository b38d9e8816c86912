// Buffered standard I/O, as stdio does it: stdout is flushed when its
// buffer fills, at exit, and at each newline when it is a terminal; stderr is
// unbuffered. Input helpers read a whole fd or one line at a time.

import { ErrnoError } from "../../kernel/errno.ts";
import { ctx } from "./context.ts";
import { isatty, read, writeAll } from "./io.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BUFFER_BYTES = 64 * 1024;

/** A buffered output stream on an fd. */
export class Output {
  #parts: Uint8Array[] = [];
  #size = 0;
  #lineBuffered: boolean | undefined;

  constructor(readonly fd: number, readonly unbuffered = false) {}

  write(data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    if (this.unbuffered) {
      writeAll(this.fd, bytes);
      return;
    }
    this.#parts.push(bytes);
    this.#size += bytes.length;
    this.#lineBuffered ??= isatty(this.fd);
    if (this.#size >= BUFFER_BYTES || (this.#lineBuffered && bytes.includes(10))) this.flush();
  }

  /** Write `text` and a newline. */
  line(text = ""): void {
    this.write(text + "\n");
  }

  flush(): void {
    if (this.#size === 0) return;
    const all = new Uint8Array(this.#size);
    let at = 0;
    for (const p of this.#parts) {
      all.set(p, at);
      at += p.length;
    }
    this.#parts = [];
    this.#size = 0;
    writeAll(this.fd, all);
  }
}

let out: Output | undefined;
let err: Output | undefined;

/** Runtime only: forget the streams of the previous program in this Worker. */
export function resetStdio(): void {
  out = undefined;
  err = undefined;
}

/** Standard output (buffered). */
export function stdout(): Output {
  if (out === undefined) {
    out = new Output(1);
    ctx().atExit.push(() => out?.flush());
  }
  return out;
}

/** Standard error (unbuffered). */
export function stderr(): Output {
  err ??= new Output(2, true);
  return err;
}

/** print(): text and a newline on stdout. */
export function print(text = ""): void {
  stdout().line(text);
}

/** Print to stderr. */
export function eprint(text = ""): void {
  stdout().flush();
  stderr().line(text);
}

/** Read `fd` to end of file. */
export function readAllBytes(fd = 0): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = read(fd, buf);
    if (n === 0) break;
    chunks.push(buf.slice(0, n));
    total += n;
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

export function readAllText(fd = 0): string {
  return decoder.decode(readAllBytes(fd));
}

/** Reads lines from an fd, buffering what is past the line. */
export class LineReader {
  #pending = new Uint8Array(0);
  #eof = false;
  readonly #buf = new Uint8Array(65536);

  constructor(readonly fd = 0) {}

  /** The next line without its newline, or undefined at end of file. */
  next(): string | undefined {
    for (;;) {
      const nl = this.#pending.indexOf(10);
      if (nl >= 0) {
        const line = decoder.decode(this.#pending.subarray(0, nl));
        this.#pending = this.#pending.slice(nl + 1);
        return line;
      }
      if (this.#eof) {
        if (this.#pending.length === 0) return undefined;
        const line = decoder.decode(this.#pending);
        this.#pending = new Uint8Array(0);
        return line;
      }
      const n = read(this.fd, this.#buf);
      if (n === 0) {
        this.#eof = true;
        continue;
      }
      const next = new Uint8Array(this.#pending.length + n);
      next.set(this.#pending);
      next.set(this.#buf.subarray(0, n), this.#pending.length);
      this.#pending = next;
    }
  }
}

export { ErrnoError };
