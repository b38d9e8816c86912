// A program that exits with files open leaks nothing: after a workload of
// programs that open every kind of file (regular, unlinked-while-open,
// directories, pipes, FIFOs, devices, /proc), dup them, hand them to
// children, and end every way a program ends (returning, exit(), an uncaught
// exception, `kill -9` while running or while waiting in the VFS), every
// count of what the system holds is back at its baseline. The workload runs
// twice: the counts do not grow.

import assert from "node:assert/strict";
import { installProgram, withOs } from "./helpers/system.ts";
import { backTo, counters, vfsCounters } from "./helpers/leaks.ts";

const WORKLOAD = [
  "leaky open /tmp/leak return 2",
  "leaky open /tmp/leak exit 2",
  "leaky open /tmp/leak throw 2",
  "leaky kill /tmp/leak pipe-read",
  "leaky kill /tmp/leak pipe-write",
  "leaky kill /tmp/leak fifo-open",
  "leaky kill /tmp/leak spin",
  // Killed at whatever call it is in, ten times.
  ...Array(10).fill("leaky kill /tmp/leak churn"),
  // A pipeline whose reader ends first, and a child holding the pipe's end.
  "yes | head -n 3 >/dev/null",
  // Spawns that fail after the child's fd table was forked (not found, not executable).
  "nosuchprogram 2>/dev/null || true",
  "/etc/passwd 2>/dev/null || true",
  "rm -rf /tmp/leak",
];

Deno.test("fs leaks: /proc/mello/vfs shows the VFS's counters", async () => {
  await withOs(async (os) => {
    const r = await os.run("cat /proc/mello/vfs; ls /proc/mello");
    assert.equal(r.status, 0, r.stderr);
    for (const name of ["processes", "fds", "open_files", "pipes", "pipe_waiters", "caps"]) {
      assert.match(r.stdout, new RegExp(`^${name} \\d+$`, "m"));
    }
    assert.match(r.stdout, /^vfs$/m);
    // A pipe of init's: two fds, two open files, one pipe, two fd caps and two roots.
    const before = await vfsCounters(os);
    const [rd, wr] = await os.kernel.fds.pipe();
    const during = await vfsCounters(os);
    for (const [k, d] of [["fds", 2], ["open_files", 2], ["pipes", 1], ["caps", 4]] as const) {
      assert.equal(during[k], before[k] + d, k);
    }
    await os.kernel.fds.close(rd);
    await os.kernel.fds.close(wr);
    assert.deepEqual(await vfsCounters(os), before);
  });
});

Deno.test("fs leaks: programs that end with files open leave every count at its baseline, twice", async () => {
  await withOs(async (os) => {
    await installProgram(os, "leaky");
    await os.run("true"); // the first run fills caches; it holds nothing afterwards
    const baseline = await counters(os);
    for (let round = 1; round <= 2; round++) {
      for (const cmd of WORKLOAD) {
        const r = await os.run(cmd);
        const expect = cmd.includes(" exit ") ? 3 : cmd.includes(" throw ") ? 1 : 0;
        assert.equal(r.status, expect, `${cmd}: ${r.stderr}`);
      }
      await backTo(os, baseline);
    }
  });
});

Deno.test("fs leaks: what a waiting program holds is counted, and freed by kill -9", async () => {
  await withOs(async (os) => {
    await installProgram(os, "leaky");
    await os.run("true");
    const baseline = await counters(os);
    const job = await os.start("leaky victim /tmp/held pipe-read");
    // Waiting: init's reads of the job's stdout and stderr, and the victim's read.
    let held = await counters(os);
    while (held["vfs.pipe_waiters"] < baseline["vfs.pipe_waiters"] + 3) {
      assert.ok(os.kernel.manager.procs.has(job.pid), "the victim ended by itself");
      held = await counters(os);
    }
    const more = (k: string) => assert.ok(held[k] > baseline[k], `${k}: ${held[k]}`);
    for (const k of ["vfs.fds", "vfs.open_files", "vfs.pipes", "vfs.fifos", "vfs.caps"]) more(k);
    for (const k of ["vfs.inode_refs", "vfs.journal_fds", "kernel.processes"]) more(k);
    for (const k of ["mfs_ram.open_files", "mfs_ram.unlinked_inodes", "mfs_ram.chunks_in_use"]) {
      more(k);
    }
    for (const k of ["caps.tty", "caps.mfs_ram", "caps.kernel"]) more(k);
    const victim = [...os.kernel.manager.procs.values()].find((p) => p.argv[1] === "victim")!;
    assert.equal((await os.run(`kill -9 ${victim.pid}`)).status, 0);
    assert.equal((await job.done).status, 128 + 9);
    assert.equal((await os.run("rm -r /tmp/held")).status, 0);
    await backTo(os, baseline);
  });
});

Deno.test("fs leaks: an unlinked file held open by an exited program's child is freed when the child ends", async () => {
  await withOs(async (os) => {
    await installProgram(os, "leaky");
    await os.run("true");
    const baseline = await counters(os);
    // The parent ends at once; its children (holding the same files) end after it.
    const r = await os.run("leaky open /tmp/orphans return 4");
    assert.equal(r.status, 0, r.stderr);
    assert.equal((await os.run("rm -r /tmp/orphans")).status, 0);
    await backTo(os, baseline);
  });
});
