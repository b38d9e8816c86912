// Transfers bigger than one data region (768 KiB; 128 KiB in a signal
// handler), done as the one call a program made. A server moves at most one
// region per message, but Linux moves a regular file's bytes in full: a
// write(2) of 1 MiB writes 1 MiB. So the library repeats the call a region at
// a time, and stops as Linux's loop in the kernel would:
//   - at a short transfer (end of file, a pipe with less to give, a full disk);
//   - at an error after some bytes moved: the count so far is the answer, and
//     the error comes again at the next call, as Linux reports it.

import { ErrnoError } from "../../kernel/errno.ts";
import { dataRegion } from "./context.ts";

/**
 * Move `total` bytes by calls of `once(done, n)`, which moves up to `n`
 * bytes starting `done` bytes in and returns how many it moved. A total of 0
 * still makes one call (write(fd, "", 0) checks fd).
 */
export function chunked(total: number, once: (done: number, n: number) => number): number {
  const len = dataRegion().len;
  let done = 0;
  for (;;) {
    const n = Math.min(total - done, len);
    let got: number;
    try {
      got = once(done, n);
    } catch (err) {
      if (done > 0 && err instanceof ErrnoError) return done;
      throw err;
    }
    done += got;
    if (got < n || done >= total) return done;
  }
}
