// The FUSE bridge over the MelloOS VFS: directories of a booted system
// mounted on the host (os.fuse.mount, `deno task boot --fuse`) and driven
// with unmodified host programs, each request run as its host caller.
// Linux is the reference: where a host program's output says what Linux
// does, the same script runs on a host temp dir and the outputs must match.
// Skipped, saying why, where FUSE cannot be used (helpers/fuse_mount.ts).

import assert from "node:assert/strict";
import {
  fails as failsIn,
  fuseSkipReason,
  killServerExpectEnotconn,
  ok as okIn,
  type RunAs,
  sh as shIn,
} from "./helpers/fuse_mount.ts";
import { mountAt } from "../drivers/fuse/mountinfo.ts";
import { removeStaleMount } from "../drivers/fuse/mod.ts";
import type { Handle } from "../kernel/mod.ts";
import { until, withOs } from "./helpers/system.ts";

const skip = fuseSkipReason();
const root = Deno.uid() === 0;
const repo = new URL("..", import.meta.url).pathname;

// Host commands start in "/" and cd into the mount themselves: the booted
// system shares this process, and a host call on the mount from our main
// thread (Deno.Command stats its cwd there) would wait for a reply that
// needs that very thread (the kernel's syscalls run on it).
const ok = (script: string, dir: string, as?: RunAs) => okIn(`cd '${dir}' && ${script}`, "/", as);
const sh = (script: string, dir: string, as?: RunAs) => shIn(`cd '${dir}' && ${script}`, "/", as);
const fails = (script: string, dir: string, message: string, as?: RunAs) =>
  failsIn(`cd '${dir}' && ${script}`, "/", message, as);

/** An unprivileged host user (setpriv; only as root). */
const USER: RunAs = { uid: 1000, gid: 1000, groups: [1000] };

function fuseTest(name: string, fn: () => Promise<void>, needsRoot = false): void {
  Deno.test(name, async () => {
    const why = skip ?? (needsRoot && !root ? "needs root (setpriv to other users)" : undefined);
    if (why !== undefined) {
      console.log(`SKIPPED: ${why}`);
      return;
    }
    await fn();
  });
}

