// A server crash in the middle of a filesystem workload: the supervisor
// restarts the server, every write the workload saw complete is there byte
// for byte, the system works (new opens, ls, a pipeline), no server is
// FAILED, and the tree passes mfs_ram's FSCK. Each server (mfs_ram, vfs,
// tty) is crashed by the kernel (os.crash) and by `service crash NAME` run
// by the workload itself. Which open files survive a VFS crash is what
// docs/architecture.md says ("What survives a server crash").
//
// The workload is tests/programs/fswork.ts; it acknowledges each completed
// operation in DIR/ack.log and reports what happened to its open files in
// DIR/report.

import assert from "node:assert/strict";
import type { Handle } from "../kernel/mod.ts";
import { Errno, ErrnoError } from "../kernel/errno.ts";
import { O } from "../kernel/fcntl.ts";
import { installProgram, withOs } from "./helpers/system.ts";
import { MfsClient } from "./helpers/mfs_client.ts";
import { devOf } from "../servers/mfs_ram/mod.ts";
import { record } from "./programs/fswork.ts";

const decoder = new TextDecoder();

/** A file's bytes, read by init; undefined if it does not exist. */
async function readFile(os: Handle, path: string): Promise<Uint8Array | undefined> {
  let fd: number;
  try {
    fd = await os.kernel.fds.open(path, O.RDONLY | O.CLOEXEC);
  } catch (err) {
    if (err instanceof ErrnoError) return undefined;
    throw err;
  }
  try {
    return await os.kernel.fds.readAll(fd);
  } finally {
    await os.kernel.fds.close(fd);
  }
}

async function lines(os: Handle, path: string): Promise<string[]> {
  const b = await readFile(os, path);
  return b === undefined ? [] : decoder.decode(b).split("\n").filter((l) => l !== "");
}

/** Does `path` exist (init can open it)? */
async function exists(os: Handle, path: string): Promise<boolean> {
  let fd: number;
  try {
    fd = await os.kernel.fds.open(path, O.RDONLY | O.CLOEXEC);
  } catch (err) {
    if (err instanceof ErrnoError && err.errno === Errno.ENOENT) return false;
    throw err;
  }
  await os.kernel.fds.close(fd);
  return true;
}

interface Run {
  dir: string;
  status: number;
  report: string[];
  acks: string[][];
}

/**
 * Run fswork MODE against SERVER's crash: by the kernel once 10 operations
 * are acknowledged (`how` "os"), or by the workload's own `service crash`
 * at iteration 15 ("inside").
 */
