// A session Worker of a MelloOS mount: a MelloOS process (attached by the
// bridge) that serves FUSE requests with VfsHandler.

import { attachContext } from "../../userland/runtime/attached.ts";
import { runFuseWorker } from "./session_worker.ts";
import { VfsHandler } from "./vfs_handler.ts";
import type { VfsWorkerOptions } from "./vfs_options.ts";

runFuseWorker((o) => {
  const opts = o as VfsWorkerOptions;
  const i = Atomics.add(new Int32Array(opts.claim), 0, 1);
  if (i >= opts.processes.length) throw new Error("fuse: more Workers than processes");
  attachContext(opts.processes[i], ["fuse"]);
  return new VfsHandler(opts);
});
