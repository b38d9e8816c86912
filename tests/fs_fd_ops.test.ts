// Calls on file descriptors, each script run in MelloOS and on the host
// (tests/helpers/fsops.ts): open flags, the lowest free fd, dup/dup2/dup3,
// fcntl, offsets (shared through dup, and with a spawned child:
// tests/programs/fdshare.ts), O_APPEND, pread/pwrite, readv/writev, lseek and
// holes, truncation, sparse files, and the errnos of misuse.

import assert from "node:assert/strict";
import { hostOps, melloOps, type Outcome, sameAsHost, type Step } from "./helpers/fsops.ts";
import { installProgram, withOs } from "./helpers/system.ts";

Deno.test("open: access modes, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_CLOEXEC", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT|O_EXCL", "0644"], // 0
      ["write", "@0", "hello"],
      ["read", "@0", 5], // write-only
      ["open", "f", "O_WRONLY|O_CREAT|O_EXCL", "0644"],
      ["open", "f", "O_RDONLY"],
      ["read", "@4", 100], // 5
      ["write", "@4", "x"], // read-only
      ["open", "f", "O_RDWR"],
      ["write", "@7", "J"],
      ["read", "@7", 100],
      ["open", "f", "O_RDWR|O_APPEND"], // 10
      ["lseek", "@10", 0, "SEEK_SET"],
      ["write", "@10", "!"], // at the end, wherever the offset was
      ["lseek", "@10", 0, "SEEK_CUR"],
      ["pwrite", "@10", "?", 0], // Linux appends pwrite on O_APPEND too
      ["pread", "@10", 100, 0], // 15
      ["open", "f", "O_RDONLY|O_TRUNC"], // truncates though opened read-only
      ["fstat", "@16"],
      ["open", "f", "O_WRONLY|O_CLOEXEC"],
      ["fcntl", "@18", "F_GETFD"],
      ["fcntl", "@16", "F_GETFD"], // 20
      ["fcntl", "@7", "F_GETFL"],
      ["fcntl", "@10", "F_GETFL"],
      ["fcntl", "@0", "F_GETFL"],
      ["creat", "g", "0600"],
      ["fcntl", "@24", "F_GETFL"], // 25
      ["open", "nothing", "O_RDONLY"],
      ["open", "nothing", "O_RDONLY|O_TRUNC"],
      ["open", "h", "O_RDONLY|O_CREAT", "0400"],
      ["read", "@28", 10],
      ["open", "h", "O_RDWR"], // 30: mode 0400, but root
      ["open", "f", "O_RDONLY|O_NONBLOCK"],
      ["fcntl", "@31", "F_GETFL"],
      ["read", "@31", 10],
    ]);
  });
});

Deno.test("fds: the lowest free number is handed out", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"], // 0
      ["open", "f", "O_RDONLY"],
      ["open", "f", "O_RDONLY"],
      ["close", "@1"],
      ["open", "f", "O_RDONLY"], // takes @1's number
      ["close", "@0"], // 5
      ["close", "@2"],
      ["dup", "@4"], // takes @0's
      ["pipe"],
      ["close", "@0"],
      ["close", "@0"], // 10: twice
      ["close", 99],
      ["close", -1],
      ["open", "f", "O_RDONLY"],
    ]);
  });
});

