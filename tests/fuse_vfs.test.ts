// The FUSE bridge over the MelloOS VFS: directories of a booted system
// mounted on the host (os.fuse.mount, `deno task boot --fuse`) and driven
// with unmodified host programs, each request run as its host caller.
// Skipped, saying why, where FUSE cannot be used (helpers/fuse_mount.ts).

import assert from "node:assert/strict";
import { fails as failsIn, fuseSkipReason, ok as okIn, type RunAs } from "./helpers/fuse_mount.ts";
import { mountAt } from "../drivers/fuse/mountinfo.ts";
import type { Handle } from "../kernel/mod.ts";
import { withOs } from "./helpers/system.ts";

const skip = fuseSkipReason();

// Host commands start in "/" and cd into the mount themselves: the booted
// system shares this process, and a host call on the mount from our main
// thread (Deno.Command stats its cwd there) would wait for a reply that
// needs that very thread (the kernel's syscalls run on it).
const ok = (script: string, dir: string, as?: RunAs) => okIn(`cd '${dir}' && ${script}`, "/", as);
const fails = (script: string, dir: string, message: string, as?: RunAs) =>
  failsIn(`cd '${dir}' && ${script}`, "/", message, as);

function fuseTest(name: string, fn: () => Promise<void>): void {
  Deno.test(name, async () => {
    if (skip !== undefined) {
      console.log(`SKIPPED: ${skip}`);
      return;
    }
    await fn();
  });
}

/** Boot, mount MelloOS's `root` on a host temp dir, run `fn`, take it all down. */
async function withMount(
  root: string,
  fn: (dir: string, os: Handle) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mello_vfs_fuse_" });
  try {
    await withOs(async (os) => {
      const r = await os.run(`mkdir -p ${root} && chmod 1777 ${root}`);
      assert.equal(r.status, 0, r.stderr);
      const b = await os.fuse.mount(dir, { root });
      try {
        await fn(b.dir, os);
      } finally {
        await os.fuse.unmount(b);
      }
    });
    assert.equal(mountAt(dir), undefined, "mount left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

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
