// One request in, at most one reply out: the opcode table, and the glue that
// decodes a request, calls the handler and encodes its answer.
//
// Every request but FORGET, BATCH_FORGET and INTERRUPT gets exactly one reply,
// whatever happens: an opcode not in the table or a method the handler lacks
// answers ENOSYS, an ErrnoError answers its errno, and anything else thrown is
// a bug, answered EIO and logged. No path leaves the caller waiting.

import { FuseOp, IN_HEADER, InitFlag } from "./abi.ts";
import {
  decodeAccess,
  decodeBatchForget,
  decodeCreate,
  decodeFallocate,
  decodeFlush,
  decodeForget,
  decodeFsync,
  decodeGetattr,
  decodeGetxattr,
  decodeInit,
  decodeInterrupt,
  decodeLink,
  decodeListxattr,
  decodeLseek,
  decodeMkdir,
  decodeMknod,
  decodeName,
  decodeOpen,
  decodeRead,
  decodeRelease,
  decodeRename,
  decodeSetattr,
  decodeSetxattr,
  decodeSymlink,
  decodeWrite,
  type ReplyWriter,
  Request,
} from "./codec.ts";
import { RequestCaller } from "./credentials.ts";
import type { DirPacker } from "./dirent.ts";
import type { Forget, FuseHandler, RequestContext } from "./handler.ts";
import { negotiate } from "./init.ts";
import { SessionShared, SessionStateValue } from "./shared.ts";
import { Errno, ErrnoError } from "../../kernel/errno.ts";

/** What a Worker serves requests with. */
export interface Served {
  handler: FuseHandler;
  out: ReplyWriter;
  dir: DirPacker;
  shared: SessionShared;
  /** Report a bug or an event to the session's log. */
  log: (text: string) => void;
}

/** Returned for requests that take no reply. */
export const NO_REPLY = 0;

type Op = (req: Request, ctx: RequestContext, s: Served) => number;

const NO_SYS = new ErrnoError(Errno.ENOSYS);

/** Handle the request in `bytes`; the reply's length in s.out, or NO_REPLY. */
export function dispatch(bytes: Uint8Array, s: Served): number {
  let req: Request;
  try {
    req = new Request(bytes);
  } catch (err) {
    // The kernel never sends this. Answer EIO if there is a header to answer to.
    s.log(`fuse: malformed request of ${bytes.length} bytes: ${err}`);
    s.shared.countBug();
    return malformed(bytes, s);
  }
  const h = req.header;
  s.shared.countRequest();
  const op = OPS.get(h.opcode);
  const silent = NO_REPLY_OPS.has(h.opcode);
  if (op === undefined) return silent ? NO_REPLY : s.out.error(h.unique, Errno.ENOSYS);
  const ctx = new Context(new RequestCaller(h.uid, h.gid, h.pid), h.unique, s.shared);
  try {
    return op(req, ctx, s);
  } catch (err) {
    if (!(err instanceof ErrnoError)) {
      s.shared.countBug();
      s.log(`fuse: opcode ${h.opcode} failed: ${err instanceof Error ? err.stack : err}`);
    }
    if (silent) return NO_REPLY;
    s.shared.countError();
    return s.out.error(h.unique, err instanceof ErrnoError ? err.errno : Errno.EIO);
  }
}

function malformed(bytes: Uint8Array, s: Served): number {
  if (bytes.length < IN_HEADER.SIZE) return NO_REPLY;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (NO_REPLY_OPS.has(view.getUint32(IN_HEADER.opcode, true))) return NO_REPLY;
  return s.out.error(view.getBigUint64(IN_HEADER.unique, true), Errno.EIO);
}

class Context implements RequestContext {
  readonly #shared: SessionShared;

  constructor(readonly caller: RequestCaller, readonly unique: bigint, shared: SessionShared) {
    this.#shared = shared;
  }

  interrupted(): boolean {
    return this.#shared.isInterrupted(this.unique);
  }
}

const NO_REPLY_OPS = new Set<number>([FuseOp.FORGET, FuseOp.BATCH_FORGET, FuseOp.INTERRUPT]);

