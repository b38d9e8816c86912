// Our side of the fd table: where each fd's calls go (the server holding the
// open file, one hop) and how a call on an fd learns that its file was lost
// with a restarted server.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { PayloadReader } from "../../kernel/ipc/message.ts";
import { decodeRoutes } from "../../servers/vfs/mod.ts";
import { ctx, type FdRoute } from "./context.ts";
import { syscall } from "./syscall.ts";

/** The VFS's endpoint: it holds the authoritative fd table. */
export const VFS = 1;

/** The route of `fd`; EBADF if we have none. */
export function route(fd: number): FdRoute {
  const r = ctx().fds.get(fd);
  if (r === undefined) throw new ErrnoError(Errno.EBADF, `fd ${fd}`);
  return r;
}

/**
 * A call on an open file, straight to its server. EBADF after that server
 * (or the VFS that derived the fd's capability) restarted means the file
 * was lost: EIO, as the restart protocol promises (docs/ipc.md).
 */
export function fdcall(
  fd: number,
  nr: number,
  payload: Uint8Array | undefined,
  value: number,
  args: () => string,
) {
  const r = route(fd);
  try {
    return syscall(r.ep, nr, r.cap, payload, value, args);
  } catch (err) {
    if (err instanceof ErrnoError && err.errno === Errno.EBADF && lostWithServer(r)) {
      throw new ErrnoError(Errno.EIO, `fd ${fd}: its server restarted`);
    }
    throw err;
  }
}

/** The fd's server, or the VFS that derived its capability, restarted since we learned it. */
function lostWithServer(r: FdRoute): boolean {
  const area = ctx().area;
  return r.epoch !== area.channel(r.ep).epoch || r.vfsEpoch !== area.channel(VFS).epoch;
}

/** Record the fd routes a VFS reply carries (open, dup, pipe...). */
export function learn(payload: Uint8Array): void {
  const c = ctx();
  for (const r of decodeRoutes(new PayloadReader(payload))) {
    c.fds.set(r.fd, {
      ep: r.ep,
      cap: r.cap,
      epoch: c.area.channel(r.ep).epoch,
      vfsEpoch: c.area.channel(VFS).epoch,
    });
  }
}
