// Assembling the mfs_ram server: recover the state, build the dispatch
// table, and tell the runtime which capabilities to keep.
//
// The dispatch table is the protocol on one screen: FsOp requests from the
// VFS (ops.ts, xattr_ops.ts; Right.SYSTEM), open-file requests from programs
// and the VFS (fd_ops.ts; the right each names), and two diagnostics
// (MfsRamOp).
//
// Every handler runs behind a guard: once a handler has failed with a bug
// (not an errno), the model may be half-changed, so every later request is
// refused with EIO until the Worker has died (the server loop ends it right
// after it answers the failing request with EIO); the successor rebuilds
// from the journal, which never saw the half-made change.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import type { Answer, Handler, Request, Route } from "../../kernel/ipc/server.ts";
import type { ServerEnv, ServerParts } from "../../kernel/ipc/server_runtime.ts";
import { MAX_INLINE } from "../../kernel/ipc/message.ts";
import type { Mfs } from "./context.ts";
import { fdRoutes } from "./fd_ops.ts";
import { fsck } from "./fsck.ts";
import { STATE_BYTES } from "./layout.ts";
import { MfsRamOp } from "./mod.ts";
import { fsHandlers } from "./ops.ts";
import { recover } from "./recovery.ts";

/** Build the mfs_ram server. */
export function createMfsRam(env: ServerEnv): ServerParts {
  let state = env.init.state;
  if (state === undefined) {
    env.log("no state buffer from the kernel: nothing will survive a restart");
    state = new SharedArrayBuffer(STATE_BYTES);
  }
  const { mfs, keepSlots, summary } = recover(env, state);
  env.log(summary);
  return { routes: buildRoutes(mfs), keepSlots };
}

/** The dispatch table over a recovered `mfs`, every handler behind the guard. */
export function buildRoutes(mfs: Mfs): Map<number, Route> {
  let poisoned = false;
  const guard = (fn: Handler): Handler => (req: Request) => {
    if (poisoned) throw new ErrnoError(Errno.EIO, "mfs_ram is restarting");
    try {
      return fn(req);
    } catch (err) {
      if (!(err instanceof ErrnoError)) poisoned = true;
      throw err;
    }
  };

  const routes = new Map<number, Route>();
  for (const [op, fn] of fsHandlers(mfs)) routes.set(op, { need: Right.SYSTEM, fn: guard(fn) });
  for (const [op, r] of fdRoutes(mfs)) routes.set(op, { ...r, fn: guard(r.fn) });
  routes.set(MfsRamOp.FSCK, { need: Right.SYSTEM, fn: guard(() => doFsck(mfs)) });
  routes.set(MfsRamOp.STATS, { need: Right.SYSTEM, fn: guard(() => doStats(mfs)) });
  return routes;
}

function doFsck(mfs: Mfs): Answer {
  const problems = fsck(mfs.model, mfs.arena);
  const shown: string[] = [];
  for (const p of problems) {
    if (mfs.w.reset().strs([...shown, p]).length > MAX_INLINE) break;
    shown.push(p);
  }
  return { value: problems.length, payload: mfs.w.reset().strs(shown).bytes().slice() };
}

function doStats(mfs: Mfs): Answer {
  const { persist, model, arena } = mfs;
  // Leak checks compare these before and after a workload: what is in use,
  // not what is allocated for later.
  let inodes = 0;
  let unlinked = 0;
  let dataBytes = 0;
  for (const s of model.sbs.values()) {
    for (const i of s.inodes.values()) {
      inodes++;
      if (i.nlink === 0) unlinked++;
      if (i.chunks !== undefined) dataBytes += i.size;
    }
  }
  let openFiles = 0;
  for (const _ of mfs.opens.all()) openFiles++;
  mfs.w.reset().num(persist.stats.commits).num(persist.stats.checkpoints)
    .num(persist.store.journal.used).num(persist.store.lastSnapshotBytes).num(model.metaBytes)
    .num(arena.freeChunks).num(inodes).num(unlinked).num(openFiles)
    .num(arena.chunks - arena.freeChunks).num(dataBytes);
  return { value: 0, payload: mfs.w.bytes().slice() };
}
