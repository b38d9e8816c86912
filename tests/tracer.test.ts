import assert from "node:assert/strict";
import { withOs } from "./helpers/system.ts";
import { Ring } from "../kernel/ipc/ring.ts";
import { TRACE_RING_BYTES } from "../kernel/trace/events.ts";

interface Ev {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  id?: string;
  cat?: string;
  args?: Record<string, unknown>;
}

Deno.test("tracer: --trace writes Chrome trace JSON with server and process tracks, slices and flows", async () => {
  const file = await Deno.makeTempFile({ suffix: ".trace.json" });
  try {
    await withOs(async (os) => {
      const r = await os.run("/bin/echo traced | cat"); // the program, not the builtin
      assert.equal(r.stdout, "traced\n");
    }, { trace: file });
    const events = JSON.parse(await Deno.readTextFile(file)) as Ev[];
    const meta = events.filter((e) => e.ph === "M");
    assert.ok(meta.some((e) => e.name === "process_name" && e.args?.name === "servers"));
    assert.ok(meta.some((e) => e.name === "process_name" && e.args?.name === "processes"));
    const threads = meta.filter((e) => e.name === "thread_name").map((e) => e.args?.name);
    for (const name of ["kernel", "vfs", "tty"]) assert.ok(threads.includes(name), `track ${name}`);
    assert.ok(threads.some((n) => /^echo\[\d+\]$/.test(String(n))), "a track for echo");
    assert.ok(threads.some((n) => /^cat\[\d+\]$/.test(String(n))), "a track for cat");

    // The write of "traced\n" by echo: a syscall slice, and a slice at the VFS serving it.
    const syscalls = events.filter((e) => e.ph === "X" && e.cat === "syscall");
    const write = syscalls.find((e) =>
      e.name === "write" && String(e.args?.text).includes('"traced\\n"')
    );
    assert.ok(write !== undefined, "echo's write syscall");
    assert.ok(typeof write.dur === "number" && write.dur > 0);
    const served = events.filter((e) => e.ph === "X" && e.cat === "serve");
    const vfsWrite = served.find((e) =>
      e.name === "write" && e.tid === 1 && e.args?.caller === write.tid
    );
    assert.ok(vfsWrite !== undefined, "the VFS slice of that write");
    for (const key of ["op", "cap", "size", "status", "latency_us"]) {
      assert.ok(key in vfsWrite.args!, key);
    }
    assert.equal(vfsWrite.args!.status, 7);
    assert.ok(vfsWrite.ts! >= write.ts! && vfsWrite.ts! <= write.ts! + write.dur!);

    // A flow arrow from the syscall to the server slice.
    const start = events.find((e) => e.ph === "s" && e.id === `t${write.args!.trace}`);
    const end = events.find((e) => e.ph === "f" && e.id === `t${write.args!.trace}`);
    assert.ok(start !== undefined && end !== undefined, "flow start and end");
    assert.equal(end.tid, 1);
    // Kernel-side work shows too: the spawn of cat served at the kernel endpoint.
    assert.ok(served.some((e) => e.tid === 0 && e.name === "mello_spawn"));
    // Requests between servers are named too (the VFS's lookups at mfs_ram, say).
    assert.ok(served.some((e) => e.tid === 3 && e.name === "fs.lookup"), "fs.lookup at mfs_ram");
    const unnamed = served.filter((e) => /^syscall_\d+$/.test(e.name)).map((e) => e.name);
    assert.deepEqual([...new Set(unnamed)], [], "requests without a name");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("tracer: `trace CMD` prints one strace-like line per syscall with its hops", async () => {
  await withOs(async (os) => {
    const r = await os.run("trace echo hi");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "hi\n");
    const lines = r.stderr.trim().split("\n");
    assert.match(
      lines.find((l) => l.startsWith("write("))!,
      /^write\(1, "hi\\n", 3\) = 3 <[\d.]+(us|ms): vfs [\d.]+(us|ms)>$/,
    );
    assert.match(lines[lines.length - 2], /^exit_group\(0\) = \? </);
    assert.equal(lines[lines.length - 1], "+++ exited with 0 +++");
    const failing = await os.run("trace kill 999999");
    assert.match(failing.stderr, /kill\(999999, 15\) = -1 ESRCH \(No such process\) <[^>]*kernel/);
    const missing = await os.run("trace nosuchprogram");
    assert.equal(missing.status, 1);
    // -o FILE, as strace: the lines go to the file, not to stderr.
    const toFile = await os.run("trace -o /tmp/trace.out echo to-file; cat /tmp/trace.out");
    assert.equal(toFile.status, 0, toFile.stderr);
    assert.match(toFile.stdout, /^to-file\n/);
    assert.match(toFile.stdout, /^write\(1, "to-file\\n", 8\) = 8 </m);
    assert.match(toFile.stdout, /\+\+\+ exited with 0 \+\+\+\n$/);
    assert.equal(toFile.stderr, "");
  });
});

Deno.test("tracer: off by default: no Worker records anything", async () => {
  await withOs(async (os) => {
    await os.run("/bin/echo quiet | cat");
    assert.equal(os.kernel.sys.traceAll, false);
    for (const name of ["vfs", "tty"]) {
      const ring = new Ring(os.kernel.supervisor.get(name)!.trace, 0, TRACE_RING_BYTES);
      assert.equal(ring.usedBytes(), 0, `${name} recorded events`);
    }
  });
});
