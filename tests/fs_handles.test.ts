// O_PATH fds and file handles (name_to_handle_at, open_by_handle_at), what
// the FUSE bridge names files by: each script runs in MelloOS and on the host
// (tests/helpers/fsops.ts, on tmpfs) and every step must answer the same.
// Handles' bytes are the filesystem's own, so a script shows "handle" where
// one was made and uses it in later steps. Steps that only root can run on
// the host (becoming another user, opening by handle) are also checked
// against Linux's known answers, for hosts where the test is not root.

import assert from "node:assert/strict";
import { melloOps, type Outcome, sameAsHost, type Step } from "./helpers/fsops.ts";
import { withOs } from "./helpers/system.ts";
import { backTo, counters } from "./helpers/leaks.ts";
import { InodeCache } from "../servers/vfs/icache.ts";
import type { Attrs } from "../servers/vfs/fs_protocol.ts";
import { HANDLE_BYTES } from "../servers/vfs/file_handle.ts";
import { O } from "../kernel/fcntl.ts";

const NOBODY = 65534;

/** Require outcome `i` of `got` to be `want` (Linux's, known without a root host). */
function expectAt(got: Outcome[], want: Record<number, Outcome>): void {
  for (const [i, o] of Object.entries(want)) assert.deepEqual(got[Number(i)], o, `step ${i}`);
}

/** Require the steps `steps` of `got` to have succeeded. */
function expectOk(got: Outcome[], steps: number[]): void {
  for (const i of steps) assert.ok("ok" in got[i], `step ${i}: ${JSON.stringify(got[i])}`);
}

Deno.test("O_PATH: a file's fd refuses every call but close, dup, fcntl's fd calls, fstat and fstatfs", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 0
      ["write", "@0", "hello"],
      ["open", "f", "O_PATH"],
      ["fcntl", "@2", "F_GETFL"], // O_PATH alone
      ["read", "@2", 3],
      ["write", "@2", "x"], // 5
      ["pread", "@2", 3, 0],
      ["pwrite", "@2", "x", 0],
      ["readv", "@2", [3]],
      ["writev", "@2", ["x"]],
      ["lseek", "@2", 0, "SEEK_SET"], // 10
      ["ftruncate", "@2", 0],
      ["fsync", "@2"],
      ["fdatasync", "@2"],
      ["fstat", "@2"],
      ["fstatfs", "@2"], // 15
      ["fchmod", "@2", "0600"],
      ["fchown", "@2", 0, 0],
      ["futimens", "@2"],
      ["fgetxattr", "@2", "user.x"],
      ["fsetxattr", "@2", "user.x", "1"], // 20
      ["flistxattr", "@2"],
      ["fremovexattr", "@2", "user.x"],
      ["ioctl", "@2", 0x541b], // FIONREAD
      ["fcntl", "@2", "F_SETFL", "O_NONBLOCK"],
      ["fcntl", "@2", "F_GETFD"], // 25
      ["fcntl", "@2", "F_SETFD", "FD_CLOEXEC"],
      ["fcntl", "@2", "F_GETFD"],
      ["fcntl", "@2", "F_DUPFD", 10],
      ["fcntl", "@28", "F_GETFL"],
      ["dup", "@2"], // 30
      ["dup3", "@2", 20, "O_CLOEXEC"],
      ["fcntl", "@31", "F_GETFL"],
      ["fstat", "@31"],
      ["fchdir", "@2"], // not a directory
      ["stat", "f"], // 35: nothing above changed it
      ["close", "@2"],
      ["fstat", "@2"],
      ["fstat", "@30"], // the dup lives on
    ]);
    expectAt(got, { 3: { ok: 0o10000000 }, 4: { err: "EBADF" }, 11: { err: "EBADF" } });
    expectAt(got, { 12: { err: "EBADF" }, 16: { err: "EBADF" }, 24: { err: "EBADF" } });
  });
});

