// Processes: the kernel's record of each one, and Linux's wait-status words.

import type { Area } from "../ipc/channel.ts";
import type { CapToken } from "../ipc/message.ts";
import type { Creds } from "../sysmem.ts";
import type { TraceWriter } from "../trace/events.ts";

/**
 * running; exiting (ended, its fds and server state being released: not yet
 * waitable, so a parent's wait returns only after its pipes are closed);
 * zombie (waitable).
 */
export type ProcState = "running" | "exiting" | "zombie";

/** One process (a program in a Worker, or a server). */
export interface Process {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  creds: Creds;
  /** Command name (comm) and the argv it was started with. */
  name: string;
  argv: string[];
  area: Area;
  /** The Worker running it (absent for init and servers' records). */
  worker?: Worker;
  trace?: TraceWriter;
  /** The trace buffer of its Worker. */
  traceSab?: SharedArrayBuffer;
  state: ProcState;
  /** wait status, once a zombie. */
  status: number;
  /** Endpoint capabilities it was given (by endpoint). */
  caps: Map<number, CapToken>;
  /** Endpoint rights it may pass on to children. */
  rights: number;
  children: Set<number>;
  /** Signal dispositions (SigAction values), index = signal number. */
  dispositions: Uint8Array;
  traced: boolean;
  isServer: boolean;
  /**
   * Its area's request rings as it began (Ring.produced(), by endpoint): at
   * its end only the servers it sent something to need telling.
   */
  sentMarks?: number[];
  startedAt: number;
  /** Resolves when it becomes a zombie. */
  exited: Promise<number>;
  markExited: (status: number) => void;
}

/** Wait status of a normal exit with `code`. */
export function exitedStatus(code: number): number {
  return (code & 0xff) << 8;
}

/** Wait status of death by `sig`. */
export function signaledStatus(sig: number): number {
  return sig & 0x7f;
}

export function wifExited(status: number): boolean {
  return (status & 0x7f) === 0;
}

export function wExitStatus(status: number): number {
  return (status >> 8) & 0xff;
}

export function wTermSig(status: number): number {
  return status & 0x7f;
}

/** The shell's $? for a wait status: the exit code, or 128 + signal. */
export function shellStatus(status: number): number {
  return wifExited(status) ? wExitStatus(status) : 128 + wTermSig(status);
}
