// The kernel: the main thread. It owns the shared memory every component
// reads (system memory, the capability table, spinner slots), mints the
// endpoint capabilities, starts and supervises the servers, runs the process
// manager behind its own endpoint (0), and collects traces.
//
// Boot order:
//   1. shared memory; init (pid 1, the kernel itself) and its IPC area 0;
//   2. the kernel endpoint starts serving;
//   3. each server gets a pid, an area and endpoint capabilities, and starts;
//   4. program images are built (or read from the cache) meanwhile;
//   5. warm program Workers are started in the background.

import { ALL_RIGHTS, Right } from "./cap/rights.ts";
import { CapTable } from "./cap/table.ts";
import { Area } from "./ipc/channel.ts";
import { AsyncClient } from "./ipc/client_async.ts";
import { SpinSlots } from "./ipc/doorbell.ts";
import { type CapToken, PayloadReader, PayloadWriter } from "./ipc/message.ts";
import { Server } from "./ipc/server.ts";
import { Errno, ErrnoError } from "./errno.ts";
import { O } from "./fcntl.ts";
import { KernelFds } from "./kfd.ts";
import { populateRoot } from "./rootfs.ts";
import { ImageCache, type Program } from "./loader/image_cache.ts";
import { HostConsole } from "./console.ts";
import { buildUserland } from "./loader/build.ts";
import { INIT_PID, ProcessManager, type SpawnRequest } from "./proc/manager.ts";
import { kernelRoutes } from "./proc/ops.ts";
import { WarmPool } from "./proc/pool.ts";
import type { Process } from "./proc/process.ts";
import { defaultServers, Endpoint, type ServerSpec } from "./registry.ts";
import { SIG_MAX } from "./signals.ts";
import { Supervisor } from "./supervisor.ts";
import { type Creds, MAX_AREAS, ROOT_CREDS, SysMem } from "./sysmem.ts";
import { Tracer } from "./trace/tracer.ts";
import { TRACE_AREA_BYTES, TraceWriter } from "./trace/events.ts";
import { TtyOp } from "../servers/tty/mod.ts";
import { VfsOp } from "../servers/vfs/mod.ts";
import { ServerOp } from "./ipc/server_runtime.ts";
import type { AttachedInit } from "../userland/runtime/attached.ts";
import { FuseBridge, type FuseBridgeOptions } from "../drivers/fuse/bridge.ts";

/** How to boot. */
export interface BootOptions {
  /** Write a Chrome trace of everything to this file. */
  trace?: string;
  /** Warm program Workers to keep ready. */
  warm?: number;
  /** Give init the console as fds 0, 1, 2 (the interactive session). */
  console?: boolean;
  /** Servers to run (default: defaultServers()). */
  servers?: ServerSpec[];
  /** Threads that may spin at once (default: the number of cores). */
  spinSlots?: number;
  /** Mount a directory of ours on the host through FUSE once booted (drivers/fuse). */
  fuse?: FuseBridgeOptions;
}

const LOG_LINES = 1000;

/** A booted kernel. */
export class Kernel {
  readonly sys = new SysMem(SysMem.createBuffer());
  readonly capsSab = CapTable.createBuffer();
  readonly caps = new CapTable(this.capsSab, Endpoint.KERNEL);
  readonly spinSab = new SharedArrayBuffer(64);
  readonly spin = new SpinSlots(new Int32Array(this.spinSab));
  readonly areas = new Map<number, Area>();
  readonly #freeAreas: number[] = [];
  #nextArea = 1;
  readonly tracer = new Tracer();
  readonly logLines: string[] = [];
  readonly area: Area;
  readonly client: AsyncClient;
  readonly supervisor: Supervisor;
  readonly manager: ProcessManager;
  readonly pool: WarmPool;
  readonly server: Server;
  readonly fds: KernelFds;
  readonly init: Process;
  images = new Map<string, string>();
  /** Reads program files for exec (once the root filesystem is up). */
  loader?: ImageCache;
  vfsCap!: CapToken;
  ttyCap!: CapToken;
  /** The kernel's SYSTEM-right capability for each server endpoint. */
  readonly systemCaps = new Map<number, CapToken>();
  #stopped = false;
  /** The host terminal, when this boot has the console. */
  readonly console?: HostConsole;