Deno.test("O_PATH: directories as dirfd and cwd, symlinks themselves, FIFOs without waiting, flags it ignores", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "d"], // 0
      ["open", "d", "O_PATH|O_DIRECTORY"],
      ["fcntl", "@1", "F_GETFL"], // O_PATH|O_DIRECTORY
      ["getdents_any", "@1"],
      ["openat", "@1", "in", "O_WRONLY|O_CREAT", "0644"],
      ["fstatat", "@1", "in", 0], // 5
      ["fstatat", "@1", "", "AT_EMPTY_PATH"],
      ["fstatat", "@1", "", 0], // an empty path needs AT_EMPTY_PATH
      ["mkdirat", "@1", "sub", "0755"],
      ["unlinkat", "@1", "sub", "AT_REMOVEDIR"],
      ["fchdir", "@1"], // 10
      ["getcwd"],
      ["chdir", ".."],
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["open", "f", "O_PATH"],
      ["openat", "@14", "x", "O_RDONLY"], // 15: a file is no directory
      ["open", "f", "O_PATH|O_DIRECTORY"],
      ["symlink", "f", "ln"],
      ["open", "ln", "O_PATH|O_NOFOLLOW"],
      ["fstat", "@18"], // the link itself
      ["fcntl", "@18", "F_GETFL"], // 20
      ["readlinkat", "@18", ""],
      ["readlinkat", "@14", ""], // not a link: ENOENT, as for an empty path
      ["readlinkat", "AT_FDCWD", ""],
      ["open", "ln", "O_PATH"], // followed
      ["fstat", "@24"], // 25
      ["open", "ln", "O_RDONLY|O_NOFOLLOW"],
      ["mknod", "fifo", "S_IFIFO|0644", 0, 0],
      ["open", "fifo", "O_PATH"], // no writer, and no wait
      ["fstat", "@28"],
      ["read", "@28", 1], // 30
      ["open", "nothing", "O_PATH|O_CREAT", "0644"], // O_CREAT ignored
      ["open", "f", "O_PATH|O_RDWR|O_TRUNC|O_CREAT|O_EXCL|O_APPEND|O_NONBLOCK"],
      ["fcntl", "@32", "F_GETFL"],
      ["stat", "f"],
      ["open", "/dev/null", "O_PATH"], // 35: the node, its driver not asked
      ["fstat", "@35"],
      ["write", "@35", "x"],
      ["open", "f/", "O_PATH"],
    ]);
  });
});

Deno.test("O_PATH: no permission needed on the file, only search on the way; fchdir checks search", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "secret", "O_WRONLY|O_CREAT", "0600"], // 0
      ["mkdir", "closed", "0700"],
      ["open", "closed/in", "O_WRONLY|O_CREAT", "0644"],
      ["become", NOBODY, NOBODY],
      ["open", "secret", "O_RDONLY"],
      ["open", "secret", "O_PATH"], // 5
      ["fstat", "@5"],
      ["open", "closed", "O_PATH"],
      ["open", "closed/in", "O_PATH"],
      ["fstatat", "@7", "in", 0],
      ["fchdir", "@7"], // 10
    ]);
    expectAt(got, { 4: { err: "EACCES" }, 8: { err: "EACCES" }, 9: { err: "EACCES" } });
    expectAt(got, { 10: { err: "EACCES" } });
    expectOk(got, [5, 6, 7]);
  });
});

Deno.test("O_PATH: /proc/self/fd/N re-opens the file with the flags asked and a fresh permission check", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0600"], // 0
      ["write", "@0", "hello"],
      ["open", "f", "O_PATH"],
      ["reopen", "@2", "O_RDWR|O_APPEND"],
      ["fcntl", "@3", "F_GETFL"],
      ["read", "@3", 10], // 5
      ["reopen", "@2", "O_PATH"],
      ["fcntl", "@6", "F_GETFL"],
      ["reopen", "@2", "O_RDONLY|O_NOFOLLOW"], // the /proc link itself
      ["symlink", "f", "ln"],
      ["open", "ln", "O_PATH|O_NOFOLLOW"], // 10
      ["reopen", "@10", "O_RDONLY"], // the symlink, not followed again
      ["reopen", "@10", "O_PATH"],
      ["fstat", "@12"],
      ["rename", "f", "g"], // the fd follows the file, not its old name
      ["reopen", "@2", "O_RDONLY"], // 15
      ["read", "@15", 10],
      ["mkdir", "d"],
      ["open", "d", "O_PATH|O_DIRECTORY"],
      ["reopen", "@18", "O_RDONLY|O_DIRECTORY"],
      ["getdents_any", "@19"], // 20
      ["become", NOBODY, NOBODY],
      ["reopen", "@2", "O_RDONLY"], // not for nobody: 0600 root's
      ["reopen", "@2", "O_PATH"],
    ]);
    expectAt(got, { 4: { ok: 0o102002 }, 5: { ok: "hello" }, 16: { ok: "hello" } });
    expectAt(got, { 22: { err: "EACCES" } });
    expectOk(got, [23]);
  });
});

