// Bad input at the system-call boundary: bad fds, unknown and contradictory
// flags, bad names and paths, offsets out of range, and then raw malformed
// messages sent by hand to the VFS, mfs_ram and the tty (data-area offsets
// and lengths out of range, truncated payloads, capabilities that are
// forged, stale, another's, or lack the right). Every one must get an errno
// (Linux's, where a syscall can say it) and no server may crash: afterwards
// `os.services()` shows no restart and the system still works.
//
// Everything a syscall script can express runs on the host too
// (tests/helpers/fsops.ts). Raw messages use tests/helpers/raw_client.ts.

import assert from "node:assert/strict";
import { withOs } from "./helpers/system.ts";
import { melloOps, type Outcome, sameAsHost, type Step } from "./helpers/fsops.ts";
import { payload, RawClient } from "./helpers/raw_client.ts";
import { Errno, errnoName } from "../kernel/errno.ts";
import { AT_FDCWD, O } from "../kernel/fcntl.ts";
import { Endpoint } from "../kernel/registry.ts";
import { Sys } from "../kernel/syscalls.ts";
import { FsOp } from "../servers/vfs/fs_protocol.ts";
import { ObjectOp, VfsOp } from "../servers/vfs/mod.ts";
import { TtyOp } from "../servers/tty/mod.ts";
import type { Handle } from "../kernel/mod.ts";
import type { CapToken } from "../kernel/ipc/message.ts";

/** No server restarted or failed, and a command line still works end to end. */
async function stillWell(os: Handle): Promise<void> {
  for (const s of os.services()) {
    assert.deepEqual([s.name, s.state, s.restarts], [s.name, "up", 0]);
  }
  const r = await os.run("echo fine > /tmp/well && cat /tmp/well && ls /dev/null");
  assert.deepEqual([r.status, r.stdout], [0, "fine\n/dev/null\n"]);
}

// --- what a syscall script can say, beside the host ---

Deno.test("bad fds: -1, 2^30, closed, and the wrong kind, answered as Linux's", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["read", -1, 10],
      ["read", 1 << 30, 10],
      ["write", -1, "x"],
      ["close", -1],
      ["close", 1 << 30],
      ["fstat", -1],
      ["fstat", 12345],
      ["lseek", -1, 0, "SEEK_SET"],
      ["dup", -1],
      ["dup2", -1, 5],
      ["dup2", 0, -1],
      ["dup2", 0, 1 << 30],
      ["fcntl", -1, "F_GETFD"],
      ["fchmod", -1, "0644"],
      ["fchown", -1, 0, 0],
      ["fsync", -1],
      ["ftruncate", -1, 0],
      ["pread", -1, 5, 0],
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["close", "@18"],
      ["write", "@18", "x"], // closed
      ["close", "@18"],
      ["fstatat", 999, "f"],
      ["fstatat", "@18", "f"],
      ["openat", 77, "f", "O_RDONLY"],
      ["mkdirat", 77, "d", "0755"],
      ["fchdir", -1],
      ["utimensat", 55, "", null, null, "AT_EMPTY_PATH"],
      ["open", "f", "O_RDONLY"],
      ["write", "@28", "x"], // open for reading only
      ["ftruncate", "@28", 0], // ... which ftruncate calls EINVAL
      ["open", "f", "O_WRONLY"],
      ["read", "@31", 1],
      ["fstatat", "@28", "x"], // not a directory
      ["fcntl", "@28", "F_DUPFD", 1 << 30],
      ["fcntl", "@28", "F_DUPFD", -1],
      ["fcntl", "@28", 9999],
    ]);
    await stillWell(os);
  });
});

