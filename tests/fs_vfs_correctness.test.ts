// Path resolution and permissions, each script run in MelloOS and on the host
// (tests/helpers/fsops.ts) wherever Linux defines the answer: absolute and
// relative paths, dirfds, "." and "..", "//", trailing slashes, symlinks and
// their limits, name and path lengths, O_NOFOLLOW / O_DIRECTORY / O_EXCL,
// search permission on every component, owner/group/other classes,
// supplementary groups, sticky directories, root's override and the umask.
// Mounts (MelloOS only: the host's would need privileges a test should not
// use) check ".." across a mount root, EBUSY and forced unmounts.

import assert from "node:assert/strict";
import type { Handle } from "../kernel/mod.ts";
import { melloOps, sameAsHost, type Step, type Who } from "./helpers/fsops.ts";
import { withOs } from "./helpers/system.ts";

/**
 * A script that drops root ("become") or runs as another user: compared with
 * the host when the host can switch users, and always held to `summary`
 * (each step's errno name, or "ok"), so that a CI running as non-root still
 * tests it.
 */
async function asUser(os: Handle, steps: Step[], summary: string[], who?: Who): Promise<void> {
  const got = (await sameAsHost(os, steps, who)).map((o) => ("err" in o ? o.err : "ok"));
  assert.deepEqual(got, summary);
}

/** A chain of `n` symlinks l0 -> l1 -> ... -> l(n-1) -> target, as steps. */
function chain(n: number, target: string): Step[] {
  return Array.from(
    { length: n },
    (_, i) => ["symlink", i === n - 1 ? target : `l${i + 1}`, `l${i}`],
  );
}

Deno.test("paths: absolute, relative, dirfds, '.', '..' and '//'", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "a"], // 0
      ["mkdir", "a/b"],
      ["open", "a/b/f", "O_CREAT|O_WRONLY", "0644"],
      ["write", "@2", "hi"],
      ["close", "@2"],
      ["stat", "a/b/f"], // 5
      ["stat", "./a/./b/../b/f"],
      ["stat", "a//b///f"],
      ["stat", "<root>/a/b/f"],
      ["stat", "<root>//a/b/../../a/b/./f"],
      ["open", "a", "O_RDONLY|O_DIRECTORY"], // 10
      ["fstatat", "@10", "b/f"],
      ["fstatat", "@10", "../a/b/f"],
      ["fstatat", "@10", "<root>/a/b/f"],
      ["openat", "@10", "b/f", "O_RDONLY"],
      ["read", "@14", 10], // 15
      ["open", "a/b/f", "O_RDONLY"],
      ["fstatat", "@16", "x"], // a file as dirfd
      ["fstatat", "@16", "", "AT_EMPTY_PATH"],
      ["fstatat", 999, "x"], // not an fd
      ["faccessat", 999, "<root>/a", "F_OK"], // 20: absolute paths ignore the dirfd
      ["mkdirat", "@10", "c", "0755"],
      ["stat", "a/c"],
      ["unlinkat", "@10", "c", "AT_REMOVEDIR"],
      ["stat", "a/c"],
      ["chdir", "a/b"], // 25
      ["getcwd"],
      ["chdir", "../.."],
      ["getcwd"],
      ["fchdir", "@10"],
      ["getcwd"], // 30
      ["fchdir", "@16"],
      ["chdir", "/"],
      ["getcwd"],
      ["chdir", ".."],
      ["getcwd"], // 35
      ["chdir", "/../../.."],
      ["getcwd"],
      ["chdir", "//"],
      ["getcwd"],
      ["chdir", "<root>/a/b/.."], // 40
      ["getcwd"],
      ["stat", ""],
      ["fstatat", "AT_FDCWD", "", "AT_EMPTY_PATH"],
      ["chdir", "b/f"],
      ["chdir", "nothing"], // 45
      ["fstatat", "@10", "b/../../a/b/f"],
      ["stat", "a/b/f/."],
      ["stat", "a/b/f/.."],
      ["stat", "a/b/."],
      ["stat", "a/nothing/.."], // 50
      ["faccessat", "AT_FDCWD", "/..", "F_OK"],
      ["faccessat", "AT_FDCWD", "/../..//./", "F_OK"],
    ]);
  });
});