  private constructor(readonly options: BootOptions) {
    if (options.console === true) this.console = new HostConsole();
    this.spin.init(options.spinSlots ?? Math.max(1, navigator.hardwareConcurrency));
    this.area = Area.create(0);
    this.areas.set(0, this.area);
    const kernelTrace = new SharedArrayBuffer(TRACE_AREA_BYTES);
    this.client = new AsyncClient(
      this.area,
      new TraceWriter(kernelTrace, Endpoint.KERNEL),
      INIT_PID,
    );
    this.supervisor = new Supervisor({
      sys: this.sys.sab,
      caps: this.capsSab,
      spin: this.spinSab,
      areas: () => this.areas.values(),
      log: (t) => this.log(t),
      onTraceBuffer: (name, ep, sab) => {
        const h = this.supervisor.get(name);
        this.tracer.addServer(name, ep, sab, h?.area.id ?? -1);
      },
    });
    // deno-lint-ignore no-this-alias
    const kernel = this;
    this.pool = new WarmPool({
      spin: this.spinSab,
      newArea: () => this.newArea(),
      dropArea: (a) => this.releaseArea(a),
      onWorkerError: (area, message) => this.manager.workerDied(area, message),
    }, options.warm ?? 3);
    this.manager = new ProcessManager({
      sys: this.sys,
      caps: this.caps,
      client: this.client,
      pool: this.pool,
      loadImage: (path, argv, credsPid, ctxPid) => this.#loadImage(path, argv, credsPid, ctxPid),
      releaseArea: (a) => this.releaseArea(a),
      endProcess: (pid, areaId, marks) => this.#endProcess(pid, areaId, marks),
      onTraceBuffer: (pid, sab) => {
        const p = this.manager.get(pid);
        this.tracer.setProgram(pid, p?.name ?? "?", sab);
        if (sab !== undefined && p?.traced === true) this.tracer.follow(pid);
      },
      get vfsCap() {
        return kernel.vfsCap;
      },
      traceAll: () => this.sys.traceAll,
      log: (t) => this.log(t),
    });
    this.init = this.manager.add({
      pid: INIT_PID,
      ppid: 0,
      pgid: INIT_PID,
      sid: INIT_PID,
      creds: ROOT_CREDS,
      name: "init",
      argv: ["init"],
      area: this.area,
      state: "running",
      status: 0,
      caps: new Map(),
      rights: ALL_RIGHTS,
      children: new Set(),
      dispositions: new Uint8Array(SIG_MAX + 1),
      traced: false,
      isServer: false,
      startedAt: Date.now(),
    });
    this.server = new Server({
      endpoint: Endpoint.KERNEL,
      caps: this.caps,
      sys: this.sys,
      spin: this.spin,
      routes: kernelRoutes({
        manager: this.manager,
        supervisor: this.supervisor,
        pool: this.pool,
        tracer: this.tracer,
        caps: this.caps,
        log: (t) => this.log(t),
        hostname: "mello",
        bootedAt: Date.now(),
        fuse: this.fuse,
      }),
      log: (t) => this.log(`kernel: ${t}`),
      trace: new TraceWriter(kernelTrace, Endpoint.KERNEL),
      waitingDownstream: () => this.client.awaiting > 0,
      onPanic: (err) => this.log(`kernel: bug in a handler: ${(err as Error)?.stack ?? err}`),
    });
    this.tracer.addServer("kernel", Endpoint.KERNEL, kernelTrace, 0);
    this.fds = new KernelFds(this.client, { slot: 0, gen: 0 });
  }