Deno.test("open flags: unknown bits ignored, contradictions refused, F_GETFL as Linux's", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT|16777216", "0644"], // an unknown bit
      ["fcntl", "@0", "F_GETFL"], // ... gone; O_LARGEFILE added
      ["open", "f", "O_RDONLY|1073741824"],
      ["fcntl", "@2", "F_GETFL"],
      ["open", "f", -2147483648], // bit 31: O_RDONLY as far as Linux cares
      ["fcntl", "@4", "F_GETFL"],
      ["open", "f", "O_RDONLY|O_CREAT|O_EXCL"],
      ["open", "f", "O_RDWR|O_DIRECTORY"],
      ["open", ".", "O_RDWR"],
      ["open", ".", "O_WRONLY|O_CREAT"],
      ["open", "f", "O_WRONLY|O_TRUNC"],
      ["fcntl", "@10", "F_GETFL"],
      ["open", "f", "O_WRONLY|O_APPEND|O_NONBLOCK|O_NOATIME|O_SYNC|O_DSYNC"],
      ["fcntl", "@12", "F_GETFL"],
      ["fcntl", "@12", "F_SETFL", "O_RDONLY|O_NONBLOCK|8388608"],
      ["fcntl", "@12", "F_GETFL"],
      ["fcntl", "@12", "F_SETFD", 7],
      ["fcntl", "@12", "F_GETFD"],
      ["dup3", "@12", "@12", 0],
      ["dup3", "@12", 50, 1],
      ["dup2", "@12", "@12"],
      // O_TMPFILE's combinations Linux refuses before looking at the path.
      ["open", ".", "O_RDONLY|4194304|O_DIRECTORY"],
      ["open", ".", "O_RDWR|4194304"],
      ["open", ".", "O_RDWR|4194304|O_DIRECTORY|O_CREAT"],
      ["open", "nonexistent", "O_RDWR|4194304|O_DIRECTORY"],
      ["open", "f", "O_RDWR|4194304|O_DIRECTORY"],
      ["pipe", "O_NONBLOCK|O_CLOEXEC|O_TRUNC"],
    ]);
    await stillWell(os);
  });
});

Deno.test("O_TMPFILE on a filesystem without unnamed files: EOPNOTSUPP, as Linux says", async () => {
  // tmpfs has O_TMPFILE; mfs_ram does not, and Linux answers EOPNOTSUPP for such a filesystem.
  await withOs(async (os) => {
    const out = await melloOps(os, [
      ["open", ".", "O_WRONLY|4194304|O_DIRECTORY"],
      ["open", ".", "O_RDWR|4194304|O_DIRECTORY", "0600"],
      ["readdir", "."],
    ]);
    assert.deepEqual(out, [
      { err: "EOPNOTSUPP" },
      { err: "EOPNOTSUPP" },
      { ok: [".", ".."] },
    ]);
  });
});

const LONG = "x".repeat(255);
/** A path of `n` bytes made of 255-byte components under "d". */
function longPath(n: number): string {
  let p = "d";
  while (p.length + 256 <= n) p += "/" + LONG;
  return p + "/" + "y".repeat(n - p.length - 1);
}

Deno.test("names and paths: empty, slashes, over-long names and paths, as Linux's", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "", "O_RDONLY"],
      ["stat", ""],
      ["lstat", ""],
      ["mkdir", ""],
      ["unlink", ""],
      ["rmdir", ""],
      ["chdir", ""],
      ["readlink", ""],
      ["truncate", "", 0],
      ["access", "", "F_OK"],
      ["mknod", "", "S_IFIFO|0644", 0, 0],
      ["symlink", "", "s"],
      ["link", "nope", ""],
      ["rename", "", "x"],
      ["open", "x".repeat(256), "O_RDONLY|O_CREAT"],
      ["open", LONG, "O_WRONLY|O_CREAT"],
      ["stat", "x".repeat(256)],
      ["mkdir", "y".repeat(256)],
      ["symlink", "t", "z".repeat(256)],
      ["rename", LONG, "w".repeat(256)],
      ["link", LONG, "v".repeat(256)],
      ["mkdir", "d", "0755"],
      ["stat", longPath(4095)], // a legal length: the walk finds nothing
      ["stat", longPath(4096)], // PATH_MAX with its NUL: too long
      ["stat", longPath(9000)],
      ["mkdir", longPath(20000)],
      ["rename", longPath(4095), longPath(4000)],
      ["symlink", longPath(4095), "s2"], // a target up to PATH_MAX - 1
      ["readlink", "s2"],
      ["symlink", longPath(4096), "s3"],
      ["open", "f", "O_WRONLY|O_CREAT"],
      ["mkdir", "a/b"],
      ["open", "f/", "O_WRONLY|O_CREAT"],
      ["open", "f/", "O_RDONLY"],
      ["stat", "f/."],
      ["stat", "d//."],
      ["stat", ".//d//"],
      ["mkdir", "e/", "0755"],
      ["unlink", "e/"],
      ["rmdir", "f/"],
      ["rename", "f", "f/"],
      ["rename", "e/", "e2"],
      ["symlink", "f", "l/"],
      ["link", "f", "e/"],
    ]);
    await stillWell(os);
  });
});

