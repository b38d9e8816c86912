// Special files: the memory devices, the console and /dev/tty, device nodes
// made with mknod, sockets nodes, FIFOs between processes, and pipes.
//
// Where Linux's answer does not depend on the machine, the same syscall
// script runs on the host (tests/helpers/fsops.ts) and every step must
// match; device nodes need root there, so a non-root host is replaced by
// the outcomes Linux gives (written out below). FIFOs between processes use
// tests/programs/fifo.ts, and whole shell lines are compared with the host's
// sh. The console and /dev/tty cannot be opened the same way on a test host
// (no controlling terminal), so their answers are written out.

import assert from "node:assert/strict";
import { installProgram, withOs } from "./helpers/system.ts";
import { melloOps, type Outcome, sameAsHost, type Step } from "./helpers/fsops.ts";
import type { Handle } from "../kernel/mod.ts";

const decoder = new TextDecoder();
const ROOT = { uid: 0, gid: 0 };

function ok(v: unknown): Outcome {
  return { ok: v };
}

function err(e: string): Outcome {
  return { err: e };
}

function chr(mode: string, major: number, minor: number, size = 0) {
  return { type: "20000", mode, nlink: 1, uid: 0, gid: 0, size, rdev: [major, minor] };
}

Deno.test("devices: /dev/null, /dev/zero and /dev/full read, write and seek as Linux's", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      ["open", "/dev/null", "O_RDWR"],
      ["read", "@0", 10],
      ["write", "@0", "abc"],
      ["lseek", "@0", 100, "SEEK_SET"],
      ["fstat", "@0"],
      ["open", "/dev/zero", "O_RDWR"],
      ["read", "@5", 4],
      ["write", "@5", "abc"],
      ["lseek", "@5", 5, "SEEK_CUR"],
      ["open", "/dev/full", "O_RDWR"],
      ["read", "@9", 3],
      ["write", "@9", "abc"],
      ["write", "@9", ""],
      ["fstat", "@9"],
      ["pread", "@5", 3, 100],
      ["pwrite", "@0", "x", 5],
      ["pwrite", "@9", "x", 5],
      ["pread", "@0", 3, 0],
      ["ftruncate", "@0", 0],
      ["fsync", "@0"],
      ["fdatasync", "@9"],
      ["readv", "@5", [2, 3]],
      ["writev", "@9", ["a", "b"]],
      ["writev", "@0", ["a", "b"]],
      ["fcntl", "@0", "F_GETFL"],
      ["open", "/dev/null", "O_RDONLY|O_DIRECTORY"],
      ["open", "/dev/null", "O_WRONLY|O_TRUNC"],
      ["open", "/dev/null", "O_WRONLY|O_CREAT|O_EXCL"],
      ["open", "/dev/null", "O_WRONLY|O_CREAT"],
      ["truncate", "/dev/null", 0],
      ["stat", "/dev/random"],
      ["stat", "/dev/urandom"],
      ["open", "/dev/zero", "O_RDONLY"],
      ["write", "@32", "x"], // not open for writing: EBADF
      ["open", "/dev/null", "O_WRONLY"],
      ["read", "@34", 1], // not open for reading: EBADF
    ])
  );
});

Deno.test("devices: /dev/random and /dev/urandom give fresh bytes at every read", async () => {
  await withOs(async (os) => {
    const out = await melloOps(os, [
      ["open", "/dev/urandom", "O_RDONLY"],
      ["read", "@0", 32],
      ["read", "@0", 32],
      ["open", "/dev/random", "O_RDONLY"],
      ["read", "@3", 32],
      ["pread", "@3", 32, 0],
      ["write", "@0", "x"],
    ]);
    const bytes = [1, 2, 4, 5].map((i) => {
      const v = (out[i] as { ok: string | { hex: string } }).ok;
      return typeof v === "string" ? new TextEncoder().encode(v) : v.hex.length / 2;
    });
    for (const b of bytes) assert.equal(typeof b === "number" ? b : b.length, 32);
    const shown = [1, 2, 4, 5].map((i) => JSON.stringify(out[i]));
    assert.equal(new Set(shown).size, 4, "four reads, four different answers");
    assert.deepEqual(out[6], err("EBADF"));
  });
});