Deno.test("paths: trailing slashes on files, directories and symlinks", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_CREAT|O_WRONLY", "0644"], // 0
      ["mkdir", "d"],
      ["symlink", "d", "ld"],
      ["symlink", "f", "lf"],
      ["symlink", "nowhere", "ln"],
      ["stat", "f/"], // 5
      ["lstat", "f/"],
      ["stat", "d/"],
      ["lstat", "ld/"],
      ["lstat", "ld"],
      ["stat", "lf/"], // 10
      ["lstat", "ln/"],
      ["stat", "nothing/"],
      ["open", "f/", "O_RDONLY"],
      ["open", "f/", "O_CREAT|O_WRONLY"],
      ["open", "new/", "O_CREAT|O_WRONLY"], // 15
      ["open", "d/", "O_RDONLY"],
      ["open", "d", "O_CREAT|O_RDONLY"],
      ["open", "d/", "O_WRONLY"],
      ["open", "ld/", "O_RDONLY"],
      ["open", "lf/", "O_RDONLY"], // 20
      ["mkdir", "new/"],
      ["stat", "new"],
      ["mkdir", "f/"],
      ["mkdir", "ld/"],
      ["mkdir", "ln/"], // 25
      ["rmdir", "new/"],
      ["rmdir", "ld/"],
      ["rmdir", "f/"],
      ["rmdir", "d/."],
      ["rmdir", "d/.."], // 30
      ["rmdir", "."],
      ["rmdir", "/"],
      ["unlink", "f/"],
      ["unlink", "d/"],
      ["unlink", "ld/"], // 35
      ["unlink", "ln/"],
      ["unlink", "nothing/"],
      ["rename", "f/", "x"],
      ["rename", "f", "x/"],
      ["rename", "ld/", "x"], // 40
      ["rename", "lf", "x/"],
      ["rename", "d", "e/"],
      ["stat", "e"],
      ["rename", "e/", "d/"],
      ["stat", "d"], // 45
      ["mknod", "p/", "S_IFIFO|0644", 0, 0],
      ["symlink", "f", "s/"],
      ["link", "f", "h/"],
      ["link", "f/", "h"],
      ["link", "d/", "h"], // 50
      ["truncate", "f/", 0],
      ["chmod", "f/", "0600"],
      ["chmod", "d/", "0700"],
      ["readlink", "ld/"],
      ["readlink", "lf/"], // 55
      ["faccessat", "AT_FDCWD", "ln/", "F_OK"],
      ["rmdir", "ln/"],
    ]);
  });
});

Deno.test("getcwd and '..' follow renames of the cwd and of its parents", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "a"], // 0
      ["mkdir", "a/x"],
      ["mkdir", "b"],
      ["chdir", "a/x"],
      ["rename", "<root>/a", "<root>/b/a2"],
      ["getcwd"], // 5
      ["rename", "<root>/b/a2/x", "<root>/x2"],
      ["getcwd"],
      ["chdir", ".."],
      ["getcwd"],
      ["chdir", "x2"], // 10
      ["renameat2", "AT_FDCWD", "<root>/b", "AT_FDCWD", "<root>/x2", "RENAME_EXCHANGE"],
      ["getcwd"],
      ["stat", "../x2/a2"],
      ["chdir", "<root>"],
    ]);
  });
});

