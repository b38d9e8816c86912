// FUSE bridges in `service`: listed with their session pids, and restarted
// by `service crash fuse` like a server; the mount works again after it.

import assert from "node:assert/strict";
import { fuseSkipReason, ok } from "./helpers/fuse_mount.ts";
import { mountAt } from "../drivers/fuse/mountinfo.ts";
import { withOs } from "./helpers/system.ts";

const skip = fuseSkipReason();

Deno.test("fuse service: listed by `service`; `service crash fuse` remounts with new session processes", async () => {
  if (skip !== undefined) {
    console.log(`SKIPPED: ${skip}`);
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "mello_fuse_svc_" });
  try {
    await withOs(async (os) => {
      const list = (await os.run("service")).stdout;
      const row = new RegExp(
        `^fuse: host ${dir} -> /tmp: up, restarts 0, session pids (\\d+) (\\d+)$`,
        "m",
      );
      const before = row.exec(list);
      assert.ok(before !== null, list);
      // Host programs start outside the mount (cwd "/"): see tests/fuse_vfs.test.ts.
      await ok(`echo one > '${dir}/f'`, "/");
      const r = await os.run("service crash fuse");
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, "fuse: crashed and restarted\n");
      const after = /restarts 1, session pids (\d+) (\d+)$/m.exec((await os.run("service")).stdout);
      assert.ok(after !== null);
      assert.notEqual(after[1], before[1], "new session processes");
      assert.equal(await ok(`cat '${dir}/f' && echo two >> '${dir}/f'`, "/"), "one\n");
      assert.equal((await os.run("cat /tmp/f")).stdout, "one\ntwo\n");
      // Not root: refused, as for servers.
      const denied = await os.run("service crash fuse", { uid: 1000, gid: 1000 });
      assert.equal(denied.status, 1);
    }, { fuse: { dir, root: "/tmp" } });
    assert.equal(mountAt(dir), undefined, "mount left behind at shutdown");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
