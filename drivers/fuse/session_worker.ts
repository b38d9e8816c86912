// A session Worker: the serve loop of one thread of a FUSE mount.
//
// A handler's Worker entry is two lines: import its factory and call
// runFuseWorker(factory). After the one start-up message the thread never
// returns to its event loop: it blocks in read(2) on /dev/fuse, dispatches
// the request, writes the reply with one write(2), and reads again. Timers
// and messages sent to it are never delivered; it can still post messages
// (logs, "ended"). The loop ends when read fails with ENODEV (the mount is
// gone, or the connection was aborted), and the Worker then closes itself:
// terminate() cannot interrupt a blocked read (MEASURED.md), so unmount or
// abort is the only way to stop it.

import { dispatch, type Served } from "./dispatch.ts";
import { DirPacker } from "./dirent.ts";
import { ReplyWriter, type Timeouts } from "./codec.ts";
import type { HandlerFactory } from "./handler.ts";
import { alignedBuffer, libc } from "./libc.ts";
import { READ_BUFFER_BYTES, REPLY_BUFFER_BYTES } from "./params.ts";
import { SessionShared } from "./shared.ts";
import { workerScope } from "../../kernel/ipc/worker_scope.ts";
import { Errno } from "../../kernel/errno.ts";

/** The start-up message from the session. */
export interface WorkerInit {
  type: "init";
  /** The /dev/fuse fd (fds are per process: the session's fd is ours too). */
  fd: number;
  shared: SharedArrayBuffer;
  timeouts: Timeouts;
  handlerOptions: unknown;
}

/** Messages a session Worker posts. */
export type WorkerEvent =
  | { type: "log"; text: string }
  /** Left the loop: read failed with `errno` (ENODEV: unmounted or aborted). */
  | { type: "ended"; errno: number }
  /** An error escaped the loop (a bug): the Worker is gone. */
  | { type: "crashed"; text: string };

const ECONNABORTED = 103;

/** Run this Worker as a session Worker whose handler `factory` makes. */
export function runFuseWorker(factory: HandlerFactory): void {
  const post = (event: WorkerEvent) => workerScope.postMessage(event);
  const die = (what: unknown) => {
    post({
      type: "crashed",
      text: what instanceof Error ? (what.stack ?? what.message) : String(what),
    });
    workerScope.close();
  };
  addEventListener("error", (e) => {
    e.preventDefault();
    die((e as ErrorEvent).error ?? (e as ErrorEvent).message);
  });
  addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    die(e.reason);
  });
  workerScope.onmessage = async (e: MessageEvent) => {
    workerScope.onmessage = null;
    const init = e.data as WorkerInit;
    const handler = await factory(init.handlerOptions);
    const served: Served = {
      handler,
      out: new ReplyWriter(alignedBuffer(REPLY_BUFFER_BYTES), init.timeouts),
      dir: new DirPacker(init.timeouts),
      shared: new SessionShared(init.shared),
      log: (text) => post({ type: "log", text }),
    };
    const errno = serve(init.fd, served);
    post({ type: "ended", errno });
    workerScope.close();
  };
}

/** Serve requests until the connection is gone; returns the errno that ended it. */
export function serve(fd: number, s: Served): number {
  const c = libc();
  const buf = alignedBuffer(READ_BUFFER_BYTES);
  s.shared.enterLoop();
  try {
    for (;;) {
      const n = c.read(fd, buf);
      if (n < 0) {
        const errno = -n;
        if (errno === Errno.EINTR || errno === Errno.EAGAIN) continue; // a signal; try again
        if (errno !== Errno.ENODEV && errno !== ECONNABORTED) {
          s.log(`fuse: read from /dev/fuse failed: errno ${errno}`);
        }
        return errno;
      }
      const len = dispatch(buf.subarray(0, n), s);
      if (len > 0) reply(fd, s, len);
    }
  } finally {
    s.shared.leaveLoop();
  }
}

/** Write one reply. ENOENT: the request was interrupted or aborted meanwhile, nobody waits. */
function reply(fd: number, s: Served, len: number): void {
  const n = libc().write(fd, s.out.bytes.subarray(0, len));
  if (n >= 0 || n === -Errno.ENOENT || n === -Errno.ENODEV) return;
  // EINVAL: the kernel rejected the reply's shape, a bug of ours.
  s.shared.countBug();
  s.log(`fuse: reply of ${len} bytes refused: errno ${-n}`);
}