Deno.test("symlinks: relative, absolute, chains, dangling, loops and the 40-hop limit", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "d"], // 0
      ["mkdir", "d/sub"],
      ["open", "d/sub/f", "O_CREAT|O_WRONLY", "0600"],
      ["write", "@2", "data"],
      ["symlink", "d/sub", "rel"],
      ["symlink", "<root>/d/sub/f", "abs"], // 5
      ["symlink", "../sub/f", "d/sub/up"],
      ["symlink", "rel", "two"],
      ["symlink", "two/f", "three"],
      ["symlink", "missing", "dangling"],
      ["symlink", "self", "self"], // 10
      ["symlink", "pong", "ping"],
      ["symlink", "ping", "pong"],
      ["stat", "rel/f"],
      ["stat", "abs"],
      ["lstat", "rel"], // 15
      ["readlink", "abs"],
      ["stat", "d/sub/up"],
      ["stat", "three"],
      ["open", "three", "O_RDONLY"],
      ["read", "@19", 10], // 20
      ["stat", "dangling"],
      ["lstat", "dangling"],
      ["stat", "self"],
      ["stat", "ping/x"],
      ["open", "ping", "O_RDONLY"], // 25
      ["readlink", "d"],
      ["readlink", "nothing"],
      ["symlink", "x", "d"],
      ["symlink", "x", "dangling"],
      ["symlink", "", "empty"], // 30
      ["chdir", "rel"],
      ["getcwd"],
      ["chdir", ".."],
      ["getcwd"],
      ["chdir", "<root>"], // 35
      ["symlink", "/", "toroot"],
      ["faccessat", "AT_FDCWD", "toroot/..", "F_OK"],
      ["symlink", "rel/..", "updir"],
      ["stat", "updir/sub/f"],
      ["readlinkat", "AT_FDCWD", "rel"], // 40
    ]);
    // 40 links followed in one lookup is the most Linux allows; 41 is ELOOP.
    const forty = [...chain(40, "d/sub/f"), ["stat", "l0"], ["stat", "l1"]] as Step[];
    await sameAsHost(os, [
      ["mkdir", "d"],
      ["mkdir", "d/sub"],
      [
        "open",
        "d/sub/f",
        "O_CREAT|O_WRONLY",
        "0600",
      ],
      ...forty,
      ["symlink", "l0", "l"],
      ["stat", "l"],
      ["stat", "l1/"],
      ["stat", "l2/."],
    ]);
    // Links nested inside link targets count toward the same limit.
    await sameAsHost(os, [
      ["mkdir", "d"],
      ...Array.from(
        { length: 45 },
        (_, i) => ["symlink", i === 0 ? "." : `s${i - 1}/.`, `s${i}`] as Step,
      ),
      ["stat", "s30"],
      ["stat", "s38"],
      ["stat", "s39"],
      ["stat", "s40"],
      ["stat", "s44"],
    ]);
  });
});

Deno.test("names: 255 bytes and a path of 4095 are fine, one more is ENAMETOOLONG", async () => {
  await withOs(async (os) => {
    const n255 = "n".repeat(255);
    const n256 = "n".repeat(256);
    const u255 = "é".repeat(127) + "x"; // 255 bytes in UTF-8
    const u256 = "é".repeat(128); // 256 bytes
    const long = (len: number) => "./".repeat((len - 1) / 2) + "f"; // len is odd
    await sameAsHost(os, [
      ["open", n255, "O_CREAT|O_WRONLY", "0644"], // 0
      ["open", n256, "O_CREAT|O_WRONLY", "0644"],
      ["stat", n256],
      ["mkdir", n256],
      ["mkdir", u255],
      ["mkdir", u256], // 5
      ["symlink", "x", n256],
      ["stat", `nothing/${n256}/x`],
      ["stat", `${n256}/x`],
      ["open", "f", "O_CREAT|O_WRONLY", "0644"],
      ["stat", long(4095)], // 10
      ["stat", long(4097)],
      ["stat", long(4095) + "/"],
      ["rename", n255, n256],
      ["link", n255, n256],
      ["symlink", "y".repeat(4095), "longlink"], // 15
      ["readlink", "longlink"],
      ["symlink", "y".repeat(4096), "toolong"],
      ["readdir", u255],
      ["unlink", n255],
    ]);
  });
});

Deno.test("paths: ENOTDIR and ENOENT in the middle and at the end", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_CREAT|O_WRONLY", "0644"], // 0
      ["stat", "f/x"],
      ["open", "f/x", "O_CREAT|O_WRONLY"],
      ["mkdir", "f/x"],
      ["unlink", "f/x"],
      ["rmdir", "f/x"], // 5
      ["rename", "f/x", "y"],
      ["rename", "f", "f/y"],
      ["symlink", "t", "f/x"],
      ["stat", "nothing/x"],
      ["mkdir", "nothing/x"], // 10
      ["open", "nothing/x", "O_CREAT|O_WRONLY"],
      ["unlink", "nothing"],
      ["rmdir", "nothing"],
      ["rename", "nothing", "x"],
      ["link", "nothing", "x"], // 15
      ["chdir", "f"],
      ["open", "f/..", "O_RDONLY"],
      ["truncate", "nothing", 0],
      ["access", "f/", "F_OK"],
      ["symlink", "f", "lf"], // 20
      ["stat", "lf/x"],
      ["mkdir", "lf/x"],
    ]);
  });
});

