// VFS handlers for a process's filesystem context: its working directory
// (chdir, fchdir, getcwd) and its umask. Both live in the VFS's per-process
// context and are saved (vfs.saveCtx) so a restarted VFS gets them back;
// the cwd holds its inode in the cache for as long as it is the cwd.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { AT_FDCWD } from "../../kernel/fcntl.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { isDir, type Loc } from "./namei.ts";
import { MAY_EXEC, require } from "./perm.ts";
import { call, type PathCtx, textArg } from "./ops_path_ctx.ts";

const encoder = new TextEncoder();

/** The cwd and umask routes. */
export function cwdRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, ns, me, nodeOfFd, resolve } = x;

  async function doChdir(req: Request): Promise<Answer> {
    const path = textArg(req);
    const loc = await resolve(req, AT_FDCWD, path, true);
    return setCwd(req, loc, path);
  }

  function doFchdir(req: Request): Answer {
    return setCwd(req, nodeOfFd(req, req.value, { path: true }).loc, `fd ${req.value}`);
  }

  function setCwd(req: Request, loc: Loc, what: string): Answer {
    if (!isDir(loc.node)) throw new ErrnoError(Errno.ENOTDIR, what);
    require(me(req), loc.node.attrs, MAY_EXEC, what);
    const c = vfs.ctx(req.pid);
    vfs.hold(loc);
    vfs.unhold(c.cwd);
    c.cwd = loc;
    vfs.saveCtx(req.pid);
    return 0;
  }

  function doGetcwd(req: Request): Answer {
    const c = vfs.rooted(req.pid);
    const path = ns.pathOf(c.cwd, c.root);
    const bytes = encoder.encode(path);
    return { value: bytes.length + 1, payload: bytes };
  }

  function doUmask(req: Request): Answer {
    const c = vfs.ctx(req.pid);
    const old = c.umask;
    c.umask = req.value & 0o777;
    vfs.saveCtx(req.pid);
    return old;
  }

  return new Map<number, Route>([
    [Sys.chdir, call(doChdir)],
    [Sys.fchdir, call(doFchdir)],
    [Sys.getcwd, call(doGetcwd)],
    [Sys.umask, call(doUmask)],
  ]);
}