Deno.test("O_PATH: an unlinked file's fd still fstats, with no link left; linkat gives it no name", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 0
      ["write", "@0", "hello"],
      ["close", "@0"],
      ["open", "f", "O_PATH"],
      ["unlink", "f"],
      ["fstat", "@3"], // 5
      ["fstatat", "@3", "", "AT_EMPTY_PATH"],
      ["linkat", "@3", "", "AT_FDCWD", "again", "AT_EMPTY_PATH"],
      ["stat", "again"],
      ["mkdir", "d"],
      ["open", "d", "O_PATH|O_DIRECTORY"], // 10
      ["rmdir", "d"],
      ["fstat", "@10"],
      ["openat", "@10", "x", "O_WRONLY|O_CREAT", "0644"],
      ["name_to_handle_at", "@10", "", "AT_EMPTY_PATH"],
    ]);
    const st = got[5] as { ok: { nlink: number; size: number } };
    assert.equal(st.ok.nlink, 0);
    assert.equal(st.ok.size, 5);
  });
});

Deno.test("AT_EMPTY_PATH: fstatat, statx, fchownat and faccessat on an O_PATH fd; linkat by the opener or root", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 0
      ["open", "f", "O_PATH"],
      ["fstatat", "@1", "", "AT_EMPTY_PATH"],
      ["fchownat", "@1", "", 7, 8, "AT_EMPTY_PATH"],
      ["stat", "f"],
      ["fchownat", "@1", "", 0, 0, 0], // 5
      ["faccessat", "@1", "", "R_OK", "AT_EMPTY_PATH"],
      ["utimensat", "@1", "", null, null, "AT_EMPTY_PATH"], // a path call: O_PATH will do
      ["linkat", "@1", "", "AT_FDCWD", "root_link", "AT_EMPTY_PATH"],
      ["stat", "f"],
      ["open", "theirs", "O_WRONLY|O_CREAT", "0666"], // 10: opened by root
      ["chmod", ".", "0777"],
      ["become", NOBODY, NOBODY],
      ["open", "mine", "O_WRONLY|O_CREAT", "0644"],
      ["open", "mine", "O_PATH"],
      ["linkat", "@14", "", "AT_FDCWD", "mine2", "AT_EMPTY_PATH"], // 15: the opener
      ["linkat", "@13", "", "AT_FDCWD", "mine3", "AT_EMPTY_PATH"],
      ["linkat", "@10", "", "AT_FDCWD", "theirs2", "AT_EMPTY_PATH"], // root's fd
      ["stat", "mine"],
    ]);
    expectAt(got, { 15: { ok: 0 }, 16: { ok: 0 }, 17: { err: "ENOENT" } });
    const st = await melloOps(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["write", "@0", "four"],
      ["open", "f", "O_PATH"],
      ["statx", "@2", "", "AT_EMPTY_PATH"],
      ["unlink", "f"],
      ["statx", "@2", "", "AT_EMPTY_PATH"], // 5
    ]);
    assert.deepEqual(st[3], { ok: ["100000", 1, 4] });
    assert.deepEqual(st[5], { ok: ["100000", 0, 4] });
  });
});