  /** Boot: start every server, build the programs, warm the pool. */
  static async boot(options: BootOptions = {}): Promise<Kernel> {
    const k = new Kernel(options);
    if (options.trace !== undefined) {
      k.tracer.openFile(options.trace);
      k.sys.traceAll = true;
    }
    const images = buildUserland();
    k.vfsCap = k.caps.mint(Endpoint.VFS, ALL_RIGHTS, INIT_PID, 0);
    k.ttyCap = k.caps.mint(Endpoint.TTY, ALL_RIGHTS, INIT_PID, 0);
    k.systemCaps.set(Endpoint.VFS, k.vfsCap);
    k.systemCaps.set(Endpoint.TTY, k.ttyCap);
    k.init.caps.set(Endpoint.VFS, k.vfsCap);
    k.fds.vfsCap = k.vfsCap;
    const specs = (options.servers ?? defaultServers()).map((spec) =>
      spec.name === "tty" && k.console !== undefined
        ? {
          ...spec,
          options: { ...spec.options, input: k.console.queue.sab, hostTty: k.console.isTerminal },
        }
        : spec
    );
    await Promise.all(specs.map((spec) => k.#startServer(spec, specs)));
    k.images = await images;
    if (k.supervisor.get("mfs_ram") !== undefined) {
      await populateRoot(k.client, k.vfsCap, k.fds, k.images);
      k.loader = new ImageCache(k.client, k.vfsCap, k.systemCaps, k.fds);
    }
    k.pool.fill();
    if (k.console !== undefined) {
      k.console.watch();
      await k.#attachConsole();
    }
    if (options.fuse !== undefined) await k.mountFuse(options.fuse);
    return k;
  }

  async #startServer(spec: ServerSpec, all: ServerSpec[]): Promise<void> {
    if (!this.systemCaps.has(spec.endpoint)) {
      this.systemCaps.set(spec.endpoint, this.caps.mint(spec.endpoint, ALL_RIGHTS, INIT_PID, 0));
    }
    const pid = this.manager.allocPid();
    const area = this.newArea();
    const serverRights = Right.CALL | Right.SIGNAL | Right.SPAWN;
    const endpointCaps: Record<number, CapToken> = {
      [Endpoint.KERNEL]: this.caps.mint(Endpoint.KERNEL, serverRights, pid, 0),
      [Endpoint.VFS]: this.caps.mint(Endpoint.VFS, Right.CALL, pid, 0),
    };
    // The VFS drives the other servers (filesystems, the console): it gets
    // SYSTEM capabilities for their endpoints.
    if (spec.endpoint === Endpoint.VFS) {
      for (const other of all) {
        if (other.endpoint !== Endpoint.VFS) {
          endpointCaps[other.endpoint] = this.caps.mint(other.endpoint, ALL_RIGHTS, pid, 0);
        }
      }
    }
    this.manager.add({
      pid,
      ppid: INIT_PID,
      pgid: pid,
      sid: pid,
      creds: ROOT_CREDS,
      name: spec.name,
      argv: [spec.name],
      area,
      state: "running",
      status: 0,
      caps: new Map(Object.entries(endpointCaps).map(([ep, c]) => [Number(ep), c])),
      rights: serverRights,
      children: new Set(),
      dispositions: new Uint8Array(SIG_MAX + 1),
      traced: false,
      isServer: true,
      startedAt: Date.now(),
    });
    this.init.children.add(pid);
    await this.supervisor.add(spec, pid, area, endpointCaps);
  }

  /** Give init the console on fds 0, 1, 2. */
  async #attachConsole(): Promise<void> {
    const vfs = this.supervisor.get("vfs")!;
    const w = new PayloadWriter();
    const r = await this.client.call(
      Endpoint.TTY,
      TtyOp.OPEN,
      this.ttyCap,
      w.reset().num(vfs.pid).num(O.RDWR).bytes().slice(),
    );
    if (r.errno !== 0) throw new ErrnoError(r.errno, "console open");
    const root = new PayloadReader(r.payload);
    const slot = root.int(0);
    const gen = root.int(0);
    for (const fd of [0, 1, 2]) {
      const ir = await this.client.call(
        Endpoint.VFS,
        VfsOp.INSTALL,
        this.vfsCap,
        w.reset().num(INIT_PID).num(fd).num(Endpoint.TTY).num(slot).num(gen).num(O.RDWR).bytes()
          .slice(),
      );
      if (ir.errno !== 0) throw new ErrnoError(ir.errno, "console install");
    }
  }

  /** A new IPC area, known to every server. */
  newArea(): Area {
    const id = this.#freeAreas.pop() ?? this.#nextArea++;
    if (id >= MAX_AREAS) throw new ErrnoError(Errno.EAGAIN, "out of IPC areas");
    const area = Area.create(id);
    this.areas.set(id, area);
    this.server.attach(area);
    this.supervisor.attach(area);
    return area;
  }

  /** An area is finished with: detach it everywhere; its id may be reused. */
  releaseArea(area: Area): void {
    if (this.areas.get(area.id) !== area) return;
    this.areas.delete(area.id);
    this.sys.setOwner(area.id, 0);
    this.server.detach(area.id);
    this.supervisor.detach(area.id);
    this.#freeAreas.push(area.id);
  }

