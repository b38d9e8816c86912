// VFS handlers for fd tables (close, dup, pipe2, fcntl), for the open files
// the VFS serves itself (pipes, FIFOs, devices, /proc), and for the kernel's
// process events (fork, exec, exit, install).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { F, FD_CLOEXEC, MS, O, SETFL_MASK } from "../../kernel/fcntl.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import {
  type Answer,
  callerBuffer,
  callerData,
  type Request,
  type Route,
} from "../../kernel/ipc/server.ts";
import { encodeStat, nowTimespec, S, type Timespec } from "../../kernel/stat.ts";
import { Sys, sysName } from "../../kernel/syscalls.ts";
import { encodeStatfs, type StatfsRecord } from "./fs_protocol.ts";
import type { FdEntry, FdTable } from "./fd_table.ts";
import {
  decodeActions,
  encodeRoutes,
  type FdRouteRecord,
  FileAction,
  ObjectOp,
  VfsOp,
} from "./mod.ts";
import { MAX_FDS, PIPEFS_DEV } from "./params.ts";
import { Pipe, PipeEnd } from "./pipe.ts";
import type { Vfs } from "./vfs.ts";

export function fdRoutes(vfs: Vfs): Map<number, Route> {
  const w = new PayloadWriter();
  let nextPipe = 1;

  const routeOf = (fd: number, e: FdEntry): FdRouteRecord => ({ fd, ep: e.ofd.ep, cap: e.cap });
  const routes = (t: FdTable) =>
    [...t.entries].map(([fd, e]) => routeOf(fd, e)).sort((a, b) => a.fd - b.fd);
  const routeAnswer = (value: number, list: FdRouteRecord[]): Answer => ({
    value,
    payload: encodeRoutes(w.reset(), list).bytes().slice(),
  });

  // --- fd table requests (endpoint capability) ---

  function doClose(req: Request): Answer {
    vfs.ctx(req.pid).table.close(req.value);
    return 0;
  }

  function doDup(req: Request): Answer {
    const t = vfs.ctx(req.pid).table;
    const e = t.get(req.value);
    const fd = t.lowestFree();
    return routeAnswer(fd, [routeOf(fd, t.install(fd, e.ofd, false))]);
  }

  function doDup3(req: Request): Answer {
    const oldfd = req.args.int();
    const newfd = req.args.int();
    const flags = req.args.int();
    const t = vfs.ctx(req.pid).table;
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
    const t = vfs.ctx(req.pid).table;
    // Both fds first: EMFILE must leave nothing half made.
    const rfd = t.lowestFree();
    const wfd = t.lowestFree(rfd + 1);
    const creds = vfs.creds(req.pid);
    const pipe = new Pipe(nextPipe++, creds.fsuid, creds.fsgid);
    pipe.readers = 1;
    pipe.writers = 1;
    const born = nowTimespec();
    const st = () => pipeStat(pipe, born);
    const status = flags & O.NONBLOCK;
    const cloexec = (flags & O.CLOEXEC) !== 0;
    const r = t.install(
      rfd,
      vfs.localOfd(
        new PipeEnd(pipe, true, false, st),
        O.RDONLY | status,
        undefined,
        `pipe:[${pipe.id}]`,
      ),
      cloexec,
    );
    const wr = t.install(
      wfd,
      vfs.localOfd(
        new PipeEnd(pipe, false, true, st),
        O.WRONLY | status,
        undefined,
        `pipe:[${pipe.id}]`,
      ),
      cloexec,
    );
    return routeAnswer(0, [routeOf(rfd, r), routeOf(wfd, wr)]);
  }

  function doFcntl(req: Request): Answer {
    const fd = req.args.int();
    const cmd = req.args.int();
    const arg = req.args.int();
    const t = vfs.ctx(req.pid).table;
    const e = t.get(fd);
    // Linux's check_fcntl_cmd(): an O_PATH fd takes only these; any other is EBADF.
    if ((e.ofd.flags & O.PATH) !== 0 && !PATH_FCNTL.has(cmd)) {
      throw new ErrnoError(Errno.EBADF, `fcntl ${cmd} of an O_PATH fd`);
    }
    switch (cmd) {
      case F.DUPFD:
      case F.DUPFD_CLOEXEC: {
        // Linux: a start outside [0, RLIMIT_NOFILE) is EINVAL (EMFILE is for a full table).
        if (arg < 0 || arg >= MAX_FDS) throw new ErrnoError(Errno.EINVAL, "F_DUPFD start");
        const nfd = t.lowestFree(arg);
        return routeAnswer(nfd, [routeOf(nfd, t.install(nfd, e.ofd, cmd === F.DUPFD_CLOEXEC))]);
      }
      case F.GETFD:
        return e.cloexec ? FD_CLOEXEC : 0;
      case F.SETFD:
        e.cloexec = (arg & FD_CLOEXEC) !== 0;
        if (vfs.store?.image.fds.get(req.pid)?.has(fd)) vfs.store.setfd(req.pid, fd, e.cloexec);
        return 0;
      case F.GETFL:
        return e.ofd.flags;
      case F.SETFL: {
        e.ofd.flags = (e.ofd.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
        if (e.ofd.ep !== vfs.endpoint) {
          vfs.store?.setfl(e.ofd.id, e.ofd.flags);
          void vfs.env.client.call(e.ofd.ep, ObjectOp.SETFL, e.ofd.root, undefined, {
            value: e.ofd.flags,
          });
        }
        return 0;
      }
      default:
        throw new ErrnoError(Errno.EINVAL, `fcntl cmd ${cmd}`);
    }
  }

  // --- open files the VFS serves (fd capability; the object is an Ofd id) ---

  function doRead(req: Request): Answer | Promise<Answer> {
    const { file, ofd } = vfs.local(req.object);
    if (file.read === undefined) throw new ErrnoError(Errno.EINVAL, "not readable");
    const sink = callerBuffer(req, req.value);
    return file.read(req, sink, (ofd.flags & O.NONBLOCK) !== 0, ofd);
  }

  function doWrite(req: Request): Answer | Promise<Answer> {
    const { file, ofd } = vfs.local(req.object);
    if (file.writeTo === undefined) throw new ErrnoError(Errno.EINVAL, "not writable");
    const src = callerBuffer(req, req.value);
    return file.writeTo(req, src, (ofd.flags & O.NONBLOCK) !== 0, ofd);
  }

  function doPread(req: Request): Answer {
    const { file } = vfs.local(req.object);
    const dataOff = req.args.num(); // checked by callerData (EFAULT)
    const pos = req.args.int();
    if (pos < 0) throw new ErrnoError(Errno.EINVAL, "negative offset");
    if (file.pread === undefined) {
      throw new ErrnoError(file.getdents !== undefined ? Errno.EISDIR : Errno.ESPIPE, "pread64");
    }
    return file.pread(callerData(req, dataOff, req.value), pos);
  }

  function doPwrite(req: Request): Answer {
    const { file } = vfs.local(req.object);
    const dataOff = req.args.num(); // checked by callerData (EFAULT)
    const pos = req.args.int();
    if (pos < 0) throw new ErrnoError(Errno.EINVAL, "negative offset");
    if (file.pwrite === undefined) throw new ErrnoError(Errno.ESPIPE, "pwrite64");
    return file.pwrite(callerData(req, dataOff, req.value), pos);
  }

  /** Pipes, devices and /proc files cannot be truncated or synced: EINVAL, as Linux. */
  function doNotRegular(req: Request): Answer {
    vfs.local(req.object);
    throw new ErrnoError(Errno.EINVAL, `${sysName(req.op)} of a special file`);
  }

  async function doFstatfs(req: Request): Promise<Answer> {
    const { ofd } = vfs.local(req.object, { path: true });
    const m = ofd.node?.mount;
    let s = PIPEFS_STATFS;
    if (m !== undefined) {
      s = await m.fs.statfs(m.sb);
      s.flags |= m.flags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
    }
    return { value: 0, payload: encodeStatfs(w.reset(), s).bytes().slice() };
  }

  async function doFstat(req: Request): Promise<Answer> {
    const { file } = vfs.local(req.object, { path: true });
    return { value: 0, payload: encodeStat(await file.stat()) };
  }

  function doLseek(req: Request): Answer {
    const { file, ofd } = vfs.local(req.object);
    const offset = req.args.int();
    const whence = req.args.int();
    if (file.lseek === undefined) throw new ErrnoError(Errno.ESPIPE, "not seekable");
    return file.lseek(offset, whence, ofd);
  }

  function doIoctl(req: Request): Answer {
    const { file } = vfs.local(req.object);
    if (file.ioctl === undefined) throw new ErrnoError(Errno.ENOTTY, "ioctl");
    return file.ioctl(req.value, req);
  }

  async function doGetdents(req: Request): Promise<Answer> {
    const { file, ofd } = vfs.local(req.object);
    if (file.getdents === undefined) throw new ErrnoError(Errno.ENOTDIR, "getdents64");
    return await file.getdents(callerBuffer(req, req.value), ofd);
  }

  // --- kernel requests ---

  function doFork(req: Request): Answer {
    const parent = req.args.int(0);
    const child = req.args.int(1);
    const actions = decodeActions(req.args);
    const c = vfs.forkCtx(parent, child);
    const t = c.table;
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
      vfs.dropCtx(child);
      throw err;
    }
    t.closeOnExec();
    return routeAnswer(0, routes(t));
  }

  function doExec(req: Request): Answer {
    const t = vfs.ctx(req.args.int(1)).table;
    t.closeOnExec();
    return routeAnswer(0, routes(t));
  }

  function doExit(req: Request): Answer {
    const pid = req.args.int(1);
    const areaId = req.args.remaining > 0 ? req.args.int(0) : -1;
    if (areaId >= 0) vfs.forgetArea(areaId);
    vfs.dropCtx(pid);
    return 0;
  }

  function doInstall(req: Request): Answer {
    const pid = req.args.int(1);
    const fd = req.args.int(0);
    const ep = req.args.int(0, 65535);
    const root = { slot: req.args.int(0), gen: req.args.int(0, 2 ** 32) };
    const flags = req.args.int(0);
    const t = vfs.ctx(pid).table;
    if (t.entries.has(fd)) t.close(fd);
    const ofd = vfs.remoteOfd(ep, root, flags, undefined, "/dev/console");
    try {
      t.install(fd, ofd, false);
    } catch (err) {
      vfs.ofds.delete(ofd.id);
      throw err;
    }
    return 0;
  }

  function doFds(req: Request): Answer {
    return routeAnswer(0, routes(vfs.ctx(req.args.int(1)).table));
  }

  return new Map<number, Route>([
    [Sys.close, { need: Right.CALL, fn: doClose }],
    [Sys.dup, { need: Right.CALL, fn: doDup }],
    [Sys.dup2, { need: Right.CALL, fn: doDup3 }],
    [Sys.dup3, { need: Right.CALL, fn: doDup3 }],
    [Sys.pipe2, { need: Right.CALL, fn: doPipe2 }],
    [Sys.fcntl, { need: Right.CALL, fn: doFcntl }],
    [Sys.read, { need: Right.READ, fn: doRead }],
    [Sys.write, { need: Right.WRITE, fn: doWrite }],
    // readv/writev arrive as one contiguous transfer: the library scatters and gathers.
    [Sys.readv, { need: Right.READ, fn: doRead }],
    [Sys.writev, { need: Right.WRITE, fn: doWrite }],
    [Sys.pread64, { need: Right.READ, fn: doPread }],
    [Sys.pwrite64, { need: Right.WRITE, fn: doPwrite }],
    [Sys.ftruncate, { need: Right.WRITE, denied: Errno.EINVAL, fn: doNotRegular }],
    [Sys.fsync, { need: 0, fn: doNotRegular }],
    [Sys.fdatasync, { need: 0, fn: doNotRegular }],
    [Sys.fstatfs, { need: Right.STAT, fn: doFstatfs }],
    [Sys.fstat, { need: Right.STAT, fn: doFstat }],
    [Sys.lseek, { need: Right.STAT, fn: doLseek }],
    [Sys.ioctl, { need: Right.CONTROL, fn: doIoctl }],
    [Sys.getdents64, { need: Right.READ, fn: doGetdents }],
    [VfsOp.FORK, { need: Right.SYSTEM, fn: doFork }],
    [VfsOp.EXEC_FDS, { need: Right.SYSTEM, fn: doExec }],
    [VfsOp.EXIT, { need: Right.SYSTEM, fn: doExit }],
    [VfsOp.INSTALL, { need: Right.SYSTEM, fn: doInstall }],
    [VfsOp.FDS, { need: Right.SYSTEM, fn: doFds }],
  ]);
}

/** The fcntl commands an O_PATH fd takes. */
const PATH_FCNTL = new Set<number>([F.DUPFD, F.DUPFD_CLOEXEC, F.GETFD, F.SETFD, F.GETFL]);

/** statfs of a pipe: Linux's pipefs (PIPEFS_MAGIC, ST_VALID). */
const PIPEFS_STATFS: StatfsRecord = {
  type: 0x50495045,
  bsize: 4096,
  blocks: 0,
  bfree: 0,
  bavail: 0,
  files: 0,
  ffree: 0,
  fsid: PIPEFS_DEV,
  namelen: 255,
  frsize: 4096,
  flags: 0x20,
};

/** struct stat of a pipe (pipefs, as Linux shows it). */
export function pipeStat(pipe: Pipe, born: Timespec) {
  return {
    dev: PIPEFS_DEV,
    ino: pipe.id,
    nlink: 1,
    mode: S.IFIFO | 0o600,
    uid: pipe.uid,
    gid: pipe.gid,
    rdev: 0,
    size: 0,
    blksize: 4096,
    blocks: 0,
    atime: born,
    mtime: born,
    ctime: born,
  };
}
