// setfsuid(2)/setfsgid(2): file permission checks and new files' owners use
// the filesystem ids, which root may set to anyone without giving up its own
// uid and euid (the FUSE bridge runs each request as its caller this way).
// Linux's rules: the call returns the previous id whether or not it changed
// it; -1 reads it; an unprivileged caller may only pick its real, effective
// or current filesystem id; setuid() moves the filesystem id along.

import assert from "node:assert/strict";
import { installProgram, withOs } from "./helpers/system.ts";

Deno.test("fsuid: root acts as another uid for file checks and new files, then comes back", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fsids");
    const setup = await os.run(
      "mkdir -m 777 /tmp/fsid && echo s >/tmp/fsid/secret && chmod 600 /tmp/fsid/secret",
    );
    assert.equal(setup.status, 0, setup.stderr);
    const r = await os.run("fsids /tmp/fsid");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      "ids 0 0 0",
      "read fsuid 0 fsgid 0",
      "setfsuid 1234 -> 0, setfsgid 5678 -> 0",
      "now 1234 5678; uid 0 euid 0",
      "create ok",
      "owner 1234 5678",
      "root-only EACCES",
      "back 1234 5678",
      "root-only again ok",
    ]);
  });
});

Deno.test("fsuid: an unprivileged process may pick only its own ids; a refusal is silent", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fsids");
    assert.equal((await os.run("mkdir -m 777 /tmp/fsid2")).status, 0);
    const r = await os.run("fsids /tmp/fsid2", { uid: 1000, gid: 1000 });
    const lines = r.stdout.trim().split("\n");
    assert.deepEqual(lines.slice(0, 6), [
      "ids 1000 1000 1000",
      "read fsuid 1000 fsgid 1000",
      "setfsuid 1234 -> 1000, setfsgid 5678 -> 1000",
      "now 1000 1000; uid 1000 euid 1000",
      "create ok",
      "owner 1000 1000",
    ]);
  });
});