Deno.test("devices: /dev/console and /dev/tty are character devices 5:1 and 5:0", async () => {
  await withOs(async (os) => {
    const out = await melloOps(os, [
      ["open", "/dev/tty", "O_RDWR"],
      ["fstat", "@0"],
      ["stat", "/dev/tty"],
      ["open", "/dev/console", "O_WRONLY"],
      ["fstat", "@3"],
      ["stat", "/dev/console"],
      ["fstatat", "@3", "", "AT_EMPTY_PATH"],
      ["lseek", "@0", 0, "SEEK_SET"],
      ["close", "@0"],
      ["close", "@3"],
    ]);
    assert.deepEqual(out.slice(1, 3), [ok(chr("666", 5, 0)), ok(chr("666", 5, 0))]);
    assert.deepEqual(out.slice(4, 7), [
      ok(chr("600", 5, 1)),
      ok(chr("600", 5, 1)),
      ok(chr("600", 5, 1)),
    ]);
    assert.deepEqual(out.slice(7), [err("ESPIPE"), ok(0), ok(0)]);
  });
});

Deno.test("device nodes: a char device 1:3 made anywhere is /dev/null; no driver is ENXIO", async () => {
  const steps: Step[] = [
    ["mknod", "n", "S_IFCHR|0666", 1, 3],
    ["stat", "n"],
    ["open", "n", "O_RDWR"],
    ["write", "@2", "hello"],
    ["read", "@2", 5],
    ["fstat", "@2"],
    ["mknod", "z", "S_IFCHR|0644", 1, 5],
    ["open", "z", "O_RDONLY"],
    ["read", "@7", 3],
    // Majors 60-63 are "local/experimental use": no driver behind them.
    ["mknod", "c", "S_IFCHR|0600", 61, 7],
    ["open", "c", "O_RDONLY"],
    ["mknod", "b", "S_IFBLK|0600", 61, 7],
    ["stat", "b"],
    ["open", "b", "O_RDONLY"],
    ["mknod", "n", "S_IFCHR|0666", 1, 3],
    ["mknod", "m", "S_IFCHR|0644", 4095, 1048575],
    ["stat", "m"],
  ];
  const linux: Outcome[] = [
    ok(0),
    ok(chr("644", 1, 3)),
    ok(5),
    ok(5),
    ok(""),
    ok(chr("644", 1, 3)),
    ok(0),
    ok(7),
    ok("\u0000\u0000\u0000"),
    ok(0),
    err("ENXIO"),
    ok(0),
    ok({ type: "60000", mode: "600", nlink: 1, uid: 0, gid: 0, size: 0, rdev: [61, 7] }),
    err("ENXIO"),
    err("EEXIST"),
    ok(0),
    ok(chr("644", 4095, 1048575)),
  ];
  await withOs((os) => sameAsHost(os, steps, ROOT, linux));
});

Deno.test("socket nodes: mknod S_IFSOCK makes one stat shows; open is ENXIO", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      ["mknod", "s", "S_IFSOCK|0644", 0, 0],
      ["stat", "s"],
      ["lstat", "s"],
      ["open", "s", "O_RDONLY"],
      ["open", "s", "O_WRONLY|O_NONBLOCK"],
      ["open", "s", "O_RDWR|O_CREAT"],
      ["readdir", "."],
      ["unlink", "s"],
    ])
  );
});

