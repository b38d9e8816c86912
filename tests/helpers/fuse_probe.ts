// A FUSE handler for watching the session machinery: a fixed root holding
// three files whose handlers wait for each other or for an interrupt.
//
//   a     reading it waits until a read of b has begun: with one session
//         Worker that never happens, with two both reads finish
//   b     reading it says so, then answers at once
//   slow  opening it waits until the kernel interrupts the open (EINTR), or
//         until the test releases it (EIO)
//
// It keeps no state of its own (every session Worker has its own instance),
// only words in the SharedArrayBuffer passed as handler options, which the
// test watches too. Waits are bounded by GUARD_MS so that a broken session
// fails the test with EIO instead of hanging it.

import { bareAttr } from "../../drivers/fuse/vfs_attrs.ts";
import type { Attr, Entry, FuseHandler, Opened, ReaddirIn } from "../../drivers/fuse/mod.ts";
import { Errno, ErrnoError } from "../../kernel/errno.ts";

/** Words of the shared buffer. */
export const Probe = {
  READING_A: 5, // a read of a has begun
  READING_B: 0, // a read of b has begun
  SLOW_OPENS: 1, // opens of slow that began waiting
  SLOW_DONE: 2, // opens of slow that stopped waiting
  INTERRUPTS_SEEN: 3, // of those, the ones that stopped because of an interrupt
  SLEEP: 4, // never set: waiting on it is a plain sleep
  RELEASE: 6, // set by the test: waiting opens of slow give up (EIO)
  WORDS: 7,
} as const;

/** A wait this long means the session is broken: answer EIO rather than hang. */
const GUARD_MS = 60_000;
const FILES = ["a", "b", "slow"];
const CONTENT = new TextEncoder().encode("probe\n");

/** The factory a session Worker calls; options: { sab: SharedArrayBuffer }. */
export function createProbe(options: unknown): FuseHandler {
  const sab = (options as { sab?: unknown } | undefined)?.sab;
  if (!(sab instanceof SharedArrayBuffer)) throw new TypeError("probe: no shared buffer given");
  const words = new Int32Array(sab);
  return {
    lookup: (_ctx, req) => entry(FILES.indexOf(new TextDecoder().decode(req.name))),
    getattr: (_ctx, req) => attr(req.nodeid - 2),
    opendir: (): Opened => ({ fh: 0 }),
    readdir: (_ctx, req: ReaddirIn) => {
      for (let i = req.offset; i < FILES.length; i++) {
        if (!req.out.add(new TextEncoder().encode(FILES[i]), i + 2, 0o100444, i + 1)) return;
      }
    },
    releasedir: () => {},
    open: (ctx, req): Opened => {
      if (FILES[req.nodeid - 2] === "slow") {
        Atomics.add(words, Probe.SLOW_OPENS, 1);
        Atomics.notify(words, Probe.SLOW_OPENS);
        try {
          waitFor(() => ctx.interrupted() || Atomics.load(words, Probe.RELEASE) === 1);
          if (!ctx.interrupted()) throw new ErrnoError(Errno.EIO, "probe: released");
          Atomics.add(words, Probe.INTERRUPTS_SEEN, 1);
          throw new ErrnoError(Errno.EINTR);
        } finally {
          Atomics.add(words, Probe.SLOW_DONE, 1);
          Atomics.notify(words, Probe.SLOW_DONE);
        }
      }
      return { fh: req.nodeid };
    },
    read: (_ctx, req) => {
      const name = FILES[req.nodeid - 2];
      if (name === "b") {
        Atomics.store(words, Probe.READING_B, 1);
        Atomics.notify(words, Probe.READING_B);
      }
      if (name === "a") {
        Atomics.store(words, Probe.READING_A, 1);
        Atomics.notify(words, Probe.READING_A);
        waitFor(() => Atomics.load(words, Probe.READING_B) === 1);
      }
      return CONTENT.subarray(Math.min(req.offset, CONTENT.length), req.offset + req.size);
    },
    release: () => {},
  };

  // Poll in 10 ms steps: the condition may change in another thread without a notify.
  function waitFor(done: () => boolean): void {
    for (let waited = 0; !done(); waited += 10) {
      if (waited >= GUARD_MS) throw new ErrnoError(Errno.EIO, "probe: waited too long");
      Atomics.wait(words, Probe.SLEEP, 0, 10);
    }
  }
}

function entry(index: number): Entry {
  if (index < 0) throw new ErrnoError(Errno.ENOENT);
  return { nodeid: index + 2, generation: 0, attr: attr(index) };
}

function attr(index: number): Attr {
  const dir = index < 0;
  return {
    ...bareAttr(index + 2, dir ? 0o040755 : 0o100444),
    sizeBytes: dir ? 0 : CONTENT.length,
    nlink: dir ? 2 : 1,
    blksize: 4096,
  };
}
