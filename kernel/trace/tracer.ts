// The tracer (kernel side): drains every Worker's trace ring, writes Chrome
// trace-event JSON for `deno task boot --trace FILE`, and assembles the
// strace-like lines `trace CMD` prints.
//
// Chrome trace layout (opens in Perfetto / chrome://tracing):
//   pid 1 "servers": one track (tid) per endpoint, a slice per request served
//   pid 2 "processes": one track per MelloOS pid, a slice per syscall
//   flow arrows: syscall -> the request it caused at the first server, and
//   server -> server for the messages a server sent while serving.
// A strace line is the syscall's own text, its total latency, and each hop
// it caused (endpoint and time spent there), found by trace id.

import { Ring } from "../ipc/ring.ts";
import { sysName } from "../syscalls.ts";
import { ServerOp } from "../ipc/server_runtime.ts";
import { ObjectOp, VfsOp } from "../../servers/vfs/mod.ts";
import { TtyOp } from "../../servers/tty/mod.ts";
import { FsOp } from "../../servers/vfs/fs_protocol.ts";
import { MfsRamOp } from "../../servers/mfs_ram/mod.ts";

/** Names of the requests that are not syscalls (kernel-only and server-to-server ops). */
const PRIVATE_OPS = new Map<number, string>([
  ...Object.entries(VfsOp).map(([n, v]) => [v, `vfs.${n.toLowerCase()}`] as [number, string]),
  ...Object.entries(ObjectOp).map(([n, v]) => [v, `object.${n.toLowerCase()}`] as [number, string]),
  ...Object.entries(TtyOp).map(([n, v]) => [v, `tty.${n.toLowerCase()}`] as [number, string]),
  ...Object.entries(ServerOp).map(([n, v]) => [v, `server.${n.toLowerCase()}`] as [number, string]),
  ...Object.entries(FsOp).map(([n, v]) => [v, `fs.${n.toLowerCase()}`] as [number, string]),
  ...Object.entries(MfsRamOp).map(([n, v]) =>
    [v, `mfs_ram.${n.toLowerCase()}`] as [number, string]
  ),
]);

function opName(op: number): string {
  return PRIVATE_OPS.get(op) ?? sysName(op);
}
import { drainEvents, EventKind, TRACE_RING_BYTES, type TraceEvent } from "./events.ts";

const SERVERS_PID = 1;
const PROCESSES_PID = 2;
const HOP_KEEP_MS = 10_000;

interface Source {
  ring: Ring;
  name: string;
  endpoint?: number;
  pid?: number;
}

interface PidTrace {
  lines: string[];
  done: boolean;
  wake: Array<() => void>;
}

/** Collects trace events from every Worker. */
export class Tracer {
  readonly #sources = new Map<string, Source>();
  readonly #names = new Map<number, string>(); // endpoint -> name
  readonly #serverAreas = new Set<number>();
  readonly #hops = new Map<number, { at: number; events: TraceEvent[] }>();
  readonly #pids = new Map<number, PidTrace>();
  readonly #pending: TraceEvent[] = []; // syscalls waiting for their hops
  #file?: Deno.FsFile;
  #first = true;
  #timer?: ReturnType<typeof setInterval>;
  readonly #encoder = new TextEncoder();
  readonly #namedPids = new Set<number>();