Deno.test("file handles: a file, a directory (used as dirfd), a symlink, a FIFO, opened again by handle", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 0
      ["write", "@0", "hello"],
      ["name_to_handle_at", "AT_FDCWD", "f", 0],
      ["open", ".", "O_RDONLY|O_DIRECTORY"], // the mount fd
      ["open_by_handle_at", "@3", "@2", "O_RDONLY"],
      ["read", "@4", 10], // 5
      ["open_by_handle_at", "AT_FDCWD", "@2", "O_RDWR"], // the cwd's mount
      ["fcntl", "@6", "F_GETFL"],
      ["open_by_handle_at", "@3", "@2", "O_PATH"],
      ["fcntl", "@8", "F_GETFL"],
      ["open_by_handle_at", "@3", "@2", "O_RDWR|O_CREAT"], // 10
      ["open_by_handle_at", "@3", "@2", "O_RDWR|O_CREAT|O_EXCL"],
      ["open_by_handle_at", "@3", "@2", "O_RDONLY|O_DIRECTORY"],
      ["open_by_handle_at", "@3", "@2", "O_RDWR|O_TRUNC|O_CLOEXEC"],
      ["fcntl", "@13", "F_GETFD"],
      ["stat", "f"], // 15
      ["mkdir", "d"],
      ["name_to_handle_at", "AT_FDCWD", "d", 0],
      ["open_by_handle_at", "@3", "@17", "O_PATH"],
      ["openat", "@18", "in", "O_WRONLY|O_CREAT", "0644"],
      ["stat", "d/in"], // 20
      ["open_by_handle_at", "@3", "@17", "O_RDWR"],
      ["open_by_handle_at", "@3", "@17", "O_RDONLY|O_CREAT"],
      ["open_by_handle_at", "@3", "@17", "O_RDONLY"],
      ["getdents_any", "@23"],
      ["symlink", "f", "ln"], // 25
      ["name_to_handle_at", "AT_FDCWD", "ln", 0], // the link
      ["name_to_handle_at", "AT_FDCWD", "ln", "AT_SYMLINK_FOLLOW"], // its target
      ["open_by_handle_at", "@3", "@26", "O_RDONLY"],
      ["open_by_handle_at", "@3", "@26", "O_PATH"],
      ["fstat", "@29"], // 30
      ["open_by_handle_at", "@3", "@27", "O_RDONLY"],
      ["mknod", "fifo", "S_IFIFO|0644", 0, 0],
      ["name_to_handle_at", "AT_FDCWD", "fifo", 0],
      ["open_by_handle_at", "@3", "@33", "O_RDONLY|O_NONBLOCK"],
      ["open", "d", "O_PATH"], // 35
      ["name_to_handle_at", "@35", "in", 0], // relative to an O_PATH dirfd
      ["name_to_handle_at", "@35", "", "AT_EMPTY_PATH"],
      ["same_mount", "@2", "@17"],
      ["name_to_handle_at", "AT_FDCWD", "", 0],
      ["name_to_handle_at", "AT_FDCWD", "f/", 0], // 40
      ["name_to_handle_at", "AT_FDCWD", "nothing", 0],
    ]);
    expectAt(got, { 5: { ok: "hello" }, 11: { err: "EEXIST" }, 28: { err: "ELOOP" } });
    expectOk(got, [2, 4, 6, 8, 10, 13, 17, 18, 19, 23, 29, 31, 34, 36, 37]);
  });
});

Deno.test("file handles: handle_bytes too small is EOVERFLOW with the size needed; bad sizes, types and flags", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 0
      ["name_to_handle_at", "AT_FDCWD", "f", 0, 4],
      ["name_to_handle_at", "AT_FDCWD", "f", 0, "@1"], // asked again with the size given
      ["name_to_handle_at", "AT_FDCWD", "f", 0, 0],
      ["name_to_handle_at", "AT_FDCWD", "f", 0, 129], // past MAX_HANDLE_SZ
      ["name_to_handle_at", "AT_FDCWD", "nothing", 0, 129], // 5: the walk first
      ["name_to_handle_at", "AT_FDCWD", "f", 32768], // an unknown flag
      ["name_to_handle_at", "AT_FDCWD", "/proc/self/status", 0], // procfs: none
      ["pipe"],
      ["name_to_handle_at", "@8.0", "", "AT_EMPTY_PATH"],
      ["name_to_handle_at", "AT_FDCWD", "f", 0], // 10
      ["open", ".", "O_RDONLY|O_DIRECTORY"],
      ["open_by_handle_at", "@11", "@10", "O_RDONLY", "size:0"],
      ["open_by_handle_at", "@11", "@10", "O_RDONLY", "size:129"],
      ["open_by_handle_at", "@11", "@10", "O_RDONLY", "size:4"], // cut: names nothing
      ["open_by_handle_at", "@11", "@10", "O_RDONLY", "type:-1"], // 15
      ["open_by_handle_at", 99, "@10", "O_RDONLY", "size:0"], // the handle before the fd
      ["open_by_handle_at", 99, "@10", "O_RDONLY"],
    ]);
    expectAt(got, { 1: { ok: ["EOVERFLOW", 255] }, 2: { ok: "handle" } });
    // The size asked for is ours, and the mount id comes with EOVERFLOW too.
    const mine = await melloOps(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["name_to_handle_at", "AT_FDCWD", "f", 0, HANDLE_BYTES - 1],
      ["name_to_handle_at", "AT_FDCWD", "f", 0, HANDLE_BYTES],
    ]);
    assert.deepEqual(mine[1], { ok: ["EOVERFLOW", 255] });
    assert.deepEqual(mine[2], { ok: "handle" });
  });
});

