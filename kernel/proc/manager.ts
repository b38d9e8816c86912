// The process manager: creation (spawn, exec), ending (exit, signals), and
// reaping (wait). It runs on the kernel's thread and owns the process table.
//
// Ordering that matters:
//   - spawn: the child's credentials, area owner and capabilities are in
//     shared memory before its Worker is woken, so its first request is
//     judged correctly; its fd table is forked in the VFS before that, too.
//   - exit: the VFS closes the process's fds (so a pipe's reader sees EOF)
//     before the process becomes a zombie that wait() can reap; the area is
//     detached from the servers before its id can be reused.

import { Errno, ErrnoError } from "../errno.ts";
import { Right } from "../cap/rights.ts";
import type { CapTable } from "../cap/table.ts";
import { type Area, AreaState } from "../ipc/channel.ts";
import type { AsyncClient } from "../ipc/client_async.ts";
import { type CapToken, PayloadReader, PayloadWriter } from "../ipc/message.ts";
import { Endpoint } from "../registry.ts";
import { ignoredByDefault, Sig, SIG_MAX, SigAction } from "../signals.ts";
import { type Creds, credsOf, MAX_GROUPS, type SysMem } from "../sysmem.ts";
import { WNOHANG } from "../fcntl.ts";
import {
  decodeRoutes,
  encodeActions,
  type FdRouteRecord,
  FileAction,
  type FileActionSpec,
  VfsOp,
} from "../../servers/vfs/mod.ts";
import type { WarmPool, WarmWorker } from "./pool.ts";
import type { Program } from "../loader/image_cache.ts";
import { exitedStatus, type Process, signaledStatus } from "./process.ts";
import { TraceWriter } from "../trace/events.ts";
import { AREA_PID, AREA_SIGNALS, AREA_TRACED, DATA_BYTES, MAX_ENDPOINTS } from "../ipc/channel.ts";

/** Pid of init: the kernel itself, parent of orphans. */
export const INIT_PID = 1;
const PID_MAX = 1 << 22; // Linux's pid_max ceiling

/** What a spawn asks for (posix_spawn's arguments and attributes). */
export interface SpawnRequest {
  path: string;
  argv: string[];
  env: string[];
  actions: FileActionSpec[];
  /** -1: parent's group; 0: a new group led by the child; n: join group n. */
  pgid: number;
  setsid: boolean;
  /** -1: inherit; otherwise become this uid / gid (root only). */
  uid: number;
  gid: number;
  /** Endpoint rights the child keeps, ANDed with the parent's. */
  rights: number;
  traced: boolean;
  /** Signals (bit n = signal n) reset to SIG_DFL in the child (posix_spawnattr_setsigdefault). */
  sigDefault: number;
  /** Supplementary groups the child gets (root only), or undefined to keep the parent's. */
  groups?: number[];
}

/** What the manager needs from the kernel. */
export interface ManagerHost {
  sys: SysMem;
  caps: CapTable;
  client: AsyncClient;
  pool: WarmPool;
  /** A program's image for exec of `path`, or an errno. */
  /**
   * The program exec would run for `path` (scripts resolve to their
   * interpreter, with argv rewritten), checked with `credsPid`'s credentials
   * from `ctxPid`'s working directory. Errnos as execve's.
   */
  loadImage(path: string, argv: string[], credsPid: number, ctxPid: number): Promise<Program>;
  /** The area is finished with: detach it everywhere and free its id. */
  releaseArea(area: Area): void;
  /**
   * Tell every server the process on `areaId` ended: `closed` when the VFS
   * has closed its fds (its errno), `dropped` when the others have forgotten it.
   */
  endProcess(
    pid: number,
    areaId: number,
    sentMarks?: number[],
  ): { closed: Promise<number>; dropped: Promise<void> };
  /** Trace buffer of a program Worker (the tracer drains it). */
  onTraceBuffer(pid: number, trace: SharedArrayBuffer | undefined): void;
  /** Capability the kernel uses for VFS requests (carries SYSTEM). */
  vfsCap: CapToken;
  traceAll: () => boolean;
  log(text: string): void;
}

interface WaitRequest {
  parent: number;
  spec: number;
  resolve: (r: { pid: number; status: number }) => void;
  reject: (e: ErrnoError) => void;
}

