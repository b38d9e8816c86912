// Directories and names: mkdir and rmdir, rename in every form, link counts,
// unlinked files still open, and getdents64 (raw records checked against
// Linux's layout by tests/programs/dents.ts; long listings across many calls
// and while the directory changes; /proc and /dev). Scripts of calls are run
// in MelloOS and on the host and compared (tests/helpers/fsops.ts).

import assert from "node:assert/strict";
import type { Handle } from "../kernel/mod.ts";
import { sameAsHost } from "./helpers/fsops.ts";
import { installProgram, withOs } from "./helpers/system.ts";

Deno.test("mkdir and rmdir: EEXIST, ENOTEMPTY, '.' and '..', the cwd removed", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "d", "0755"], // 0
      ["mkdir", "d", "0755"],
      ["open", "f", "O_CREAT|O_WRONLY", "0644"],
      ["mkdir", "f"],
      ["mkdir", "d/sub"],
      ["rmdir", "d"], // 5
      ["rmdir", "d/sub/."],
      ["rmdir", "d/sub/.."],
      ["rmdir", "."],
      ["rmdir", ".."],
      ["rmdir", "/"], // 10
      ["mkdir", "."],
      ["mkdir", ".."],
      ["mkdir", "/"],
      ["rmdir", "f"],
      ["rmdir", "nothing"], // 15
      ["stat", "d"],
      ["rmdir", "d/sub"],
      ["stat", "d"],
      ["chdir", "d"],
      ["rmdir", "../d"], // 20: the cwd may go
      ["getcwd"],
      ["open", "x", "O_CREAT|O_WRONLY"],
      ["mkdir", "y"],
      ["stat", "."],
      ["access", ".", "F_OK"], // 25
      ["chdir", ".."],
      ["chdir", "<root>"],
      ["mkdir", "e", "0700"],
      ["open", "e/g", "O_CREAT|O_WRONLY", "0644"],
      ["unlink", "e/g"], // 30
      ["rmdir", "e"],
      ["mkdir", "deep/er"],
      ["unlinkat", "AT_FDCWD", "f", "AT_REMOVEDIR"],
      ["mkdir", "z"],
      ["unlinkat", "AT_FDCWD", "z", 0], // 35
      ["unlinkat", "AT_FDCWD", "z", 0x400],
    ]);
  });
});

Deno.test("rename: files, directories, over each other, into itself, hard links", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "a", "O_CREAT|O_WRONLY", "0644"], // 0
      ["write", "@0", "A"],
      ["open", "b", "O_CREAT|O_WRONLY", "0644"],
      ["write", "@2", "B"],
      ["rename", "a", "b"], // file over file
      ["stat", "a"], // 5
      ["open", "b", "O_RDONLY"],
      ["read", "@6", 10],
      ["mkdir", "d1"],
      ["mkdir", "d2"],
      ["mkdir", "full"], // 10
      ["mkdir", "full/x"],
      ["rename", "d1", "d2"], // dir over empty dir
      ["stat", "d1"],
      ["rename", "d2", "full"], // over a non-empty one
      ["rename", "b", "d2"], // 15: file over dir
      ["rename", "d2", "b"], // dir over file
      ["rename", "full", "full/x/inside"], // into itself
      ["rename", "full", "full"],
      ["rename", "full/x", "full/x/y"],
      ["link", "b", "hard"], // 20
      ["rename", "b", "hard"], // the same inode: nothing happens
      ["stat", "b"],
      ["stat", "hard"],
      ["rename", "nothing", "x"],
      ["rename", "b", "nothing/x"], // 25
      ["rename", "b", "."],
      ["rename", ".", "x"],
      ["rename", "..", "x"],
      ["rename", "b", ""],
      ["rename", "full/x", "moved"], // 30: another parent
      ["stat", "full"],
      ["stat", "moved"],
      ["mkdir", "full/y"],
      ["rename", "moved", "full/y"], // back over an empty dir elsewhere
      ["stat", "full"], // 35
      ["rename", "full/y", "full/y"],
      ["symlink", "full", "ls"],
      ["rename", "ls", "ls2"], // moves the link, not its target
      ["lstat", "ls2"],
      ["stat", "full"], // 40
      ["rename", "ls2/y", "ls2/z"],
      ["stat", "full/z"],
      ["rename", "full/z", "full/z/."],
      ["rename", "full", "full/."],
    ]);
  });
});