Deno.test("open: O_NOFOLLOW, O_DIRECTORY and O_CREAT on symlinks", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_CREAT|O_WRONLY", "0644"], // 0
      ["mkdir", "d"],
      ["symlink", "f", "lf"],
      ["symlink", "d", "ld"],
      ["symlink", "target", "dangling"],
      ["open", "lf", "O_RDONLY|O_NOFOLLOW"], // 5
      ["open", "ld/", "O_RDONLY|O_NOFOLLOW"],
      ["open", "ld", "O_RDONLY|O_NOFOLLOW|O_DIRECTORY"],
      ["open", "ld", "O_RDONLY|O_DIRECTORY"],
      ["open", "f", "O_RDONLY|O_DIRECTORY"],
      ["open", "lf", "O_RDONLY|O_DIRECTORY"], // 10
      ["open", "lf", "O_WRONLY|O_CREAT|O_NOFOLLOW"],
      ["open", "ld/x", "O_WRONLY|O_CREAT|O_NOFOLLOW", "0600"], // only the last component
      ["stat", "d/x"],
      ["open", "dangling", "O_WRONLY|O_CREAT|O_EXCL", "0600"],
      ["lstat", "target"], // 15
      ["open", "dangling", "O_WRONLY|O_CREAT|O_NOFOLLOW", "0600"],
      ["open", "dangling", "O_WRONLY|O_CREAT", "0600"], // creates the target
      ["lstat", "target"],
      ["lstat", "dangling"],
      ["open", "lf", "O_WRONLY|O_CREAT|O_EXCL"], // 20
      ["open", "d", "O_RDONLY|O_CREAT"],
      ["open", "d", "O_RDONLY|O_CREAT|O_DIRECTORY"],
      ["open", "new", "O_RDONLY|O_CREAT|O_DIRECTORY"],
      ["symlink", "nodir/target", "deep"],
      ["open", "deep", "O_WRONLY|O_CREAT", "0600"], // 25
      ["open", "d", "O_RDWR"],
      ["open", "d", "O_WRONLY"],
      ["open", "d", "O_RDONLY|O_TRUNC"],
      ["open", "f", "O_RDONLY|O_CREAT|O_EXCL|O_DIRECTORY"],
      ["open", "f", 3], // 30: O_ACCMODE
    ]);
  });
});