Deno.test("dup, dup2, dup3 and fcntl(F_DUPFD): shared offsets, their own fd flags", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT|O_CLOEXEC", "0644"], // 0
      ["write", "@0", "abcdef"],
      ["dup", "@0"],
      ["fcntl", "@2", "F_GETFD"], // a dup does not inherit FD_CLOEXEC
      ["lseek", "@2", 0, "SEEK_CUR"], // one offset
      ["lseek", "@2", 2, "SEEK_SET"], // 5
      ["read", "@0", 2],
      ["lseek", "@2", 0, "SEEK_CUR"],
      ["dup2", "@0", 50],
      ["fcntl", 50, "F_GETFD"],
      ["read", 50, 1], // 10
      ["dup2", "@0", "@0"], // the same fd: returned as is
      ["dup2", 77, 51], // oldfd not open
      ["fcntl", 51, "F_GETFD"],
      ["dup3", "@0", "@0", 0], // dup3 to itself is EINVAL
      ["dup3", "@0", 52, "O_CLOEXEC"], // 15
      ["fcntl", 52, "F_GETFD"],
      ["dup3", "@0", 53, "O_RDONLY|O_APPEND"], // only O_CLOEXEC is a dup3 flag
      ["dup3", 77, 53, 0],
      ["dup2", "@0", -1],
      ["dup2", "@0", 1048576], // 20: past any fd limit
      ["fcntl", "@0", "F_DUPFD", 40],
      ["fcntl", "@0", "F_DUPFD", 40], // the next free one from 40
      ["fcntl", "@0", "F_DUPFD_CLOEXEC", 0],
      ["fcntl", "@23", "F_GETFD"],
      ["fcntl", "@21", "F_GETFD"], // 25
      ["fcntl", "@0", "F_DUPFD", -1],
      ["open", "g", "O_RDWR|O_CREAT", "0644"],
      ["dup2", "@0", "@27"], // closes what @27 was
      ["read", "@27", 100],
      ["lseek", "@27", 0, "SEEK_CUR"], // 30
      ["fcntl", 99, "F_GETFD"],
      ["fcntl", "@0", "F_SETFD", 0],
      ["fcntl", "@0", "F_GETFD"],
      ["fcntl", "@0", "F_SETFD", "FD_CLOEXEC"],
      ["fcntl", "@2", "F_GETFD"], // 35: per fd, not per open file
      ["fcntl", "@0", 12345],
      ["dup", 99],
    ]);
  });
});

Deno.test("fcntl: F_GETFL and F_SETFL change status flags, never the access mode", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 0
      ["write", "@0", "12345"],
      ["fcntl", "@0", "F_GETFL"],
      ["fcntl", "@0", "F_SETFL", "O_APPEND|O_RDWR"],
      ["fcntl", "@0", "F_GETFL"],
      ["lseek", "@0", 0, "SEEK_SET"], // 5
      ["write", "@0", "6"], // appended
      ["read", "@0", 1], // still write-only
      ["dup", "@0"],
      ["fcntl", "@8", "F_GETFL"], // the dup shares status flags
      ["fcntl", "@8", "F_SETFL", 0], // 10
      ["fcntl", "@0", "F_GETFL"],
      ["lseek", "@0", 0, "SEEK_SET"],
      ["write", "@0", "0"],
      ["open", "f", "O_RDONLY"],
      ["read", "@14", 100], // 15
      ["fcntl", "@14", "F_SETFL", "O_NONBLOCK"],
      ["fcntl", "@14", "F_GETFL"],
      ["fcntl", "@14", "F_SETFL", "O_TRUNC|O_CREAT|O_EXCL"], // ignored
      ["fcntl", "@14", "F_GETFL"],
      ["pipe"], // 20
      ["fcntl", "@20.1", "F_SETFL", "O_NONBLOCK"],
      ["fcntl", "@20.1", "F_GETFL"],
      ["fcntl", "@20.0", "F_SETFL", "O_NONBLOCK"],
      ["read", "@20.0", 10], // empty, and a writer is there
    ]);
  });
});

Deno.test("pread and pwrite leave the offset; readv and writev scatter and gather", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"], // 0
      ["write", "@0", "0123456789"],
      ["lseek", "@0", 3, "SEEK_SET"],
      ["pread", "@0", 4, 5],
      ["lseek", "@0", 0, "SEEK_CUR"],
      ["pwrite", "@0", "xy", 8], // 5
      ["lseek", "@0", 0, "SEEK_CUR"],
      ["pwrite", "@0", "far", 20], // past the end: a hole
      ["pread", "@0", 100, 0],
      ["pread", "@0", 10, 100], // at and past the end: nothing
      ["pread", "@0", 10, -1], // 10
      ["pwrite", "@0", "z", -1],
      ["writev", "@0", ["ab", "", "cde"]],
      ["lseek", "@0", 0, "SEEK_CUR"],
      ["lseek", "@0", 0, "SEEK_SET"],
      ["readv", "@0", [1, 0, 4, 100]], // 15
      ["readv", "@0", [4]],
      ["writev", "@0", []],
      ["readv", "@0", []],
      ["pipe"],
      ["pread", "@19.0", 1, 0], // 20: pipes have no offsets
      ["pwrite", "@19.1", "x", 0],
      ["writev", "@19.1", ["pi", "pe"]],
      ["readv", "@19.0", [1, 10]],
      ["open", "f", "O_RDONLY"],
      ["pwrite", "@24", "x", 0], // 25
      ["open", "f", "O_WRONLY"],
      ["pread", "@26", 1, 0],
      ["readv", "@26", [1]],
      ["writev", "@24", ["x"]],
    ]);
  });
});

