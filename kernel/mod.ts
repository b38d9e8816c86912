// The public API: boot MelloOS, run command lines in its shell, restart or
// crash servers, shut down. Tests and `deno task boot` both use it.
//
//   const os = await boot();
//   const r = await os.run("echo hi | cat");   // { status: 0, stdout: "hi\n", ... }
//   await os.crash("vfs");
//   await os.shutdown();

import { ALL_RIGHTS, Right } from "./cap/rights.ts";
import { type BootOptions, Kernel } from "./kernel.ts";
import { type Process, shellStatus } from "./proc/process.ts";
import { Status } from "./ipc/server_runtime.ts";
import { FileAction } from "../servers/vfs/mod.ts";
import { Sig } from "./signals.ts";
import type { FuseBridge, FuseBridgeOptions } from "../drivers/fuse/bridge.ts";

export type { BootOptions };
export type { FuseBridge, FuseBridgeOptions };
export { Kernel };

/** What a command line produced. */
export interface RunResult {
  /** The shell's $?: exit code, or 128 + signal number. */
  status: number;
  /** The raw wait status. */
  waitStatus: number;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Options of one run. */
export interface RunOptions {
  /** Bytes for the command's stdin (default: empty). */
  stdin?: string | Uint8Array;
  /** Run as this user and group (default: root). */
  uid?: number;
  gid?: number;
  /** Supplementary groups (default: the gid alone when uid or gid is given, else root's). */
  groups?: number[];
  /** Environment (default: PATH=/bin HOME=/ TERM=xterm). */
  env?: Record<string, string>;
  /** Record the command's syscalls (see Handle.traceLines). */
  trace?: boolean;
}

/** A server as `service` lists it. */
export interface ServiceInfo {
  name: string;
  endpoint: number;
  pid: number;
  state: string;
  restarts: number;
  requests: number;
  replies: number;
  errors: number;
  rejected: number;
}

/** A booted system. */
export interface Handle {
  kernel: Kernel;
  /** Run `cmdline` with `sh -c`; resolves when it has exited and its output is read. */
  run(cmdline: string, opts?: RunOptions): Promise<RunResult>;
  /** Start `cmdline` with `sh -c` without waiting; returns its pid and a completion. */
  start(cmdline: string, opts?: RunOptions): Promise<{ pid: number; done: Promise<RunResult> }>;
  /** Send a signal to a process. */
  kill(pid: number, sig?: number): void;
  services(): ServiceInfo[];
  restart(name: string): Promise<void>;
  crash(name: string): Promise<void>;
  /** Kernel log lines (rejected capabilities, crashes, restarts). */
  log(): string[];
  /** Host mounts of our directories (FUSE; drivers/fuse, docs/fuse.md). */
  fuse: {
    /** Mount MelloOS's `root` (default "/") on host directory `dir`; resolves once usable. */
    mount(dir: string, opts?: Omit<FuseBridgeOptions, "dir">): Promise<FuseBridge>;
    /** Take it off the host (host programs inside get ENOTCONN, never a hang). */
    unmount(b: FuseBridge): Promise<void>;
    /** The mounts now up. */
    list(): FuseBridge[];
  };
  shutdown(): Promise<void>;
}

const decoder = new TextDecoder();

/** Boot MelloOS. */
export async function boot(options: BootOptions = {}): Promise<Handle> {
  const k = await Kernel.boot(options);

  async function start(cmdline: string, opts: RunOptions = {}) {
    const [inR, inW] = await k.fds.pipe();
    const [outR, outW] = await k.fds.pipe();
    const [errR, errW] = await k.fds.pipe();
    const env = Object.entries(opts.env ?? { PATH: "/bin", HOME: "/", TERM: "xterm" }).map(
      ([name, v]) => `${name}=${v}`,
    );
    let proc: Process;
    try {
      proc = await k.spawn({
        path: "/bin/sh",
        argv: ["sh", "-c", cmdline],
        env,
        actions: [
          { kind: FileAction.DUP2, fd: inR, fd2: 0 },
          { kind: FileAction.DUP2, fd: outW, fd2: 1 },
          { kind: FileAction.DUP2, fd: errW, fd2: 2 },
          ...[inR, inW, outR, outW, errR, errW].filter((fd) => fd > 2).map((fd) => ({
            kind: FileAction.CLOSE,
            fd,
            fd2: -1,
          })),
        ],
        uid: opts.uid ?? -1,
        gid: opts.gid ?? opts.uid ?? -1,
        groups: opts.groups,
        traced: opts.trace ?? false,
        rights: ALL_RIGHTS & ~Right.SYSTEM,
      });
    } finally {
      await Promise.all([k.fds.close(inR), k.fds.close(outW), k.fds.close(errW)]);
    }
    const pid = proc.pid;
    const feed = (async () => {
      const input = typeof opts.stdin === "string"
        ? new TextEncoder().encode(opts.stdin)
        : opts.stdin;
      try {
        if (input !== undefined && input.length > 0) await k.fds.write(inW, input);
      } catch {
        // the command stopped reading (EPIPE): what it took is what it got
      } finally {
        await k.fds.close(inW).catch(() => {});
      }
    })();
    const done = (async (): Promise<RunResult> => {
      // A pipe lost with a crashed VFS reads as what arrived before the crash.
      const [out, err, waitStatus] = await Promise.all([
        k.fds.readAll(outR, true),
        k.fds.readAll(errR, true),
        proc.exited,
      ]);
      await feed;
      await Promise.all([k.fds.close(outR), k.fds.close(errR)].map((p) => p.catch(() => {})));
      return {
        status: shellStatus(waitStatus),
        waitStatus,
        stdout: decoder.decode(out),
        stderr: decoder.decode(err),
        pid,
      };
    })();
    return { pid, done };
  }

  return {
    kernel: k,
    start,
    run: async (cmdline, opts) => (await start(cmdline, opts)).done,
    kill: (pid, sig = Sig.SIGTERM) => k.manager.kill(k.init, pid, sig),
    services: () =>
      [...k.supervisor.servers.values()].map((h) => ({
        name: h.spec.name,
        endpoint: h.spec.endpoint,
        pid: h.pid,
        state: h.state,
        restarts: h.restarts,
        requests: Atomics.load(h.status, Status.REQUESTS),
        replies: Atomics.load(h.status, Status.REPLIES),
        errors: Atomics.load(h.status, Status.ERRORS),
        rejected: Atomics.load(h.status, Status.REJECTED),
      })),
    restart: (name) => k.supervisor.restart(name),
    crash: (name) => k.supervisor.crash(name),
    log: () => [...k.logLines],
    fuse: {
      mount: (dir, opts = {}) => k.mountFuse({ ...opts, dir }),
      unmount: (b) => k.unmountFuse(b),
      list: () => [...k.fuse],
    },
    shutdown: () => k.shutdown(),
  };
}
