import assert from "node:assert/strict";
import { installProgram, until, withOs } from "./helpers/system.ts";
import { Errno, ErrnoError } from "../kernel/errno.ts";

Deno.test("supervisor: a VFS crash with a read in flight ends that call (no hang); the VFS is back", async () => {
  await withOs(async (os) => {
    const job = await os.start("sleep 0.3 | cat");
    await until(
      () => [...os.kernel.manager.procs.values()].some((p) => p.name === "cat"),
      "cat running",
    );
    await os.crash("vfs");
    const r = await job.done; // would hang if the read in flight were lost
    assert.notEqual(r.status, 0);
    const vfs = os.services().find((s) => s.name === "vfs")!;
    assert.equal(vfs.state, "up");
    assert.equal(vfs.restarts, 1);
    assert.ok(os.log().some((l) => /vfs: crashed/.test(l)));
    assert.equal((await os.run("echo after")).stdout, "after\n");
  });
});

Deno.test("supervisor: restart on request; service lists restarts and message counts", async () => {
  await withOs(async (os) => {
    await os.run("echo warm | cat");
    await os.restart("vfs");
    const r = await os.run("service");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+EP\s+PID\s+STATE\s+RESTARTS\s+REQUESTS/);
    assert.match(r.stdout, /\nvfs\s+1\s+\d+\s+up\s+1\s+\d+/);
    assert.match(r.stdout, /\ntty\s+2\s+\d+\s+up\s+0\s/);
  });
});

Deno.test("supervisor: `service crash tty` from the shell; console fds survive a tty restart", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fdcheck");
    const before = await os.kernel.spawn({ path: "/bin/fdcheck", argv: ["fdcheck"] });
    assert.equal(await before.exited, 0);
    const r = await os.run("service crash tty");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "tty: crashed and restarted\n");
    // init's fds 0-2 are the console: a child inheriting them still finds them open.
    const after = await os.kernel.spawn({ path: "/bin/fdcheck", argv: ["fdcheck"] });
    assert.equal(await after.exited, 0);
  }, { console: true });
});

Deno.test("supervisor: a hung server (no heartbeat) is noticed and replaced", async () => {
  await withOs(async (os) => {
    os.kernel.supervisor.hang("tty");
    await until(
      () => os.services().find((s) => s.name === "tty")!.restarts === 1,
      "hang noticed",
      20_000,
    );
    await until(() => os.services().find((s) => s.name === "tty")!.state === "up", "tty back");
    assert.ok(os.log().some((l) => /tty: no heartbeat/.test(l)));
    assert.equal((await os.run("echo ok")).stdout, "ok\n");
  });
});

Deno.test("supervisor: a server that keeps crashing is marked failed and its calls fail with EIO", async () => {
  await withOs(async (os) => {
    for (let i = 0; i < 6; i++) await os.crash("vfs");
    assert.equal(os.services().find((s) => s.name === "vfs")!.state, "failed");
    await assert.rejects(
      os.run("true"),
      (err) => err instanceof ErrnoError && err.errno === Errno.EIO,
    );
    assert.ok(os.log().some((l) => /vfs: failed/.test(l)));
  });
});