Deno.test("permissions: search permission on every component", async () => {
  await withOs(async (os) => {
    await asUser(os, [
      ["chmod", ".", "0777"], // 0
      ["mkdir", "a", "0700"],
      ["mkdir", "a/b", "0777"],
      ["open", "a/b/f", "O_CREAT|O_WRONLY", "0666"],
      ["mkdir", "x", "0711"], // search, no read
      ["open", "x/f", "O_CREAT|O_WRONLY", "0666"], // 5
      ["mkdir", "r", "0744"], // read, no search
      ["open", "r/f", "O_CREAT|O_WRONLY", "0666"],
      ["symlink", "a/b", "la"],
      ["become", 1000, 1000],
      ["stat", "a"], // 10
      ["stat", "a/b"],
      ["stat", "a/b/f"],
      ["open", "a/b/f", "O_RDONLY"],
      ["stat", "la/f"],
      ["lstat", "la"], // 15
      ["chdir", "a"],
      ["chdir", "a/b"],
      ["stat", "x/f"],
      ["open", "x/f", "O_RDWR"],
      ["readdir", "x"], // 20
      ["open", "x", "O_RDONLY"],
      ["stat", "r/f"],
      ["readdir", "r"],
      ["stat", "r/nothing"],
      ["mkdir", "a/b/new"], // 25
      ["stat", "x/../a"],
      ["chdir", "x"],
      ["getcwd"],
      ["stat", "f"],
      ["stat", "../r/f"], // 30
      ["access", "../a/b/f", "R_OK"],
      ["access", "f", "W_OK"],
      ["access", "f", "X_OK"],
      ["mkdir", "../mine", "0700"],
      ["open", "../mine/g", "O_CREAT|O_WRONLY", "0600"], // 35
      ["chmod", "../mine", "0600"], // the owner loses search too
      ["stat", "../mine/g"],
      ["readdir", "../mine"],
      ["chmod", "../mine", "0300"],
      ["stat", "../mine/g"], // 40
      ["readdir", "../mine"],
      ["unlink", "../mine/g"],
      ["stat", "../r/../a"], // 43: ".." needs search permission too
      ["chmod", "../mine", "0500"], // search, no write
      ["unlink", "../mine/g"],
      ["open", "../mine/h", "O_CREAT|O_WRONLY", "0600"],
      ["rename", "../mine/g", "../mine/h"],
      ["open", "../mine/g", "O_WRONLY|O_TRUNC"], // 48
      ["access", "../a/b/f", "W_OK"],
      ["faccessat", "AT_FDCWD", "../la", "R_OK", "AT_SYMLINK_NOFOLLOW"],
      ["faccessat", "AT_FDCWD", "../a/b/f", "R_OK", "AT_EACCESS"],
    ], [
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "EACCES",
      "EACCES",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "EACCES",
      "EACCES",
      "ok",
      "ok",
      "ok",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "ok",
      "ok",
      "EACCES",
      "ok",
      "ok",
      "ok",
      "EACCES",
      "ok",
      "EACCES",
      "ok",
      "ENOENT",
      "EACCES",
      "ENOENT",
      "ENOENT",
      "EACCES",
      "ok",
      "EACCES",
    ]);
  });
});

Deno.test("permissions: owner, group and other classes; supplementary groups", async () => {
  await withOs(async (os) => {
    const setup: Step[] = [
      ["chmod", ".", "0777"], // 0
      ["open", "own", "O_CREAT|O_WRONLY", "0600"],
      ["chown", "own", 1000, 1000],
      ["chmod", "own", "0077"], // the owner has nothing though group and other have all
      ["open", "grp", "O_CREAT|O_WRONLY", "0600"],
      ["chown", "grp", 0, 2000], // 5
      ["chmod", "grp", "0640"],
      ["open", "oth", "O_CREAT|O_WRONLY", "0600"],
      ["chown", "oth", 0, 2000],
      ["chmod", "oth", "0604"], // other may read, the group may not
      ["mkdir", "gdir", "0770"], // 10
      ["chown", "gdir", 0, 2000],
      ["open", "x", "O_CREAT|O_WRONLY", "0600"],
      ["chmod", "x", "0711"],
      ["chown", "x", 0, 2000],
    ];
    const probe: Step[] = [
      ["open", "own", "O_RDONLY"], // 15 (after setup and become)
      ["open", "own", "O_WRONLY"],
      ["access", "own", "R_OK"],
      ["open", "grp", "O_RDONLY"],
      ["open", "grp", "O_WRONLY"],
      ["open", "oth", "O_RDONLY"], // 20
      ["open", "gdir/new", "O_CREAT|O_WRONLY", "0600"],
      ["readdir", "gdir"],
      ["access", "x", "X_OK"],
      ["access", "x", "R_OK"],
      ["chmod", "own", "0600"], // 25: the owner may chmod
      ["open", "own", "O_RDWR"],
      ["chmod", "grp", "0666"], // not the owner
      ["chown", "own", 1000, 2000], // a group of mine
      ["chown", "own", 1000, 3000], // not mine
      ["chown", "own", 0, -1], // 30: giving away
    ];
    // In group 2000 only through a supplementary group, then not at all.
    await asUser(os, [...setup, ["become", 1000, 1000, [1000, 2000]], ...probe], [
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "ok",
      "EACCES",
      "ok",
      "ok",
      "EPERM",
      "ok",
      "EPERM",
      "EPERM",
    ]);
    await asUser(os, [...setup, ["become", 1000, 1000, [1000]], ...probe], [
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "EACCES",
      "EACCES",
      "ok",
      "EACCES",
      "ok",
      "ok",
      "EPERM",
      "EPERM",
      "EPERM",
      "EPERM",
    ]);
    // As the primary group.
    await asUser(os, [...setup, ["become", 1000, 2000, [2000]], ...probe], [
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "EACCES",
      "EACCES",
      "EACCES",
      "ok",
      "ok",
      "EACCES",
      "ok",
      "ok",
      "EPERM",
      "ok",
      "EPERM",
      "EPERM",
    ]);
    // os.run's own groups reach the VFS too.
    await asUser(
      os,
      [
        ["open", "f", "O_CREAT|O_WRONLY", "0600"],
        ["chown", "f", -1, 4000], // the owner may give it to a group of theirs
        ["chown", "f", -1, 5000], // not one of theirs
      ],
      ["ok", "ok", "EPERM"],
      { uid: 1000, gid: 1000, groups: [1000, 4000] },
    );
  });
});