Deno.test("FIFOs: non-blocking opens, data, EOF and EPIPE within one process, as Linux's", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      ["mknod", "f", "S_IFIFO|0640", 0, 0],
      ["stat", "f"],
      ["open", "f", "O_WRONLY|O_NONBLOCK"], // no reader: ENXIO
      ["open", "f", "O_RDONLY|O_NONBLOCK"], // never waits
      ["read", "@3", 10], // no writer ever: EOF
      ["open", "f", "O_WRONLY|O_NONBLOCK"], // a reader now
      ["fstat", "@5"],
      ["fcntl", "@5", "F_GETFL"],
      ["write", "@5", "hey"],
      ["read", "@3", 10],
      ["read", "@3", 10], // empty, a writer open: EAGAIN
      ["close", "@5"],
      ["read", "@3", 10], // every writer gone: EOF
      ["close", "@3"],
      ["open", "f", "O_RDWR"], // both ends: never waits
      ["write", "@14", "q"],
      ["read", "@14", 5],
      ["lseek", "@14", 0, "SEEK_SET"],
      ["pread", "@14", 1, 0],
      ["ftruncate", "@14", 0],
      ["open", "f", "O_RDONLY|O_NONBLOCK"],
      ["close", "@14"],
      ["open", "f", "O_WRONLY|O_NONBLOCK"],
      ["write", "@22", "z"],
      ["close", "@20"], // the last reader
      ["write", "@22", "z"],
      ["mkdir", "d", "0755"],
      ["mknod", "d/p", "S_IFIFO|0600", 0, 0],
      ["readdir", "d"],
    ])
  );
});

Deno.test("pipes: pipe2(O_NONBLOCK | O_CLOEXEC) and what pipes refuse, as Linux's", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      ["pipe", "O_NONBLOCK|O_CLOEXEC"],
      ["fcntl", "@0.0", "F_GETFL"],
      ["fcntl", "@0.1", "F_GETFL"],
      ["fcntl", "@0.0", "F_GETFD"],
      ["fcntl", "@0.1", "F_GETFD"],
      ["read", "@0.0", 10], // empty: EAGAIN
      ["write", "@0.1", "x".repeat(65536)], // the whole capacity
      ["write", "@0.1", "y"], // full: EAGAIN
      ["read", "@0.0", 3],
      ["fstat", "@0.0"],
      ["lseek", "@0.0", 0, "SEEK_CUR"],
      ["write", "@0.0", "x"], // the read end: EBADF
      ["read", "@0.1", 1], // the write end: EBADF
      ["pread", "@0.0", 1, 0],
      ["pwrite", "@0.1", "x", 0],
      ["ftruncate", "@0.1", 0],
      ["fsync", "@0.1"],
      ["fstatat", "@0.0", "", "AT_EMPTY_PATH"],
      ["fstatat", "@0.0", "x"], // not a directory
      ["openat", "@0.0", "x", "O_RDONLY"],
      ["pipe", 0],
      ["fcntl", "@20.0", "F_GETFD"],
      ["close", "@20.1"],
      ["read", "@20.0", 5], // no writer: EOF
      ["pipe", "O_DIRECT"],
      ["fcntl", "@24.0", "F_GETFL"],
      ["pipe", "O_TRUNC"], // not a pipe2 flag: EINVAL
      ["pipe", 4],
    ])
  );
});

// --- FIFOs between processes ---

async function exists(os: Handle, path: string): Promise<boolean> {
  return (await os.run(`test -e ${path}`)).status === 0;
}

Deno.test("FIFOs: a reader waits for a writer; data flows; EOF when every writer closed", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fifo");
    assert.equal((await os.run("mkfifo /tmp/f")).status, 0);
    const reader = await os.start("fifo read /tmp/f /tmp/m");
    let done = false;
    void reader.done.then(() => (done = true));
    // Wait for the reader to reach its open; with no writer, it must stay there.
    for (;;) {
      if (await exists(os, "/tmp/m")) break;
      assert.ok(!done, "the reader ended before its open");
    }
    // A non-blocking reader meanwhile opens at once and finds no data and no writer: EOF.
    assert.equal((await os.run("fifo nbread /tmp/f")).stdout, "EOF\n");
    assert.equal((await os.run("fifo open /tmp/f O_RDONLY,O_NONBLOCK")).stdout, "opened\n");
    assert.ok(!done, "a reader returned from open with no writer");
    // Two writers: the reader sees EOF only after both have closed.
    const w = await os.run("fifo writers /tmp/f first- second");
    assert.equal(w.status, 0, w.stderr);
    const r = await reader.done;
    assert.deepEqual([r.status, r.stdout], [0, "opened\nfirst-second\nEOF\n"]);
  });
});

