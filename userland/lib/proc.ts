// Process calls: identity, spawn/exec/exit/wait, signals, sleep.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { AREA_KILL } from "../../kernel/ipc/channel.ts";
import { PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import { ALL_RIGHTS, Right } from "../../kernel/cap/rights.ts";
import { SigAction } from "../../kernel/signals.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { traceClockUs } from "../../kernel/trace/events.ts";
import { FileAction, type FileActionSpec } from "../../servers/vfs/mod.ts";
import { ctx, dataRegion } from "./context.ts";
import { faccessat } from "./fs.ts";
import { AT, AT_FDCWD, X_OK } from "../../kernel/fcntl.ts";
import { ExitSignal } from "./exit_signal.ts";

export { ExitSignal };
import { deliverSignals, quote, syscall, traceLocal } from "./syscall.ts";

export { FileAction, type FileActionSpec, SigAction };

const KERNEL = 0;
const w = new PayloadWriter();

function kcall(nr: number, payload?: Uint8Array, value = 0, args?: () => string) {
  return syscall(KERNEL, nr, ctx().caps.get(KERNEL)!, payload, value, args);
}

export function getpid(): number {
  return kcall(Sys.getpid).value;
}
export function getppid(): number {
  return kcall(Sys.getppid).value;
}
export function getuid(): number {
  return kcall(Sys.getuid).value;
}
export function geteuid(): number {
  return kcall(Sys.geteuid).value;
}
export function getgid(): number {
  return kcall(Sys.getgid).value;
}
export function getegid(): number {
  return kcall(Sys.getegid).value;
}
export function getpgrp(): number {
  return kcall(Sys.getpgrp).value;
}
export function getpgid(pid = 0): number {
  return kcall(Sys.getpgid, undefined, pid, () => String(pid)).value;
}
export function getsid(pid = 0): number {
  return kcall(Sys.getsid, undefined, pid, () => String(pid)).value;
}
export function setpgid(pid: number, pgid: number): void {
  kcall(Sys.setpgid, w.reset().num(pid).num(pgid).bytes(), 0, () => `${pid}, ${pgid}`);
}
export function setsid(): number {
  return kcall(Sys.setsid).value;
}
export function setuid(uid: number): void {
  kcall(Sys.setuid, undefined, uid, () => String(uid));
}
export function setgid(gid: number): void {
  kcall(Sys.setgid, undefined, gid, () => String(gid));
}

/**
 * setfsuid(2): the uid file permission checks use from now on; returns the
 * previous one (pass -1 to read it). Unprivileged callers may only pick
 * their own ids; a refused change is silent, as on Linux: compare the
 * result of a second call.
 */
export function setfsuid(uid: number): number {
  return kcall(Sys.setfsuid, undefined, uid, () => String(uid)).value;
}

/** setfsgid(2): as setfsuid, for the group id. */
export function setfsgid(gid: number): number {
  return kcall(Sys.setfsgid, undefined, gid, () => String(gid)).value;
}
export function getgroups(): number[] {
  const r = kcall(Sys.getgroups);
  const rd = new PayloadReader(r.payload);
  return Array.from({ length: r.value }, () => rd.int());
}

/** setgroups(2): replace the supplementary groups (root only). */
export function setgroups(groups: number[]): void {
  w.reset().num(groups.length);
  for (const g of groups) w.num(g);
  kcall(Sys.setgroups, w.bytes(), 0, () => `${groups.length}, [${groups.join(", ")}]`);
}

/** uname(2) fields. */
export function uname(): {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
} {
  const rd = new PayloadReader(kcall(Sys.uname).payload);
  const [sysname, nodename, release, version, machine] = rd.strs();
  return { sysname, nodename, release, version, machine };
}

/** posix_spawn attributes. */
export interface SpawnOptions {
  env?: string[];
  actions?: FileActionSpec[];
  /** -1 (default): parent's group; 0: new group led by the child; n: join n. */
  pgid?: number;
  setsid?: boolean;
  uid?: number;
  gid?: number;
  /** Endpoint rights the child keeps (default: all of ours). */
  rights?: number;
  /** Record the child's syscalls for traceRead(). */
  traced?: boolean;
  /** Signals reset to default in the child. */
  sigDefault?: number;
  /** Supplementary groups of the child (root only; default: ours). */
  groups?: number[];
}

/** posix_spawn(): start `path` with `argv`; returns the child's pid. */
export function spawn(path: string, argv: string[], opts: SpawnOptions = {}): number {
  const env = opts.env ?? environ();
  w.reset().str(path).strs(argv).strs(env);
  const actions = opts.actions ?? [];
  w.num(actions.length);
  for (const a of actions) w.num(a.kind).num(a.fd).num(a.fd2);
  w.num(opts.pgid ?? -1).num(opts.setsid ? 1 : 0).num(opts.uid ?? -1).num(opts.gid ?? -1)
    .num(opts.rights ?? (ALL_RIGHTS & ~Right.SYSTEM)).num(opts.traced ? 1 : 0).num(
      opts.sigDefault ?? 0,
    );
  if (opts.groups !== undefined) {
    w.num(opts.groups.length);
    for (const g of opts.groups) w.num(g);
  }
  const [payload, value] = argsMessage(w.bytes());
  return kcall(
    Sys.mello_spawn,
    payload,
    value,
    () => `${quote(path)}, [${argv.map((a) => quote(a)).join(", ")}]`,
  )
    .value;
}

/** Arguments of this size or less ride in the message; more go through the data area. */
const ARGS_INLINE_MAX = 3072;

/** A spawn's or execve's payload as sent: inline, or its data-area offset and length (value 1). */
function argsMessage(bytes: Uint8Array): [Uint8Array, number] {
  if (bytes.length <= ARGS_INLINE_MAX) return [bytes, 0];
  const region = dataRegion();
  if (bytes.length > region.len) throw new ErrnoError(Errno.E2BIG, "argument list too long");
  ctx().area.data.set(bytes, region.off);
  return [new PayloadWriter().num(region.off).num(bytes.length).bytes(), 1];
}

/**
 * Search PATH for `name` as execvp does: the first directory where it exists
 * and may be executed; if it exists somewhere but may not be executed,
 * EACCES; undefined if it is nowhere.
 */
export function which(name: string): string | undefined {
  if (name.includes("/")) return name;
  if (name === "") return undefined;
  const path = ctx().env.get("PATH") ?? "/bin:/usr/bin";
  let denied = false;
  for (const dir of path.split(":")) {
    const candidate = (dir === "" ? "." : dir) + "/" + name;
    try {
      faccessat(AT_FDCWD, candidate, X_OK, AT.EACCESS);
      return candidate;
    } catch (err) {
      if (err instanceof ErrnoError && err.errno === Errno.EACCES) denied = true;
    }
  }
  if (denied) throw new ErrnoError(Errno.EACCES, name);
  return undefined;
}

/** posix_spawnp(): spawn, looking `argv[0]` up in PATH. */
export function spawnp(argv: string[], opts: SpawnOptions = {}): number {
  const path = which(argv[0]);
  if (path === undefined) throw new ErrnoError(Errno.ENOENT, argv[0]);
  return spawn(path, argv, opts);
}

/** execve(): replace this program; returns only on failure (throws). */
export function execve(path: string, argv: string[], env = environ()): never {
  for (const f of ctx().atExit) f();
  const [payload, value] = argsMessage(w.reset().str(path).strs(argv).strs(env).bytes());
  kcall(Sys.execve, payload, value, () => `${quote(path)}, [...]`);
  return ctx().die();
}

/** exit(): flush stdio, tell the kernel, and unwind to the runtime. */
export function exit(code: number): never {
  const c = ctx();
  if (c.exited === undefined) {
    for (const f of c.atExit.splice(0)) {
      try {
        f();
      } catch (err) {
        if (err instanceof ExitSignal) throw err; // a handler called exit() itself
        // Output that could not be written: the exit goes on, but not as a
        // success (as GNU tools exit 1 on a write error at close).
        if (code === 0) code = 1;
      }
    }
    traceLocal(Sys.exit_group, String(code), "?", traceClockUs());
    c.exited = code & 0xff;
    c.exitHook(c.exited);
  }
  throw new ExitSignal(c.exited);
}

/** wait4 status decoding, as <sys/wait.h>. */
export const WNOHANG = 1;
export function WIFEXITED(s: number): boolean {
  return (s & 0x7f) === 0;
}
export function WEXITSTATUS(s: number): number {
  return (s >> 8) & 0xff;
}
export function WIFSIGNALED(s: number): boolean {
  return (s & 0x7f) !== 0 && (s & 0x7f) !== 0x7f;
}
export function WTERMSIG(s: number): number {
  return s & 0x7f;
}

/** waitpid(): returns [pid, status]; pid 0 with WNOHANG when none has exited. */
export function waitpid(pid = -1, options = 0): [number, number] {
  const r = kcall(
    Sys.wait4,
    w.reset().num(pid).num(options).bytes(),
    0,
    () => `${pid}, ${options}`,
  );
  const status = r.value > 0 ? new PayloadReader(r.payload).int() : 0;
  return [r.value, status];
}

/** kill(2). */
export function kill(pid: number, sig: number): void {
  kcall(Sys.kill, w.reset().num(pid).num(sig).bytes(), 0, () => `${pid}, ${sig}`);
}

/**
 * Install a handler (or "ignore" / "default") for `sig`. Handlers run when
 * the program next waits for or returns from a syscall (or reaches a loop
 * guard), with SA_RESTART semantics.
 */
export function signal(sig: number, handler: ((sig: number) => void) | "ignore" | "default"): void {
  const action = handler === "ignore"
    ? SigAction.IGNORE
    : handler === "default"
    ? SigAction.DEFAULT
    : SigAction.CATCH;
  // The handler must be in place before the kernel can deliver to it.
  const handlers = ctx().handlers;
  const old = handlers.get(sig);
  if (typeof handler === "function") handlers.set(sig, handler);
  else handlers.delete(sig);
  try {
    kcall(
      Sys.mello_sigaction,
      w.reset().num(sig).num(action).bytes(),
      0,
      () => `${sig}, ${action}`,
    );
  } catch (err) {
    if (old !== undefined) handlers.set(sig, old);
    else handlers.delete(sig);
    throw err;
  }
}

/** nanosleep(): sleep `ms`, waking early only to die or run signal handlers. */
export function sleep(ms: number): void {
  const c = ctx();
  const t0 = traceClockUs();
  const until = performance.now() + ms;
  for (;;) {
    const left = until - performance.now();
    if (left <= 0) break;
    // The kernel rings our reply bell to kill us or to deliver a signal.
    c.area.replyBell.park(() => Atomics.load(c.area.i32, AREA_KILL) !== 0, Math.min(left, 1000));
    if (c.area.killed) c.die();
    deliverSignals();
  }
  traceLocal(Sys.nanosleep, `${ms}ms`, "0", t0);
}

/** The environment as NAME=value strings. */
export function environ(): string[] {
  return [...ctx().env].map(([k, v]) => `${k}=${v}`);
}

export function getenv(name: string): string | undefined {
  return ctx().env.get(name);
}

export function setenv(name: string, value: string): void {
  ctx().env.set(name, value);
}

export function unsetenv(name: string): void {
  ctx().env.delete(name);
}

/** The program's argv. */
export function argv(): string[] {
  return ctx().argv;
}