/** Boot, mount MelloOS's `root` on a host temp dir, run `fn`, take it all down. */
async function withMount(
  root: string,
  fn: (dir: string, os: Handle) => Promise<void>,
  timeouts: { attrTimeoutMs?: number; entryTimeoutMs?: number } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mello_vfs_fuse_" });
  try {
    await withOs(async (os) => {
      const r = await os.run(`mkdir -p ${root} && chmod 1777 ${root}`);
      assert.equal(r.status, 0, r.stderr);
      const b = await os.fuse.mount(dir, { root, ...timeouts });
      try {
        await fn(b.dir, asHostUser(os));
      } finally {
        await os.fuse.unmount(b);
      }
    });
    assert.equal(mountAt(dir), undefined, "mount left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** MelloOS root, for what needs it (mounts) whoever runs the tests. */
const MELLO_ROOT = { uid: 0, gid: 0, groups: [0] };

/**
 * `os` whose commands run as the host user running the tests: a host
 * caller's requests run with its own ids, so when the tests are not root,
 * files MelloOS programs make must be that user's too for the host side to
 * change them (as root, both sides are root).
 */
function asHostUser(os: Handle): Handle {
  if (root) return os;
  const me = { uid: Deno.uid()!, gid: Deno.gid()!, groups: [Deno.gid()!] };
  return { ...os, run: (cmd, opts = {}) => os.run(cmd, { ...me, ...opts }) };
}

/** A host temp dir for `fn` (sources to copy, Linux's answers to compare with). */
async function withHostDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "mello_vfs_host_" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Run `script` in a fresh host dir and on `dir`; both outputs must be the same. */
async function sameAsHost(script: string, dir: string, as?: RunAs): Promise<string> {
  const host = await withHostDir(async (h) => {
    await okIn(`chmod 1777 '${h}'`, "/"); // as the mount's root: other users work in it too
    return await sh(script, h, as);
  });
  const ours = await sh(script, dir, as);
  const norm = (t: string, d: string) => t.replaceAll(d, "DIR");
  assert.deepEqual(
    { code: ours.code, stdout: ours.stdout, stderr: ours.stderr },
    { code: host.code, stdout: host.stdout, stderr: host.stderr },
    `${script}: MelloOS (left) and Linux (right) differ`,
  );
  return norm(ours.stdout, dir);
}

/**
 * A tree of ~300 entries in `src` (relative to cwd): nested dirs, files of
 * many sizes and modes (set-id and sticky bits too), owners, nanosecond
 * mtimes, symlinks (dangling, to dirs, relative and absolute), hard links
 * within the tree, odd names.
 */
const MAKE_TREE = `
set -e
mkdir src && cd src
modes=(644 600 755 444 640 700 4755 2750 664 400)
for i in $(seq 0 9); do
  mkdir -p d$i/sub$((i % 3))/deep
  for j in $(seq 0 24); do
    f=d$i/f$j
    if [ $((j % 5)) = 0 ]; then f=d$i/sub$((i % 3))/f$j; fi
    if [ $((j % 7)) = 0 ]; then f=d$i/sub$((i % 3))/deep/f$j; fi
    printf 'file %d %d\\n' $i $j > $f
    head -c $(( (i * 25 + j) * 97 % 20000 )) /dev/urandom >> $f
    chmod \${modes[$(( (i + j) % 10 ))]} $f
    touch -d @$((1000000000 + i * 1000 + j)).$(printf %09d $((i * 7919 + j * 104729)))  $f
  done
done
head -c 3000000 /dev/urandom > big
: > empty
mkdir emptydir sticky && chmod 1777 sticky && chmod 2775 d3
printf 'spaced\\n' > 'name with spaces'
printf 'utf\\n' > 'grüße-日本'
chown 1000:1000 d1/f1 d2 && chown 0:1000 d1/f2 && chown 1000:0 d4/f3
ln -s ../d1/f2 d0/rel
ln -s "$PWD/big" d0/abs
ln -s nowhere d0/dangling
ln -s d5 dirlink
chown -h 1000:1000 d0/rel
ln d0/f1 d5/hard1 && ln d0/f1 d6/hard2 && ln big bighard
for l in d0/rel d0/abs d0/dangling dirlink; do touch -h -d @1234567890.123456789 $l; done
find . -type d | while read -r d; do touch -d @1300000000.987654321 "$d"; done
`;

/** Every entry's type, mode, owner, links, mtime (ns), size (not dirs), link target, sorted. */
const LISTING = `find . -print0 | LC_ALL=C sort -z | xargs -0 stat -c '%n|%F|%a|%u|%g|%h|%.9Y|%N' &&
  find . ! -type d -print0 | LC_ALL=C sort -z | xargs -0 stat -c '%n|%s'`;

fuseTest(
  "fuse vfs: host coreutils on a MelloOS directory; both sides see the same files",
  async () => {
    await withMount("/data/share", async (dir, os) => {
      await ok("echo hello > f && mkdir d && mv f d/g && ln -s d/g l && ln d/g hard", dir);
      assert.equal(await ok("cat l", dir), "hello\n");
      assert.equal(await ok("readlink l", dir), "d/g\n");
      assert.equal(await ok("stat -c '%h %s %F' hard", dir), "2 6 regular file\n");
      const mello = await os.run("cat /data/share/d/g; ls /data/share");
      assert.equal(mello.stdout, "hello\nd\nhard\nl\n");
      assert.equal((await os.run("echo from-mello > /data/share/m")).status, 0);
      assert.equal(await ok("cat m", dir), "from-mello\n");
      await ok("chmod 640 m && touch -d '2001-02-03 04:05:06' m", dir);
      assert.equal(await ok("stat -c '%a %y' m", dir), "640 2001-02-03 04:05:06.000000000 +0000\n");
      await fails("cat missing", dir, "No such file or directory");
      await fails("rmdir d", dir, "Directory not empty");
      await fails(`touch ${"n".repeat(256)}`, dir, "File name too long");
      await ok("rm -r d hard l m", dir);
      assert.equal(await ok("ls -A", dir), "");
    });
  },
);

fuseTest(
  "fuse vfs: cp -a of a tree (links, modes, owners, mtimes) both ways; diff -r, stat, ls -l",
  async () => {
    await withHostDir(async (host) => {
      await ok(MAKE_TREE, host);
      const want = await ok(`cd src && ${LISTING}`, host);
      assert.ok(want.split("\n").length > 500, "the tree is a few hundred entries");
      await withMount("/data/share", async (dir, os) => {
        await ok(`cp -a '${host}/src' tree`, dir);
        await ok(`diff -r --no-dereference '${host}/src' tree`, dir);
        assert.equal(await ok(`cd tree && ${LISTING}`, dir), want);
        // ls -l as Linux shows it (directory sizes differ by filesystem: not compared).
        const ls = `ls -lnR --time-style=+%s.%N | awk '$1 ~ /^d/ {$5 = "-"} $1 != "total" {print}'`;
        assert.equal(await ok(`cd tree && ${ls}`, dir), await ok(`cd src && ${ls}`, host));
        // MelloOS sees what the host wrote.
        const r = await os.run(
          "stat -c '%a %u %g %h %s' /data/share/tree/d1/f2 /data/share/tree/big",
        );
        assert.equal(r.stdout, await ok("stat -c '%a %u %g %h %s' src/d1/f2 src/big", host));
        // ... and back to the host: a copy of the copy is the same tree.
        await ok(`cp -a tree '${host}/back'`, dir);
        assert.equal(await ok(`cd back && ${LISTING}`, host), want);
        await ok("diff -r --no-dereference src back", host);
        // mv (file over file, dir into dir, across dirs), ln -s, chmod, touch -d.
        await ok(
          "mv tree/d0/f1 tree/d0/f2 && mv tree/d1 tree/d2/ && mv tree/empty tree/d2/d1/moved && " +
            "ln -s d2/d1 tree/newlink && chmod 4711 tree/d2/d1/moved && chmod g+w,o-r tree/d3 && " +
            "touch -d '1999-12-31 23:59:59.5' tree/d2/d1/moved && touch -h -d @5 tree/newlink",
          dir,
        );
        assert.equal(
          await ok(
            "stat -c '%n %a %.9Y %h' tree/d0/f2 tree/newlink/moved tree/d3 && " +
              "stat -c '%N %.9Y' tree/newlink && ls tree/d0 | grep -c '^f1$' || true",
            dir,
          ),
          `tree/d0/f2 ${await ok("stat -c '%a %.9Y %h' src/d0/f1", host)}`.trimEnd() + "\n" +
            "tree/newlink/moved 4711 946684799.500000000 1\n" +
            "tree/d3 2771 1300000000.987654321 3\n" +
            "'tree/newlink' -> 'd2/d1' 5.000000000\n0\n",
        );
      });
    });
  },
);

fuseTest("fuse vfs: tar create and extract both ways, compared", async () => {
  await withHostDir(async (host) => {
    await ok(MAKE_TREE, host);
    const want = await ok(`cd src && ${LISTING}`, host);
    await withMount("/data/share", async (dir) => {
      // Host tree -> tar on the mount -> extract on the host.
      // (pax format: nanosecond times; gnu's keeps whole seconds.)
      await ok(`tar --format=posix -C '${host}' -cf a.tar src`, dir);
      await ok(`mkdir x1 && tar -C x1 -xpf '${dir}/a.tar'`, host);
      assert.equal(await ok(`cd x1/src && ${LISTING}`, host), want);
      // The tar on the host -> extract onto the mount -> compare; tar it again from there.
      await ok(`tar --format=posix -C src -cf src.tar .`, host);
      await ok(`mkdir x2 && tar -C x2 -xpf '${host}/src.tar'`, dir);
      assert.equal(await ok(`cd x2 && ${LISTING}`, dir), want);
      await ok(`diff -r --no-dereference '${host}/src' x2`, dir);
      await ok(
        `tar --format=posix -C x2 -cf again.tar . && tar -df again.tar -C '${host}/src'`,
        dir,
      );
    });
  });
});

fuseTest(
  "fuse vfs: git init, add, commit, fsck over a few hundred files; clean status",
  async () => {
    await withHostDir(async (host) => {
      await ok(MAKE_TREE, host);
      await withMount("/data/share", async (dir) => {
        // (Without its empty dirs, which git does not keep.)
        await ok(`cp -r '${host}/src' repo && find repo -type d -empty -delete`, dir);
        const git = "git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main";
        await ok(`cd repo && ${git} init -q && ${git} add -A && ${git} commit -qm first`, dir);
        await ok(`cd repo && ${git} fsck --strict --no-progress`, dir);
        assert.equal(await ok(`cd repo && ${git} status --porcelain`, dir), "");
        await ok(
          `cd repo && echo changed >> d0/f1 && ${git} mv d1 moved && ${git} rm -q d2/f1 && ` +
            `${git} commit -qam second && ${git} gc -q && ${git} fsck --strict --no-progress`,
          dir,
        );
        assert.equal(await ok(`cd repo && ${git} status --porcelain`, dir), "");
        assert.equal(await ok(`cd repo && ${git} log --format=%s`, dir), "second\nfirst\n");
        const files = await ok(`cd repo && ${git} ls-files | wc -l`, dir);
        assert.ok(Number(files) > 250, files);
        // A clone back to the host is the same tree.
        await ok(
          `git clone -q '${dir}/repo' clone && diff -r --no-dereference -x .git '${dir}/repo' clone`,
          host,
        );
      });
    });
  },
);

fuseTest(
  "fuse vfs: sqlite3, a few thousand rows, integrity_check; rollback and WAL mode",
  async () => {
    await withMount("/data/share", async (dir, os) => {
      const fill = (n: number) =>
        `BEGIN; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${n}) ` +
        `INSERT INTO t(v) SELECT hex(randomblob(60)) FROM c; COMMIT;`;
      for (const mode of ["delete", "wal"]) {
        const db = `${mode}.db`;
        assert.equal(
          await ok(
            `sqlite3 ${db} "PRAGMA journal_mode=${mode}; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); ` +
              `CREATE INDEX tv ON t(v); ${fill(4000)} PRAGMA integrity_check;"`,
            dir,
          ),
          `${mode}\nok\n`,
        );
        await ok(
          `sqlite3 ${db} "BEGIN; DELETE FROM t WHERE id % 3 = 0; ROLLBACK; ` +
            `BEGIN; UPDATE t SET v = 'x' || v WHERE id % 2 = 0; DELETE FROM t WHERE id > 3500; COMMIT;"`,
          dir,
        );
        assert.equal(
          await ok(
            `sqlite3 ${db} "SELECT count(*), sum(v LIKE 'x%') FROM t; PRAGMA integrity_check;"`,
            dir,
          ),
          "3500|1750\nok\n",
        );
      }
      // POSIX locks are the host kernel's own (FUSE_POSIX_LOCKS is not negotiated): they work
      // between host processes, which is all sqlite needs on one host.
      assert.equal(
        await ok(
          `python3 -c 'import fcntl, subprocess; f = open("lk", "w"); fcntl.lockf(f, fcntl.LOCK_EX); ` +
            `subprocess.run(["python3", "-c", "import fcntl; fcntl.lockf(open(\\"lk\\", \\"a\\"), ` +
            `fcntl.LOCK_EX | fcntl.LOCK_NB)"])' 2>&1 | tail -1`,
          dir,
        ),
        "BlockingIOError: [Errno 11] Resource temporarily unavailable\n",
      );
      // Three writers at once, each waiting its turn for the lock.
      await ok(
        `for k in 1 2 3; do sqlite3 -cmd '.timeout 600000' wal.db "${fill(500)}" & done; wait`,
        dir,
      );
      assert.equal(
        await ok(`sqlite3 wal.db "SELECT count(*) FROM t; PRAGMA integrity_check;"`, dir),
        "5000\nok\n",
      );
      const r = await os.run("ls /data/share");
      assert.equal(r.stdout, "delete.db\nlk\nwal.db\n");
    });
  },
);

fuseTest("fuse vfs: fio writes with crc32c verification, random and sequential", async () => {
  await withMount("/data/share", async (dir, os) => {
    const fio = "fio --output-format=terse --terse-version=3 --size=32m --verify=crc32c " +
      "--do_verify=1 --verify_fatal=1";
    const free = Number(await ok("stat -f -c %f .", dir));
    const rand = `${fio} --name=v --filename=rand --rw=randwrite --bs=4k`;
    const seq = `${fio} --name=s --filename=seq --rw=write --bs=256k`;
    await ok(rand, dir);
    await ok(seq, dir);
    // The verify pass above may read the host's page cache: verify again with O_DIRECT,
    // every read a FUSE READ answered from MelloOS.
    await ok(`${rand} --verify_only --direct=1 && ${seq} --verify_only --direct=1`, dir);
    assert.equal(await ok("stat -c '%s' rand seq", dir), "33554432\n33554432\n");
    // A copy made inside MelloOS holds the same bytes.
    const r = await os.run("cp /data/share/rand /data/share/rand.copy");
    assert.equal(r.status, 0, r.stderr);
    await ok("cmp rand rand.copy", dir);
    // Deleted, their space comes back: nothing of ours keeps them open. (Each Worker lets go
    // at its next request once the kernel has forgotten the file: ask a few times.)
    await ok("rm rand seq rand.copy *-verify.state", dir);
    await ok(
      `for i in $(seq 100); do [ "$(stat -f -c %f .)" -ge ${free} ] && exit 0; done; ` +
        `stat -f -c %f .; exit 1`,
      dir,
    );
  });
});

fuseTest("fuse vfs: getfattr/setfattr: user.* names, binary values, removal, ENODATA", async () => {
  await withMount("/data/share", async (dir, os) => {
    const script = "touch f && setfattr -n user.text -v hello f && " +
      "setfattr -n user.bin -v 0x00ff0a0d00 f && setfattr -n user.empty f && " +
      "getfattr -d -e hex f && getfattr --only-values -n user.text f && echo && " +
      "setfattr -x user.text f && getfattr -d f; getfattr -n user.text f; " +
      "setfattr -x user.nothere f; setfattr -n trusted.x -v 1 f; getfattr -d -m - f; " +
      "echo end";
    const out = await sameAsHost(script, dir);
    assert.match(out, /user\.bin=0x00ff0a0d00/);
    const r = await os.run("getfattr -d /data/share/f");
    assert.match(r.stdout, /user\.bin/);
  });
});

fuseTest("fuse vfs: mkfifo on the mount, a writer and a reader on the host", async () => {
  await withMount("/data/share", async (dir, os) => {
    assert.equal(
      await ok(
        // `wait` must see the readers: started with &, not in a subshell.
        "mkfifo -m 600 p && stat -c '%F %a' p && { cat p > got & } && " +
          "seq 1 20000 > p && wait && wc -l < got && " +
          "{ cat p > got2 & } && seq 1 3 > p && wait && cat got2",
        dir,
      ),
      "fifo 600\n20000\n1\n2\n3\n",
    );
    const r = await os.run("ls -l /data/share/p");
    assert.match(r.stdout, /^prw-------/);
  });
});

fuseTest(
  "fuse vfs: credentials: files owned by the caller, permission checks with its groups",
  async () => {
    await withMount("/data/share", async (dir, os) => {
      await ok("echo secret > secret && chmod 600 secret", dir);
      await ok("echo group > grp && chown 0:2000 grp && chmod 640 grp", dir);
      await ok("mkdir mine && echo x > mine/f && touch made", dir, USER);
      const host = await ok("stat -c '%n %u %g %a' made mine mine/f secret", dir);
      assert.equal(
        host,
        "made 1000 1000 644\nmine 1000 1000 755\nmine/f 1000 1000 644\nsecret 0 0 600\n",
      );
      assert.equal(
        (await os.run("cd /data/share && stat -c '%n %u %g %a' made mine mine/f secret")).stdout,
        host,
      );
      await fails("cat secret", dir, "Permission denied", USER);
      await fails("echo more >> secret", dir, "Permission denied", USER);
      await fails("cat grp", dir, "Permission denied", USER);
      assert.equal(await ok("cat grp", dir, { ...USER, groups: [1000, 2000] }), "group\n");
      assert.equal(await ok("id -G", dir, { ...USER, groups: [1000, 2000] }), "1000 2000\n");
      // Root stays root: it reads a user's 0600 file and may chown it.
      await ok("echo private > mine/p && chmod 600 mine/p", dir, USER);
      assert.equal(
        await ok("cat mine/p && touch rootfile && stat -c '%u %g' rootfile", dir),
        "private\n0 0\n",
      );
      await ok("chown 0:0 mine/p", dir);
      await fails("cat mine/p", dir, "Permission denied", USER);
      await fails("chown 0 made", dir, "Operation not permitted", USER);
      // Set-id bits: a write, truncate or O_TRUNC open by another user drops them (the user
      // may not chmod the file: MelloOS drops them itself); root's keep them; chown drops them.
      const setpriv = `setpriv --reuid=${USER.uid} --regid=${USER.gid} --groups=${USER.gid} --`;
      const bits = "stat -c %A s";
      await sameAsHost(
        `echo a > s && chown 0:${USER.gid} s && chmod 6775 s && ${bits} && ` +
          `${setpriv} bash -c 'echo more >> s' && ${bits} && chmod 6775 s && ` +
          `${setpriv} truncate -s 1 s && ${bits} && chmod 6775 s && ` +
          `${setpriv} bash -c 'echo new > s' && ${bits} && chmod 2765 s && ` +
          `${setpriv} bash -c 'echo more >> s' && ${bits} && chmod 6775 s && ` +
          `echo root >> s && truncate -s 2 s && ${bits} && chown ${USER.uid} s && ${bits} && cat s`,
        dir,
      );
      // An O_TRUNC open alone drops them too (seen inside MelloOS: the host caches the mode).
      await ok(`chown 0 s && chmod 6775 s && ${setpriv} bash -c ': > s'`, dir);
      assert.equal((await os.run("stat -c %A /data/share/s")).stdout, "-rwxrwxr-x\n");
    });
  },
  true,
);

fuseTest(
  "fuse vfs: errors come back as Linux's errnos; unimplemented calls do not hang",
  async () => {
    await withMount("/data/share", async (dir, os) => {
      // The same script on the host gives the same messages.
      await sameAsHost(
        `cat missing; ls nodir/x; mkdir d && touch d/f && rmdir d; rm d; ` +
          `touch ${"n".repeat(256)}; mkdir d/f/x; ln -s x ${"l".repeat(256)}; ` +
          "mv d d/f/sub; mv d d/sub; touch f && mkdir f; ln f d; rmdir f; cd f; " +
          `python3 -c 'import os; os.rename("d", "f")'; echo end`,
        dir,
      );
      // Permission denied: a root-owned 0600 file, made inside MelloOS.
      assert.equal(
        (await os.run("echo s > /data/share/secret && chmod 600 /data/share/secret", MELLO_ROOT))
          .status,
        0,
      );
      if (root) await fails("cat secret", dir, "Permission denied", USER);
      else await fails("cat secret", dir, "Permission denied");
      // A rename across two MelloOS mounts (a second mfs_ram under the mount) is EXDEV.
      const m = await os.run(
        "mkdir /data/share/sub && mount -t mfs_ram -o mode=1777 none /data/share/sub",
        MELLO_ROOT,
      );
      assert.equal(m.status, 0, m.stderr);
      // Files in it are met by both session Workers (each request goes to the next one waiting).
      await ok("for i in 1 2 3 4 5 6; do echo $i > sub/f$i && cat sub/f$i > /dev/null; done", dir);
      await ok("echo x > a && ln -s a s", dir);
      await fails(
        `python3 -c 'import os; os.rename("a", "sub/a")'`,
        dir,
        "Invalid cross-device link",
      );
      await fails("ln a sub/hard", dir, "Invalid cross-device link");
      // mv falls back to copying; both sides agree.
      await ok("mv a sub/a && mv s sub/s && cat sub/s", dir);
      assert.equal(
        (await os.run("cat /data/share/sub/a; ls /data/share")).stdout,
        "x\nd\nf\nsecret\nsub\n",
      );
      // The session Workers hold files of it open (as any FUSE server would): a lazy umount.
      const u = await os.run("umount -l /data/share/sub", MELLO_ROOT);
      assert.equal(u.status, 0, u.stderr);
      // Not implemented by the bridge: an error, never a hang.
      await fails("fallocate -l 1M g", dir, "Operation not supported");
      await fails(`touch $'\\xff'`, dir, "Invalid or incomplete multibyte or wide character");
      await fails("lsattr g", dir, "Operation not supported");
      await fails("cp --reflink=always g h", dir, "Operation not supported");
    });
  },
);

fuseTest(
  "fuse vfs: a crashed session Worker; the bridge restarts and host programs work",
  async () => {
    await withMount("/data/share", async (dir, os) => {
      await ok("echo before > f", dir);
      const b = os.fuse.list()[0];
      assert.equal(b.state, "up");
      b.crash();
      await until(() => b.restarts === 1 && b.state === "up", "the bridge back up");
      assert.equal(await ok("cat f && echo after > g && cat g", dir), "before\nafter\n");
      assert.equal((await os.run("cat /data/share/g")).stdout, "after\n");
    });
  },
);

fuseTest(
  "fuse vfs: a killed personality leaves ENOTCONN, not a hang; removeStaleMount clears it",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "mello_vfs_killed_" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--unstable-worker-options",
        `${repo}kernel/main.ts`,
        "--fuse",
        dir,
        "--fuse-root",
        "/tmp", // 1777: a host user who is not root may write in it too
        "-c",
        "echo mounted; sleep 60",
      ],
      cwd: "/",
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    await killServerExpectEnotconn(child, dir, [`ls ${dir}`, `cat ${dir}/f`]);
  },
);

fuseTest("fuse vfs: deno task boot --fuse DIR --fuse-root PATH -c CMD, end to end", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mello_vfs_boot_" });
  try {
    // The command waits for a file the host writes through the mount.
    // (/data/x is 1777: a host user who is not root may write in it too.)
    const cmd = "mkdir -p -m 1777 /data/x && echo ready > /data/x/ready && " +
      "while test ! -e /data/x/done; do sleep 0.05; done; cat /data/x/done";
    // `deno task boot` is this command line; run it directly, so that a kill
    // reaches the booted system itself and not a task runner above it.
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        "--unstable-worker-options",
        "kernel/main.ts",
        "--fuse",
        dir,
        "--fuse-root",
        "/data",
        "-c",
        cmd,
      ],
      cwd: repo,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let out: Deno.CommandOutput | undefined;
    try {
      // (Waiting for the mount, not for a time; a booted system that died ends the wait.)
      await ok(
        `until [ -e '${dir}/x/ready' ]; do kill -0 ${child.pid} || exit 1; sleep 0.05; done; ` +
          `echo from-host > '${dir}/x/done.tmp' && mv '${dir}/x/done.tmp' '${dir}/x/done'`,
        "/",
      );
      out = await child.output();
    } finally {
      if (out === undefined) {
        child.kill("SIGKILL");
        await child.output();
      }
    }
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(new TextDecoder().decode(out.stdout), "from-host\n");
    assert.equal(mountAt(dir), undefined, "mount left behind");
  } finally {
    await removeStaleMount(dir);
    await Deno.remove(dir, { recursive: true });
  }
});

