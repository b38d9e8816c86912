// The kernel endpoint's handlers: process management, signals, credentials,
// and the MelloOS extensions (service manager, tracer, capabilities).

import { Errno, ErrnoError } from "../errno.ts";
import { Right } from "../cap/rights.ts";
import type { FuseBridge } from "../../drivers/fuse/bridge.ts";
import type { CapTable } from "../cap/table.ts";
import { PayloadReader, PayloadWriter } from "../ipc/message.ts";
import { MAX_GROUPS } from "../sysmem.ts";
import { type Answer, callerData, type Request, type Route } from "../ipc/server.ts";
import { Status } from "../ipc/server_runtime.ts";
import type { Supervisor } from "../supervisor.ts";
import { Sys } from "../syscalls.ts";
import type { Tracer } from "../trace/tracer.ts";
import { decodeActions } from "../../servers/vfs/mod.ts";
import type { ProcessManager } from "./manager.ts";
import type { WarmPool } from "./pool.ts";

/** What the handlers reach. */
export interface KernelParts {
  manager: ProcessManager;
  supervisor: Supervisor;
  pool: WarmPool;
  tracer: Tracer;
  caps: CapTable;
  log: (text: string) => void;
  hostname: string;
  bootedAt: number;
  /** FUSE bridges (host mounts of ours), for `service`. */
  fuse: Set<FuseBridge>;
}

const encoder = new TextEncoder();

/**
 * Linux's limits on what spawn and execve carry: one argument or environment
 * string (MAX_ARG_STRLEN) and all of them together. Ours is 512 KiB where
 * Linux's ARG_MAX is 2 MiB: the new program's job (arguments, environment
 * and its image) must fit the 1 MiB data area of its IPC area.
 */
export const MAX_ARG_STRLEN = 128 * 1024;
export const ARG_MAX = 512 * 1024;

/** spawn/execve: arguments inline (value 0), or by reference (value 1: data-area offset, length). */
export const ARGS_BY_REFERENCE = 1;

/** The reader of a spawn's or execve's arguments, wherever the caller put them. */
function argsOf(req: Request): PayloadReader {
  if (req.value !== ARGS_BY_REFERENCE) return req.args;
  const off = req.args.num();
  const len = req.args.int(0, ARG_MAX + 65536);
  return new PayloadReader(callerData(req, off, len).slice());
}

/** E2BIG for a string over MAX_ARG_STRLEN or, all together, over ARG_MAX. */
function checkArgs(argv: string[], env: string[]): void {
  let total = 0;
  for (const s of [...argv, ...env]) {
    const n = encoder.encode(s).length + 1;
    if (n > MAX_ARG_STRLEN) throw new ErrnoError(Errno.E2BIG, "argument too long");
    total += n;
  }
  if (total > ARG_MAX) throw new ErrnoError(Errno.E2BIG, "argument list too long");
}

