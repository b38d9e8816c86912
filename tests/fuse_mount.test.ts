// FUSE mounts driven by host programs: the in-memory test filesystem
// (helpers/fuse_memfs.ts) and the probe (helpers/fuse_probe.ts) mounted on
// temp dirs through drivers/fuse, then used with coreutils, attr tools and
// python, with Linux's own error messages expected back. Also: what an
// aborted connection and a killed server leave (ENOTCONN, then nothing once
// lazily unmounted), ENOSYS for what is not handled, two requests served at
// once, and INTERRUPT reaching a waiting handler.
//
// Skipped, saying why, when /dev/fuse cannot be used or we can neither
// mount(2) (root) nor run fusermount3. Every mount is taken down in
// `finally`, and the last test checks that none of ours is left.

import assert from "node:assert/strict";
import {
  fails,
  fusermount3,
  fuseSkipReason,
  killServerExpectEnotconn,
  MEMFS_WORKER,
  mountPoints,
  ok,
  PROBE_WORKER,
  sh,
  withFuse,
} from "./helpers/fuse_mount.ts";
import { Probe } from "./helpers/fuse_probe.ts";
import { abortConnection, FuseSession, removeStaleMount } from "../drivers/fuse/mod.ts";
import { mountAt, readMounts } from "../drivers/fuse/mountinfo.ts";

const skip = fuseSkipReason();
const isRoot = Deno.uid() === 0;
const PY = "/usr/bin/python3";

/** A FUSE test, skipped (saying why) where FUSE cannot be used. */
function fuseTest(name: string, fn: () => Promise<void>): void {
  Deno.test(name, async () => {
    // The test filesystem's root and files are root's, and its processes are
    // started with only the permissions a root mount needs: as another user
    // the scripts below could not write it. (The VFS bridge's own suite,
    // tests/fuse_vfs.test.ts, runs as any user.)
    const why = skip ??
      (isRoot ? undefined : "these protocol tests run as root (the test filesystem is root's)");
    if (why !== undefined) {
      console.log(`SKIPPED: ${why}`);
      return;
    }
    await fn();
  });
}

/** Resolves when word `index` of `words` is at least `value` (another thread sets it). */
async function waitWord(words: Int32Array, index: number, value: number): Promise<void> {
  for (;;) {
    const now = Atomics.load(words, index);
    if (now >= value) return;
    const w = Atomics.waitAsync(words, index, now);
    if (w.async) await w.value;
  }
}

fuseTest("fuse mount: coreutils see files, directories, links and errors as on Linux", async () => {
  await withFuse({ worker: MEMFS_WORKER }, async (dir) => {
    await ok("echo hello > f && mkdir d && mv f d/g && ln -s d/g l && ln d/g hard", dir);
    assert.equal(await ok("cat l", dir), "hello\n");
    assert.equal(await ok("readlink l", dir), "d/g\n");
    assert.equal(
      await ok("stat -c '%F %s %h %a %U' d/g d l", dir),
      [
        "regular file 6 2 644 root", // two links: d/g and hard
        "directory 0 2 755 root",
        "symbolic link 3 1 777 root",
      ].join("\n") + "\n",
    );
    assert.match(await ok("ls -l d", dir), /^total \d+\n-rw-r--r-- 2 root root 6 .* g\n$/);
    assert.equal(await ok("ls -a", dir), ".\n..\nd\nhard\nl\n");
    await ok(
      "echo more >> hard && truncate -s 3 d/g && touch -d '2001-02-03 04:05:06.5 UTC' d/g",
      dir,
    );
    assert.equal(
      await ok("cat d/g; stat -c '%s %y' hard", dir),
      "hel3 2001-02-03 04:05:06.500000000 +0000\n",
    );
    await ok("chmod 600 hard && mkfifo p && rm l", dir);
    assert.equal(await ok("stat -c '%A' hard p", dir), "-rw-------\nprw-r--r--\n");
    assert.equal(await ok("rm hard && stat -c %h d/g", dir), "1\n");

    await fails("ls missing", dir, "No such file or directory");
    await fails("rmdir d", dir, "Directory not empty");
    await fails("mkdir d", dir, "File exists");
    await fails("cat d", dir, "Is a directory");
    await fails(`touch ${"n".repeat(256)}`, dir, "File name too long");
    await fails("ln d d2", dir, "hard link not allowed for directory");
    await fails("mv d d/g/x", dir, "Not a directory");
    const intoItself =
      "import os\ntry:\n  os.rename('d', 'd/inside')\nexcept OSError as e:\n  print(e.strerror)";
    assert.equal(await ok(`${PY} -c "${intoItself}"`, dir), "Invalid argument\n");
    await ok(`touch ${"n".repeat(255)} && rm ${"n".repeat(255)}`, dir);
    await ok("rm -r d p", dir);
    assert.equal(await ok("ls -A", dir), "");
    assert.match(await ok("df -P . | tail -1", dir), /^melloos /);
  });
});