Deno.test("renameat2: RENAME_NOREPLACE and RENAME_EXCHANGE", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "a", "O_CREAT|O_WRONLY", "0644"], // 0
      ["write", "@0", "A"],
      ["mkdir", "d"],
      ["mkdir", "d/sub"],
      ["renameat2", "AT_FDCWD", "a", "AT_FDCWD", "d", "RENAME_NOREPLACE"],
      ["renameat2", "AT_FDCWD", "a", "AT_FDCWD", "b", "RENAME_NOREPLACE"], // 5
      ["stat", "b"],
      ["renameat2", "AT_FDCWD", "b", "AT_FDCWD", "d", "RENAME_EXCHANGE"], // file <-> dir
      ["stat", "b"],
      ["stat", "d"],
      ["stat", "b/sub"], // 10
      ["renameat2", "AT_FDCWD", "b", "AT_FDCWD", "none", "RENAME_EXCHANGE"],
      ["renameat2", "AT_FDCWD", "b", "AT_FDCWD", "b/sub", "RENAME_EXCHANGE"], // into itself
      ["renameat2", "AT_FDCWD", "b/sub", "AT_FDCWD", "b", "RENAME_EXCHANGE"],
      ["renameat2", "AT_FDCWD", "b", "AT_FDCWD", "d", "RENAME_EXCHANGE|RENAME_NOREPLACE"],
      ["renameat2", "AT_FDCWD", "b", "AT_FDCWD", "d", 0], // 15: a directory over a file
      ["renameat2", "AT_FDCWD", "b", "AT_FDCWD", "d", 8],
      ["link", "d", "d2"],
      ["renameat2", "AT_FDCWD", "d", "AT_FDCWD", "d2", "RENAME_EXCHANGE"], // one inode
      ["stat", "d"],
      ["mkdir", "e"], // 20
      ["mkdir", "b/deeper"],
      ["renameat2", "AT_FDCWD", "e", "AT_FDCWD", "b/deeper", "RENAME_EXCHANGE"], // dirs swap parents
      ["stat", "b"],
      ["stat", "e"],
      ["stat", "b/deeper"], // 25
      ["open", "b", "O_RDONLY|O_DIRECTORY"],
      ["renameat2", "@26", "deeper", "AT_FDCWD", "e2", 0], // through a dirfd
      ["stat", "e2"],
      ["renameat2", "AT_FDCWD", "e2", "@26", "back", "RENAME_NOREPLACE"],
      ["stat", "b/back"], // 30
    ]);
  });
});

Deno.test("link counts: files, and directories with their subdirectories", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "d"], // 0
      ["stat", "d"],
      ["mkdir", "d/a"],
      ["mkdir", "d/b"],
      ["stat", "d"],
      ["open", "d/f", "O_CREAT|O_WRONLY", "0644"], // 5: files do not count
      ["stat", "d"],
      ["link", "d/f", "d/g"],
      ["link", "d/f", "h"],
      ["stat", "d/f"],
      ["unlink", "d/g"], // 10
      ["stat", "h"],
      ["rename", "d/a", "e"], // a subdirectory moves: the old parent drops one
      ["stat", "d"],
      ["stat", "."],
      ["rename", "d/b", "e"], // 15: over an empty dir: the old parent drops one, no one gains
      ["stat", "d"],
      ["stat", "."],
      ["stat", "e"],
      ["rmdir", "e"],
      ["stat", "."], // 20
      ["link", "d", "dlink"], // no hard links to directories
      ["link", "h", "h"],
      ["link", "nothing", "x"],
      ["symlink", "h", "s"],
      ["link", "s", "s2"], // 25: the link itself
      ["lstat", "s2"],
      ["linkat", "AT_FDCWD", "s", "AT_FDCWD", "s3", "AT_SYMLINK_FOLLOW"],
      ["stat", "s3"],
      ["lstat", "s3"],
      ["mkdir", "d/c"], // 30
      ["mkdir", "d/c/c"],
      ["stat", "d/c"],
      ["rename", "d/c/c", "d/c2"], // a move between siblings
      ["stat", "d"],
      ["stat", "d/c"], // 35
    ]);
  });
});

Deno.test("unlinked files stay readable and writable while open", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_CREAT|O_RDWR", "0644"], // 0
      ["write", "@0", "before"],
      ["open", "f", "O_RDONLY"],
      ["unlink", "f"],
      ["stat", "f"],
      ["fstat", "@0"], // 5
      ["read", "@2", 100],
      ["write", "@0", " after"],
      ["read", "@2", 100],
      ["ftruncate", "@0", 3],
      ["pread", "@2", 100, 0], // 10
      ["open", "f", "O_CREAT|O_RDWR", "0600"], // a new file of the same name
      ["fstat", "@11"],
      ["close", "@0"],
      ["pread", "@2", 100, 0],
      ["fstat", "@2"], // 15
      ["mkdir", "d"],
      ["open", "d", "O_RDONLY|O_DIRECTORY"],
      ["rmdir", "d"],
      ["fstat", "@17"],
      ["readdir", "d"], // 20
      ["openat", "@17", "x", "O_CREAT|O_WRONLY", "0644"],
      ["fchdir", "@17"],
      ["getcwd"],
    ]);
  });
});