/** The kernel endpoint's dispatch table. */
export function kernelRoutes(k: KernelParts): Map<number, Route> {
  const m = k.manager;
  const w = new PayloadWriter();
  const me = (req: Request) => m.must(req.pid);

  function doSpawn(req: Request): Promise<Answer> {
    const a = argsOf(req);
    const spawnReq = {
      path: a.str(),
      argv: a.strs(),
      env: a.strs(),
      actions: decodeActions(a),
      pgid: a.int(-1),
      setsid: a.int(0, 1) === 1,
      uid: a.int(-1),
      gid: a.int(-1),
      rights: a.int(0, 2 ** 31),
      traced: a.int(0, 1) === 1,
      sigDefault: a.int(0, 2 ** 32),
      groups: a.remaining > 0 ? readGroups(a) : undefined,
    };
    checkArgs(spawnReq.argv, spawnReq.env);
    return m.spawn(me(req), spawnReq).then((p) => p.pid);
  }

  async function doExecve(req: Request): Promise<Answer> {
    const a = argsOf(req);
    const path = a.str();
    const argv = a.strs();
    const env = a.strs();
    checkArgs(argv, env);
    await m.exec(me(req), path, argv, env);
    return 0; // nobody reads it: the caller's Worker is gone
  }

  function doExit(req: Request): Answer {
    const recyclable = req.args.remaining >= 8 && req.args.int(0, 1) === 1;
    m.exit(me(req), req.value | 0, recyclable);
    return 0;
  }

  function doWait4(req: Request): Answer | Promise<Answer> {
    const spec = req.args.int(-(2 ** 31), 2 ** 31);
    const options = req.args.int(0);
    const r = m.wait(me(req), spec, options);
    const answer = (x: { pid: number; status: number }) => ({
      value: x.pid,
      payload: w.reset().num(x.status).bytes().slice(),
    });
    return r instanceof Promise ? r.then(answer) : answer(r);
  }

  function doKill(req: Request): Answer {
    m.kill(me(req), req.args.int(-(2 ** 31), 2 ** 31), req.args.int());
    return 0;
  }

  function doSigaction(req: Request): Answer {
    return m.sigaction(me(req), req.args.int(), req.args.int());
  }

  function doSetpgid(req: Request): Answer {
    m.setpgid(me(req), req.args.int(0), req.args.int());
    return 0;
  }

  function doGetpgid(req: Request): Answer {
    const p = req.value === 0 ? me(req) : m.get(req.value);
    if (p === undefined) throw new ErrnoError(Errno.ESRCH, `pid ${req.value}`);
    return req.op === Sys.getsid ? p.sid : p.pgid;
  }

  function doSetIds(req: Request): Answer {
    const id = req.value;
    if (!Number.isInteger(id) || id < 0 || id > 0xfffffffe) {
      throw new ErrnoError(Errno.EINVAL, `id ${id}`);
    }
    if (req.op === Sys.setuid) m.setIds(me(req), id, -1);
    else m.setIds(me(req), -1, id);
    return 0;
  }

  function readGroups(a: PayloadReader): number[] | undefined {
    const n = a.int(-1, MAX_GROUPS + 1);
    if (n < 0) return undefined;
    if (n > MAX_GROUPS) throw new ErrnoError(Errno.EINVAL, "too many groups");
    return Array.from({ length: n }, () => a.int(0, 0xfffffffe));
  }

  function doSetgroups(req: Request): Answer {
    m.setGroups(me(req), readGroups(req.args) ?? []);
    return 0;
  }

  function doGetgroups(req: Request): Answer {
    const groups = me(req).creds.groups;
    w.reset();
    for (const g of groups) w.num(g);
    return { value: groups.length, payload: w.bytes().slice() };
  }

  function requireRoot(req: Request): void {
    if (me(req).creds.euid !== 0) throw new ErrnoError(Errno.EPERM, "root only");
  }

  function doServiceList(_req: Request): Answer {
    const rows = [...k.supervisor.servers.values()].map((h) => ({
      name: h.spec.name,
      endpoint: h.spec.endpoint,
      pid: h.pid,
      state: h.state,
      restarts: h.restarts,
      requests: Atomics.load(h.status, Status.REQUESTS),
      replies: Atomics.load(h.status, Status.REPLIES),
      errors: Atomics.load(h.status, Status.ERRORS),
      rejected: Atomics.load(h.status, Status.REJECTED),
      channels: Atomics.load(h.status, Status.CHANNELS),
      uptimeMs: Math.round(performance.now() - h.startedAt),
    }));
    const fuse = [...k.fuse].map((b) => ({
      dir: b.dir,
      root: b.options.root ?? "/",
      pids: b.pids,
      state: b.state,
      restarts: b.restarts,
    }));
    const body = { servers: rows, pool: { warm: k.pool.warm, ...k.pool.stats }, fuse };
    return { value: rows.length, payload: encoder.encode(JSON.stringify(body)) };
  }

  /** `service crash|restart fuse`: every FUSE bridge loses its session Workers and mounts again. */
  async function controlFuse(req: Request, action: string): Promise<Answer> {
    if (action !== "restart" && action !== "crash") {
      throw new ErrnoError(Errno.EINVAL, `action ${action}`);
    }
    if (k.fuse.size === 0) throw new ErrnoError(Errno.ENOENT, "no FUSE mount");
    k.log(`service ${action} fuse by pid ${req.pid}`);
    await Promise.all([...k.fuse].map((b) => b.restartNow()));
    return 0;
  }

  async function doServiceControl(req: Request): Promise<Answer> {
    requireRoot(req);
    const name = req.args.str();
    const action = req.args.str();
    if (name === "fuse") return controlFuse(req, action);
    if (k.supervisor.get(name) === undefined) {
      throw new ErrnoError(Errno.ENOENT, `no server ${name}`);
    }
    k.log(`service ${action} ${name} by pid ${req.pid}`);
    if (action === "restart") await k.supervisor.restart(name);
    else if (action === "crash") await k.supervisor.crash(name);
    else throw new ErrnoError(Errno.EINVAL, `action ${action}`);
    return 0;
  }

  function doProcList(req: Request): Answer {
    const off = req.args.int(0);
    const max = req.args.int(0);
    const rows = [...m.procs.values()].map((p) => ({
      pid: p.pid,
      ppid: p.ppid,
      pgid: p.pgid,
      sid: p.sid,
      uid: p.creds.uid,
      gid: p.creds.gid,
      state: p.isServer ? "S" : p.state === "running" ? "R" : "Z",
      name: p.name,
      argv: p.argv,
      server: p.isServer,
      startedAt: p.startedAt,
    }));
    const bytes = encoder.encode(JSON.stringify(rows));
    if (bytes.length > max) throw new ErrnoError(Errno.ERANGE, "process list does not fit");
    callerData(req, off, bytes.length).set(bytes);
    return bytes.length;
  }

  async function doTraceRead(req: Request): Promise<Answer> {
    const pid = req.args.int(1);
    const off = req.args.int(0);
    const max = req.args.int(0);
    const target = m.get(pid);
    if (target !== undefined && target.ppid !== req.pid && me(req).creds.euid !== 0) {
      throw new ErrnoError(Errno.EPERM, `trace of pid ${pid}`);
    }
    const { lines, done } = await k.tracer.take(pid);
    let text = lines.map((l) => l + "\n").join("");
    let bytes = encoder.encode(text);
    while (bytes.length > max && lines.length > 0) {
      lines.pop();
      text = lines.map((l) => l + "\n").join("");
      bytes = encoder.encode(text);
    }
    callerData(req, off, bytes.length).set(bytes);
    return { value: bytes.length, payload: w.reset().num(done ? 1 : 0).bytes().slice() };
  }

  function doCapDerive(req: Request): Answer {
    const token = { slot: req.args.int(0), gen: req.args.int(0, 2 ** 32) };
    const rights = req.args.int(0, 2 ** 31);
    const holder = req.args.int(1);
    const e = k.caps.entry(token);
    if (e === undefined || e.holder !== req.pid) {
      throw new ErrnoError(Errno.EBADF, "not your capability");
    }
    if (m.get(holder) === undefined) throw new ErrnoError(Errno.ESRCH, `pid ${holder}`);
    const derived = k.caps.derive(token, rights, holder);
    return { value: 0, payload: w.reset().num(derived.slot).num(derived.gen).bytes().slice() };
  }

  function doCapRevoke(req: Request): Answer {
    const token = { slot: req.args.int(0), gen: req.args.int(0, 2 ** 32) };
    const e = k.caps.entry(token);
    if (e === undefined) throw new ErrnoError(Errno.EBADF, "no such capability");
    if (e.holder !== req.pid) throw new ErrnoError(Errno.EPERM, "not your capability");
    k.caps.revoke(token);
    return 0;
  }

  function doUname(_req: Request): Answer {
    const fields = ["MelloOS", k.hostname, "0.2.0", `#1 ${Deno.version.deno}`, "x86_64"];
    return { value: 0, payload: w.reset().strs(fields).bytes().slice() };
  }

  const simple = (fn: (req: Request) => Answer): Route => ({ need: Right.CALL, fn });
  return new Map<number, Route>([
    [Sys.getpid, simple((req) => req.pid)],
    [Sys.getppid, simple((req) => me(req).ppid)],
    [Sys.getuid, simple((req) => me(req).creds.uid)],
    [Sys.geteuid, simple((req) => me(req).creds.euid)],
    [Sys.getgid, simple((req) => me(req).creds.gid)],
    [Sys.getegid, simple((req) => me(req).creds.egid)],
    [Sys.getpgrp, simple((req) => me(req).pgid)],
    [Sys.getpgid, simple(doGetpgid)],
    [Sys.getsid, simple(doGetpgid)],
    [Sys.setpgid, simple(doSetpgid)],
    [Sys.setsid, simple((req) => m.setsid(me(req)))],
    [Sys.setuid, simple(doSetIds)],
    [Sys.setgid, simple(doSetIds)],
    [Sys.setfsuid, simple((req) => m.setFsId(me(req), "uid", req.value))],
    [Sys.setfsgid, simple((req) => m.setFsId(me(req), "gid", req.value))],
    [Sys.getgroups, { need: Right.CALL, fn: doGetgroups }],
    [Sys.setgroups, { need: Right.CALL, fn: doSetgroups }],
    [Sys.uname, { need: Right.CALL, fn: doUname }],
    [Sys.mello_spawn, { need: Right.SPAWN, fn: doSpawn }],
    [Sys.execve, { need: Right.CALL, fn: doExecve }],
    [Sys.exit_group, simple(doExit)],
    [Sys.exit, simple(doExit)],
    [Sys.wait4, { need: Right.CALL, fn: doWait4 }],
    [Sys.kill, { need: Right.SIGNAL, fn: doKill }],
    [Sys.mello_sigaction, simple(doSigaction)],
    [Sys.mello_service_list, { need: Right.CALL, fn: doServiceList }],
    [Sys.mello_service_control, { need: Right.SERVICE, fn: doServiceControl }],
    [Sys.mello_proc_list, { need: Right.CALL, fn: doProcList }],
    [Sys.mello_trace_read, { need: Right.TRACE, fn: doTraceRead }],
    [Sys.mello_cap_derive, { need: Right.DERIVE, fn: doCapDerive }],
    [Sys.mello_cap_revoke, { need: Right.CALL, fn: doCapRevoke }],
  ]);
}