fuseTest(
  "fuse mount: extended attributes go through SETXATTR, GETXATTR, LISTXATTR, REMOVEXATTR",
  async () => {
    await withFuse({ worker: MEMFS_WORKER }, async (dir) => {
      await ok(
        "touch f && setfattr -n user.color -v blue f && setfattr -n user.size -v 0x00ff f",
        dir,
      );
      assert.equal(
        await ok("getfattr -e text -n user.color f | grep =", dir),
        'user.color="blue"\n',
      );
      assert.equal(
        await ok("getfattr -e hex -d f | grep '='", dir),
        "user.color=0x626c7565\nuser.size=0x00ff\n",
      );
      await ok("setfattr -x user.color f", dir);
      await fails("getfattr -n user.color f", dir, "No such attribute");
      await fails("setfattr -n other.x -v 1 f", dir, "Operation not supported");
      await fails(
        `setfattr -n user.${"k".repeat(300)} -v 1 f`,
        dir,
        "Numerical result out of range",
      );
      // A value as big as Linux allows (64 KiB) comes back whole.
      const py =
        `import os; v=os.urandom(65536); os.setxattr('f','user.big',v); print(os.getxattr('f','user.big')==v)`;
      assert.equal(await ok(`${PY} -c "${py}"`, dir), "True\n");
    });
  },
);

fuseTest("fuse mount: names that are not UTF-8 keep their bytes", async () => {
  await withFuse({ worker: MEMFS_WORKER }, async (dir) => {
    const py = [
      "import os",
      "name = b'\\xff\\xfe-\\x80'",
      "open(name, 'wb').write(b'raw')",
      "print(os.listdir(b'.') == [name], open(name, 'rb').read())",
    ].join("; ");
    assert.equal(await ok(`${PY} -c "${py}"`, dir), "True b'raw'\n");
  });
});

fuseTest("fuse mount: big files go through whole (1 MiB requests) and compare equal", async () => {
  await withFuse({ worker: MEMFS_WORKER }, async (dir, session) => {
    const host = await Deno.makeTempFile({ prefix: "mello_fuse_big_" });
    try {
      await ok(`head -c 9437185 /dev/urandom > ${host}`, dir); // 9 MiB + 1 byte
      const before = session.shared.counters().requests;
      await ok(`dd if=${host} of=big bs=1M status=none`, dir);
      // 10 WRITEs of 1 MiB and a few lookups, getattrs, flushes; at the kernel's
      // default of 32 pages per request it takes 72 WRITEs.
      const requests = session.shared.counters().requests - before;
      assert.ok(requests < 40, `${requests} requests to write 9 MiB`);
      await ok(`cmp ${host} big`, dir);
      await ok(`cp big copy && cmp big copy && cmp ${host} copy`, dir);
      assert.equal(await ok("stat -c %s copy", dir), "9437185\n");
    } finally {
      await Deno.remove(host);
    }
  });
});

fuseTest("fuse mount: RENAME2 flags: no-replace refuses, exchange swaps", async () => {
  await withFuse({ worker: MEMFS_WORKER }, async (dir) => {
    await ok("echo one > a && echo two > b", dir);
    const py = [
      "import ctypes, os",
      "libc = ctypes.CDLL(None, use_errno=True)",
      "def r(flags):",
      "  rc = libc.renameat2(-100, b'a', -100, b'b', flags)",
      "  print(rc, os.strerror(ctypes.get_errno()) if rc else '')",
      "r(1)", // RENAME_NOREPLACE
      "r(2)", // RENAME_EXCHANGE
    ].join("\n");
    assert.equal(await ok(`${PY} -c "${py}"`, dir), "-1 File exists\n0 \n");
    assert.equal(await ok("cat a b", dir), "two\none\n");
  });
});

