import assert from "node:assert/strict";
import { installProgram, until, withOs } from "./helpers/system.ts";
import { Right } from "../kernel/cap/rights.ts";
import { Errno } from "../kernel/errno.ts";

Deno.test("caps: forged tokens get EBADF from the kernel, which logs them and keeps serving", async () => {
  await withOs(async (os) => {
    await installProgram(os, "captest");
    const r = await os.run("captest forge");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /forged \d+\/0: EBADF/);
    assert.match(r.stdout, /forged \d+\/\d+: EBADF\n/);
    assert.match(r.stdout, /forged 0\/0: EBADF/);
    assert.match(r.stdout, /real: pid ok/);
    assert.ok(os.log().some((l) => /rejected op 39/.test(l)), "a log line per rejection");
    assert.equal((await os.run("echo still serving")).stdout, "still serving\n");
  });
});

Deno.test("caps: a token copied from another process is EBADF", async () => {
  await withOs(async (os) => {
    await installProgram(os, "captest");
    const victim = await os.start("exec sleep 30");
    await until(() => os.kernel.manager.get(victim.pid)?.name === "sleep", "exec of sleep");
    const token = os.kernel.manager.get(victim.pid)!.caps.get(0)!;
    const r = await os.run(`captest steal ${token.slot} ${token.gen}`);
    assert.match(r.stdout, /stolen: EBADF/);
    // The token is still good in its holder's hands.
    assert.equal(os.kernel.caps.check(token.slot, token.gen, 0, victim.pid, Right.CALL), 0);
    os.kill(victim.pid, 9);
    assert.equal((await victim.done).status, 137);
  });
});

Deno.test("caps: a derived copy carries fewer rights (EPERM) and dies when revoked (EBADF)", async () => {
  await withOs(async (os) => {
    await installProgram(os, "captest");
    const r = await os.run("captest derive");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /weak getpid: ok/);
    assert.match(r.stdout, /weak kill: EPERM/);
    assert.match(r.stdout, /revoked getpid: EBADF/);
    assert.match(r.stdout, /own still: ok/);
  });
});

Deno.test("caps: a process spawned without SPAWN cannot spawn (EPERM)", async () => {
  await withOs(async (os) => {
    await installProgram(os, "captest");
    const p = await os.kernel.spawn({
      path: "/bin/captest",
      argv: ["captest", "spawn"],
      rights: Right.CALL,
    });
    assert.equal(await p.exited, Errno.EPERM << 8); // exit status EPERM
    assert.ok(os.log().some((l) => /rejected op 1000 from pid/.test(l)));
  });
});
