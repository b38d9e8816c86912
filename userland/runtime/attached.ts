// The runtime of an attached process: a Worker the kernel did not start (a
// driver's, such as a FUSE session Worker) that makes syscalls through the
// userland library like any program. Kernel.attachProcess() gives its
// creator an AttachedInit to pass on; the Worker calls attachContext() once,
// and from then on every library call is this process's.
//
// Unlike a program Worker, it keeps what Deno permissions its creator gave
// it (a FUSE Worker needs FFI): the kernel trusts it as it trusts the code
// that started it. What MelloOS lets it do is still only what its
// credentials and capabilities allow.

import { Area } from "../../kernel/ipc/channel.ts";
import { SyncClient } from "../../kernel/ipc/client_sync.ts";
import { SpinSlots } from "../../kernel/ipc/doorbell.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import { Sys } from "../../kernel/syscalls.ts";
import * as context from "../lib/context.ts";
import { deliverSignals } from "../lib/syscall.ts";

/** What an attached process's Worker needs (structured-cloneable). */
export interface AttachedInit {
  pid: number;
  area: SharedArrayBuffer;
  areaId: number;
  spin: SharedArrayBuffer;
  /** Endpoint capabilities: [endpoint, slot, generation]. */
  caps: Array<[number, number, number]>;
}

/** Thrown out of a syscall once the process has been killed or has exited. */
export class ProcessGone extends Error {}

const KERNEL = 0;

/** Become the process `init` describes, in this Worker. */
export function attachContext(init: AttachedInit, argv: string[] = []): context.Context {
  const area = new Area(init.area, init.areaId);
  const gone = (): never => {
    throw new ProcessGone(`pid ${init.pid} was killed`);
  };
  const client = new SyncClient(area, new SpinSlots(new Int32Array(init.spin)), gone);
  const w = new PayloadWriter();
  const c: context.Context = {
    pid: init.pid,
    area,
    client,
    caps: new Map(init.caps.map(([ep, slot, gen]) => [ep, { slot, gen }])),
    fds: new Map(),
    env: new Map([["PATH", "/bin"], ["HOME", "/"]]),
    argv,
    traceSeq: 0,
    handlers: new Map(),
    atExit: [],
    depth: 0,
    die: gone,
    exitHook: (code) => {
      client.call(KERNEL, Sys.exit_group, c.caps.get(KERNEL)!, w.reset().num(0).bytes(), code);
    },
  };
  context.setContext(c);
  client.onWake = deliverSignals;
  return c;
}