/** Run the dents program; its JSON. */
async function dents(os: Handle, args: string): Promise<Record<string, unknown>> {
  const r = await os.run(`dents ${args}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout || "{}");
}

Deno.test("getdents64: Linux's record layout, d_type and d_ino of every kind of file", async () => {
  await withOs(async (os) => {
    await installProgram(os, "dents");
    const mk = await os.run(
      "mkdir /tmp/k && cd /tmp/k && mkdir sub && echo x > file && ln -s file link && " +
        "ln -s nowhere dangling && mkfifo fifo && mknod null c 1 3 && ln file hard && " +
        `touch ${"n".repeat(255)} é ab abc abcd abcde abcdef abcdefg`,
    );
    assert.equal(mk.status, 0, mk.stderr);
    // 280 bytes just hold the record of a 255-byte name.
    for (const buf of [32768, 512, 280]) {
      const got = await dents(os, `list /tmp/k ${buf} types`);
      assert.deepEqual(got.problems, [], `buffer ${buf}`);
      assert.deepEqual(
        (got.names as string[]).toSorted(),
        [
          ".",
          "..",
          "ab",
          "abc",
          "abcd",
          "abcde",
          "abcdef",
          "abcdefg",
          "dangling",
          "fifo",
          "file",
          "hard",
          "link",
          "n".repeat(255),
          "null",
          "sub",
          "é",
        ].toSorted(),
        `buffer ${buf}`,
      );
    }
    // Too small for the first record: EINVAL, as Linux answers.
    assert.deepEqual(await dents(os, "list /tmp/k 20"), { error: "EINVAL" });
    // Not a directory.
    assert.deepEqual(await dents(os, "list /tmp/k/file 4096"), { error: "ENOTDIR" });
  });
});

Deno.test("getdents64: 10,000 entries across many calls, each once; changes during a listing", async () => {
  await withOs(async (os) => {
    await installProgram(os, "dents");
    assert.deepEqual(await dents(os, "make /tmp/big 10000"), {});
    for (const buf of [100, 4096, 32768]) {
      const got = await dents(os, `list /tmp/big ${buf}`);
      assert.deepEqual(got.problems, [], `buffer ${buf}`);
      const names = got.names as string[];
      assert.equal(names.length, 10002, `buffer ${buf}`);
      assert.equal(new Set(names).size, 10002);
      if (buf === 100) assert.ok((got.calls as number) > 3000, "many calls");
    }
    for (const buf of [100, 2048]) {
      await os.run("rm -r /tmp/churn");
      assert.deepEqual(await dents(os, "make /tmp/churn 2000"), {});
      const got = await dents(os, `churn /tmp/churn ${buf} 2000`);
      assert.deepEqual(got.problems, [], `buffer ${buf}`);
      assert.deepEqual(got.missing, [], `buffer ${buf}`);
    }
  });
});

Deno.test("a removed directory still held open or as the cwd: empty, link count 0, ENOENT", async () => {
  await withOs(async (os) => {
    await installProgram(os, "dents");
    // What Linux 6 answers (tmpfs), call by call.
    assert.deepEqual(await dents(os, "dead /tmp/gone"), {
      heldGetdents: "ENOENT",
      heldNlink: 0,
      dotOpen: "ok",
      dotGetdents: "ENOENT",
      dotNlink: 0,
      readdir: 0,
      getcwd: "ENOENT",
      create: "ENOENT",
      mkdir: "ENOENT",
      lookup: "ENOENT",
      up: "/tmp",
      remade: "ENOENT",
    });
  });
});

Deno.test("getdents64: /proc and /dev list every entry once with the right types", async () => {
  await withOs(async (os) => {
    await installProgram(os, "dents");
    for (const dir of ["/proc", "/dev", "/proc/self", "/proc/1", "/proc/self/fd", "/"]) {
      for (const buf of [4096, 64]) {
        const got = await dents(os, `list ${dir} ${buf} types`);
        assert.deepEqual(got.problems, [], `${dir} buffer ${buf}`);
        const names = got.names as string[];
        assert.ok(names.includes(".") && names.includes(".."), `${dir}: . and ..`);
      }
    }
    const proc = (await dents(os, "list /proc 4096")).names as string[];
    for (const want of ["self", "mounts", "1"]) assert.ok(proc.includes(want), `/proc/${want}`);
    const dev = (await dents(os, "list /dev 4096")).names as string[];
    for (const want of ["null", "zero"]) assert.ok(dev.includes(want), `/dev/${want}`);
  });
});