fuseTest("fuse mount: requests carry the caller's uid, gid and supplementary groups", async () => {
  await withFuse({ worker: MEMFS_WORKER }, async (dir) => {
    await ok(
      "mkdir -m 1777 shared && echo secret > shared/s && chown 0:1234 shared/s && chmod 640 shared/s",
      dir,
    );
    const alice = { uid: 1000, gid: 1000, groups: [] };
    const aliceInGroup = { uid: 1000, gid: 1000, groups: [1234] };
    await ok("echo mine > shared/a && mkdir shared/ad", dir, alice);
    assert.equal(await ok("stat -c '%u:%g' shared/a shared/ad", dir), "1000:1000\n1000:1000\n");
    await fails("cat shared/s", dir, "Permission denied", alice);
    assert.equal(await ok("cat shared/s", dir, aliceInGroup), "secret\n");
    await fails("chmod 666 shared/s", dir, "Operation not permitted", aliceInGroup);
    await fails("rm -f shared/s", dir, "Operation not permitted", alice); // sticky directory
    await fails("echo x > own", dir, "Permission denied", alice); // root's 755 directory
    assert.equal(await ok("cat shared/a", dir, { uid: 2000, gid: 2000, groups: [] }), "mine\n");
    await ok("chmod 600 shared/a", dir, alice);
    await fails("cat shared/a", dir, "Permission denied", { uid: 2000, gid: 2000, groups: [] });
    assert.equal(await ok("cat shared/a", dir), "mine\n"); // root stays root
  });
});

fuseTest(
  "fuse mount: an operation nobody handles answers ENOSYS, and callers get the kernel's fallback",
  async () => {
    await withFuse(
      { worker: MEMFS_WORKER, handlerOptions: { omit: ["fallocate"] } },
      async (dir) => {
        await ok("echo data > f", dir);
        // FALLOCATE: the handler lacks it; ENOSYS becomes EOPNOTSUPP for the caller.
        await fails("fallocate -l 1M f", dir, "Operation not supported");
        // IOCTL is not in the dispatch table at all.
        await fails("lsattr f", dir, "Operation not supported");
        // COPY_FILE_RANGE neither: cp falls back to read and write.
        assert.equal(await ok("cp f g && cat g", dir), "data\n");
        // TMPFILE neither: O_TMPFILE fails cleanly.
        const py =
          "import os\ntry:\n  os.open('.', os.O_TMPFILE | os.O_RDWR)\nexcept OSError as e:\n  print(e.strerror)";
        assert.equal(await ok(`${PY} -c "${py}"`, dir), "Operation not supported\n");
      },
    );
  },
);

fuseTest(
  "fuse mount: fallocate and SEEK_DATA/SEEK_HOLE reach a handler that has them",
  async () => {
    await withFuse({ worker: MEMFS_WORKER }, async (dir) => {
      await ok("fallocate -l 8192 f", dir);
      assert.equal(await ok("stat -c %s f", dir), "8192\n");
      const py =
        "import os\nfd = os.open('f', os.O_RDONLY)\nprint(os.lseek(fd, 0, os.SEEK_DATA), os.lseek(fd, 0, os.SEEK_HOLE))";
      assert.equal(await ok(`${PY} -c "${py}"`, dir), "0 8192\n");
    });
  },
);

fuseTest("fuse session: two Workers serve two requests at once", async () => {
  const sab = new SharedArrayBuffer(Probe.WORDS * 4);
  const words = new Int32Array(sab);
  await withFuse({ worker: PROBE_WORKER, handlerOptions: { sab }, workers: 2 }, async (dir) => {
    // Reading a waits inside its handler until a read of b begins: only a
    // second Worker can take that read while the first one waits.
    const catA = new Deno.Command("cat", { args: [`${dir}/a`], stdout: "piped", stderr: "piped" })
      .output();
    await waitWord(words, Probe.READING_A, 1);
    assert.equal(await ok("cat b", dir), "probe\n");
    const a = await catA;
    assert.equal(
      new TextDecoder().decode(a.stdout) + new TextDecoder().decode(a.stderr),
      "probe\n",
    );
  });
});

fuseTest("fuse session: INTERRUPT reaches the handler of the interrupted request", async () => {
  const sab = new SharedArrayBuffer(Probe.WORDS * 4);
  const words = new Int32Array(sab);
  await withFuse({ worker: PROBE_WORKER, handlerOptions: { sab }, workers: 2 }, async (dir) => {
    const cat = new Deno.Command("cat", { args: [`${dir}/slow`], stdout: "null", stderr: "null" })
      .spawn();
    await waitWord(words, Probe.SLOW_OPENS, 1); // its OPEN waits in the handler
    cat.kill("SIGINT");
    await waitWord(words, Probe.SLOW_DONE, 1);
    assert.equal(Atomics.load(words, Probe.INTERRUPTS_SEEN), 1, "the handler saw no INTERRUPT");
    assert.equal((await cat.status).signal, "SIGINT");
  });
});

