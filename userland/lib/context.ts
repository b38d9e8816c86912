// The process context: what the runtime (userland/runtime/worker.ts) sets up
// before main() runs, and every library call uses. One per program Worker.

import type { Area } from "../../kernel/ipc/channel.ts";
import type { SyncClient } from "../../kernel/ipc/client_sync.ts";
import type { CapToken } from "../../kernel/ipc/message.ts";
import type { TraceWriter } from "../../kernel/trace/events.ts";

/** Where an fd's requests go: the server holding the open file, and our capability for it. */
export interface FdRoute {
  ep: number;
  cap: CapToken;
  /** The server's epoch when we learned the route (a restart since loses the file). */
  epoch: number;
  /** The VFS's epoch then: the fd's capability was derived by the VFS, and dies with it. */
  vfsEpoch: number;
}

/** The running process, as the library sees it. */
export interface Context {
  pid: number;
  area: Area;
  client: SyncClient;
  /** Endpoint capabilities by endpoint id (the kernel's, the VFS's). */
  caps: Map<number, CapToken>;
  /** Our fd table's routes (the VFS holds the authoritative table). */
  fds: Map<number, FdRoute>;
  env: Map<string, string>;
  argv: string[];
  trace?: TraceWriter;
  traceSeq: number;
  /** Signal handlers installed with signal(). */
  handlers: Map<number, (sig: number) => void>;
  /** Runs at exit (stdio flush). */
  atExit: Array<() => void>;
  /** Ends the Worker now; never returns. */
  die: () => never;
  /** Set once exit() ran: the status it reported. */
  exited?: number;
  /** The runtime's end of exit(): tells the kernel (and whether the Worker can be reused). */
  exitHook: (code: number) => void;
  /** How deep in signal handlers we are (0: the program itself). */
  depth: number;
}

/**
 * The part of the data area calls at the current depth may use: a signal
 * handler's calls must not overwrite the data of the call it interrupted.
 */
export const DATA_REGIONS: ReadonlyArray<{ off: number; len: number }> = [
  { off: 0, len: 768 * 1024 },
  { off: 768 * 1024, len: 128 * 1024 },
  { off: 896 * 1024, len: 128 * 1024 },
];

/** Offset and length of the data area region for calls made now. */
export function dataRegion(): { off: number; len: number } {
  return DATA_REGIONS[Math.min(ctx().depth, DATA_REGIONS.length - 1)];
}

let current: Context | undefined;

/** The current process context (throws before the runtime has set one). */
export function ctx(): Context {
  if (current === undefined) throw new Error("no process context: not running under MelloOS");
  return current;
}

/** Runtime only: install the context. */
export function setContext(c: Context): void {
  current = c;
}