const OPS = new Map<number, Op>([
  [FuseOp.INIT, doInit],
  [FuseOp.DESTROY, doDestroy],
  [FuseOp.INTERRUPT, doInterrupt],
  [FuseOp.FORGET, (req, ctx, s) => doForget(decodeForget(req), ctx, s)],
  [FuseOp.BATCH_FORGET, (req, ctx, s) => doForget(decodeBatchForget(req), ctx, s)],
  [FuseOp.LOOKUP, doLookup],
  [FuseOp.GETATTR, doGetattr],
  [FuseOp.SETATTR, doSetattr],
  [FuseOp.READLINK, doReadlink],
  [FuseOp.SYMLINK, doSymlink],
  [FuseOp.MKNOD, doMknod],
  [FuseOp.MKDIR, doMkdir],
  [FuseOp.UNLINK, doUnlink],
  [FuseOp.RMDIR, doRmdir],
  [FuseOp.RENAME, (req, ctx, s) => doRename(req, ctx, s, false)],
  [FuseOp.RENAME2, (req, ctx, s) => doRename(req, ctx, s, true)],
  [FuseOp.LINK, doLink],
  [FuseOp.OPEN, doOpen],
  [FuseOp.CREATE, doCreate],
  [FuseOp.READ, doRead],
  [FuseOp.WRITE, doWrite],
  [FuseOp.FLUSH, doFlush],
  [FuseOp.RELEASE, doRelease],
  [FuseOp.FSYNC, doFsync],
  [FuseOp.OPENDIR, doOpendir],
  [FuseOp.READDIR, (req, ctx, s) => doReaddir(req, ctx, s, false)],
  [FuseOp.READDIRPLUS, (req, ctx, s) => doReaddir(req, ctx, s, true)],
  [FuseOp.RELEASEDIR, doReleasedir],
  [FuseOp.FSYNCDIR, doFsyncdir],
  [FuseOp.STATFS, doStatfs],
  [FuseOp.ACCESS, doAccess],
  [FuseOp.SETXATTR, doSetxattr],
  [FuseOp.GETXATTR, doGetxattr],
  [FuseOp.LISTXATTR, doListxattr],
  [FuseOp.REMOVEXATTR, doRemovexattr],
  [FuseOp.FALLOCATE, doFallocate],
  [FuseOp.LSEEK, doLseek],
]);

/** INIT: negotiate, publish the outcome to the other Workers, then answer. */
function doInit(req: Request, _ctx: RequestContext, s: Served): number {
  const result = negotiate(decodeInit(req), s.handler);
  if (!result.ok) {
    s.log(`fuse: INIT refused: ${result.why}`);
    s.shared.settle(SessionStateValue.REFUSED);
    return s.out.error(req.header.unique, Errno.EPROTO);
  }
  s.shared.settle(SessionStateValue.READY, result.reply.minor, result.reply.flags);
  return s.out.init(req.header.unique, result.reply);
}

/** DESTROY: the connection is going away; the loop ends when reads fail. */
function doDestroy(req: Request, _ctx: RequestContext, s: Served): number {
  s.handler.destroy?.();
  return s.out.empty(req.header.unique);
}

/** INTERRUPT: remember it; the handler of the target request may look. */
function doInterrupt(req: Request, _ctx: RequestContext, s: Served): number {
  s.shared.interrupt(decodeInterrupt(req));
  return NO_REPLY;
}

function doForget(forgets: Forget[], ctx: RequestContext, s: Served): number {
  s.handler.forget?.(ctx, forgets);
  return NO_REPLY;
}

function doLookup(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.lookup) throw NO_SYS;
  return s.out.entry(req.header.unique, s.handler.lookup(ctx, decodeName(req)));
}

function doGetattr(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.getattr) throw NO_SYS;
  return s.out.attr(req.header.unique, s.handler.getattr(ctx, decodeGetattr(req)));
}

function doSetattr(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.setattr) throw NO_SYS;
  return s.out.attr(req.header.unique, s.handler.setattr(ctx, decodeSetattr(req)));
}

function doReadlink(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.readlink) throw NO_SYS;
  return s.out.data(req.header.unique, s.handler.readlink(ctx, { nodeid: req.header.nodeid }));
}

function doSymlink(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.symlink) throw NO_SYS;
  return s.out.entry(req.header.unique, s.handler.symlink(ctx, decodeSymlink(req)));
}

function doMknod(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.mknod) throw NO_SYS;
  return s.out.entry(req.header.unique, s.handler.mknod(ctx, decodeMknod(req)));
}

function doMkdir(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.mkdir) throw NO_SYS;
  return s.out.entry(req.header.unique, s.handler.mkdir(ctx, decodeMkdir(req)));
}

function doUnlink(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.unlink) throw NO_SYS;
  s.handler.unlink(ctx, decodeName(req));
  return s.out.empty(req.header.unique);
}

function doRmdir(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.rmdir) throw NO_SYS;
  s.handler.rmdir(ctx, decodeName(req));
  return s.out.empty(req.header.unique);
}

function doRename(req: Request, ctx: RequestContext, s: Served, rename2: boolean): number {
  if (!s.handler.rename) throw NO_SYS;
  s.handler.rename(ctx, decodeRename(req, rename2));
  return s.out.empty(req.header.unique);
}

function doLink(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.link) throw NO_SYS;
  return s.out.entry(req.header.unique, s.handler.link(ctx, decodeLink(req)));
}

function doOpen(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.open) throw NO_SYS;
  return s.out.open(req.header.unique, s.handler.open(ctx, decodeOpen(req)));
}

