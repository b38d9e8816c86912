// tty request handlers: the console's open files, reads through the line
// discipline, writes to the host, and terminal ioctls.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { ALL_RIGHTS, Right } from "../../kernel/cap/rights.ts";
import { O, TCGETS, TCSETS, TIOCGPGRP, TIOCGWINSZ, TIOCSPGRP } from "../../kernel/fcntl.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import { type Answer, callerBuffer, type Request, type Route } from "../../kernel/ipc/server.ts";
import type { ServerEnv, ServerParts } from "../../kernel/ipc/server_runtime.ts";
import { encodeStat, makedev, nowTimespec, S } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { ObjectOp } from "../vfs/mod.ts";
import { decodeTermios, encodeTermios, TERMIOS_BYTES } from "./line_discipline.ts";
import { DisciplineState } from "./discipline_state.ts";
import { CONSOLE_MAJOR, CONSOLE_MINOR, TTY_MINOR, TtyOp } from "./mod.ts";
import { Opens } from "./opens.ts";
import { InputQueue } from "./input.ts";

const KERNEL_EP = 0;

interface Waiter {
  area: number;
  sink: Uint8Array;
  resolve: (n: number) => void;
}

/** Build the tty server. */
export function createTty(env: ServerEnv): ServerParts {
  const hostTty = env.init.options.hostTty === true;
  const input = env.init.options.input instanceof SharedArrayBuffer
    ? new InputQueue(env.init.options.input)
    : undefined;
  const opens = new Opens(env.init.state!);
  const saved = new DisciplineState(env.init.state!);
  const ld = saved.load();
  if (!hostTty) {
    // stdin is a pipe or a file: bytes pass through as they are (no editing,
    // no echo, no signal characters), as a program reading a pipe sees them.
    ld.termios = { ...ld.termios, iflag: 0, lflag: 0 };
  }
  const waiters: Waiter[] = [];
  const born = nowTimespec();
  let reading = false;
  let armed = false;
  const w = new PayloadWriter();

  // Input arrives through the queue the kernel fills from the host's stdin.
  // A chunk leaves the queue only after the discipline that took it was
  // saved, so a crash loses no typed-ahead input. While non-canonical input
  // is unread up to TTY_BUF_BYTES, the queue is left alone (the kernel stops
  // reading stdin when it fills): a reader's take() resumes the flow.
  function pump(): void {
    if (input === undefined) return;
    let changed = false;
    for (let chunk = input.peek(); chunk !== undefined && !ld.full(); chunk = input.peek()) {
      if (chunk === null) ld.hangup();
      else {
        const fx = ld.input(chunk);
        if (fx.echo.length > 0 && hostTty) output(new Uint8Array(fx.echo));
        if (fx.signal !== undefined && opens.foreground > 0) signalGroup(fx.signal);
      }
      saved.save(ld);
      input.done();
      changed = true;
    }
    if (changed) serve();
  }

  function startInput(): void {
    if (reading || input === undefined) return;
    reading = true;
    input.want();
    drain();
  }

  function drain(): void {
    const q = input!;
    pump();
    if (armed || ld.full()) return;
    const p = q.bell.arm(() => q.ring.hasRecord());
    if (p === null) queueMicrotask(drain);
    else {
      armed = true;
      p.then(() => {
        armed = false;
        q.bell.settle();
        drain();
      });
    }
  }

  function signalGroup(sig: number): void {
    const cap = env.init.endpointCaps[KERNEL_EP];
    void env.client.call(
      KERNEL_EP,
      Sys.kill,
      cap,
      w.reset().num(-opens.foreground).num(sig).bytes().slice(),
    );
  }

  // The host terminal does the output processing (Deno's raw mode leaves
  // OPOST on), so bytes go out as they are.
  function output(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
  }

  function serve(): void {
    let took = false;
    while (waiters.length > 0 && ld.hasInput()) {
      const wt = waiters.shift()!;
      const bytes = ld.take(wt.sink.length);
      wt.sink.set(bytes);
      wt.resolve(bytes.length);
      took = true;
    }
    if (!took) return;
    saved.save(ld);
    if (reading && !armed) drain(); // room again for input held back by full()
  }

  function openOf(req: Request) {
    const o = opens.get(req.object);
    if (o === undefined) throw new ErrnoError(Errno.EBADF, `no console open ${req.object}`);
    return o;
  }

  function doOpen(req: Request): Answer {
    const holder = req.args.int(1);
    const flags = req.args.int(0);
    const minor = req.args.remaining > 0 ? req.args.int(TTY_MINOR, CONSOLE_MINOR) : CONSOLE_MINOR;
    const id = opens.nextId();
    const root = env.caps.mint(env.init.endpoint, ALL_RIGHTS, holder, id);
    if (!opens.add({ id, flags, root, minor })) {
      env.caps.free(root);
      throw new ErrnoError(Errno.ENFILE, "too many console opens");
    }
    return { value: id, payload: w.reset().num(root.slot).num(root.gen).bytes().slice() };
  }

  /** Only the root capability (the VFS's) may end an open file or change its flags. */
  function rootOf(req: Request) {
    const o = openOf(req);
    if (req.capSlot !== o.root.slot || req.capGen !== o.root.gen) {
      throw new ErrnoError(Errno.EPERM, "needs the open file's root capability");
    }
    return o;
  }

  function doRelease(req: Request): Answer {
    const o = rootOf(req);
    opens.remove(req.object);
    env.caps.free(o.root);
    return 0;
  }

  function doSetfl(req: Request): Answer {
    rootOf(req);
    if (!Number.isInteger(req.value) || req.value < 0 || req.value > 0x7fffffff) {
      throw new ErrnoError(Errno.EINVAL, "flags");
    }
    opens.setFlags(req.object, req.value);
    return 0;
  }

  function doRead(req: Request): Answer | Promise<Answer> {
    const o = openOf(req);
    const sink = callerBuffer(req, req.value);
    if (sink.length === 0) return 0;
    startInput();
    return new Promise<number>((resolve, reject) => {
      waiters.push({ area: req.area.id, sink, resolve });
      serve();
      const i = waiters.findIndex((x) => x.sink === sink);
      if (i >= 0 && (o.flags & O.NONBLOCK) !== 0) {
        waiters.splice(i, 1);
        reject(new ErrnoError(Errno.EAGAIN, "console has no input"));
      }
    });
  }

  function doWrite(req: Request): Answer {
    openOf(req);
    const src = callerBuffer(req, req.value);
    output(src);
    return src.length;
  }

  function doFstat(req: Request): Answer {
    const o = openOf(req);
    const st = encodeStat({
      dev: 6,
      ino: 1 + o.minor,
      nlink: 1,
      mode: S.IFCHR | (o.minor === TTY_MINOR ? 0o666 : 0o600),
      uid: 0,
      gid: 0, // as the nodes the root filesystem makes in /dev (kernel/rootfs.ts)
      rdev: makedev(CONSOLE_MAJOR, o.minor),
      size: 0,
      blksize: 1024,
      blocks: 0,
      atime: born,
      mtime: born,
      ctime: born,
    });
    return { value: 0, payload: st };
  }

  function doIoctl(req: Request): Answer {
    openOf(req);
    // A console over a host pipe or file is no terminal (isatty() is false).
    if (!hostTty) throw new ErrnoError(Errno.ENOTTY, "console is not a terminal");
    switch (req.value) {
      case TCGETS:
        return { value: 0, payload: encodeTermios(ld.termios) };
      case TCSETS: {
        const b = req.args.bytesField();
        if (b.length < TERMIOS_BYTES) throw new ErrnoError(Errno.EFAULT, "short termios");
        ld.termios = decodeTermios(b);
        saved.save(ld);
        serve();
        return 0;
      }
      case TIOCGPGRP:
        return opens.foreground;
      case TIOCSPGRP:
        opens.foreground = req.args.int(0);
        return 0;
      case TIOCGWINSZ: {
        const { rows, columns } = Deno.consoleSize();
        const ws = new Uint8Array(8);
        const dv = new DataView(ws.buffer);
        dv.setUint16(0, rows, true);
        dv.setUint16(2, columns, true);
        return { value: 0, payload: ws };
      }
      default:
        throw new ErrnoError(Errno.ENOTTY, `ioctl ${req.value}`);
    }
  }

  function doLseek(req: Request): Answer {
    openOf(req);
    throw new ErrnoError(Errno.ESPIPE, "lseek on a terminal");
  }

  const routes = new Map<number, Route>([
    [TtyOp.OPEN, { need: Right.SYSTEM, fn: doOpen }],
    [ObjectOp.RELEASE, { need: 0, fn: doRelease }],
    [ObjectOp.SETFL, { need: 0, fn: doSetfl }],
    [Sys.read, { need: Right.READ, fn: doRead }],
    [Sys.write, { need: Right.WRITE, fn: doWrite }],
    // readv/writev arrive as one contiguous transfer: the library scatters and gathers.
    [Sys.readv, { need: Right.READ, fn: doRead }],
    [Sys.writev, { need: Right.WRITE, fn: doWrite }],
    [Sys.fstat, { need: Right.STAT, fn: doFstat }],
    [Sys.ioctl, { need: Right.CONTROL, fn: doIoctl }],
    [Sys.lseek, { need: Right.STAT, fn: doLseek }],
  ]);

  return {
    routes,
    keepSlots: opens.slots(),
    onDetach: (areaId) => {
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].area === areaId) waiters.splice(i, 1);
      }
    },
  };
}
