// The syscall gate: every library call that needs another component goes
// through syscall(), which sends one message and waits for its reply, records
// the call when the process is traced, and turns an errno into an ErrnoError.

import { ErrnoError, errnoName, strerror } from "../../kernel/errno.ts";
import { AREA_SIGNALS } from "../../kernel/ipc/channel.ts";
import type { CapToken } from "../../kernel/ipc/message.ts";
import type { SyncReply } from "../../kernel/ipc/client_sync.ts";
import { Sys, sysName } from "../../kernel/syscalls.ts";
import { EventKind, PROGRAM_EP, traceClockUs } from "../../kernel/trace/events.ts";
import { ctx, DATA_REGIONS } from "./context.ts";
import { ExitSignal } from "./exit_signal.ts";

export { ErrnoError };

/**
 * Calls sent again once when their server died with them: a second try has
 * no effect the first could have had (a read takes the next data; whatever
 * the dead server had taken is gone either way). Writes are never retried.
 */
const RETRY_SAFE = new Set<number>([
  Sys.read,
  Sys.pread64,
  Sys.fstat,
  Sys.ioctl,
  Sys.getdents64,
  Sys.stat,
  Sys.lstat,
  Sys.newfstatat,
  Sys.statx,
  Sys.access,
  Sys.faccessat,
  Sys.readlink,
  Sys.readlinkat,
  Sys.getcwd,
  Sys.getxattr,
  Sys.lgetxattr,
  Sys.fgetxattr,
  Sys.listxattr,
  Sys.llistxattr,
  Sys.flistxattr,
  Sys.statfs,
  Sys.fstatfs,
]);

/** Renders a call's arguments for the trace; called only when traced. */
export type ArgText = () => string;

/**
 * Make syscall `nr` to endpoint `ep` with capability `cap`. Returns the
 * reply (a fresh object); throws ErrnoError on an errno reply.
 */
export function syscall(
  ep: number,
  nr: number,
  cap: CapToken,
  payload?: Uint8Array,
  value = 0,
  args?: ArgText,
  render?: (r: SyncReply) => string,
): SyncReply {
  const c = ctx();
  if (c.exited !== undefined) throw new ExitSignal(c.exited);
  if (c.trace === undefined) {
    let r = c.client.call(ep, nr, cap, payload, value, 0);
    if (r.reset && RETRY_SAFE.has(nr)) r = c.client.call(ep, nr, cap, payload, value, 0);
    deliverSignals();
    if (r.errno !== 0) throw new ErrnoError(r.errno, sysName(nr));
    return r;
  }
  const traceId = ((c.area.id << 20) | (c.traceSeq++ & 0xfffff)) >>> 0;
  const t0 = traceClockUs();
  let r = c.client.call(ep, nr, cap, payload, value, traceId);
  if (r.reset && RETRY_SAFE.has(nr)) r = c.client.call(ep, nr, cap, payload, value, traceId);
  const t1 = traceClockUs();
  const result = r.errno !== 0
    ? `-1 ${errnoName(r.errno)} (${strerror(r.errno)})`
    : render !== undefined
    ? render(r)
    : String(r.value);
  c.trace.record({
    kind: EventKind.SYSCALL,
    ts: t0,
    dur: t1 - t0,
    pid: c.pid,
    op: nr,
    peer: ep,
    area: c.area.id,
    reqId: 0,
    traceId,
    errno: r.errno,
    size: (payload?.length ?? 0) + r.payload.length,
    capSlot: cap.slot,
    value: r.value,
  }, `${sysName(nr)}(${args?.() ?? ""}) = ${result}`);
  deliverSignals();
  if (r.errno !== 0) throw new ErrnoError(r.errno, sysName(nr));
  return r;
}

/** Record a call the library answers itself (no message), when traced. */
export function traceLocal(nr: number, args: string, result: string, t0: number): void {
  const c = ctx();
  if (c.trace === undefined) return;
  c.trace.record({
    kind: EventKind.SYSCALL,
    ts: t0,
    dur: traceClockUs() - t0,
    pid: c.pid,
    op: nr,
    peer: PROGRAM_EP,
    area: c.area.id,
    reqId: 0,
    traceId: 0,
    errno: 0,
    size: 0,
    capSlot: 0,
    value: 0,
  }, `${sysName(nr)}(${args}) = ${result}`);
}

/**
 * Run the handlers of caught signals that arrived. Handlers behave as with
 * SA_RESTART: the call they interrupted carries on.
 */
export function deliverSignals(): void {
  const c = ctx();
  if (Atomics.load(c.area.i32, AREA_SIGNALS) === 0) return;
  if (c.depth >= DATA_REGIONS.length - 1) return; // too deep: they run when we are back out
  const pending = Atomics.exchange(c.area.i32, AREA_SIGNALS, 0);
  c.depth++;
  try {
    for (let sig = 1; sig < 32; sig++) {
      if ((pending & (1 << sig)) === 0) continue;
      c.handlers.get(sig)?.(sig);
    }
  } finally {
    c.depth--;
  }
}

/** JSON-ish quoting of a string for traces, as strace shows buffers. */
export function quote(s: string, max = 32): string {
  const shown = s.length > max ? s.slice(0, max) : s;
  const esc = shown.replace(/[\\"]/g, (m) => "\\" + m).replace(/\n/g, "\\n").replace(/\t/g, "\\t")
    .replace(/\r/g, "\\r");
  return `"${esc}"${s.length > max ? "..." : ""}`;
}