/** The process table and everything that changes it. */
export class ProcessManager {
  readonly procs = new Map<number, Process>();
  readonly #waits: WaitRequest[] = [];
  #nextPid = 2;
  readonly #w = new PayloadWriter();
  readonly #encoder = new TextEncoder();

  constructor(readonly host: ManagerHost) {}

  get(pid: number): Process | undefined {
    return this.procs.get(pid);
  }

  /** A process known to exist (the sender of a request always does). */
  must(pid: number): Process {
    const p = this.procs.get(pid);
    if (p === undefined) throw new ErrnoError(Errno.ESRCH, `pid ${pid}`);
    return p;
  }

  allocPid(): number {
    for (let i = 0; i < PID_MAX; i++) {
      const pid = this.#nextPid;
      this.#nextPid = this.#nextPid + 1 >= PID_MAX ? 2 : this.#nextPid + 1;
      if (!this.procs.has(pid)) return pid;
    }
    throw new ErrnoError(Errno.EAGAIN, "no free pid");
  }

  /** Add a process record (init, servers, programs). */
  add(p: Omit<Process, "exited" | "markExited">): Process {
    let markExited!: (status: number) => void;
    const exited = new Promise<number>((r) => (markExited = r));
    const full: Process = { ...p, exited, markExited };
    this.procs.set(full.pid, full);
    this.host.sys.setCreds(full.pid, full.creds);
    this.host.sys.setOwner(full.area.id, full.pid);
    return full;
  }

  /** posix_spawn: a new process running `req.path`, child of `parent`. */
  async spawn(parent: Process, req: SpawnRequest): Promise<Process> {
    let creds = parent.creds;
    if (req.uid >= 0 || req.gid >= 0) {
      if (parent.creds.euid !== 0) {
        throw new ErrnoError(Errno.EPERM, "only root changes credentials");
      }
      const uid = req.uid >= 0 ? req.uid : creds.uid;
      const gid = req.gid >= 0 ? req.gid : creds.gid;
      creds = credsOf(uid, gid);
    }
    if (req.groups !== undefined) {
      if (parent.creds.euid !== 0) throw new ErrnoError(Errno.EPERM, "only root sets groups");
      creds = { ...creds, groups: checkGroups(req.groups) };
    }
    let pgid = parent.pgid;
    if (req.pgid > 0) {
      // A group exists while any member does, zombies included.
      const leader = [...this.procs.values()].find((q) => q.pgid === req.pgid);
      if (leader === undefined || leader.sid !== parent.sid) {
        throw new ErrnoError(Errno.EPERM, `process group ${req.pgid}`);
      }
      pgid = req.pgid;
    }
    const pid = this.allocPid();
    // The exec check is the child's: its credentials, from the parent's cwd.
    this.host.sys.setCreds(pid, creds);
    // The child's fd table is forked while the program is looked up: both
    // requests reach the VFS in one wake-up. A failed lookup drops the fork.
    const forking = this.#vfs(VfsOp.FORK, this.#w.reset().num(parent.pid).num(pid), req.actions);
    const [forked, loaded] = await Promise.allSettled([
      forking,
      this.host.loadImage(req.path, req.argv, pid, parent.pid),
    ]);
    // As posix_spawn's child applies its file actions before it execs, their error comes first.
    const failure = forked.status === "rejected"
      ? forked.reason
      : loaded.status === "rejected"
      ? loaded.reason
      : jobFits(loaded.value, req.env)
      ? undefined
      : new ErrnoError(Errno.E2BIG, "arguments, environment and program exceed the job area");
    if (failure !== undefined) {
      if (forked.status === "fulfilled") await this.#dropFork(pid);
      this.host.sys.clearCreds(pid);
      throw failure;
    }
    const routes = (forked as PromiseFulfilledResult<FdRouteRecord[]>).value;
    const program = (loaded as PromiseFulfilledResult<Program>).value;
    const warm = await this.host.pool.take(domainOf(creds, parent.rights & req.rights));
    const rights = parent.rights & req.rights;
    const caps = new Map<number, CapToken>([
      [Endpoint.KERNEL, this.host.caps.mint(Endpoint.KERNEL, rights, pid, 0)],
      [Endpoint.VFS, this.host.caps.mint(Endpoint.VFS, rights & ~Right.SYSTEM, pid, 0)],
    ]);
    this.host.sys.setCreds(pid, creds);
    const sid = req.setsid ? pid : parent.sid;
    const p = this.add({
      pid,
      ppid: parent.pid,
      pgid: req.setsid || req.pgid === 0 ? pid : pgid,
      sid,
      creds,
      name: basename(program.argv === req.argv ? req.path : program.argv[0]),
      argv: program.argv,
      area: warm.area,
      worker: warm.worker,
      state: "running",
      status: 0,
      caps,
      rights,
      children: new Set(),
      dispositions: inheritDispositions(parent.dispositions, req.sigDefault),
      traced: req.traced,
      isServer: false,
      startedAt: Date.now(),
    });
    parent.children.add(pid);
    this.#start(p, warm, program.image, req.env, routes);
    return p;
  }