Deno.test("lseek: SEEK_SET, SEEK_CUR, SEEK_END; holes read as zeros; negative is EINVAL", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"], // 0
      ["write", "@0", "abc"],
      ["lseek", "@0", 0, "SEEK_END"],
      ["lseek", "@0", -1, "SEEK_END"],
      ["read", "@0", 10],
      ["lseek", "@0", -2, "SEEK_CUR"], // 5
      ["read", "@0", 10],
      ["lseek", "@0", -4, "SEEK_END"],
      ["lseek", "@0", -10, "SEEK_CUR"],
      ["lseek", "@0", -1, "SEEK_SET"],
      ["lseek", "@0", 0, "SEEK_CUR"], // 10: unchanged by the failures
      ["lseek", "@0", 0, 7], // bad whence
      ["lseek", "@0", 10, "SEEK_END"],
      ["read", "@0", 10], // past the end: EOF
      ["write", "@0", "Z"],
      ["fstat", "@0"], // 15
      ["pread", "@0", 100, 0],
      ["lseek", "@0", 4096 * 3, "SEEK_SET"],
      ["write", "@0", "end"],
      ["pread", "@0", 4, 4096 * 3 - 2],
      ["fstat", "@0"], // 20
      ["pipe"],
      ["lseek", "@21.0", 0, "SEEK_CUR"],
      ["mkdir", "d"],
      ["open", "d", "O_RDONLY|O_DIRECTORY"],
      ["lseek", "@24", 0, "SEEK_SET"], // 25
      ["lseek", 99, 0, "SEEK_SET"],
    ]);
  });
});

Deno.test("truncate and ftruncate grow and shrink; sparse files with big offsets", async () => {
  await withOs(async (os) => {
    const big = 2 ** 40; // 1 TiB: only one byte is ever stored
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"], // 0
      ["write", "@0", "0123456789"],
      ["ftruncate", "@0", 4],
      ["fstat", "@0"],
      ["lseek", "@0", 0, "SEEK_CUR"], // the offset stays past the end
      ["write", "@0", "X"], // 5: leaves a hole
      ["pread", "@0", 100, 0],
      ["truncate", "f", 20000],
      ["stat", "f"],
      ["pread", "@0", 8, 19995],
      ["truncate", "f", 3], // 10
      ["truncate", "f", 5],
      ["pread", "@0", 100, 0], // the cut bytes come back as zeros
      ["ftruncate", "@0", -1],
      ["truncate", "f", -1],
      ["open", "f", "O_RDONLY"], // 15
      ["ftruncate", "@15", 0], // not open for writing
      ["mkdir", "d"],
      ["truncate", "d", 0],
      ["open", "d", "O_RDONLY"],
      ["ftruncate", "@19", 0], // 20
      ["pipe"],
      ["ftruncate", "@21.1", 0],
      ["ftruncate", 99, 0],
      ["pwrite", "@0", "!", big],
      ["fstat", "@0"], // 25
      ["pread", "@0", 4, big - 3],
      ["pread", "@0", 4, 2 ** 30],
      ["lseek", "@0", 0, "SEEK_END"],
      ["ftruncate", "@0", big * 2],
      ["fstat", "@0"], // 30
      ["ftruncate", "@0", 1],
      ["fstat", "@0"],
    ]);
  });
});