  /**
   * A process ended: the VFS closes its fds (`closed`: its errno), every
   * other server drops its waits (`dropped`).
   */
  #endProcess(
    pid: number,
    areaId: number,
    sentMarks?: number[],
  ): { closed: Promise<number>; dropped: Promise<void> } {
    const w = new PayloadWriter();
    const area = this.areas.get(areaId);
    // Only a server the process sent something to can hold a wait of its.
    const told = (ep: number) =>
      sentMarks === undefined || area === undefined ||
      area.channel(ep).requests.produced() !== sentMarks[ep];
    const calls = [...this.supervisor.servers.values()]
      .filter((h) => h.spec.endpoint !== Endpoint.VFS && h.state === "up" && told(h.spec.endpoint))
      .map((h) =>
        this.client.call(
          h.spec.endpoint,
          ServerOp.PROC_EXIT,
          this.systemCaps.get(h.spec.endpoint)!,
          w.reset().num(areaId).bytes().slice(),
        )
      );
    const vfs = this.client.call(
      Endpoint.VFS,
      VfsOp.EXIT,
      this.vfsCap,
      w.reset().num(pid).num(areaId).bytes().slice(),
    );
    return { closed: vfs.then((r) => r.errno), dropped: Promise.all(calls).then(() => {}) };
  }

  /** The program exec runs for `path`: from the filesystem, or the built-in table without one. */
  #loadImage(path: string, argv: string[], credsPid: number, ctxPid: number): Promise<Program> {
    if (this.loader !== undefined) return this.loader.load(path, argv, credsPid, ctxPid);
    const m = /^\/bin\/([^/]+)$/.exec(path);
    const image = m === null ? undefined : this.images.get(m[1]);
    if (image === undefined) return Promise.reject(new ErrnoError(Errno.ENOENT, path));
    return Promise.resolve({ image, argv });
  }

  /** Spawn a program as a child of init; its record stays valid after it is reaped. */
  spawn(
    req: Partial<SpawnRequest> & { path: string; argv: string[] },
    creds?: Creds,
  ): Promise<Process> {
    const full: SpawnRequest = {
      env: ["PATH=/bin", "HOME=/", "TERM=xterm"],
      actions: [],
      pgid: 0,
      setsid: false,
      uid: creds?.uid ?? -1,
      gid: creds?.gid ?? -1,
      rights: ALL_RIGHTS & ~Right.SYSTEM,
      traced: false,
      sigDefault: 0,
      ...req,
    };
    return this.manager.spawn(this.init, full);
  }

  /** FUSE bridges serving directories of ours on the host. */
  readonly fuse = new Set<FuseBridge>();

  /** Mount a directory of ours on the host (FUSE); it is unmounted at shutdown. */
  async mountFuse(options: FuseBridgeOptions): Promise<FuseBridge> {
    const b = await FuseBridge.start(this, options);
    this.fuse.add(b);
    return b;
  }

  /** Take a FUSE mount off the host. */
  async unmountFuse(b: FuseBridge): Promise<void> {
    this.fuse.delete(b);
    await b.stop();
  }

  /**
   * A process for a thread the caller runs itself (a driver's Worker, such as
   * the FUSE bridge's): what that Worker needs to make syscalls through the
   * userland library (userland/runtime/attached.ts). The Worker holds only
   * its own area, as a program does. End it with `os.kernel.manager.exit`.
   */
  async attachProcess(
    name: string,
    creds: Creds = ROOT_CREDS,
  ): Promise<{ process: Process; init: AttachedInit }> {
    const area = this.newArea();
    let p: Process;
    try {
      p = await this.manager.attach(this.init, area, {
        name,
        creds,
        rights: ALL_RIGHTS & ~Right.SYSTEM,
      });
    } catch (err) {
      this.releaseArea(area);
      throw err;
    }
    return {
      process: p,
      init: {
        pid: p.pid,
        area: area.sab,
        areaId: area.id,
        spin: this.spinSab,
        caps: [...p.caps].map(([ep, c]) => [ep, c.slot, c.gen]),
      },
    };
  }

  log(text: string): void {
    this.logLines.push(`[${(performance.now() / 1000).toFixed(3)}] ${text}`);
    if (this.logLines.length > LOG_LINES) this.logLines.splice(0, this.logLines.length - LOG_LINES);
  }

  /** Stop everything: programs, servers, the trace file. */
  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    // First the host mounts: nothing on the host may wait on a system that is going.
    await Promise.all([...this.fuse].map((b) => b.stop()));
    this.fuse.clear();
    this.pool.close();
    for (const p of this.manager.procs.values()) {
      if (p.isServer || p.pid === INIT_PID || p.state !== "running") continue;
      p.area.kill();
      p.worker?.terminate();
    }
    this.server.stop();
    await this.supervisor.stop();
    this.tracer.close();
    this.console?.stop();
  }
}
