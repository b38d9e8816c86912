// The caller of a request: fsuid, fsgid and thread id from the request
// header, supplementary groups from /proc/<pid>/status.
//
// The kernel does not send supplementary groups, so we read the "Groups:"
// line of the calling thread (credentials are per thread on Linux, and the
// header's pid is the thread id). It is read only when a handler asks, since
// most requests (READ, WRITE, RELEASE on an open file) need no permission
// check. It is racy by nature: the thread may have exited (pid 0, or no such
// file: no groups) or changed its groups since it made the call.

import { libc } from "./libc.ts";
import type { Caller } from "./handler.ts";

/** A request's caller; `groups` is read on first use. */
export class RequestCaller implements Caller {
  #groups: number[] | undefined;

  constructor(readonly uid: number, readonly gid: number, readonly pid: number) {}

  get groups(): readonly number[] {
    this.#groups ??= this.pid === 0 ? [] : readGroups(this.pid);
    return this.#groups;
  }
}

/** The supplementary groups of thread `pid`; [] if it is gone. */
export function readGroups(pid: number): number[] {
  const status = libc().readFile(`/proc/${pid}/status`);
  if (typeof status === "number") return [];
  return parseGroups(new TextDecoder().decode(status));
}

/** The "Groups:" line of a /proc/<pid>/status text, as numbers. */
export function parseGroups(status: string): number[] {
  const line = status.split("\n").find((l) => l.startsWith("Groups:"));
  if (line === undefined) return [];
  return line.slice("Groups:".length).trim().split(/\s+/).filter((s) => s !== "").map(Number);
}