Deno.test("names: a NUL inside a name cannot be a C string; every path call refuses it (EINVAL)", async () => {
  await withOs(async (os) => {
    const name = "a\u0000b";
    const steps: Step[] = [
      ["open", name, "O_WRONLY|O_CREAT"],
      ["stat", name],
      ["mkdir", name],
      ["symlink", "t", name],
      ["symlink", name, "t"],
      ["rename", "x", name],
      ["mknod", name, "S_IFIFO|0644", 0, 0],
      ["chmod", name, "0644"],
      ["unlink", name],
      ["readdir", "."],
    ];
    const out = await melloOps(os, steps);
    const want: Outcome[] = steps.slice(0, -1).map(() => ({ err: "EINVAL" }));
    assert.deepEqual(out, [...want, { ok: [".", ".."] }]);
    await stillWell(os);
  });
});

Deno.test("offsets and lengths: negative, past the largest file, as Linux's", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"],
      ["lseek", "@0", -1, "SEEK_SET"],
      ["lseek", "@0", 0, 7],
      ["pread", "@0", 5, -1],
      ["pwrite", "@0", "x", -1],
      ["ftruncate", "@0", -1],
      ["truncate", "f", -1],
      ["lseek", "@0", -10, "SEEK_END"],
      ["lseek", "@0", -10, "SEEK_CUR"],
      ["pwrite", "@0", "abc", 1 << 30],
      ["lseek", "@0", 0, "SEEK_END"],
      ["ftruncate", "@0", 0],
      ["fstat", "@0"],
      ["read", "@0", 0],
      ["write", "@0", ""],
    ]);
    await stillWell(os);
  });
});

// --- raw messages, by hand ---

const DATA_BYTES = 1 << 20; // a program's data area (docs/ipc.md)

/** Open `path` as the raw client; its fd's endpoint and capability. */
async function openRaw(c: RawClient, path: string, flags: number) {
  const r = await c.vfs(Sys.openat, payload(AT_FDCWD, path, flags, 0o644));
  const [route] = c.routes(r);
  return route;
}

/** Requests about the data area every read/write server must refuse (EFAULT, EINVAL, EBADMSG). */
function badTransfers(op: number, cap: CapToken) {
  return [
    { what: "offset -1", f: { op, cap, value: 10 }, p: payload(-1), errno: Errno.EFAULT },
    {
      what: "offset + length past the area",
      f: { op, cap, value: 10 },
      p: payload(DATA_BYTES - 5),
      errno: Errno.EFAULT,
    },
    {
      what: "offset past the area",
      f: { op, cap, value: 1 },
      p: payload(2 ** 40),
      errno: Errno.EFAULT,
    },
    {
      what: "length 2^31 + 5",
      f: { op, cap, value: 2 ** 31 + 5 },
      p: payload(0),
      errno: Errno.EFAULT,
    },
    { what: "length 2^53", f: { op, cap, value: 2 ** 53 }, p: payload(0), errno: Errno.EFAULT },
    { what: "length -1", f: { op, cap, value: -1 }, p: payload(0), errno: Errno.EFAULT },
    { what: "length NaN", f: { op, cap, value: NaN }, p: payload(0), errno: Errno.EFAULT },
    { what: "offset 0.5", f: { op, cap, value: 1 }, p: payload(0.5), errno: Errno.EFAULT },
    { what: "no payload", f: { op, cap, value: 1 }, p: undefined, errno: Errno.EBADMSG },
    {
      what: "payload length past the record",
      f: { op, cap, value: 1, plen: 4000 },
      p: payload(0),
      errno: Errno.EBADMSG,
    },
  ];
}

async function expectAll(
  c: RawClient,
  ep: number,
  cases: Array<
    { what: string; f: Parameters<RawClient["send"]>[1]; p?: Uint8Array; errno: number }
  >,
): Promise<string[]> {
  const wrong: string[] = [];
  for (const k of cases) {
    const got = await c.errno(ep, k.f, k.p);
    if (got !== k.errno) {
      wrong.push(`ep ${ep} op ${k.f.op} ${k.what}: ${errnoName(got)}, want ${errnoName(k.errno)}`);
    }
  }
  return wrong;
}