Deno.test("file handles: ESTALE once the file is gone or for another life of its number; EPERM but for root; EBADF for an O_PATH mount fd", async () => {
  await withOs(async (os) => {
    const got = await sameAsHost(os, [
      ["open", "g", "O_WRONLY|O_CREAT", "0644"], // 0
      ["name_to_handle_at", "AT_FDCWD", "g", 0],
      ["open", ".", "O_RDONLY|O_DIRECTORY"],
      ["open_by_handle_at", "@2", "@1", "O_RDONLY"], // open, then unlinked
      ["unlink", "g"],
      ["open_by_handle_at", "@2", "@1", "O_RDONLY"], // 5: still open: still there
      ["close", "@0"],
      ["close", "@3"],
      ["close", "@5"],
      ["open_by_handle_at", "@2", "@1", "O_RDONLY"], // freed
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 10
      ["name_to_handle_at", "AT_FDCWD", "f", 0],
      ["open_by_handle_at", "@2", "@11", "O_RDONLY", "generation"],
      ["open", "/proc", "O_RDONLY|O_DIRECTORY"], // another filesystem
      ["open_by_handle_at", "@13", "@11", "O_RDONLY"],
      ["pipe"], // 15
      ["open_by_handle_at", "@15.0", "@11", "O_RDONLY"],
      ["open", ".", "O_PATH"],
      ["open_by_handle_at", "@17", "@11", "O_RDONLY"], // Linux's fdget(): EBADF
      ["open_by_handle_at", 99, "@11", "O_RDONLY"],
      ["become", NOBODY, NOBODY], // 20
      ["open_by_handle_at", "@2", "@11", "O_RDONLY"],
      ["open_by_handle_at", "@2", "@11", "O_PATH"],
      ["open_by_handle_at", 99, "@11", "O_RDONLY"],
      ["open_by_handle_at", "@2", "@11", "O_RDONLY", "size:0"],
      ["name_to_handle_at", "AT_FDCWD", "f", 0], // 25: anyone may make one
    ]);
    expectOk(got, [3, 5, 25]);
    expectAt(got, {
      9: { err: "ESTALE" },
      12: { err: "ESTALE" },
      14: { err: "ESTALE" },
      18: { err: "EBADF" },
      21: { err: "EPERM" },
      22: { err: "EPERM" },
      23: { err: "EBADF" },
      24: { err: "EINVAL" },
    });
  });
});

Deno.test("file handles: euid 0 opens by handle what its fsuid may not open by path", async () => {
  await withOs(async (os) => {
    // MelloOS only: Linux drops CAP_DAC_READ_SEARCH with fsuid 0; the FUSE bridge
    // acts with its caller's fsuid and opens by handle what it checked before.
    const got = await melloOps(os, [
      ["open", "secret", "O_WRONLY|O_CREAT", "0600"], // 0
      ["write", "@0", "s"],
      ["name_to_handle_at", "AT_FDCWD", "secret", 0],
      ["open", ".", "O_RDONLY|O_DIRECTORY"],
      ["setfsuid", NOBODY],
      ["open", "secret", "O_RDONLY"], // 5: by path, the fsuid's permission
      ["open_by_handle_at", "@3", "@2", "O_RDWR"],
      ["read", "@6", 10],
      ["name_to_handle_at", "AT_FDCWD", ".", 0],
      ["open_by_handle_at", "@3", "@8", "O_WRONLY"], // still no directory for writing
    ]);
    expectAt(got, { 5: { err: "EACCES" }, 7: { ok: "s" }, 9: { err: "EISDIR" } });
    expectOk(got, [4, 6]);
  });
});

