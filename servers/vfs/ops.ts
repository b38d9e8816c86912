// VFS request handlers: one do<Op>() per request, and the dispatch table.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { ALL_RIGHTS, Right } from "../../kernel/cap/rights.ts";
import { F, FD_CLOEXEC, O, SETFL_MASK } from "../../kernel/fcntl.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import { type Answer, callerData, type Request, type Route } from "../../kernel/ipc/server.ts";
import type { ServerEnv, ServerParts } from "../../kernel/ipc/server_runtime.ts";
import { encodeStat, nowTimespec, S, type Timespec } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { type FdEntry, FdTable, type Ofd } from "./fd_table.ts";
import {
  decodeActions,
  encodeRoutes,
  type FdRouteRecord,
  FileAction,
  ObjectOp,
  VfsOp,
} from "./mod.ts";
import { PIPEFS_DEV } from "./params.ts";
import { Pipe } from "./pipe.ts";

interface PipeEnd {
  pipe: Pipe;
  write: boolean;
  born: Timespec;
}

/** Build the VFS: its state and its dispatch table. */
export function createVfs(env: ServerEnv): ServerParts {
  const tables = new Map<number, FdTable>();
  const pipeEnds = new Map<number, PipeEnd>();
  const ofds = new Map<number, Ofd>();
  let nextOfd = 1;
  let nextPipe = 1;
  const w = new PayloadWriter();

  function release(ofd: Ofd): void {
    ofds.delete(ofd.id);
    const end = pipeEnds.get(ofd.id);
    if (end !== undefined) {
      pipeEnds.delete(ofd.id);
      if (end.write) end.pipe.closeWriter();
      else end.pipe.closeReader();
      env.caps.free(ofd.root);
      return;
    }
    // Another server's object: tell it, with the root capability it gave us.
    void env.client.call(ofd.ep, ObjectOp.RELEASE, ofd.root);
  }

  function table(pid: number): FdTable {
    let t = tables.get(pid);
    if (t === undefined) {
      t = new FdTable(pid, env.caps, release);
      tables.set(pid, t);
    }
    return t;
  }

  function routeOf(fd: number, e: FdEntry): FdRouteRecord {
    return { fd, ep: e.ofd.ep, cap: e.cap };
  }

  function routes(t: FdTable): FdRouteRecord[] {
    return [...t.entries].map(([fd, e]) => routeOf(fd, e)).sort((a, b) => a.fd - b.fd);
  }

  function routeAnswer(value: number, list: FdRouteRecord[]): Answer {
    return { value, payload: encodeRoutes(w.reset(), list).bytes().slice() };
  }

  function localOfd(flags: number): Ofd {
    const id = nextOfd++;
    const root = env.caps.mint(env.init.endpoint, ALL_RIGHTS, env.pid, id);
    const ofd = { id, ep: env.init.endpoint, root, flags, refs: 0 };
    ofds.set(id, ofd);
    return ofd;
  }

  function pipeOf(req: Request): PipeEnd {
    const end = pipeEnds.get(req.object);
    if (end === undefined) throw new ErrnoError(Errno.EBADF, `no open file ${req.object}`);
    return end;
  }

  // --- fd table requests (endpoint capability) ---

  function doClose(req: Request): Answer {
    table(req.pid).close(req.value);
    return 0;
  }

  function doDup(req: Request): Answer {
    const t = table(req.pid);
    const e = t.get(req.value);
    const fd = t.lowestFree();
    return routeAnswer(fd, [routeOf(fd, t.install(fd, e.ofd, false))]);
  }

  function doDup3(req: Request): Answer {
    const oldfd = req.args.int();
    const newfd = req.args.int();
    const flags = req.args.int();
    const t = table(req.pid);
    if (req.op === Sys.dup3) {
      if ((flags & ~O.CLOEXEC) !== 0) throw new ErrnoError(Errno.EINVAL, "dup3 flags");
      if (oldfd === newfd) throw new ErrnoError(Errno.EINVAL, "dup3 to itself");
    }
    t.dupTo(oldfd, newfd, (flags & O.CLOEXEC) !== 0);
    return routeAnswer(newfd, [routeOf(newfd, t.get(newfd))]);
  }

  function doPipe2(req: Request): Answer {
    const flags = req.value;
    if ((flags & ~(O.CLOEXEC | O.NONBLOCK | O.DIRECT)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "pipe2 flags");
    }
    const t = table(req.pid);
    // Both fds first: EMFILE must leave nothing half made.
    const rfd = t.lowestFree();
    const wfd = t.lowestFree(rfd + 1);
    const creds = env.sys.creds(req.pid);
    const pipe = new Pipe(nextPipe++, creds?.euid ?? 0, creds?.egid ?? 0);
    const status = flags & O.NONBLOCK;
    const rOfd = localOfd(O.RDONLY | status);
    const wOfd = localOfd(O.WRONLY | status);
    const born = nowTimespec();
    pipeEnds.set(rOfd.id, { pipe, write: false, born });
    pipeEnds.set(wOfd.id, { pipe, write: true, born });
    pipe.readers = 1;
    pipe.writers = 1;
    const cloexec = (flags & O.CLOEXEC) !== 0;
    const r = t.install(rfd, rOfd, cloexec);
    const wEntry = t.install(wfd, wOfd, cloexec);
    return routeAnswer(0, [routeOf(rfd, r), routeOf(wfd, wEntry)]);
  }

  function doFcntl(req: Request): Answer {
    const fd = req.args.int();
    const cmd = req.args.int();
    const arg = req.args.int();
    const t = table(req.pid);
    const e = t.get(fd);
    switch (cmd) {
      case F.DUPFD:
      case F.DUPFD_CLOEXEC: {
        if (arg < 0) throw new ErrnoError(Errno.EINVAL, "F_DUPFD below 0");
        const nfd = t.lowestFree(arg);
        const ne = t.install(nfd, e.ofd, cmd === F.DUPFD_CLOEXEC);
        return routeAnswer(nfd, [routeOf(nfd, ne)]);
      }
      case F.GETFD:
        return e.cloexec ? FD_CLOEXEC : 0;
      case F.SETFD:
        e.cloexec = (arg & FD_CLOEXEC) !== 0;
        return 0;
      case F.GETFL:
        return e.ofd.flags;
      case F.SETFL: {
        e.ofd.flags = (e.ofd.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        if (e.ofd.ep !== env.init.endpoint) {
          void env.client.call(e.ofd.ep, ObjectOp.SETFL, e.ofd.root, undefined, {
            value: e.ofd.flags,
          });
        }
        return 0;
      }
      default:
        throw new ErrnoError(Errno.EINVAL, `fcntl cmd ${cmd}`);
    }
  }

  // --- open file requests (fd capability; the object is an Ofd of ours) ---

  function doRead(req: Request): Answer | Promise<Answer> {
    const end = pipeOf(req);
    if (end.write) throw new ErrnoError(Errno.EBADF, "read on a pipe's write end");
    const sink = callerData(req, req.args.int(0), req.value);
    return end.pipe.read(req.area.id, sink, (ofdFlags(req) & O.NONBLOCK) !== 0);
  }

  function doWrite(req: Request): Answer | Promise<Answer> {
    const end = pipeOf(req);
    if (!end.write) throw new ErrnoError(Errno.EBADF, "write on a pipe's read end");
    const src = callerData(req, req.args.int(0), req.value);
    return end.pipe.write(req.area.id, src, (ofdFlags(req) & O.NONBLOCK) !== 0);
  }

  function ofdFlags(req: Request): number {
    return ofds.get(req.object)?.flags ?? 0;
  }

  function doFstat(req: Request): Answer {
    const end = pipeOf(req);
    const st = encodeStat({
      dev: PIPEFS_DEV,
      ino: end.pipe.id,
      nlink: 1,
      mode: S.IFIFO | 0o600,
      uid: end.pipe.uid,
      gid: end.pipe.gid,
      rdev: 0,
      size: 0,
      blksize: 4096,
      blocks: 0,
      atime: end.born,
      mtime: end.born,
      ctime: end.born,
    });
    return { value: 0, payload: st };
  }

  function doLseek(req: Request): Answer {
    pipeOf(req);
    throw new ErrnoError(Errno.ESPIPE, "lseek on a pipe");
  }

  function doIoctl(req: Request): Answer {
    pipeOf(req);
    throw new ErrnoError(Errno.ENOTTY, "ioctl on a pipe");
  }

  // --- kernel requests ---

  function doFork(req: Request): Answer {
    const parent = req.args.int(0);
    const child = req.args.int(1);
    const actions = decodeActions(req.args);
    const t = table(parent).fork(child);
    try {
      for (const a of actions) {
        if (a.kind === FileAction.DUP2) {
          if (a.fd === a.fd2) t.get(a.fd).cloexec = false;
          else t.dupTo(a.fd, a.fd2, false);
        } else if (a.kind === FileAction.CLOSE) {
          if (t.entries.has(a.fd)) t.close(a.fd);
        } else {
          throw new ErrnoError(Errno.EINVAL, `file action ${a.kind}`);
        }
      }
    } catch (err) {
      t.closeAll();
      throw err;
    }
    t.closeOnExec();
    tables.set(child, t);
    return routeAnswer(0, routes(t));
  }

  function doExec(req: Request): Answer {
    const t = table(req.args.int(1));
    t.closeOnExec();
    return routeAnswer(0, routes(t));
  }

  function doExit(req: Request): Answer {
    const pid = req.args.int(1);
    const areaId = req.args.remaining > 0 ? req.args.int(0) : -1;
    if (areaId >= 0) forgetArea(areaId);
    const t = tables.get(pid);
    if (t !== undefined) {
      tables.delete(pid);
      t.closeAll();
    }
    return 0;
  }

  function doInstall(req: Request): Answer {
    const pid = req.args.int(1);
    const fd = req.args.int(0);
    const ep = req.args.int(0, 65535);
    const root = { slot: req.args.int(0), gen: req.args.int(0, 2 ** 32) };
    const flags = req.args.int(0);
    const t = table(pid);
    if (t.entries.has(fd)) t.close(fd);
    const ofd = { id: nextOfd++, ep, root, flags, refs: 0 };
    t.install(fd, ofd, false); // throws before taking anything if it cannot
    ofds.set(ofd.id, ofd);
    return 0;
  }

  function doFds(req: Request): Answer {
    return routeAnswer(0, routes(table(req.args.int(1))));
  }

  /** The process on `areaId` ended: its pending pipe reads and writes are void. */
  function forgetArea(areaId: number): void {
    const seen = new Set<Pipe>();
    for (const end of pipeEnds.values()) {
      if (seen.has(end.pipe)) continue;
      seen.add(end.pipe);
      end.pipe.forget(areaId);
    }
  }

  const routesTable = new Map<number, Route>([
    [Sys.close, { need: Right.CALL, fn: doClose }],
    [Sys.dup, { need: Right.CALL, fn: doDup }],
    [Sys.dup2, { need: Right.CALL, fn: doDup3 }],
    [Sys.dup3, { need: Right.CALL, fn: doDup3 }],
    [Sys.pipe2, { need: Right.CALL, fn: doPipe2 }],
    [Sys.fcntl, { need: Right.CALL, fn: doFcntl }],
    [Sys.read, { need: Right.READ, fn: doRead }],
    [Sys.write, { need: Right.WRITE, fn: doWrite }],
    [Sys.fstat, { need: Right.STAT, fn: doFstat }],
    [Sys.lseek, { need: Right.STAT, fn: doLseek }],
    [Sys.ioctl, { need: Right.CONTROL, fn: doIoctl }],
    [VfsOp.FORK, { need: Right.SYSTEM, fn: doFork }],
    [VfsOp.EXEC, { need: Right.SYSTEM, fn: doExec }],
    [VfsOp.EXIT, { need: Right.SYSTEM, fn: doExit }],
    [VfsOp.INSTALL, { need: Right.SYSTEM, fn: doInstall }],
    [VfsOp.FDS, { need: Right.SYSTEM, fn: doFds }],
  ]);

  return {
    routes: routesTable,
    onDetach: forgetArea,
  };
}