Deno.test("raw: malformed path requests to the VFS get errnos, the VFS keeps serving", async () => {
  await withOs(async (os) => {
    const c = new RawClient(os);
    const cap = c.vfsCap;
    const VFS = Endpoint.VFS;
    const lenField = new Uint8Array(12);
    new DataView(lenField.buffer).setFloat64(0, AT_FDCWD, true);
    new DataView(lenField.buffer).setUint32(8, 0xffffffff, true); // a string "4 GiB" long
    const stale = os.kernel.caps.mint(VFS, 0x100, c.pid, 0);
    os.kernel.caps.free(stale);
    const wrong = await expectAll(c, VFS, [
      { what: "short record", f: { op: Sys.openat, cap, len: 16 }, errno: Errno.EBADMSG },
      { what: "truncated", f: { op: Sys.openat, cap }, p: payload(AT_FDCWD), errno: Errno.EBADMSG },
      { what: "huge string length", f: { op: Sys.openat, cap }, p: lenField, errno: Errno.EBADMSG },
      {
        what: "plen past the record",
        f: { op: Sys.newfstatat, cap, plen: 4000 },
        p: payload(AT_FDCWD, "/", 0),
        errno: Errno.EBADMSG,
      },
      {
        what: "flags NaN",
        f: { op: Sys.openat, cap },
        p: payload(AT_FDCWD, "/tmp", NaN, 0),
        errno: Errno.EINVAL,
      },
      {
        what: "mode 2^40",
        f: { op: Sys.openat, cap },
        p: payload(AT_FDCWD, "/tmp/x", O.CREAT | O.WRONLY, 2 ** 40),
        errno: Errno.EINVAL,
      },
      {
        what: "dirfd 1.5",
        f: { op: Sys.openat, cap },
        p: payload(1.5, "x", 0, 0),
        errno: Errno.EINVAL,
      },
      {
        what: "NUL in the path",
        f: { op: Sys.openat, cap },
        p: payload(AT_FDCWD, "/tmp\0/x", 0, 0),
        errno: Errno.EINVAL,
      },
      { what: "unknown opcode", f: { op: 4242, cap }, errno: Errno.ENOSYS },
      {
        what: "a kernel-only request",
        f: { op: VfsOp.FORK, cap },
        p: payload(c.pid, 99999, 0),
        errno: Errno.EPERM,
      },
      {
        what: "forged capability",
        f: { op: Sys.getcwd, cap: { slot: cap.slot + 7, gen: cap.gen } },
        errno: Errno.EBADF,
      },
      { what: "stale capability", f: { op: Sys.getcwd, cap: stale }, errno: Errno.EBADF },
      {
        what: "init's capability",
        f: { op: Sys.getcwd, cap: os.kernel.vfsCap },
        errno: Errno.EBADF,
      },
      {
        what: "fcntl of fd 2^30",
        f: { op: Sys.fcntl, cap },
        p: payload(1 << 30, 1, 0),
        errno: Errno.EBADF,
      },
    ]);
    assert.deepEqual(wrong, []);
    // And a good request still works.
    const r = await c.vfs(Sys.getcwd);
    assert.equal(new TextDecoder().decode(r.payload), "/");
    await stillWell(os);
  });
});

