// The FUSE bridge's VfsHandler driven directly, without the host kernel's
// caches in the way: what READDIRPLUS answers after MelloOS programs change
// a directory behind the bridge's back.

import assert from "node:assert/strict";
import { NodeTable } from "../drivers/fuse/node_table.ts";
import { withOs } from "./helpers/system.ts";

function ask<T>(w: Worker, msg: unknown): Promise<T> {
  return new Promise((resolve) => {
    w.onmessage = (e) => resolve(e.data as T);
    w.postMessage(msg);
  });
}

Deno.test("fuse vfs handler: READDIRPLUS names the files there now (kept names follow the directory's epoch)", async () => {
  await withOs(async (os) => {
    const r = await os.run(
      "mkdir -p /data/h/d && echo old > /data/h/d/b && echo keep > /data/h/d/k",
    );
    assert.equal(r.status, 0, r.stderr);
    const { process: p, init } = await os.kernel.attachProcess("fuse-test");
    const w = new Worker(new URL("./helpers/vfs_handler_worker.ts", import.meta.url), {
      type: "module",
    });
    try {
      const config = {
        nodes: NodeTable.create(1024, new TextEncoder().encode("root")).sab,
        root: "/data/h",
        attrEpochs: os.kernel.supervisor.get("vfs")!.spec.options!.attrEpochs,
      };
      assert.equal(await ask(w, { init, config }), "ready");
      type Listing = Record<string, [number, number]>;
      const first = await ask<Listing>(w, { list: "d" });
      assert.deepEqual(Object.keys(first).sort(), [".", "..", "b", "k"]);
      assert.equal(first.b[1], 4);
      // Listed again, unchanged: the same nodes.
      assert.deepEqual(await ask<Listing>(w, { list: "d" }), first);
      // Replaced and renamed inside MelloOS: new node for b, k's node under its new name.
      const change = await os.run("cd /data/h/d && rm b && echo newer > b && mv k k2");
      assert.equal(change.status, 0, change.stderr);
      const after = await ask<Listing>(w, { list: "d" });
      assert.deepEqual(Object.keys(after).sort(), [".", "..", "b", "k2"]);
      assert.notEqual(after.b[0], first.b[0], "b is another file now");
      assert.equal(after.b[1], 6);
      assert.equal(after.k2[0], first.k[0], "k2 is the file k was");
    } finally {
      w.terminate();
      os.kernel.manager.exit(p, 0);
    }
  });
});
