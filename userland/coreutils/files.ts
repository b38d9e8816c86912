// Whole-file and stream helpers on top of the library's fd calls, and errno tests.

import { close, Errno, ErrnoError, O, open, read, stdout, warn } from "../lib/mod.ts";
import { quoteAlways } from "./quote.ts";

const decoder = new TextDecoder();

/** True if `err` is an ErrnoError with errno `e`. */
export function isErrno(err: unknown, e: number): boolean {
  return err instanceof ErrnoError && err.errno === e;
}

/** The errno of `err` (EIO for anything that is not an ErrnoError). */
export function errnoOf(err: unknown): number {
  return err instanceof ErrnoError ? err.errno : Errno.EIO;
}

/** Read all of `fd`, or its first `max` bytes. */
export function readFd(fd: number, max = Infinity): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const buf = new Uint8Array(65536);
  while (total < max) {
    const n = read(fd, buf.subarray(0, Math.min(buf.length, max - total)));
    if (n === 0) break;
    chunks.push(buf.slice(0, n));
    total += n;
  }
  return concat(chunks, total);
}

/** Read the whole file at `path` (throws ErrnoError). */
export function readFile(path: string): Uint8Array {
  const fd = open(path, O.RDONLY | O.CLOEXEC);
  try {
    return readFd(fd);
  } finally {
    close(fd);
  }
}

/** Read the file at `path` as UTF-8 text, or undefined if it cannot be read. */
export function tryReadText(path: string): string | undefined {
  try {
    return decoder.decode(readFile(path));
  } catch {
    return undefined;
  }
}

/** Call `fn` with each chunk read from `fd` until end of file. */
export function eachChunk(fd: number, fn: (chunk: Uint8Array) => void): void {
  const buf = new Uint8Array(65536);
  for (;;) {
    const n = read(fd, buf);
    if (n === 0) return;
    fn(buf.subarray(0, n));
  }
}

export function concat(chunks: Uint8Array[], total?: number): Uint8Array {
  const out = new Uint8Array(total ?? chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Open an input operand: "-" is standard input (fd 0, not to be closed). */
export function openInput(name: string): number {
  return name === "-" ? 0 : open(name, O.RDONLY);
}

/** Close an fd openInput() gave, unless it is standard input. */
export function closeInput(fd: number): void {
  if (fd !== 0) {
    try {
      close(fd);
    } catch {
      // nothing to do about a failed close of an input
    }
  }
}

/**
 * head's and tail's walk over their operands: each opened ("-" is standard
 * input), after a "==> NAME <==" header when `headers`, then given to `use`,
 * which returns true to keep the fd open (tail -f). Failures are reported as
 * GNU reports them. Returns the exit status.
 */
export function eachInput(
  files: string[],
  headers: boolean,
  use: (fd: number, name: string) => boolean | void,
): number {
  const out = stdout();
  let status = 0;
  let first = true;
  for (const name of files) {
    let fd: number;
    try {
      fd = openInput(name);
    } catch (err) {
      warn(`cannot open ${quoteAlways(name)} for reading`, err);
      status = 1;
      continue;
    }
    if (headers) {
      out.write(`${first ? "" : "\n"}==> ${name === "-" ? "standard input" : name} <==\n`);
    }
    first = false;
    let keep = false;
    try {
      keep = use(fd, name) === true;
    } catch (err) {
      warn(`error reading ${quoteAlways(name)}`, err);
      status = 1;
    }
    if (!keep) closeInput(fd);
  }
  return status;
}