fuseTest(
  "fuse mount: without mount(2), fusermount3 mounts and passes the fd back over a socket",
  async () => {
    if (fusermount3() === undefined) {
      console.log("SKIPPED: no fusermount3 on this host (Debian: fuse3)");
      return;
    }
    await withFuse({ worker: MEMFS_WORKER, via: "fusermount3" }, async (dir, session) => {
      assert.equal(session.mounted.via, "fusermount3");
      assert.equal(mountAt(dir)?.fstype, "fuse.melloos");
      assert.equal(await ok("echo via fusermount3 > f && cat f", dir), "via fusermount3\n");
      await session.unmount(); // fusermount3 -u -z
      assert.equal(mountAt(dir), undefined);
    });
  },
);

fuseTest(
  "fuse session: Workers that die before INIT fail the mount, and leave no mount behind",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "mello_fuse_" });
    mountPoints.push(dir);
    try {
      await assert.rejects(
        FuseSession.mount(dir, { workerModule: PROBE_WORKER, handlerOptions: {}, workers: 2 }),
        /failed at INIT.*probe: no shared buffer given/,
      );
      assert.equal(mountAt(dir), undefined);
      assert.equal(await ok(`ls -A ${dir}`, "/"), "");
    } finally {
      await removeStaleMount(dir);
      await Deno.remove(dir);
    }
  },
);

fuseTest(
  "fuse abort: an aborted connection answers ENOTCONN, then unmounts lazily, leaving nothing",
  async () => {
    await withFuse({ worker: MEMFS_WORKER }, async (dir, session) => {
      await ok("echo x > f", dir);
      assert.ok(abortConnection(session.connection));
      const end = await session.ended; // every Worker's read failed with ENODEV
      assert.deepEqual(end, { errnos: [19], crashes: [] });
      await fails(`ls ${dir}`, "/", "Transport endpoint is not connected");
      await fails(`cat ${dir}/f`, "/", "Transport endpoint is not connected");
      assert.equal(mountAt(dir)?.fstype, "fuse.melloos", "still mounted, but dead");
      await session.unmount();
      assert.equal(mountAt(dir), undefined);
      assert.equal(await ok(`ls -A ${dir}`, "/"), "");
    });
  },
);

fuseTest(
  "fuse abort: a request in flight fails at once, and its Worker ends once its handler returns",
  async () => {
    const sab = new SharedArrayBuffer(Probe.WORDS * 4);
    const words = new Int32Array(sab);
    await withFuse(
      { worker: PROBE_WORKER, handlerOptions: { sab }, workers: 2 },
      async (dir, session) => {
        const cat = new Deno.Command("cat", {
          args: [`${dir}/slow`],
          stdout: "null",
          stderr: "piped",
        }).output();
        await waitWord(words, Probe.SLOW_OPENS, 1); // its OPEN waits in the handler
        assert.ok(abortConnection(session.connection));
        const r = await cat; // while the handler still waits
        assert.match(new TextDecoder().decode(r.stderr), /Software caused connection abort/);
        assert.equal(Atomics.load(words, Probe.SLOW_DONE), 0);
        Atomics.store(words, Probe.RELEASE, 1);
        assert.deepEqual(await session.ended, { errnos: [19, 19], crashes: [] });
      },
    );
  },
);

fuseTest(
  "fuse crash: a killed server process leaves ENOTCONN, and removeStaleMount clears it",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "mello_fuse_killed_" });
    const serve = new URL("./helpers/fuse_serve.ts", import.meta.url).pathname;
    // The mounting thread needs ffi, and read access to load the session Workers' modules.
    const repo = new URL("..", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", `--allow-read=${repo}`, "--unstable-worker-options", serve, dir],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    await killServerExpectEnotconn(child, dir, [`ls ${dir}`]);
  },
);

fuseTest("fuse: no mount of ours is left behind", async () => {
  const left = readMounts().filter((m) => mountPoints.includes(m.mountPoint));
  assert.deepEqual(left, []);
  assert.equal((await sh("grep -c mello_fuse_ /proc/mounts", "/")).stdout, "0\n");
});