  /** Start writing Chrome trace JSON to `path`. */
  openFile(path: string): void {
    this.#file = Deno.openSync(path, { write: true, create: true, truncate: true });
    this.#write("[\n");
    this.#emit({
      name: "process_name",
      ph: "M",
      pid: SERVERS_PID,
      tid: 0,
      args: { name: "servers" },
    });
    this.#emit({
      name: "process_name",
      ph: "M",
      pid: PROCESSES_PID,
      tid: 0,
      args: { name: "processes" },
    });
    for (const [tid, name] of this.#names) {
      this.#emit({ name: "thread_name", ph: "M", pid: SERVERS_PID, tid, args: { name } });
    }
    this.#timer = setInterval(() => this.drain(), 100);
  }

  get toFile(): boolean {
    return this.#file !== undefined;
  }

  /** A server's trace ring (its endpoint names its track). */
  addServer(name: string, endpoint: number, sab: SharedArrayBuffer, areaId: number): void {
    this.#sources.set(`server:${name}`, {
      ring: new Ring(sab, 0, TRACE_RING_BYTES),
      name,
      endpoint,
    });
    this.#names.set(endpoint, name);
    this.#serverAreas.add(areaId);
    if (this.#file !== undefined) {
      this.#emit({ name: "thread_name", ph: "M", pid: SERVERS_PID, tid: endpoint, args: { name } });
    }
  }

  /** A program's trace ring, or undefined when it stops being traced. */
  setProgram(pid: number, name: string, sab: SharedArrayBuffer | undefined): void {
    const key = `pid:${pid}`;
    if (sab === undefined) {
      this.drain();
      this.#sources.delete(key);
      const t = this.#pids.get(pid);
      if (t !== undefined) {
        t.done = true;
        for (const w of t.wake.splice(0)) w();
      }
      return;
    }
    this.#sources.set(key, { ring: new Ring(sab, 0, TRACE_RING_BYTES), name, pid });
    if (this.#file !== undefined && !this.#namedPids.has(pid)) {
      this.#namedPids.add(pid);
      this.#emit({
        name: "thread_name",
        ph: "M",
        pid: PROCESSES_PID,
        tid: pid,
        args: { name: `${name}[${pid}]` },
      });
    }
  }

  /** Ask for the strace lines of `pid` (call before it runs). */
  follow(pid: number): void {
    if (!this.#pids.has(pid)) this.#pids.set(pid, { lines: [], done: false, wake: [] });
  }

  /**
   * Lines of `pid` not yet taken; waits until there are some or the process
   * has ended. `done` is true when nothing more will come.
   */
  async take(pid: number): Promise<{ lines: string[]; done: boolean }> {
    const t = this.#pids.get(pid);
    if (t === undefined) return { lines: [], done: true };
    for (;;) {
      this.drain();
      if (t.lines.length > 0 || t.done) {
        const lines = t.lines.splice(0);
        if (t.done && t.lines.length === 0) this.#pids.delete(pid);
        return { lines, done: t.done };
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        t.wake.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Move every recorded event to its destinations. */
  drain(): void {
    const events: TraceEvent[] = [];
    for (const s of this.#sources.values()) {
      const before = events.length;
      drainEvents(s.ring, events);
      if (s.pid !== undefined) {
        for (let i = before; i < events.length; i++) events[i].pid = s.pid;
      }
    }
    if (events.length === 0 && this.#pending.length === 0) return;
    const now = performance.now();
    for (const e of events) {
      if (e.kind !== EventKind.SYSCALL && e.traceId !== 0) {
        let h = this.#hops.get(e.traceId);
        if (h === undefined) this.#hops.set(e.traceId, h = { at: now, events: [] });
        h.events.push(e);
      }
      if (e.kind === EventKind.SYSCALL) this.#pending.push(e);
      if (this.#file !== undefined) this.#chrome(e);
    }
    for (const e of this.#pending.splice(0)) this.#line(e);
    for (const [id, h] of this.#hops) if (now - h.at > HOP_KEEP_MS) this.#hops.delete(id);
  }

  #line(e: TraceEvent): void {
    const t = this.#pids.get(e.pid);
    if (t === undefined) return;
    const hops = (this.#hops.get(e.traceId)?.events ?? [])
      .filter((h) => h.kind === EventKind.SERVE)
      .sort((a, b) => a.ts - b.ts)
      .map((h) => `${this.#names.get(h.ep) ?? `ep${h.ep}`} ${fmtUs(h.dur)}`);
    this.#hops.delete(e.traceId);
    const via = hops.length === 0 ? "no hop" : hops.join(" -> ");
    t.lines.push(`${e.text} <${fmtUs(e.dur)}: ${via}>`);
    for (const w of t.wake.splice(0)) w();
  }

  #chrome(e: TraceEvent): void {
    if (e.kind === EventKind.SYSCALL) {
      this.#emit({
        name: opName(e.op),
        cat: "syscall",
        ph: "X",
        pid: PROCESSES_PID,
        tid: e.pid,
        ts: e.ts,
        dur: Math.max(e.dur, 0.001),
        args: { text: e.text, errno: e.errno, cap: e.capSlot, size: e.size, trace: e.traceId },
      });
      if (e.traceId !== 0) {
        this.#emit({
          name: "ipc",
          cat: "ipc",
          ph: "s",
          id: `t${e.traceId}`,
          pid: PROCESSES_PID,
          tid: e.pid,
          ts: e.ts,
        });
      }
      return;
    }
    if (e.kind === EventKind.SEND) {
      this.#emit({
        name: "ipc",
        cat: "ipc",
        ph: "s",
        id: `m${e.area}.${e.peer}.${e.reqId}`,
        pid: SERVERS_PID,
        tid: e.ep,
        ts: e.ts,
      });
      return;
    }
    this.#emit({
      name: opName(e.op),
      cat: "serve",
      ph: "X",
      pid: SERVERS_PID,
      tid: e.ep,
      ts: e.ts,
      dur: Math.max(e.dur, 0.001),
      args: {
        op: e.op,
        caller: e.pid,
        cap: e.capSlot,
        size: e.size,
        status: e.errno === 0 ? e.value : -e.errno,
        latency_us: Math.round(e.dur * 10) / 10,
      },
    });
    const fromServer = this.#serverAreas.has(e.area);
    if (fromServer) {
      this.#emit({
        name: "ipc",
        cat: "ipc",
        ph: "f",
        bp: "e",
        id: `m${e.area}.${e.ep}.${e.reqId}`,
        pid: SERVERS_PID,
        tid: e.ep,
        ts: e.ts,
      });
    } else if (e.traceId !== 0) {
      this.#emit({
        name: "ipc",
        cat: "ipc",
        ph: "f",
        bp: "e",
        id: `t${e.traceId}`,
        pid: SERVERS_PID,
        tid: e.ep,
        ts: e.ts,
      });
    }
  }

  #emit(obj: Record<string, unknown>): void {
    this.#write((this.#first ? "" : ",\n") + JSON.stringify(obj));
    this.#first = false;
  }

  #write(text: string): void {
    const bytes = this.#encoder.encode(text);
    let done = 0;
    while (done < bytes.length) done += this.#file!.writeSync(bytes.subarray(done));
  }

  /** Flush and close the file. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.drain();
    if (this.#file !== undefined) {
      this.#write("\n]\n");
      this.#file.close();
      this.#file = undefined;
    }
  }
}

function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${us.toFixed(1)}us`;
}
