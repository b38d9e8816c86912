// MelloOS extensions: the service manager, the process list, the tracer,
// capability derivation.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import type { CapToken } from "../../kernel/ipc/message.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { ctx, dataRegion } from "./context.ts";
import { quote, syscall } from "./syscall.ts";

const KERNEL = 0;
const w = new PayloadWriter();
const decoder = new TextDecoder();

function kcall(nr: number, payload?: Uint8Array, value = 0, args?: () => string) {
  return syscall(KERNEL, nr, ctx().caps.get(KERNEL)!, payload, value, args);
}

/** One server, as the service manager reports it. */
export interface ServiceRow {
  name: string;
  endpoint: number;
  pid: number;
  state: string;
  restarts: number;
  requests: number;
  replies: number;
  errors: number;
  rejected: number;
  channels: number;
  uptimeMs: number;
}

/** How the kernel's pool of program Workers has served spawns. */
export interface PoolRow {
  warm: number;
  recycledTakes: number;
  warmTakes: number;
  coldTakes: number;
  started: number;
}

/** A FUSE mount of ours on the host (drivers/fuse/bridge.ts). */
export interface FuseRow {
  dir: string;
  root: string;
  pids: number[];
  state: string;
  restarts: number;
}

export function serviceList(): { servers: ServiceRow[]; pool: PoolRow; fuse: FuseRow[] } {
  return JSON.parse(decoder.decode(kcall(Sys.mello_service_list).payload));
}

/** Restart or crash a server (root only); returns when it is back. */
export function serviceControl(name: string, action: "restart" | "crash"): void {
  kcall(
    Sys.mello_service_control,
    w.reset().str(name).str(action).bytes(),
    0,
    () => `${quote(name)}, ${quote(action)}`,
  );
}

/** One process, as ps shows it. */
export interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  uid: number;
  gid: number;
  state: string;
  name: string;
  argv: string[];
  server: boolean;
  startedAt: number;
}

export function procList(): ProcRow[] {
  const { off, len } = dataRegion();
  const r = kcall(Sys.mello_proc_list, w.reset().num(off).num(len).bytes());
  return JSON.parse(decoder.decode(ctx().area.data.subarray(off, off + r.value)));
}

/** Trace lines of a traced child; waits for some. `done` once it has ended. */
export function traceRead(pid: number): { text: string; done: boolean } {
  const region = dataRegion();
  const r = kcall(
    Sys.mello_trace_read,
    w.reset().num(pid).num(region.off).num(region.len).bytes(),
    0,
    () => String(pid),
  );
  const done = new PayloadReader(r.payload).int() === 1;
  return { text: decoder.decode(ctx().area.data.subarray(region.off, region.off + r.value)), done };
}

/** Our capability for endpoint `ep` (kernel 0, VFS 1). */
export function endpointCap(ep: number): CapToken {
  const c = ctx().caps.get(ep);
  if (c === undefined) throw new Error(`no capability for endpoint ${ep}`);
  return { ...c };
}

/** Derive a weaker copy of `cap` for process `holder`. */
export function capDerive(cap: CapToken, rights: number, holder: number): CapToken {
  const r = kcall(
    Sys.mello_cap_derive,
    w.reset().num(cap.slot).num(cap.gen).num(rights).num(holder).bytes(),
  );
  const rd = new PayloadReader(r.payload);
  return { slot: rd.int(), gen: rd.int() };
}

export function capRevoke(cap: CapToken): void {
  kcall(Sys.mello_cap_revoke, w.reset().num(cap.slot).num(cap.gen).bytes());
}

/** Send a raw request (tests of forged capabilities and malformed messages use it). */
export function rawCall(ep: number, op: number, cap: CapToken, payload?: Uint8Array, value = 0) {
  const r = ctx().client.call(ep, op, cap, payload, value);
  return { errno: r.errno, value: r.value, payload: r.payload.slice() };
}

/** Where fd's requests go: the server's endpoint and our capability for the open file. */
export function fdRoute(fd: number): { ep: number; cap: CapToken } {
  const r = ctx().fds.get(fd);
  if (r === undefined) throw new ErrnoError(Errno.EBADF, `fd ${fd}`);
  return { ep: r.ep, cap: { ...r.cap } };
}