  /** Forget the fd table a spawn forked for a child that will not run. */
  async #dropFork(pid: number): Promise<void> {
    try {
      await this.#vfs(VfsOp.EXIT, this.#w.reset().num(pid));
    } catch (err) {
      this.host.log(`pid ${pid}: dropping its fd table failed: ${(err as Error).message}`);
    }
  }

  /**
   * A process whose thread someone else runs: a driver's Worker (the FUSE
   * bridge's session Workers) that makes syscalls like any program, through
   * `area`, with `creds`, but runs no image and is not ours to start. Its fd
   * table starts empty. It ends with exit() or a kill, as others do; its
   * Worker learns of a kill through the area's kill word.
   */
  async attach(
    parent: Process,
    area: Area,
    opts: { name: string; creds: Creds; rights: number },
  ): Promise<Process> {
    const pid = this.allocPid();
    this.host.sys.setCreds(pid, opts.creds);
    const rights = parent.rights & opts.rights;
    const caps = new Map<number, CapToken>([
      [Endpoint.KERNEL, this.host.caps.mint(Endpoint.KERNEL, rights, pid, 0)],
      [Endpoint.VFS, this.host.caps.mint(Endpoint.VFS, rights & ~Right.SYSTEM, pid, 0)],
    ]);
    // Init's fds (the console) are not the driver's business.
    const closeAll = [0, 1, 2].map((fd) => ({ kind: FileAction.CLOSE, fd, fd2: -1 }));
    try {
      await this.#vfs(VfsOp.FORK, this.#w.reset().num(parent.pid).num(pid), closeAll);
    } catch (err) {
      for (const c of caps.values()) this.host.caps.free(c);
      this.host.sys.clearCreds(pid);
      throw err;
    }
    this.host.sys.setOwner(area.id, pid);
    Atomics.store(area.i32, AREA_PID, pid);
    const p = this.add({
      pid,
      ppid: parent.pid,
      pgid: parent.pgid,
      sid: parent.sid,
      creds: opts.creds,
      name: opts.name,
      argv: [opts.name],
      area,
      state: "running",
      status: 0,
      caps,
      rights,
      children: new Set(),
      dispositions: new Uint8Array(SIG_MAX + 1),
      traced: false,
      isServer: false,
      startedAt: Date.now(),
    });
    p.sentMarks = sentMarks(area);
    parent.children.add(pid);
    return p;
  }

  /** execve: replace the program `p` runs, keeping its pid and open fds. */
  async exec(p: Process, path: string, argv: string[], env: string[]): Promise<void> {
    const program = await this.host.loadImage(path, argv, p.pid, p.pid);
    if (!jobFits(program, env)) {
      throw new ErrnoError(Errno.E2BIG, "arguments, environment and program exceed the job area");
    }
    const warm = await this.host.pool.take(domainOf(p.creds, p.rights));
    let routes: FdRouteRecord[];
    try {
      routes = await this.#vfs(VfsOp.EXEC_FDS, this.#w.reset().num(p.pid));
    } catch (err) {
      this.#discard(warm);
      throw err;
    }
    // The old Worker is blocked in execve(): it ends on the kill word.
    p.area.kill();
    p.worker?.terminate();
    this.host.releaseArea(p.area);
    p.area = warm.area;
    p.worker = warm.worker;
    p.name = basename(program.argv === argv ? path : program.argv[0]);
    p.argv = program.argv;
    for (let s = 1; s <= SIG_MAX; s++) {
      if (p.dispositions[s] === SigAction.CATCH) p.dispositions[s] = SigAction.DEFAULT;
    }
    this.host.sys.setOwner(warm.area.id, p.pid);
    this.#start(p, warm, program.image, env, routes);
  }

  #start(
    p: Process,
    warm: WarmWorker,
    image: string,
    env: string[],
    routes: FdRouteRecord[],
  ): void {
    p.sentMarks = sentMarks(warm.area);
    p.traceSab = warm.trace;
    const traced = p.traced || this.host.traceAll();
    p.trace = traced ? new TraceWriter(warm.trace, 0xffff) : undefined;
    this.host.onTraceBuffer(p.pid, traced ? warm.trace : undefined);
    Atomics.store(warm.area.i32, AREA_TRACED, traced ? 1 : 0);
    Atomics.store(warm.area.i32, AREA_SIGNALS, 0); // nothing pending from a previous program
    Atomics.store(warm.area.i32, AREA_PID, p.pid);
    const job = JSON.stringify({
      pid: p.pid,
      ppid: p.ppid,
      argv: p.argv,
      env,
      image,
      caps: [...p.caps].map(([ep, c]) => [ep, c.slot, c.gen]),
      fds: routes.map((r) => [r.fd, r.ep, r.cap.slot, r.cap.gen]),
    });
    const bytes = this.#encoder.encode(job);
    const data = warm.area.data;
    if (bytes.length + 4 > data.length) throw new ErrnoError(Errno.E2BIG, "job too large");
    new DataView(data.buffer, data.byteOffset).setUint32(0, bytes.length, true);
    data.set(bytes, 4);
    warm.area.state = AreaState.RUNNING;
    warm.area.jobBell.force();
  }

  #discard(warm: WarmWorker): void {
    warm.area.kill();
    warm.worker.terminate();
    this.host.releaseArea(warm.area);
  }

  async #vfs(
    op: number,
    head: PayloadWriter,
    actions?: FileActionSpec[],
  ): Promise<FdRouteRecord[]> {
    if (actions !== undefined) encodeActions(head, actions);
    const r = await this.host.client.call(Endpoint.VFS, op, this.host.vfsCap, head.bytes().slice());
    if (r.errno !== 0) throw new ErrnoError(r.errno, `vfs op ${op}`);
    return decodeRoutes(new PayloadReader(r.payload));
  }

  /**
   * The process called exit_group(code). `recyclable`: its runtime will park
   * the Worker for another program of the same protection domain.
   */
  exit(p: Process, code: number, recyclable = false): void {
    void this.#finish(p, exitedStatus(code), recyclable);
  }

  /** The Worker of the process on `areaId` died of an uncaught error (outside main). */
  workerDied(area: Area, message: string): void {
    const p = [...this.procs.values()].find((q) => q.area === area && q.state === "running");
    if (p === undefined) {
      this.host.log(message);
      return;
    }
    this.host.log(`pid ${p.pid} (${p.name}): ${message}`);
    this.terminate(p, Sig.SIGABRT);
  }

  /** End `p` by signal `sig` now, wherever it is. */
  terminate(p: Process, sig: number): void {
    void this.#finish(p, signaledStatus(sig));
  }

  /** Ends still being carried out (their Workers not yet given back): leak checks wait for 0. */
  finishing = 0;

  async #finish(p: Process, status: number, recyclable = false): Promise<void> {
    if (p.state !== "running" || p.isServer || p.pid === INIT_PID) return;
    this.finishing++;
    try {
      await this.#finishNow(p, status, recyclable);
    } finally {
      this.finishing--;
    }
  }

  async #finishNow(p: Process, status: number, recyclable: boolean): Promise<void> {
    p.state = "exiting";
    p.status = status;
    if (!recyclable) {
      p.area.kill();
      p.worker?.terminate();
    }
    // Close its fds first (readers of its pipes must see EOF before wait()
    // returns) and have every server drop what it was waiting for: messages,
    // not postMessage, so a process ends in microseconds.
    // Waiters need its fds closed (a pipe's reader sees EOF before wait()
    // returns), not the other servers' bookkeeping: that is awaited only
    // before its area serves anyone else.
    const ended = this.host.endProcess(p.pid, p.area.id, p.sentMarks);
    const closed = await ended.closed;
    if (closed !== 0) this.host.log(`pid ${p.pid}: closing its fds failed: errno ${closed}`);
    this.host.onTraceBuffer(p.pid, undefined);
    this.host.sys.setOwner(p.area.id, 0);
    for (const c of p.caps.values()) this.host.caps.free(c);
    this.#dropWaitsOf(p.pid);
    for (const cpid of p.children) {
      const c = this.procs.get(cpid);
      if (c === undefined) continue;
      c.ppid = INIT_PID;
      this.must(INIT_PID).children.add(cpid);
      if (c.state === "zombie") this.#reapOrphan(c);
    }
    p.children.clear();
    p.state = "zombie";
    p.markExited(status);
    const parent = this.procs.get(p.ppid);
    if (parent === undefined || parent.pid === INIT_PID) {
      this.#reapOrphan(p);
    } else {
      this.deliver(parent, Sig.SIGCHLD);
      this.#serveWaits();
    }
    // Only now, off the parent's path: give the Worker back, or let it go.
    await ended.dropped;
    if (recyclable && p.worker !== undefined) {
      this.host.pool.recycle(
        { worker: p.worker, area: p.area, trace: p.traceSab! },
        domainOf(p.creds, p.rights),
      );
    } else {
      this.host.releaseArea(p.area);
    }
  }

  /** Init reaps its children at once (the API reads their status from `exited`). */
  #reapOrphan(p: Process): void {
    if (p.state !== "zombie" || p.ppid !== INIT_PID) return;
    queueMicrotask(() => this.#reap(p));
  }

  #reap(p: Process): void {
    if (!this.procs.has(p.pid)) return;
    this.procs.delete(p.pid);
    this.procs.get(p.ppid)?.children.delete(p.pid);
    this.host.sys.clearCreds(p.pid);
  }

  /** wait4: a zombie child matching `spec`, now or when one appears. */
  wait(
    parent: Process,
    spec: number,
    options: number,
  ): { pid: number; status: number } | Promise<{ pid: number; status: number }> {
    if ((options & ~WNOHANG) !== 0) throw new ErrnoError(Errno.EINVAL, `wait options ${options}`);
    const found = this.#findZombie(parent, spec);
    if (found !== undefined) return found;
    if ((options & WNOHANG) !== 0) return { pid: 0, status: 0 };
    return new Promise((resolve, reject) =>
      this.#waits.push({ parent: parent.pid, spec, resolve, reject })
    );
  }

  #matches(parent: Process, spec: number): Process[] {
    const out: Process[] = [];
    for (const cpid of parent.children) {
      const c = this.procs.get(cpid);
      if (c === undefined) continue;
      if (
        spec > 0
          ? c.pid === spec
          : spec === -1
          ? true
          : spec === 0
          ? c.pgid === parent.pgid
          : c.pgid === -spec
      ) {
        out.push(c);
      }
    }
    return out;
  }

  #findZombie(parent: Process, spec: number): { pid: number; status: number } | undefined {
    const matches = this.#matches(parent, spec);
    if (matches.length === 0) {
      throw new ErrnoError(Errno.ECHILD, `pid ${parent.pid} has no child ${spec}`);
    }
    const z = matches.find((c) => c.state === "zombie");
    if (z === undefined) return undefined;
    this.#reap(z);
    return { pid: z.pid, status: z.status };
  }

  #serveWaits(): void {
    for (let i = 0; i < this.#waits.length; i++) {
      const w = this.#waits[i];
      const parent = this.procs.get(w.parent);
      if (parent === undefined) continue;
      try {
        const found = this.#findZombie(parent, w.spec);
        if (found === undefined) continue;
        this.#waits.splice(i--, 1);
        w.resolve(found);
      } catch (err) {
        this.#waits.splice(i--, 1);
        w.reject(err as ErrnoError);
      }
    }
  }

  #dropWaitsOf(pid: number): void {
    for (let i = this.#waits.length - 1; i >= 0; i--) {
      if (this.#waits[i].parent === pid) this.#waits.splice(i, 1);
    }
  }

  /** kill(2): send `sig` to the processes `spec` names, as `sender` may. */
  kill(sender: Process, spec: number, sig: number): void {
    if (!Number.isInteger(sig) || sig < 0 || sig > SIG_MAX) {
      throw new ErrnoError(Errno.EINVAL, `signal ${sig}`);
    }
    let targets: Process[];
    if (spec > 0) {
      const p = this.procs.get(spec);
      if (p === undefined) throw new ErrnoError(Errno.ESRCH, `pid ${spec}`);
      targets = [p];
    } else if (spec === -1) {
      targets = [...this.procs.values()].filter((p) =>
        p.pid !== INIT_PID && p.pid !== sender.pid && !p.isServer
      );
    } else {
      const pgid = spec === 0 ? sender.pgid : -spec;
      targets = [...this.procs.values()].filter((p) => p.pgid === pgid);
    }
    if (targets.length === 0) throw new ErrnoError(Errno.ESRCH, `no process in ${spec}`);
    const allowed = targets.filter((t) => this.#maySignal(sender, t));
    if (allowed.length === 0) {
      throw new ErrnoError(Errno.EPERM, `pid ${sender.pid} may not signal ${spec}`);
    }
    if (sig === 0) return;
    for (const t of allowed) this.deliver(t, sig);
  }

  #maySignal(sender: Process, t: Process): boolean {
    if (t.isServer || t.pid === INIT_PID) return sender.pid === INIT_PID || sender.isServer;
    const c = sender.creds;
    return c.euid === 0 || c.uid === t.creds.uid || c.euid === t.creds.uid;
  }

  /** Deliver one signal by the target's disposition. */
  deliver(p: Process, sig: number): void {
    if (p.state !== "running" || p.isServer || p.pid === INIT_PID) return;
    const disposition = p.dispositions[sig];
    if (sig === Sig.SIGKILL) return this.terminate(p, sig);
    if (disposition === SigAction.IGNORE) return;
    if (disposition === SigAction.DEFAULT) {
      if (ignoredByDefault(sig)) return;
      return this.terminate(p, sig);
    }
    Atomics.or(p.area.i32, AREA_SIGNALS, 1 << sig);
    p.area.replyBell.force();
  }

  /** Install a disposition; returns the old one. */
  sigaction(p: Process, sig: number, action: number): number {
    if (
      !Number.isInteger(sig) || sig < 1 || sig > SIG_MAX || sig === Sig.SIGKILL ||
      sig === Sig.SIGSTOP
    ) {
      throw new ErrnoError(Errno.EINVAL, `signal ${sig}`);
    }
    if (action !== SigAction.DEFAULT && action !== SigAction.IGNORE && action !== SigAction.CATCH) {
      throw new ErrnoError(Errno.EINVAL, `disposition ${action}`);
    }
    const old = p.dispositions[sig];
    p.dispositions[sig] = action;
    return old;
  }

  setpgid(sender: Process, pid: number, pgid: number): void {
    const target = pid === 0 ? sender : this.procs.get(pid);
    if (target === undefined) throw new ErrnoError(Errno.ESRCH, `pid ${pid}`);
    if (target !== sender && target.ppid !== sender.pid) {
      throw new ErrnoError(Errno.ESRCH, `pid ${pid}`);
    }
    if (pgid < 0) throw new ErrnoError(Errno.EINVAL, `pgid ${pgid}`);
    if (target.sid !== sender.sid) throw new ErrnoError(Errno.EPERM, "other session");
    if (target.pid === target.sid) throw new ErrnoError(Errno.EPERM, "session leader");
    const group = pgid === 0 ? target.pid : pgid;
    if (group !== target.pid) {
      const member = [...this.procs.values()].find((q) => q.pgid === group && q.sid === sender.sid);
      if (member === undefined) throw new ErrnoError(Errno.EPERM, `no group ${group}`);
    }
    target.pgid = group;
  }

  setsid(p: Process): number {
    if ([...this.procs.values()].some((q) => q.pgid === p.pid)) {
      throw new ErrnoError(Errno.EPERM, "already a group leader");
    }
    p.sid = p.pid;
    p.pgid = p.pid;
    return p.pid;
  }

  /**
   * Change credentials (setuid/setgid): root may become anyone, others only
   * themselves. The filesystem ids follow the effective ones.
   */
  setIds(p: Process, uid: number, gid: number): void {
    const c = p.creds;
    if (uid >= 0) {
      if (c.euid !== 0 && uid !== c.uid) throw new ErrnoError(Errno.EPERM, `setuid ${uid}`);
      p.creds = c.euid === 0
        ? { ...c, uid, euid: uid, fsuid: uid }
        : { ...c, euid: uid, fsuid: uid };
    }
    if (gid >= 0) {
      if (c.euid !== 0 && gid !== c.gid) throw new ErrnoError(Errno.EPERM, `setgid ${gid}`);
      p.creds = c.euid === 0
        ? { ...p.creds, gid, egid: gid, fsgid: gid }
        : { ...p.creds, egid: gid, fsgid: gid };
    }
    this.host.sys.setCreds(p.pid, p.creds);
  }

  /**
   * setfsuid(2)/setfsgid(2): the id file permission checks use. Returns the
   * previous one, changed or not, as Linux does (no errno: asking with -1 is
   * how a caller reads it). Root may take any id; others their real,
   * effective or current filesystem id.
   */
  setFsId(p: Process, which: "uid" | "gid", id: number): number {
    const c = p.creds;
    const old = which === "uid" ? c.fsuid : c.fsgid;
    const own = which === "uid" ? [c.uid, c.euid, c.fsuid] : [c.gid, c.egid, c.fsgid];
    const valid = Number.isInteger(id) && id >= 0 && id <= 0xfffffffe;
    if (!valid || (c.euid !== 0 && !own.includes(id))) return old;
    p.creds = which === "uid" ? { ...c, fsuid: id } : { ...c, fsgid: id };
    this.host.sys.setCreds(p.pid, p.creds);
    return old;
  }

  /** setgroups(2): root only. */
  setGroups(p: Process, groups: number[]): void {
    if (p.creds.euid !== 0) throw new ErrnoError(Errno.EPERM, "setgroups");
    p.creds = { ...p.creds, groups: checkGroups(groups) };
    this.host.sys.setCreds(p.pid, p.creds);
  }
}