Deno.test("file handles: a handle decodes only on its own mount", async () => {
  await withOs(async (os) => {
    // MelloOS only: the host's test may not mount.
    const got = await melloOps(os, [
      ["mkdir", "m"], // 0
      ["mount", "tmpfs", "<root>/m", "tmpfs"],
      ["open", "m/f", "O_WRONLY|O_CREAT", "0644"],
      ["name_to_handle_at", "AT_FDCWD", "m/f", 0],
      ["open", "g", "O_WRONLY|O_CREAT", "0644"],
      ["name_to_handle_at", "AT_FDCWD", "g", 0], // 5
      ["same_mount", "@3", "@5"],
      ["open", "m", "O_RDONLY|O_DIRECTORY"],
      ["open", ".", "O_RDONLY|O_DIRECTORY"],
      ["open_by_handle_at", "@7", "@3", "O_RDONLY"],
      ["open_by_handle_at", "@8", "@3", "O_RDONLY"], // 10: the other mount's
      ["open_by_handle_at", "@7", "@5", "O_RDONLY"],
      ["close", "@2"],
      ["close", "@7"],
      ["close", "@9"],
      ["umount2", "<root>/m"], // 15
      ["open_by_handle_at", "@8", "@5", "O_RDONLY"],
    ]);
    expectAt(got, { 6: { ok: false }, 10: { err: "ESTALE" }, 11: { err: "ESTALE" } });
    expectOk(got, [1, 9, 15, 16]);
  });
});

Deno.test("file handles: an inode number with another generation is another inode to the VFS's cache", () => {
  const cache = new InodeCache();
  const t = { sec: 1, nsec: 0 };
  const attrs = (gen: number, nlink: number): Attrs => ({
    ino: 42,
    mode: 0o100644,
    nlink,
    uid: 0,
    gid: 0,
    rdev: 0,
    size: 0,
    blksize: 4096,
    blocks: 0,
    atime: t,
    mtime: t,
    ctime: t,
    gen,
  });
  const held = cache.put(1, attrs(7, 0));
  held.refs++; // an O_PATH fd on the unlinked inode
  assert.equal(cache.put(1, attrs(7, 0)), held, "the same life: the same entry");
  const reborn = cache.put(1, attrs(8, 1)); // the number given to a new file
  assert.notEqual(reborn, held);
  assert.equal(cache.get(1, 42), reborn);
  assert.deepEqual([held.attrs.gen, held.attrs.nlink], [7, 0], "the holder keeps its inode");
});

Deno.test("fs leaks: O_PATH fds and handle-opened fds hold nothing once closed or exited; O_PATH opens nothing at mfs_ram", async () => {
  await withOs(async (os) => {
    // Each script runs in a directory of its own: removed after, as what it held.
    const tidy = async () => assert.equal((await os.run("rm -rf /tmp/fsops-*")).status, 0);
    await melloOps(os, [["open", "warm", "O_WRONLY|O_CREAT", "0644"]]); // installs fsops
    await tidy();
    const baseline = await counters(os);
    const script: Step[] = [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"], // 0
      ["mkdir", "d"],
      ["open", "f", "O_PATH"],
      ["open", "d", "O_PATH|O_DIRECTORY"],
      ["mknod", "fifo", "S_IFIFO|0644", 0, 0],
      ["open", "fifo", "O_PATH"], // 5
      ["open", "/dev/null", "O_PATH"],
      ["open", "/proc/self/status", "O_PATH"],
      ["dup", "@2"],
      ["reopen", "@2", "O_RDONLY"],
      ["name_to_handle_at", "AT_FDCWD", "f", 0], // 10
      ["open", ".", "O_RDONLY|O_DIRECTORY"],
      ["open_by_handle_at", "@11", "@10", "O_PATH"],
      ["open_by_handle_at", "@11", "@10", "O_RDWR"],
      ["close", "@0"],
      ["unlink", "f"], // 15: unlinked, held by O_PATH fds and open ones
      ["fstat", "@2"],
      ["close", "@3"],
      ["rmdir", "d"],
      // The program exits holding the rest.
    ];
    for (let round = 1; round <= 2; round++) {
      const got = await melloOps(os, script);
      assert.ok(got.every((o) => "ok" in o), JSON.stringify(got));
      await tidy();
      await backTo(os, baseline);
    }
    // Held by init: the VFS holds the inode; mfs_ram has no open file for it.
    const fds = os.kernel.fds;
    const before = await counters(os);
    const fd = await fds.open("/etc/passwd", O.PATH | O.CLOEXEC);
    const during = await counters(os);
    assert.equal(during["mfs_ram.open_files"], before["mfs_ram.open_files"]);
    assert.equal(during["vfs.open_files"], before["vfs.open_files"] + 1);
    assert.equal(during["vfs.inode_refs"], before["vfs.inode_refs"] + 1);
    await fds.close(fd);
    await backTo(os, before);
  });
});