Deno.test("misuse: EBADF, EISDIR and EINVAL as Linux gives them", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "d"], // 0
      ["open", "d", "O_RDONLY"],
      ["read", "@1", 10], // a directory
      ["write", "@1", "x"],
      ["pread", "@1", 10, 0],
      ["pwrite", "@1", "x", 0], // 5
      ["open", "d", "O_WRONLY"],
      ["open", "d", "O_RDWR"],
      ["read", 99, 10],
      ["write", 99, "x"],
      ["fstat", 99], // 10
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["read", "@11", 1],
      ["readv", "@11", [1]],
      ["close", "@11"],
      ["write", "@11", "x"], // 15: closed
      ["fsync", "@1"],
      ["fsync", 99],
      ["fstat", "@1"],
      ["open", "f", 3], // access mode 3: for ioctls only
      ["read", "@19", 1], // 20
      ["write", "@19", "x"],
      ["fstat", "@19"],
    ]);
  });
});

Deno.test("spawn: a child shares the parent's open file and offset; O_CLOEXEC fds close at exec", async () => {
  await withOs(async (os) => {
    await installProgram(os, "fdshare");
    for (const viaExec of [false, true]) {
      const r = await os.run(`fdshare /tmp/shared${viaExec ? " exec" : ""}`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          "child offset 1",
          "child cloexec fd EBADF",
          "child getfd 0",
          "child status 0",
          "parent offset 5",
          'content "AB\\u0000\\u0000\\u0000C"',
          "parent cloexec fd 1",
          "racer status 0",
          "race size 600 p 300 c 300",
          "race offset 600",
          "",
        ].join("\n"),
        viaExec ? "through execve" : "through spawn",
      );
    }
  });
});

Deno.test("read and write move all the bytes asked for, past one data region (1.5 MiB)", async () => {
  await withOs(async (os) => {
    const big = 3 << 19; // 1.5 MiB: twice the program's data region
    const steps: Step[] = [
      ["open", "f", "O_RDWR|O_CREAT", "0644"], // 0
      ["write", "@0", "a".repeat(big)],
      ["lseek", "@0", 0, "SEEK_CUR"],
      ["pwrite", "@0", "b".repeat(big), big],
      ["lseek", "@0", 0, "SEEK_SET"],
      ["read", "@0", 2 * big + 10], // 5
      ["pread", "@0", 2 * big, 1],
      ["writev", "@0", ["c".repeat(big), "d"]],
      ["fstat", "@0"],
    ];
    // Compare lengths, not megabytes of text.
    const brief = (outs: Outcome[]) =>
      outs.map((o) => ("ok" in o && typeof o.ok === "string" ? { len: o.ok.length } : o));
    const mine = brief(await melloOps(os, steps));
    const host = await hostOps(steps);
    assert.deepEqual(mine, host === undefined ? mine : brief(host));
    assert.deepEqual(mine[5], { len: 2 * big });
  });
});

Deno.test("open: racing O_CREAT opens of one name never fail; with O_EXCL exactly one wins", async () => {
  await withOs(async (os) => {
    await installProgram(os, "crerace");
    const n = 300;
    for (const mode of ["plain", "excl"]) {
      const dir = `/tmp/race-${mode}`;
      assert.equal((await os.run(`mkdir ${dir}`)).status, 0);
      const runs = await Promise.all(
        [1, 2, 3].map(() => os.run(`crerace ${dir} ${n} ${mode}`)),
      );
      const lines = runs.map((r) => {
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.trim();
      });
      const count = (key: string) =>
        lines.reduce((sum, l) => sum + Number(new RegExp(`${key} (\\d+)`).exec(l)?.[1] ?? 0), 0);
      if (mode === "plain") assert.deepEqual(lines, [`ok ${n}`, `ok ${n}`, `ok ${n}`]);
      else assert.deepEqual([count("ok"), count("EEXIST")], [n, 2 * n], lines.join(", "));
    }
  });
});

Deno.test("open and stat racing unlink: the file or ENOENT, never a stale inode", async () => {
  await withOs(async (os) => {
    await installProgram(os, "crerace");
    assert.equal((await os.run("mkdir /tmp/churn")).status, 0);
    const [churn, look] = await Promise.all([
      os.run("crerace /tmp/churn 2000 churn"),
      os.run("crerace /tmp/churn 2000 look"),
    ]);
    assert.equal(churn.status, 0, churn.stderr);
    assert.equal(look.status, 0, look.stderr);
    assert.match(look.stdout.trim(), /^ok \d+( ENOENT \d+)?$/);
  });
});