Deno.test("FIFOs: a writer waits for a reader; O_NONBLOCK writer without one is ENXIO", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fifo");
    assert.equal((await os.run("mkfifo /tmp/f")).status, 0);
    assert.equal((await os.run("fifo open /tmp/f O_WRONLY,O_NONBLOCK")).stdout, "ENXIO\n");
    const writer = await os.start("fifo write /tmp/f hello /tmp/m");
    let done = false;
    void writer.done.then(() => (done = true));
    for (;;) {
      if (await exists(os, "/tmp/m")) break;
      assert.ok(!done, "the writer ended before its open");
    }
    assert.equal((await os.run("fifo open /tmp/f O_WRONLY,O_NONBLOCK")).stdout, "ENXIO\n");
    assert.ok(!done, "a writer returned from open with no reader");
    const r = await os.run("fifo read /tmp/f");
    assert.equal(r.stdout, "opened\nhello\nEOF\n");
    assert.equal((await writer.done).status, 0);
  });
});

Deno.test("FIFOs: a writer whose reader left gets EPIPE, or dies of SIGPIPE", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fifo");
    const ignored = await os.run(
      "mkfifo /tmp/f; head -c 1 /tmp/f > /dev/null & fifo epipe /tmp/f; wait",
    );
    assert.deepEqual([ignored.status, ignored.stdout], [0, "EPIPE\n"]);
    const services = os.services();
    assert.ok(services.every((s) => s.restarts === 0 && s.state === "up"));
  });
});

async function sameCommandsAsHost(os: Handle, cmds: string[]): Promise<void> {
  const diffs: string[] = [];
  for (const cmd of cmds) {
    const m = await os.run(`rm -rf /tmp/t; mkdir /tmp/t; cd /tmp/t; ${cmd}`);
    const dir = await Deno.makeTempDir({ prefix: "mello_fifo_" });
    let h: Deno.CommandOutput;
    try {
      h = await new Deno.Command("sh", {
        args: ["-c", cmd.replace(/(^|[;|&(] *)(echo) /g, "$1env $2 ")],
        cwd: dir,
        env: { LC_ALL: "C", PATH: "/usr/bin:/bin" },
        clearEnv: true,
      }).output();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    const mine = { status: m.status, stdout: m.stdout, stderr: m.stderr };
    const theirs = {
      status: h.code,
      stdout: decoder.decode(h.stdout),
      stderr: decoder.decode(h.stderr),
    };
    try {
      assert.deepEqual(mine, theirs);
    } catch {
      diffs.push(`$ ${cmd}\n  mello: ${JSON.stringify(mine)}\n  host:  ${JSON.stringify(theirs)}`);
    }
  }
  assert.equal(diffs.length, 0, diffs.join("\n"));
}

Deno.test("FIFOs in the shell: pipelines through a FIFO, SIGPIPE's status 141, as the host's sh", async () => {
  await withOs((os) =>
    sameCommandsAsHost(os, [
      "mkfifo f; cat f > out & echo hi > f; wait; cat out",
      "mkfifo f; (echo one; echo two) > f & cat f; wait",
      "mkfifo f; cat f | wc -c & echo hello > f; wait",
      "mkfifo f; head -c 1 f > /dev/null & yes > f; echo $?; wait",
      "mkfifo f; ls -l f | cut -c 1-10; test -p f; echo $?",
      "mkfifo f; mkfifo f; echo $?",
    ])
  );
});