/** A supplementary group list as setgroups(2) takes it (EINVAL past MAX_GROUPS or for a bad id). */
function checkGroups(groups: number[]): number[] {
  if (groups.length > MAX_GROUPS) {
    throw new ErrnoError(Errno.EINVAL, `${groups.length} groups (at most ${MAX_GROUPS})`);
  }
  for (const g of groups) {
    if (!Number.isInteger(g) || g < 0 || g > 0xfffffffe) {
      throw new ErrnoError(Errno.EINVAL, `group ${g}`);
    }
  }
  return [...groups];
}

const encoder = new TextEncoder();

/** Room in a job for what is not argv, env or the image: pids, caps, up to 1024 fd routes. */
const JOB_OVERHEAD = 64 * 1024;

/**
 * Will the job for `program` fit a program's data area (see #start)? Asked
 * before anything is allocated, so an E2BIG leaves nothing behind.
 */
function jobFits(program: Program, env: string[]): boolean {
  const bytes = encoder.encode(JSON.stringify([program.argv, env, program.image])).length;
  return bytes + JOB_OVERHEAD <= DATA_BYTES;
}

/** Who a Worker may be reused for: same credentials, same endpoint rights. */
function domainOf(c: Creds, rights: number): string {
  return `${c.uid}:${c.euid}:${c.gid}:${c.egid}:${c.groups.join(",")}:${rights}`;
}

function basename(path: string): string {
  const parts = path.split("/").filter((s) => s !== "");
  return parts.length === 0 ? path : parts[parts.length - 1];
}

/** Dispositions a child starts with: caught signals reset to default (posix_spawn, exec). */
function inheritDispositions(parent: Uint8Array, sigDefault: number): Uint8Array {
  const d = new Uint8Array(SIG_MAX + 1);
  for (let s = 1; s <= SIG_MAX; s++) {
    const ignored = parent[s] === SigAction.IGNORE && (sigDefault & (1 << s)) === 0;
    d[s] = ignored ? SigAction.IGNORE : SigAction.DEFAULT;
  }
  return d;
}

/** Where each endpoint's request ring of `area` stands now (Ring.produced()). */
function sentMarks(area: Area): number[] {
  return Array.from({ length: MAX_ENDPOINTS }, (_, ep) => area.channel(ep).requests.produced());
}