async function crashDuring(
  os: Handle,
  mode: string,
  server: string,
  how: "os" | "inside",
): Promise<Run> {
  const dir = `/tmp/${mode}.${server}.${how}`;
  assert.equal((await os.run(`mkdir ${dir}`)).status, 0);
  const before = os.services().find((s) => s.name === server)!.restarts;
  const p = await os.kernel.spawn({
    path: "/bin/fswork",
    argv: ["fswork", mode, dir, server, "40", how === "inside" ? "15" : "-1"],
  });
  if (how === "os") {
    while ((await lines(os, `${dir}/ack.log`)).length < 10) {
      if (p.state !== "running") {
        assert.fail(`fswork ended early: ${(await lines(os, `${dir}/report`)).join("\n")}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await os.crash(server);
  }
  const status = await p.exited;
  assert.equal(os.services().find((s) => s.name === server)!.restarts, before + 1);
  const report = await lines(os, `${dir}/report`);
  const acks = (await lines(os, `${dir}/ack.log`)).map((l) => l.split(" "));
  if (how === "inside") {
    assert.ok(report.includes(`service crash ${server}: 0`), report.join("\n"));
    const out = decoder.decode((await readFile(os, `${dir}/service.out`))!);
    assert.equal(out, `${server}: crashed and restarted\n`);
  }
  return { dir, status: status >> 8, report, acks };
}

/** Every record the workload acknowledged is in its file, byte for byte. */
async function checkRecords(os: Handle, run: Run): Promise<void> {
  assert.equal(run.status, 0, run.report.join("\n"));
  assert.equal(run.report.at(-1), "done");
  const files = new Map<string, Uint8Array>();
  for (const [kind, i, name, off, len] of run.acks) {
    assert.equal(kind, "R");
    if (!files.has(name)) files.set(name, (await readFile(os, `${run.dir}/${name}`))!);
    const got = files.get(name)!.subarray(Number(off), Number(off) + Number(len));
    assert.deepEqual(got, record(Number(i)), `record ${i} in ${name} at ${off}`);
  }
  // The workload went on after the restart: more than the 10 operations before it.
  assert.ok(run.acks.length > 20, `${run.acks.length} records acknowledged`);
}

/** What happened to each file held open across the crash: "final NAME result". */
function finals(run: Run): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of run.report) {
    const m = /^final (\S+) (\S+)$/.exec(l);
    if (m !== null) out[m[1]] = m[2];
  }
  return out;
}

/** Probes that failed during the run, with their errno. */
function probeFailures(run: Run): string[] {
  return run.report.filter((l) => l.startsWith("probe ")).map((l) => l.split(" ")[3]);
}

/** The uncertain operation: the one that failed ("try" without an ack), if any. */
function uncertain(run: Run): string[] | undefined {
  const tries = run.report.filter((l) => l.startsWith("try ")).map((l) => l.split(" "));
  const last = tries.at(-1);
  if (last === undefined || run.status === 0) return undefined;
  return last;
}

/** Each file of the rename workload is where its last acknowledged rename put it, once. */
async function checkRenames(os: Handle, run: Run): Promise<void> {
  assert.ok(run.status === 0 || run.status === 2, run.report.join("\n"));
  const at = new Map<number, Set<string>>();
  for (const [, i, , to] of run.acks) at.set(Number(i) % 8, new Set([to]));
  const u = uncertain(run);
  if (u !== undefined) at.get(Number(u[1]) % 8)!.add(u[3]);
  const found = new Map<number, string[]>();
  for (const d of ["a", "b", "c"]) {
    const r = await os.run(`ls ${run.dir}/${d}`);
    assert.equal(r.status, 0, r.stderr);
    for (const name of r.stdout.split("\n").filter((n) => n !== "")) {
      const k = Number(/^f(\d)\./.exec(name)![1]);
      found.set(k, [...(found.get(k) ?? []), `${d}/${name}`]);
      const bytes = await readFile(os, `${run.dir}/${d}/${name}`);
      assert.ok(bytes !== undefined, `${d}/${name} is listed, but open fails`);
      assert.equal(decoder.decode(bytes), `file ${k}\n`);
    }
  }
  for (const [k, places] of at) {
    const f = found.get(k) ?? [];
    assert.equal(f.length, 1, `file ${k} found at ${f.join(", ")}`);
    assert.ok(places.has(f[0]), `file ${k} at ${f[0]}, acknowledged at ${[...places]}`);
  }
}

/** Every path of the directory workload exists as its last acknowledged operation left it. */
async function checkDirs(os: Handle, run: Run): Promise<void> {
  assert.ok(run.status === 0 || run.status === 2, run.report.join("\n"));
  const want = new Map<string, boolean>();
  for (const [op, , path] of run.acks) want.set(path, op === "M" || op === "C");
  const u = uncertain(run);
  if (u !== undefined) want.delete(u[3]); // either way
  for (const [path, there] of want) {
    assert.equal(await exists(os, `${run.dir}/${path}`), there, path);
  }
}

/** New opens, ls and a pipeline work; no server is FAILED; FSCK finds nothing. */
async function checkSystem(os: Handle): Promise<void> {
  const r = await os.run(
    "echo hello >/tmp/after; cat /tmp/after; ls / | grep -c bin; rm /tmp/after",
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "hello\n1\n");
  for (const s of os.services()) assert.equal(s.state, "up", s.name);
  assert.deepEqual(await new MfsClient(os).fsck(), []);
}

function setup(os: Handle): Promise<void> {
  return installProgram(os, "fswork");
}

Deno.test("fs crash: mfs_ram crashed mid-workload loses no acknowledged write; open files carry on", async () => {
  await withOs(async (os) => {
    await setup(os);
    for (const how of ["os", "inside"] as const) {
      const run = await crashDuring(os, "records", "mfs_ram", how);
      await checkRecords(os, run);
      // mfs_ram keeps its open files: every held file works after the restart;
      // only a call in flight at the crash may have failed (EIO).
      assert.deepEqual(Object.values(finals(run)), Array(6).fill("ok"), run.report.join("\n"));
      for (const e of probeFailures(run)) assert.equal(e, "EIO");
      await checkSystem(os);
    }
  });
});

Deno.test("fs crash: a VFS crash mid-workload: files at mfs_ram and the console keep working, VFS-held pipes and devices fail with EIO", async () => {
  await withOs(async (os) => {
    await setup(os);
    for (const how of ["os", "inside"] as const) {
      const run = await crashDuring(os, "records", "vfs", how);
      await checkRecords(os, run);
      // As docs/architecture.md says: open files other servers hold (mfs_ram,
      // tty) keep their fds; those the VFS held itself are lost (EIO).
      assert.deepEqual(finals(run), {
        held: "ok",
        dir: "ok",
        console: "ok",
        pipe: "EIO",
        "pipe-w": "EIO",
        null: "EIO",
      });
      assert.deepEqual(probeFailures(run), ["EIO", "EIO", "EIO"]);
      await checkSystem(os);
    }
  });
});

Deno.test("fs crash: a tty crash mid-workload: console fds and files carry on", async () => {
  await withOs(async (os) => {
    await setup(os);
    for (const how of ["os", "inside"] as const) {
      const run = await crashDuring(os, "records", "tty", how);
      await checkRecords(os, run);
      assert.deepEqual(Object.values(finals(run)), Array(6).fill("ok"), run.report.join("\n"));
      for (const e of probeFailures(run)) assert.equal(e, "EIO");
      await checkSystem(os);
    }
  });
});

Deno.test("fs crash: mfs_ram and the VFS crashed mid-rename and mid-mkdir/rmdir leave a consistent tree", async () => {
  await withOs(async (os) => {
    await setup(os);
    for (const server of ["mfs_ram", "vfs"]) {
      await checkRenames(os, await crashDuring(os, "renames", server, "os"));
      await checkSystem(os);
      await checkDirs(os, await crashDuring(os, "dirs", server, "os"));
      await checkSystem(os);
    }
  });
});

Deno.test("fs crash: after a VFS crash a lost fd keeps its number (EIO) until closed; new opens never reuse it", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fdlost");
    const p = await os.kernel.spawn({ path: "/bin/fdlost", argv: ["fdlost", "/tmp/fdlost"] });
    assert.equal(await p.exited, 0);
    const out = decoder.decode((await readFile(os, "/tmp/fdlost"))!).split("\n");
    assert.deepEqual(out.slice(1, 10), [
      "new fresh",
      "write EIO",
      "close ok",
      "reopen the closed fd",
      "file 1",
      "held ok",
      "dup EIO",
      "fsync EIO",
      "pread EIO",
    ]);
  });
});

Deno.test("fs crash: after an mfs_ram restart the VFS trusts no name it cached before", async () => {
  await withOs(async (os) => {
    // A call the VFS saw fail with EIO may have been done by mfs_ram all the
    // same (its reply was lost with the restart). Here mfs_ram renames behind
    // the VFS's back, as such a call would, while the VFS holds both names:
    // "old" as there, "new" as missing.
    assert.equal((await os.run("mkdir /tmp/t; echo data >/tmp/t/old")).status, 0);
    assert.equal((await os.run("cat /tmp/t/new")).status, 1);
    const [dev, ino] = (await os.run("stat -c '%d %i' /tmp/t")).stdout.split(" ").map(Number);
    let sb = 1;
    while (devOf(sb) !== dev) sb++;
    await new MfsClient(os).rename(sb, ino, "old", ino, "new");
    await os.crash("mfs_ram");
    // The first call the VFS makes to mfs_ram after the restart tells it.
    assert.equal((await os.run("stat / >/dev/null")).status, 0);
    const r = await os.run("cat /tmp/t/new; cat /tmp/t/old");
    assert.equal(r.stdout, "data\n");
    assert.match(r.stderr, /old: No such file or directory/);
  });
});