fuseTest(
  "fuse vfs: with the host's caches off, every stat shows what MelloOS programs just changed",
  async () => {
    // The bridge keeps GETATTR answers while the file's attribute epoch
    // holds (servers/vfs/attr_epochs.ts): changes made inside MelloOS, which
    // the bridge never sees, must move it.
    await withMount("/data/share", async (dir, os) => {
      await ok("echo 1 > f && stat -c '%s %a' f", dir);
      for (
        const [change, want] of [
          ["echo 22 >> /data/share/f", "5 644"],
          ["chmod 600 /data/share/f", "5 600"],
          [": > /data/share/f", "0 600"],
        ]
      ) {
        assert.equal((await os.run(change)).status, 0, change);
        assert.equal(await ok("stat -c '%s %a' f", dir), `${want}\n`, change);
      }
    }, { attrTimeoutMs: 0, entryTimeoutMs: 0 });
  },
);

fuseTest(
  "fuse vfs: listings with attributes (READDIRPLUS) follow renames, replacements and permissions",
  async () => {
    await withMount("/data/share", async (dir, os) => {
      await ok("mkdir d && echo 1 > d/a && echo 22 > d/b && ln d/a d/hard", dir);
      const list = () => ok("ls -ln d | tail -n +2 | awk '{print $1, $2, $5, $9}'", dir);
      assert.equal(await list(), "-rw-r--r-- 2 2 a\n-rw-r--r-- 1 3 b\n-rw-r--r-- 2 2 hard\n");
      // Changes made inside MelloOS, which the bridge never sees.
      const r = await os.run(
        "cd /data/share/d && mv a c && rm b && echo 4444 > b && chmod 600 hard",
      );
      assert.equal(r.status, 0, r.stderr);
      assert.equal(await list(), "-rw-r--r-- 1 5 b\n-rw------- 2 2 c\n-rw------- 2 2 hard\n");
      const inodes = await ok("ls -i d | sort -k2", dir);
      const mello = (await os.run("ls -i /data/share/d | sort -k2")).stdout;
      assert.equal(inodes.replace(/\s+/g, " "), mello.replace(/\s+/g, " "));
      if (root) {
        // Readable but not searchable: names, but no attributes, as on Linux.
        await ok("chmod 744 d", dir);
        const out = await shIn(`cd '${dir}' && ls -l d`, "/", USER);
        assert.notEqual(out.code, 0);
        assert.match(out.stderr, /ls: cannot access 'd\/b': Permission denied/);
        assert.match(out.stdout, /^-\?{9} \? \? +\? +\? +\? b$/m);
      }
    }, { attrTimeoutMs: 0, entryTimeoutMs: 0 });
  },
);

fuseTest(
  "fuse vfs: a listing's entries (READDIRPLUS) name the files there now, not the ones before",
  async () => {
    // With the default 1 s timeouts the kernel keeps the nodes a listing
    // hands it and opens them without another LOOKUP: a stale name -> node
    // answer would open the file that was replaced.
    await withMount("/data/share", async (dir, os) => {
      await ok("mkdir d && echo old > d/b && echo keep > d/k && ls -l d > /dev/null", dir);
      const r = await os.run("cd /data/share/d && rm b && echo new > b && mv k k2");
      assert.equal(r.status, 0, r.stderr);
      assert.equal(await ok("ls -l d > /dev/null && cat d/b d/k2", dir), "new\nkeep\n");
    });
  },
);
