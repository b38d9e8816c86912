// Attached processes: a Worker the kernel did not start becomes a process
// (Kernel.attachProcess) and makes syscalls through the userland library
// like a program; a kill reaches it at its next syscall.

import assert from "node:assert/strict";
import { withOs } from "./helpers/system.ts";

function ask(w: Worker, msg: unknown): Promise<string> {
  return new Promise((resolve) => {
    w.onmessage = (e) => resolve(e.data as string);
    w.postMessage(msg);
  });
}

Deno.test("attached process: syscalls from a foreign Worker, an fd table of its own, killed like any process", async () => {
  await withOs(async (os) => {
    const { process: p, init } = await os.kernel.attachProcess("attached");
    const w = new Worker(new URL("./helpers/attached_worker.ts", import.meta.url), {
      type: "module",
      deno: { permissions: "none" },
    } as WorkerOptions);
    try {
      assert.equal(await ask(w, { init }), "attached");
      assert.equal(await ask(w, { step: "ids" }), `${p.pid} 0`);
      // Its fd table starts empty: the first open is fd 0.
      assert.equal(await ask(w, { step: "files" }), "0 from an attached process");
      const ps = await os.run("ps");
      assert.match(ps.stdout, new RegExp(`\\b${p.pid}\\b.*attached`));
      os.kernel.manager.terminate(p, 9);
      assert.equal(await p.exited, 9);
      assert.equal(await ask(w, { step: "after-kill" }), "gone");
    } finally {
      w.terminate();
    }
  });
});