Deno.test("permissions: sticky directories keep others' files", async () => {
  await withOs(async (os) => {
    await asUser(os, [
      ["chmod", ".", "0777"], // 0
      ["mkdir", "t", "01777"],
      ["chmod", "t", "01777"],
      ["open", "t/rootfile", "O_CREAT|O_WRONLY", "0666"],
      ["open", "t/theirs", "O_CREAT|O_WRONLY", "0666"],
      ["chown", "t/theirs", 2000, 2000], // 5
      ["open", "t/mine", "O_CREAT|O_WRONLY", "0666"],
      ["chown", "t/mine", 1000, 1000],
      ["mkdir", "t/theirdir", "0777"],
      ["chown", "t/theirdir", 2000, 2000],
      ["mkdir", "u", "01777"], // 10: a sticky directory I own
      ["chmod", "u", "01777"],
      ["chown", "u", 1000, 1000],
      ["open", "u/theirs", "O_CREAT|O_WRONLY", "0666"],
      ["chown", "u/theirs", 2000, 2000],
      ["become", 1000, 1000], // 15
      ["unlink", "t/rootfile"],
      ["unlink", "t/theirs"],
      ["rename", "t/theirs", "t/x"],
      ["rename", "t/mine", "t/theirs"], // over their file
      ["rmdir", "t/theirdir"], // 20
      ["rename", "t/theirdir", "t/y"],
      ["open", "t/theirs", "O_WRONLY"], // 0644 after the umask: not theirs to write
      ["write", "@22", "ok"],
      ["rename", "t/mine", "t/mine2"],
      ["unlink", "t/mine2"], // 25
      ["open", "t/new", "O_CREAT|O_WRONLY", "0600"],
      ["rename", "t/new", "t/new2"],
      ["unlink", "u/theirs"], // the directory's owner may
      ["lstat", "t/theirs"],
    ], [
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "EPERM",
      "EPERM",
      "EPERM",
      "EPERM",
      "EPERM",
      "EPERM",
      "EACCES",
      "EBADF",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
      "ok",
    ]);
  });
});

Deno.test("permissions: root ignores rwx bits but exec needs one x bit", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mkdir", "d", "0000"], // 0
      ["open", "d/f", "O_CREAT|O_WRONLY", "0000"],
      ["close", "@1"],
      ["open", "d/f", "O_RDWR"],
      ["readdir", "d"],
      ["access", "d/f", "R_OK"], // 5
      ["access", "d/f", "W_OK"],
      ["access", "d/f", "X_OK"],
      ["chmod", "d/f", "0010"],
      ["access", "d/f", "X_OK"],
      ["chmod", "d/f", "0001"], // 10
      ["access", "d/f", "X_OK"],
      ["access", "d", "X_OK"],
      ["chdir", "d"],
      ["getcwd"],
    ]);
  });
});