function doCreate(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.create) throw NO_SYS;
  return s.out.create(req.header.unique, s.handler.create(ctx, decodeCreate(req)));
}

/** READ: the handler may fill the reply buffer in place (no copy) or return its own bytes. */
function doRead(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.read) throw NO_SYS;
  const args = decodeRead(req);
  const size = Math.min(args.size, s.out.payloadMax);
  const data = s.handler.read(ctx, { ...args, size, buffer: s.out.payload(size) });
  if (data.length > size) throw new Error(`read returned ${data.length} bytes of ${size}`);
  return s.out.data(req.header.unique, data);
}

function doWrite(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.write) throw NO_SYS;
  const args = decodeWrite(req);
  const written = s.handler.write(ctx, args);
  if (written > args.data.length) throw new Error(`write took ${written} of ${args.data.length}`);
  return s.out.write(req.header.unique, written);
}

function doFlush(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.flush) throw NO_SYS;
  s.handler.flush(ctx, decodeFlush(req));
  return s.out.empty(req.header.unique);
}

function doRelease(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.release) throw NO_SYS;
  s.handler.release(ctx, decodeRelease(req));
  return s.out.empty(req.header.unique);
}

function doFsync(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.fsync) throw NO_SYS;
  s.handler.fsync(ctx, decodeFsync(req));
  return s.out.empty(req.header.unique);
}

function doOpendir(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.opendir) throw NO_SYS;
  return s.out.open(req.header.unique, s.handler.opendir(ctx, decodeOpen(req)));
}

/** READDIR and READDIRPLUS: entries are packed straight into the reply buffer. */
function doReaddir(req: Request, ctx: RequestContext, s: Served, plus: boolean): number {
  const method = plus ? s.handler.readdirplus : s.handler.readdir;
  if (!method) throw NO_SYS;
  const args = decodeRead(req);
  s.dir.reset(s.out.payload(s.out.payloadMax), args.size);
  method.call(s.handler, ctx, {
    nodeid: args.nodeid,
    fh: args.fh,
    offset: args.offset,
    out: s.dir,
  });
  return s.out.finish(req.header.unique, s.dir.usedBytes);
}

function doReleasedir(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.releasedir) throw NO_SYS;
  s.handler.releasedir(ctx, decodeRelease(req));
  return s.out.empty(req.header.unique);
}

function doFsyncdir(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.fsyncdir) throw NO_SYS;
  s.handler.fsyncdir(ctx, decodeFsync(req));
  return s.out.empty(req.header.unique);
}

function doStatfs(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.statfs) throw NO_SYS;
  return s.out.statfs(req.header.unique, s.handler.statfs(ctx, { nodeid: req.header.nodeid }));
}

function doAccess(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.access) throw NO_SYS;
  s.handler.access(ctx, decodeAccess(req));
  return s.out.empty(req.header.unique);
}

function doSetxattr(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.setxattr) throw NO_SYS;
  const ext = (s.shared.flags & InitFlag.SETXATTR_EXT) !== 0;
  s.handler.setxattr(ctx, decodeSetxattr(req, ext));
  return s.out.empty(req.header.unique);
}

function doGetxattr(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.getxattr) throw NO_SYS;
  const args = decodeGetxattr(req);
  return xattrReply(req.header.unique, s.handler.getxattr(ctx, args), args.size, s.out);
}

/** LISTXATTR: names, each followed by a NUL. */
function doListxattr(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.listxattr) throw NO_SYS;
  const size = decodeListxattr(req);
  const names = s.handler.listxattr(ctx, { nodeid: req.header.nodeid });
  const list = new Uint8Array(names.reduce((n, name) => n + name.length + 1, 0));
  let at = 0;
  for (const name of names) {
    list.set(name, at);
    at += name.length + 1;
  }
  return xattrReply(req.header.unique, list, size, s.out);
}

/** A size query (size 0) gets the length; a buffer too small gets ERANGE, as getxattr(2). */
function xattrReply(unique: bigint, value: Uint8Array, size: number, out: ReplyWriter): number {
  if (size === 0) return out.xattrSize(unique, value.length);
  if (value.length > size) throw new ErrnoError(Errno.ERANGE);
  return out.data(unique, value);
}

function doRemovexattr(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.removexattr) throw NO_SYS;
  const { parent, name } = decodeName(req);
  s.handler.removexattr(ctx, { nodeid: parent, name });
  return s.out.empty(req.header.unique);
}

function doFallocate(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.fallocate) throw NO_SYS;
  s.handler.fallocate(ctx, decodeFallocate(req));
  return s.out.empty(req.header.unique);
}

function doLseek(req: Request, ctx: RequestContext, s: Served): number {
  if (!s.handler.lseek) throw NO_SYS;
  return s.out.lseek(req.header.unique, s.handler.lseek(ctx, decodeLseek(req)));
}