Deno.test("raw: bad data-area offsets, lengths and capabilities at mfs_ram, the VFS and the tty", async () => {
  await withOs(async (os) => {
    const c = new RawClient(os);
    const file = await openRaw(c, "/tmp/raw", O.RDWR | O.CREAT);
    const ro = await openRaw(c, "/tmp/raw", O.RDONLY);
    const tty = await openRaw(c, "/dev/tty", O.RDWR);
    const nul = await openRaw(c, "/dev/null", O.RDWR);
    const dir = await openRaw(c, "/tmp", O.RDONLY | O.DIRECTORY);
    const pipe = c.routes(await c.vfs(Sys.pipe2));
    assert.deepEqual(
      [file.ep, tty.ep, nul.ep, pipe[0].ep],
      [Endpoint.MFS_RAM, Endpoint.TTY, Endpoint.VFS, Endpoint.VFS],
    );
    const wrong: string[] = [];
    // Reads would wait on an empty pipe or the console: only the refused ones are sent there.
    for (
      const [ep, cap, ops] of [
        [file.ep, file.cap, [Sys.read, Sys.write, Sys.readv, Sys.writev]],
        [dir.ep, dir.cap, [Sys.getdents64]],
        [tty.ep, tty.cap, [Sys.read, Sys.write]],
        [nul.ep, nul.cap, [Sys.read, Sys.write]],
        [pipe[0].ep, pipe[0].cap, [Sys.read]],
        [pipe[1].ep, pipe[1].cap, [Sys.write]],
      ] as Array<[number, CapToken, number[]]>
    ) {
      for (const op of ops) {
        wrong.push(...await expectAll(c, ep, badTransfers(op, cap)));
      }
    }
    // Positioned I/O and seeks with bad numbers (/dev/null seeks to 0 whatever the
    // whence, as Linux's null_lseek).
    for (const [ep, cap] of [[file.ep, file.cap], [nul.ep, nul.cap]] as Array<[number, CapToken]>) {
      wrong.push(
        ...await expectAll(
          c,
          ep,
          [
            {
              what: "pread at -1",
              f: { op: Sys.pread64, cap, value: 1 },
              p: payload(0, -1),
              errno: Errno.EINVAL,
            },
            {
              what: "pread truncated",
              f: { op: Sys.pread64, cap, value: 1 },
              p: payload(0),
              errno: Errno.EBADMSG,
            },
            {
              what: "pwrite past the area",
              f: { op: Sys.pwrite64, cap, value: 10 },
              p: payload(DATA_BYTES, 0),
              errno: Errno.EFAULT,
            },
            {
              what: "lseek whence 99",
              f: { op: Sys.lseek, cap },
              p: payload(0, 99),
              errno: Errno.EINVAL,
            },
            {
              what: "lseek NaN",
              f: { op: Sys.lseek, cap },
              p: payload(NaN, 0),
              errno: Errno.EINVAL,
            },
            {
              what: "lseek truncated",
              f: { op: Sys.lseek, cap },
              p: payload(0),
              errno: Errno.EBADMSG,
            },
          ].filter((k) => ep === file.ep || k.what !== "lseek whence 99"),
        ),
      );
    }
    // Capabilities: lacking the right, forged, stale, for another server, not the root.
    const closed = await openRaw(c, "/tmp/raw", O.RDONLY);
    await c.vfs(Sys.close, undefined, closed.fd);
    wrong.push(
      ...await expectAll(c, file.ep, [
        {
          what: "write on O_RDONLY",
          f: { op: Sys.write, cap: ro.cap, value: 1 },
          p: payload(0),
          errno: Errno.EBADF,
        },
        {
          what: "ftruncate on O_RDONLY",
          f: { op: Sys.ftruncate, cap: ro.cap },
          p: payload(0),
          errno: Errno.EINVAL,
        },
        {
          what: "forged",
          f: { op: Sys.read, cap: { slot: file.cap.slot + 7, gen: file.cap.gen }, value: 1 },
          p: payload(0),
          errno: Errno.EBADF,
        },
        { what: "stale (closed fd)", f: { op: Sys.fstat, cap: closed.cap }, errno: Errno.EBADF },
        { what: "the tty's capability", f: { op: Sys.fstat, cap: tty.cap }, errno: Errno.EBADF },
        {
          what: "release with an fd's",
          f: { op: ObjectOp.RELEASE, cap: file.cap },
          errno: Errno.EPERM,
        },
        {
          what: "setfl with an fd's",
          f: { op: ObjectOp.SETFL, cap: file.cap, value: 0 },
          errno: Errno.EPERM,
        },
        {
          what: "a VFS-only request",
          f: { op: FsOp.GETATTR, cap: file.cap },
          p: payload(1, 1),
          errno: Errno.EPERM,
        },
      ]),
      ...await expectAll(c, tty.ep, [
        {
          what: "release with an fd's",
          f: { op: ObjectOp.RELEASE, cap: tty.cap },
          errno: Errno.EPERM,
        },
        {
          what: "setfl with an fd's",
          f: { op: ObjectOp.SETFL, cap: tty.cap, value: 0 },
          errno: Errno.EPERM,
        },
        {
          what: "open, kernel-only",
          f: { op: TtyOp.OPEN, cap: tty.cap },
          p: payload(c.pid, 0),
          errno: Errno.EPERM,
        },
        { what: "mfs_ram's capability", f: { op: Sys.fstat, cap: file.cap }, errno: Errno.EBADF },
      ]),
      ...await expectAll(c, Endpoint.VFS, [
        {
          what: "read the write end",
          f: { op: Sys.read, cap: pipe[1].cap, value: 1 },
          p: payload(0),
          errno: Errno.EBADF,
        },
        {
          what: "write the read end",
          f: { op: Sys.write, cap: pipe[0].cap, value: 1 },
          p: payload(0),
          errno: Errno.EBADF,
        },
      ]),
    );
    assert.deepEqual(wrong, []);

    // Everything still answers: the pipe carries data, the tty and the file answer fstat.
    c.data.set(new TextEncoder().encode("hi"), 0);
    assert.equal(
      (await c.call(Endpoint.VFS, { op: Sys.write, cap: pipe[1].cap, value: 2 }, payload(0))).value,
      2,
    );
    const got = await c.call(
      Endpoint.VFS,
      { op: Sys.read, cap: pipe[0].cap, value: 10 },
      payload(100),
    );
    assert.deepEqual([got.errno, got.value, new TextDecoder().decode(c.data.subarray(100, 102))], [
      0,
      2,
      "hi",
    ]);
    assert.equal(await c.errno(tty.ep, { op: Sys.fstat, cap: tty.cap }), 0);
    assert.equal(await c.errno(file.ep, { op: Sys.fstat, cap: file.cap }), 0);
    await stillWell(os);
  });
});