Deno.test("umask: applies to open, mkdir, mknod, not to chmod or symlinks", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["umask", "027"], // 0
      ["open", "f", "O_CREAT|O_WRONLY", "0777"],
      ["mkdir", "d", "0777"],
      ["mknod", "p", "S_IFIFO|0666", 0, 0],
      ["stat", "f"],
      ["stat", "d"], // 5
      ["stat", "p"],
      ["chmod", "f", "0777"],
      ["stat", "f"],
      ["symlink", "f", "l"],
      ["lstat", "l"], // 10
      ["umask", "0"],
      ["umask", "0777"],
      ["open", "g", "O_CREAT|O_RDWR", "0666"], // opened as asked, whatever the mode
      ["write", "@13", "x"],
      ["stat", "g"], // 15
      ["mkdir", "e", "01777"],
      ["stat", "e"],
      ["umask", "022"],
      // Bits past the permissions are ignored, not refused (FUSE sends S_IFREG in a create's mode).
      ["open", "h", "O_CREAT|O_WRONLY", "0100644"], // 19
      ["stat", "h"],
      ["mkdir", "k", "047777"],
      ["stat", "k"],
    ]);
  });
});

/** Run a MelloOS-only script and require these outcomes. */
async function expectOps(os: Handle, steps: Step[], want: unknown[]): Promise<void> {
  const got = await melloOps(os, steps);
  const show = (o: unknown) => JSON.stringify(o);
  for (let i = 0; i < steps.length; i++) {
    assert.equal(show(got[i]), show(want[i]), `step ${i} ${show(steps[i])}`);
  }
}

const FILE3 = { type: "100000", mode: "644", nlink: 1, uid: 0, gid: 0, size: 3, rdev: [0, 0] };

Deno.test("mounts: '..' out of a mount root, the mount hides its mountpoint, EXDEV", async () => {
  await withOs(async (os) => {
    let r = await os.run("mkdir -p /tmp/m/under && mount -t mfs_ram none /tmp/m");
    assert.equal(r.status, 0, r.stderr);
    r = await os.run("mkdir /tmp/m/inner && echo hi > /tmp/m/inner/f && cat /proc/mounts");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, / \/tmp\/m mfs_ram /);
    r = await os.run("cd /tmp/m/inner && cd ../.. && pwd && ls m && cd m/.. && pwd");
    assert.equal(r.stdout, "/tmp\ninner\n/tmp\n", r.stderr);
    await expectOps(os, [
      ["chdir", "/tmp/m"],
      ["getcwd"],
      ["chdir", ".."],
      ["getcwd"],
      ["stat", "/tmp/m/inner/../../m/inner/f"],
      ["open", "/tmp/m/inner", "O_RDONLY|O_DIRECTORY"], // 5
      ["fstatat", "@5", "../../m/inner/f"],
      ["rename", "/tmp/m/inner/f", "/tmp/f"], // another filesystem
      ["link", "/tmp/m/inner/f", "/tmp/f"],
      ["rmdir", "/tmp/m"], // a mountpoint
      ["rename", "/tmp/m", "/tmp/m3"], // 10
      ["stat", "/tmp/m/under"],
      ["chdir", "/tmp/m/inner"],
      ["chdir", "/../../tmp/m/../m/./inner/.."],
      ["getcwd"],
      ["symlink", "/tmp/m/inner", "/tmp/toinner"], // 15
      ["stat", "/tmp/toinner/../inner/f"],
      ["unlink", "/tmp/toinner"],
    ], [
      { ok: 0 },
      { ok: "/tmp/m" },
      { ok: 0 },
      { ok: "/tmp" },
      { ok: FILE3 },
      { ok: 3 },
      { ok: FILE3 },
      { err: "EXDEV" },
      { err: "EXDEV" },
      { err: "EBUSY" },
      { err: "EBUSY" },
      { err: "ENOENT" },
      { ok: 0 },
      { ok: 0 },
      { ok: "/tmp/m" },
      { ok: 0 },
      { ok: FILE3 },
      { ok: 0 },
    ]);
  });
});

Deno.test("mounts: EBUSY while a file is open or a cwd is inside; lazy and forced unmounts", async () => {
  await withOs(async (os) => {
    const r = await os.run("mkdir -p /tmp/m/under /tmp/n");
    assert.equal(r.status, 0, r.stderr);
    await expectOps(os, [
      ["umount2", "/tmp/m"], // 0: not a mountpoint
      ["mount", "none", "/tmp/m", "mfs_ram"],
      ["mkdir", "/tmp/m/d"],
      ["chdir", "/tmp/m/d"],
      ["umount2", "/tmp/m"], // the cwd is inside
      ["chdir", "/"], // 5
      ["open", "/tmp/m/d/f", "O_CREAT|O_RDWR", "0644"],
      ["write", "@6", "kept"],
      ["umount2", "/tmp/m"], // an open file
      ["umount2", "/tmp/m/d"], // not a mountpoint
      ["close", "@6"], // 10
      ["mount", "none", "/tmp/m/d", "mfs_ram"],
      ["umount2", "/tmp/m"], // a mount inside
      ["umount2", "/tmp/m/d"],
      ["umount2", "/tmp/m"],
      ["stat", "/tmp/m/under"], // 15: the directory below shows again
      ["mount", "none", "/tmp/m", "mfs_ram"],
      ["open", "/tmp/m/g", "O_CREAT|O_RDWR", "0644"],
      ["write", "@17", "lazy"],
      ["umount2", "/tmp/m", 2], // MNT_DETACH: gone from the tree, the open file lives on
      ["stat", "/tmp/m/under"], // 20
      ["stat", "/tmp/m/g"],
      ["pread", "@17", 10, 0],
      ["fstat", "@17"],
      ["close", "@17"],
      ["mount", "none", "/tmp/n", "mfs_ram"], // 25
      ["mkdir", "/tmp/n/d"],
      ["chdir", "/tmp/n/d"],
      ["umount2", "/tmp/n", 1], // MNT_FORCE
      ["getcwd"],
      ["umount2", "/", 0], // 30
      ["umount2", "/tmp/n/nothing", 0],
      ["umount2", "/tmp/m", 99],
    ], [
      { err: "EINVAL" },
      { ok: 0 },
      { ok: 0 },
      { ok: 0 },
      { err: "EBUSY" },
      { ok: 0 },
      { ok: 3 },
      { ok: 4 },
      { err: "EBUSY" },
      { err: "EINVAL" },
      { ok: 0 },
      { ok: 0 },
      { err: "EBUSY" },
      { ok: 0 },
      { ok: 0 },
      { ok: { type: "40000", mode: "755", nlink: 2, uid: 0, gid: 0, size: -1, rdev: [0, 0] } },
      { ok: 0 },
      { ok: 3 },
      { ok: 4 },
      { ok: 0 },
      { ok: { type: "40000", mode: "755", nlink: 2, uid: 0, gid: 0, size: -1, rdev: [0, 0] } },
      { err: "ENOENT" },
      { ok: "lazy" },
      { ok: { type: "100000", mode: "644", nlink: 1, uid: 0, gid: 0, size: 4, rdev: [0, 0] } },
      { ok: 0 },
      { ok: 0 },
      { ok: 0 },
      { ok: 0 },
      { ok: 0 },
      { ok: "/" },
      { err: "EBUSY" },
      { err: "ENOENT" },
      { err: "EINVAL" },
    ]);
    // Only root mounts; only on directories.
    await expectOps(os, [
      ["open", "/tmp/file", "O_CREAT|O_WRONLY", "0644"],
      ["mount", "none", "/tmp/file", "mfs_ram"],
      ["mount", "none", "/tmp/nothing", "mfs_ram"],
      ["mount", "none", "/tmp/n", "nosuchfs"],
      ["become", 1000, 1000],
      ["mount", "none", "/tmp/n", "mfs_ram"], // 5
      ["umount2", "/tmp", 0],
    ], [
      { ok: 3 },
      { err: "ENOTDIR" },
      { err: "ENOENT" },
      { err: "ENODEV" },
      { ok: 0 },
      { err: "EPERM" },
      { err: "EPERM" },
    ]);
    // The umount tool says so too.
    const busy = await os.run("mount -t mfs_ram none /tmp/m && cd /tmp/m && umount /tmp/m");
    assert.notEqual(busy.status, 0);
    assert.match(busy.stderr, /busy/i);
  });
});
