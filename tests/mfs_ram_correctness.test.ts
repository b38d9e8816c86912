// mfs_ram, driven straight from the kernel as the VFS drives it: every
// FsOp, the open-file requests, and the errors Linux's tmpfs gives for the
// same calls (checked on the host's /dev/shm when this was written).

import assert from "node:assert/strict";
import { Right } from "../kernel/cap/rights.ts";
import { Errno } from "../kernel/errno.ts";
import {
  O,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  SEEK,
  XATTR_CREATE,
  XATTR_REPLACE,
} from "../kernel/fcntl.ts";
import { INIT_PID } from "../kernel/proc/manager.ts";
import { makedev, S } from "../kernel/stat.ts";
import { Sys } from "../kernel/syscalls.ts";
import { DT, FS_MAGIC, FsOp, SetAttr } from "../servers/vfs/fs_protocol.ts";
import { devOf } from "../servers/mfs_ram/mod.ts";
import { CHUNK_BYTES, RAM_BUDGET_BYTES } from "../servers/mfs_ram/params.ts";
import { bytes, pattern, text, withMfs } from "./helpers/mfs_setup.ts";

const SEEK_DATA = 3;
const SEEK_HOLE = 4;

/** Assert that `p` fails with `errno`. */
async function fails(p: Promise<unknown>, errno: number, what = ""): Promise<void> {
  await assert.rejects(p, (e: { errno?: number }) => {
    assert.equal(e.errno, errno, `${what}: got errno ${e.errno}, want ${errno}`);
    return true;
  });
}

Deno.test("mfs_ram: MOUNT options set the limits and the root; statfs answers as tmpfs", async () => {
  await withMfs(async ({ c, sb, root }) => {
    assert.equal(root.ino, 1);
    assert.equal(root.mode, S.IFDIR | 0o700);
    assert.deepEqual([root.uid, root.gid, root.nlink, root.size], [5, 6, 2, 40]);
    const st = await c.statfs(sb);
    assert.equal(st.type, FS_MAGIC.MFS_RAM);
    assert.deepEqual([st.bsize, st.frsize, st.namelen], [4096, 4096, 255]);
    assert.deepEqual([st.blocks, st.bfree, st.bavail], [256, 256, 256]);
    assert.deepEqual([st.files, st.ffree], [100, 99]);
    assert.equal(st.fsid, devOf(sb));

    const dflt = await c.mount("");
    assert.equal(dflt.root.mode, S.IFDIR | 0o1777);
    const st2 = await c.statfs(dflt.sb);
    assert.equal(st2.blocks, RAM_BUDGET_BYTES / 2 / 4096); // half the budget, as tmpfs of RAM
    assert.notEqual(dflt.sb, sb);

    for (const bad of ["size=abc", "bogus=1", "mode=999", "uid=-1", "size", "nr_inodes=1x"]) {
      assert.equal(await c.errno(FsOp.MOUNT, (w) => w.str(bad)), Errno.EINVAL, bad);
    }
    const tenth = Math.ceil(Math.floor(RAM_BUDGET_BYTES / 10) / CHUNK_BYTES) * CHUNK_BYTES / 4096;
    assert.equal((await c.statfs((await c.mount("size=10%")).sb)).blocks, tenth);

    // Distinct instances are distinct devices.
    const a = await c.open(sb, root.ino, O.RDONLY);
    const b = await c.open(dflt.sb, dflt.root.ino, O.RDONLY);
    assert.equal((await c.fstat(a.cap)).dev, makedev(0, 40 + sb));
    assert.notEqual((await c.fstat(a.cap)).dev, (await c.fstat(b.cap)).dev);

    // UNMOUNT refuses while files are open, then forgets the instance.
    assert.equal(await c.errno(FsOp.UNMOUNT, (w) => w.num(dflt.sb)), Errno.EBUSY);
    await c.release(b.cap);
    assert.equal(await c.errno(FsOp.UNMOUNT, (w) => w.num(dflt.sb)), 0);
    assert.equal(await c.errno(FsOp.STATFS, (w) => w.num(dflt.sb)), Errno.ESTALE);
    assert.equal(await c.errno(FsOp.GETATTR, (w) => w.num(999).num(1)), Errno.ESTALE);
    assert.equal(await c.errno(FsOp.GETATTR, (w) => w.num(sb).num(424242)), Errno.ESTALE);
    assert.equal(await c.errno(FsOp.SYNC, (w) => w.num(sb)), 0);
    await c.release(a.cap);
  }, { mount: "size=1m,nr_inodes=100,mode=0700,uid=5,gid=6" });
});

Deno.test("mfs_ram: names are checked as Linux checks them; LOOKUP finds what CREATE made", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const f = await c.create(sb, root.ino, "a", 0o100640);
    assert.equal(f.mode, S.IFREG | 0o640);
    assert.equal(f.nlink, 1);
    assert.equal((await c.lookup(sb, root.ino, "a")).ino, f.ino);
    assert.equal((await c.lookup(sb, root.ino, ".")).ino, root.ino);
    assert.equal((await c.lookup(sb, root.ino, "..")).ino, root.ino); // the root is its own parent
    const d = await c.mkdir(sb, root.ino, "d");
    assert.equal((await c.lookup(sb, d.ino, "..")).ino, root.ino);

    const bad = [
      ["", Errno.EINVAL],
      ["a/b", Errno.EINVAL],
      ["a\0b", Errno.EINVAL],
      [".", Errno.EINVAL],
      ["..", Errno.EINVAL],
      ["x".repeat(256), Errno.ENAMETOOLONG],
    ] as const;
    for (const [name, errno] of bad) {
      await fails(c.create(sb, root.ino, name), errno, `create ${JSON.stringify(name)}`);
      await fails(c.mkdir(sb, root.ino, name), errno, `mkdir ${JSON.stringify(name)}`);
    }
    await c.create(sb, root.ino, "y".repeat(255));
    await fails(c.lookup(sb, root.ino, "a/b"), Errno.EINVAL);
    await fails(c.lookup(sb, root.ino, "x".repeat(256)), Errno.ENAMETOOLONG);
    await fails(c.create(sb, root.ino, "a"), Errno.EEXIST);
    await fails(c.mkdir(sb, root.ino, "a"), Errno.EEXIST);
    await fails(c.lookup(sb, root.ino, "nope"), Errno.ENOENT);
    await fails(c.lookup(sb, f.ino, "x"), Errno.ENOTDIR);
    await fails(c.create(sb, f.ino, "x"), Errno.ENOTDIR);

    // Names are bytes: UTF-8 and non-UTF-8 names round-trip exactly.
    await c.create(sb, root.ino, "été");
    const raw = new Uint8Array([0xff, 0xfe, 0x41]);
    const r = await c.create(sb, root.ino, raw);
    assert.equal((await c.lookup(sb, root.ino, raw)).ino, r.ino);
    assert.equal((await c.lookup(sb, root.ino, "été")).mode & S.IFMT, S.IFREG);
  });
});

Deno.test("mfs_ram: getdents64 lists . and .. then names in byte order; cookies resume", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const names = Array.from({ length: 600 }, (_, i) => `f${(i * 7919) % 600}`.padEnd(6, "_"));
    for (const n of names) await c.create(sb, root.ino, n);
    await c.mkdir(sb, root.ino, "sub");
    const sorted = [...names, "sub"].sort();
    const dir = await c.open(sb, root.ino, O.RDONLY);
    const all = await c.readdir(dir.cap);
    assert.deepEqual(all.map((e) => e.name), [".", "..", ...sorted]);
    assert.deepEqual(all.slice(0, 2).map((e) => [e.ino, e.off, e.type]), [
      [root.ino, 1, DT.DIR],
      [root.ino, 2, DT.DIR],
    ]);
    assert.equal(all.find((e) => e.name === "sub")!.type, DT.DIR);
    assert.equal(all.find((e) => e.name === "f0____")!.type, DT.REG);
    assert.equal(new Set(all.map((e) => e.off)).size, all.length); // every cookie distinct
    assert.equal((await c.getattr(sb, root.ino)).size, 40 + 20 * 601);

    // Small buffers: many calls, the same list.
    await c.lseek(dir.cap, 0, SEEK.SET);
    assert.deepEqual((await c.readdir(dir.cap, 100)).map((e) => e.name), all.map((e) => e.name));
    await c.lseek(dir.cap, 0, SEEK.SET);
    await fails(c.getdents(dir.cap, 20), Errno.EINVAL, "a buffer too small for one record");

    // seekdir: a cookie resumes after its entry; 0 rewinds; SEEK_CUR 0 tells.
    const k = 300;
    assert.equal(await c.lseek(dir.cap, all[k].off, SEEK.SET), all[k].off);
    assert.equal((await c.getdents(dir.cap, 200))[0].name, all[k + 1].name);
    const told = await c.lseek(dir.cap, 0, SEEK.CUR);
    const next = (await c.getdents(dir.cap, 200))[0].name;
    await c.lseek(dir.cap, told, SEEK.SET);
    assert.equal((await c.getdents(dir.cap, 200))[0].name, next);
    await fails(c.lseek(dir.cap, 0, SEEK.END), Errno.EINVAL);
    await fails(c.lseek(dir.cap, -1, SEEK.SET), Errno.EINVAL);

    // Changes between calls: the stream resumes after the last name it gave,
    // even when that entry is gone; nothing is listed twice; every entry
    // that stayed is listed.
    await c.lseek(dir.cap, 0, SEEK.SET);
    const first = await c.getdents(dir.cap, 200);
    const lastGiven = first.at(-1)!.name;
    await c.unlink(sb, root.ino, lastGiven);
    const goneLater = sorted[sorted.length - 5];
    await c.unlink(sb, root.ino, goneLater);
    await c.create(sb, root.ino, "zzz_new");
    const rest = await c.readdir(dir.cap, 300);
    const seen = [...first, ...rest].map((e) => e.name);
    assert.equal(new Set(seen).size, seen.length);
    for (const n of sorted) {
      if (n !== lastGiven && n !== goneLater) assert.ok(seen.includes(n), n);
    }
    assert.ok(!rest.some((e) => e.name === goneLater));

    const f = await c.open(sb, (await c.lookup(sb, root.ino, "sub")).ino, O.RDONLY);
    assert.deepEqual((await c.readdir(f.cap)).map((e) => e.name), [".", ".."]);
    const file = await c.open(sb, (await c.lookup(sb, root.ino, sorted[0])).ino, O.RDONLY);
    await fails(c.getdents(file.cap), Errno.ENOTDIR);
    await fails(c.read(dir.cap, 10), Errno.EISDIR);
    for (const o of [dir, f, file]) await c.release(o.cap);
  });
});

Deno.test("mfs_ram: hard links share one inode; nlink counts names and subdirectories", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const f = await c.create(sb, root.ino, "f");
    assert.equal((await c.link(sb, f.ino, root.ino, "g")).nlink, 2);
    assert.equal((await c.link(sb, f.ino, root.ino, "h")).nlink, 3);
    assert.equal((await c.lookup(sb, root.ino, "h")).ino, f.ino);
    const og = await c.open(sb, f.ino);
    await c.write(og.cap, "shared");
    const oh = await c.open(sb, (await c.lookup(sb, root.ino, "h")).ino);
    assert.equal(text(await c.read(oh.cap, 100)), "shared");
    assert.equal((await c.unlink(sb, root.ino, "g")).nlink, 2);
    await fails(c.link(sb, f.ino, root.ino, "h"), Errno.EEXIST);

    assert.equal(root.nlink, 2);
    const d = await c.mkdir(sb, root.ino, "d");
    assert.equal(d.nlink, 2);
    assert.equal((await c.getattr(sb, root.ino)).nlink, 3);
    await c.mkdir(sb, d.ino, "e");
    assert.equal((await c.getattr(sb, d.ino)).nlink, 3);
    await fails(c.rmdir(sb, root.ino, "d"), Errno.ENOTEMPTY);
    await c.rmdir(sb, d.ino, "e");
    assert.equal((await c.getattr(sb, d.ino)).nlink, 2);
    await fails(c.link(sb, d.ino, root.ino, "d2"), Errno.EPERM);
    await fails(c.unlink(sb, root.ino, "d"), Errno.EISDIR);
    await fails(c.rmdir(sb, root.ino, "f"), Errno.ENOTDIR);
    await fails(c.rmdir(sb, root.ino, "."), Errno.EINVAL);
    await fails(c.rmdir(sb, root.ino, "missing"), Errno.ENOENT);

    // A removed directory that is still open: no new entries (ENOENT).
    const od = await c.open(sb, d.ino, O.RDONLY);
    await c.rmdir(sb, root.ino, "d");
    assert.equal((await c.getattr(sb, root.ino)).nlink, 2);
    assert.equal((await c.getattr(sb, d.ino)).nlink, 0);
    await fails(c.create(sb, d.ino, "x"), Errno.ENOENT);
    await fails(c.link(sb, f.ino, d.ino, "x"), Errno.ENOENT);
    await c.release(od.cap);
    await fails(c.getattr(sb, d.ino), Errno.ESTALE);
    await c.release(og.cap);
    await c.release(oh.cap);
  });
});

Deno.test("mfs_ram: an unlinked file keeps working until its last open file is released", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const base = (await c.statfs(sb)).bfree;
    const f = await c.create(sb, root.ino, "f");
    const o1 = await c.open(sb, f.ino);
    const o2 = await c.open(sb, f.ino, O.RDONLY);
    await c.write(o1.cap, pattern(50_000));
    const gone = await c.unlink(sb, root.ino, "f");
    assert.equal(gone.nlink, 0);
    await fails(c.lookup(sb, root.ino, "f"), Errno.ENOENT);
    assert.equal((await c.fstat(o2.cap)).nlink, 0);
    assert.deepEqual(await c.pread(o2.cap, 50_000, 0), pattern(50_000));
    assert.equal(await c.write(o1.cap, "more"), 4);
    assert.equal((await c.getattr(sb, f.ino)).size, 50_004);
    await fails(c.link(sb, f.ino, root.ino, "back"), Errno.ENOENT);
    await c.release(o1.cap);
    assert.equal((await c.getattr(sb, f.ino)).nlink, 0);
    assert.ok((await c.statfs(sb)).bfree < base);
    await c.release(o2.cap);
    await fails(c.getattr(sb, f.ino), Errno.ESTALE);
    assert.equal((await c.statfs(sb)).bfree, base);
    await fails(c.read(o1.cap, 1), Errno.EBADF); // its capability was revoked with it
  });
});

Deno.test("mfs_ram: symlinks keep their target; st_size is its length", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const l = await c.symlink(sb, root.ino, "l", "../some/where");
    assert.equal(l.mode, S.IFLNK | 0o777);
    assert.equal(l.size, 13);
    assert.equal(await c.readlink(sb, l.ino), "../some/where");
    assert.equal((await c.lookup(sb, root.ino, "l")).ino, l.ino);
    // The longest target Linux takes (PATH_MAX - 1 bytes) fits one request and one reply.
    const long = "p".repeat(4095);
    assert.equal(await c.readlink(sb, (await c.symlink(sb, root.ino, "long", long)).ino), long);
    await fails(c.symlink(sb, root.ino, "e", ""), Errno.ENOENT);
    await fails(c.symlink(sb, root.ino, "t", "a\0b"), Errno.EINVAL);
    await fails(c.symlink(sb, root.ino, "l", "x"), Errno.EEXIST);
    await fails(c.readlink(sb, root.ino), Errno.EINVAL);
    const o = await c.open(sb, root.ino, O.RDONLY);
    const types = Object.fromEntries((await c.readdir(o.cap)).map((e) => [e.name, e.type]));
    assert.equal(types.l, DT.LNK);
    await c.release(o.cap);
    assert.equal((await c.link(sb, l.ino, root.ino, "l2")).nlink, 2); // a link to a symlink
    await c.unlink(sb, root.ino, "l");
    assert.equal(await c.readlink(sb, l.ino), "../some/where");
  });
});

Deno.test("mfs_ram: RENAME moves, replaces, refuses and exchanges as renameat2 does", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const a = await c.create(sb, root.ino, "a");
    const b = await c.create(sb, root.ino, "b");
    const d = await c.mkdir(sb, root.ino, "d");
    const e = await c.mkdir(sb, d.ino, "e");
    const full = await c.mkdir(sb, root.ino, "full");
    await c.create(sb, full.ino, "x");

    // A plain move, across directories.
    assert.equal(await c.rename(sb, root.ino, "a", d.ino, "a2"), undefined);
    assert.equal((await c.lookup(sb, d.ino, "a2")).ino, a.ino);
    await fails(c.lookup(sb, root.ino, "a"), Errno.ENOENT);

    // Over an existing file: the displaced inode comes back with nlink 0.
    const displaced = await c.rename(sb, d.ino, "a2", root.ino, "b");
    assert.equal(displaced?.ino, b.ino);
    assert.equal(displaced?.nlink, 0);
    assert.equal((await c.lookup(sb, root.ino, "b")).ino, a.ino);
    await fails(c.getattr(sb, b.ino), Errno.ESTALE); // nobody had it open

    const x = (n: string) => c.renameErrno(sb, root.ino, n, root.ino, "full");
    assert.equal(
      await c.renameErrno(sb, root.ino, "b", root.ino, "d", RENAME_NOREPLACE),
      Errno.EEXIST,
    );
    assert.equal(await c.renameErrno(sb, root.ino, "b", root.ino, "d"), Errno.EISDIR);
    assert.equal(await c.renameErrno(sb, root.ino, "d", root.ino, "b"), Errno.ENOTDIR);
    assert.equal(await x("d"), Errno.ENOTEMPTY);
    assert.equal(await c.renameErrno(sb, root.ino, "d", e.ino, "d"), Errno.EINVAL); // into itself
    assert.equal(await c.renameErrno(sb, root.ino, "d", d.ino, "dd"), Errno.EINVAL);
    assert.equal(await c.renameErrno(sb, root.ino, "none", root.ino, "z"), Errno.ENOENT);
    assert.equal(await c.renameErrno(sb, root.ino, "b", root.ino, "z", 4), Errno.EINVAL);
    assert.equal(await c.renameErrno(sb, root.ino, "b", root.ino, "z", 3), Errno.EINVAL);
    assert.equal(
      await c.renameErrno(sb, root.ino, "b", root.ino, "z", RENAME_EXCHANGE),
      Errno.ENOENT,
    );
    assert.equal(await c.renameErrno(sb, root.ino, "b", root.ino, ".."), Errno.EINVAL);

    // Two names of one inode: nothing happens.
    await c.link(sb, a.ino, root.ino, "b_again");
    assert.equal(await c.rename(sb, root.ino, "b", root.ino, "b_again"), undefined);
    assert.equal((await c.lookup(sb, root.ino, "b")).ino, a.ino);
    await c.unlink(sb, root.ino, "b_again");

    // A directory over an empty one moves its ".." and fixes both parents' nlink.
    const empty = await c.mkdir(sb, d.ino, "empty");
    assert.equal((await c.getattr(sb, d.ino)).nlink, 4);
    const gone = await c.rename(sb, root.ino, "full", d.ino, "empty");
    assert.equal(gone?.ino, empty.ino);
    assert.equal((await c.getattr(sb, d.ino)).nlink, 4); // lost "empty", gained "full"
    assert.equal((await c.getattr(sb, root.ino)).nlink, 3); // lost "full"
    assert.equal((await c.lookup(sb, full.ino, "..")).ino, d.ino);

    // EXCHANGE a file and a directory across directories.
    const ex = await c.rename(sb, root.ino, "b", d.ino, "e", RENAME_EXCHANGE);
    assert.equal(ex?.ino, e.ino);
    assert.equal((await c.lookup(sb, root.ino, "b")).ino, e.ino);
    assert.equal((await c.lookup(sb, d.ino, "e")).ino, a.ino);
    assert.equal((await c.lookup(sb, e.ino, "..")).ino, root.ino);
    assert.equal((await c.getattr(sb, root.ino)).nlink, 4);
    assert.equal((await c.getattr(sb, d.ino)).nlink, 3);
    // A directory cannot be exchanged into its own subtree.
    assert.equal(
      await c.renameErrno(sb, root.ino, "d", full.ino, "x", RENAME_EXCHANGE),
      Errno.EINVAL,
    );
  });
});

Deno.test("mfs_ram: sparse files take no space for holes; SEEK_DATA and SEEK_HOLE find them", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const f = await c.create(sb, root.ino, "sparse");
    const o = await c.open(sb, f.ino);
    assert.equal(await c.pwrite(o.cap, "x", 100_000), 1);
    let st = await c.fstat(o.cap);
    assert.equal(st.size, 100_001);
    assert.equal(st.blocks, 8); // one page for one byte, as tmpfs counts
    assert.equal(st.blksize, 4096);
    const chunkOf = Math.floor(100_000 / CHUNK_BYTES) * CHUNK_BYTES;
    assert.equal(await c.lseek(o.cap, 0, SEEK_DATA), chunkOf);
    assert.equal(await c.lseek(o.cap, 0, SEEK_HOLE), 0);
    assert.equal(await c.lseek(o.cap, chunkOf, SEEK_HOLE), 100_001);
    assert.equal(await c.lseek(o.cap, chunkOf + 5, SEEK_DATA), chunkOf + 5);
    await fails(c.lseek(o.cap, 100_001, SEEK_DATA), Errno.ENXIO);
    await fails(c.lseek(o.cap, 100_001, SEEK_HOLE), Errno.ENXIO);
    await fails(c.lseek(o.cap, -1, SEEK_DATA), Errno.ENXIO);
    assert.deepEqual(await c.pread(o.cap, 1000, 5000), new Uint8Array(1000));
    await c.pwrite(o.cap, "a", 0);
    assert.equal(await c.lseek(o.cap, 0, SEEK_DATA), 0);
    assert.equal(await c.lseek(o.cap, 0, SEEK_HOLE), CHUNK_BYTES);

    await c.ftruncate(o.cap, 1 << 30); // growing by truncate allocates nothing
    st = await c.fstat(o.cap);
    assert.equal(st.size, 1 << 30);
    assert.equal(st.blocks, 2 * CHUNK_BYTES / 512);
    assert.deepEqual(await c.pread(o.cap, 4096, 700 << 20), new Uint8Array(4096));
    await fails(c.lseek(o.cap, 200_000, SEEK_DATA), Errno.ENXIO); // only a hole up to EOF
    assert.equal(await c.lseek(o.cap, 200_000, SEEK_HOLE), 200_000);

    assert.equal(await c.lseek(o.cap, -1, SEEK.END), (1 << 30) - 1);
    assert.equal(await c.lseek(o.cap, 1, SEEK.CUR), 1 << 30);
    assert.equal(await c.lseek(o.cap, 5e12, SEEK.SET), 5e12); // past EOF is allowed
    await fails(c.lseek(o.cap, -1, SEEK.SET), Errno.EINVAL);
    await fails(c.lseek(o.cap, -(2 ** 31), SEEK.END), Errno.EINVAL);
    await fails(c.lseek(o.cap, 0, 7), Errno.EINVAL);
    assert.equal((await c.read(o.cap, 10)).length, 0); // at 5e12: EOF
    await c.release(o.cap);
  });
});

Deno.test("mfs_ram: large writes span chunks; read, pread, pwrite and O_APPEND agree", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const f = await c.create(sb, root.ino, "big");
    const o = await c.open(sb, f.ino);
    const mib = pattern(1 << 20, 7);
    assert.equal(await c.pwrite(o.cap, mib, 12_345), 1 << 20);
    assert.deepEqual(await c.pread(o.cap, 1 << 20, 12_345), mib);
    assert.deepEqual(await c.pread(o.cap, 12_345, 0), new Uint8Array(12_345));
    assert.equal(await c.lseek(o.cap, 0, SEEK.CUR), 0); // pread/pwrite leave the offset

    // Sequential writes move the offset; reads in odd sizes see the same bytes.
    const g = await c.open(sb, (await c.create(sb, root.ino, "seq")).ino);
    const parts = [pattern(300_000, 1), pattern(300_000, 2), pattern(77, 3)];
    for (const p of parts) assert.equal(await c.write(g.cap, p), p.length);
    assert.equal(await c.lseek(g.cap, 0, SEEK.CUR), 600_077);
    await c.lseek(g.cap, 0, SEEK.SET);
    const back: number[] = [];
    for (;;) {
      const chunk = await c.read(g.cap, 65_537);
      if (chunk.length === 0) break;
      back.push(...chunk);
    }
    assert.deepEqual(new Uint8Array(back), new Uint8Array([...parts[0], ...parts[1], ...parts[2]]));

    // O_APPEND: write goes to EOF; pwrite too (Linux); neither minds the offset.
    const a = await c.open(sb, g.attrs.ino, O.RDWR | O.APPEND);
    await c.lseek(a.cap, 5, SEEK.SET);
    assert.equal(await c.write(a.cap, "END"), 3);
    assert.equal(await c.lseek(a.cap, 0, SEEK.CUR), 600_080);
    assert.equal(await c.pwrite(a.cap, "Z", 0), 1);
    assert.equal(await c.lseek(a.cap, 0, SEEK.CUR), 600_080);
    assert.equal(text(await c.pread(a.cap, 10, 600_077)), "ENDZ");
    await fails(c.pwrite(a.cap, "q", -1), Errno.EINVAL);
    await fails(c.pread(a.cap, 1, -1), Errno.EINVAL);
    await fails(c.pwrite(o.cap, "q", 2 ** 52), Errno.EFBIG);
    for (const h of [o, g, a]) await c.release(h.cap);
  });
});

Deno.test("mfs_ram: truncate down then up reads zeros; O_TRUNC; EINVAL, EFBIG, EISDIR", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const f = await c.create(sb, root.ino, "t");
    const o = await c.open(sb, f.ino);
    const data = pattern(40_000, 9);
    await c.write(o.cap, data);
    await c.ftruncate(o.cap, 20_000);
    let st = await c.fstat(o.cap);
    assert.equal(st.size, 20_000);
    assert.equal(st.blocks, CHUNK_BYTES / 512 + 8); // a chunk, and one page of the next
    await c.ftruncate(o.cap, 40_000);
    assert.deepEqual(
      await c.pread(o.cap, 40_000, 0),
      new Uint8Array([...data.subarray(0, 20_000), ...new Uint8Array(20_000)]),
    );
    st = await c.fstat(o.cap);
    assert.equal(st.blocks, 2 * CHUNK_BYTES / 512); // growth is a hole

    // Shrink inside a chunk, then write past the old tail: the gap reads as zeros.
    await c.ftruncate(o.cap, 100);
    await c.pwrite(o.cap, "w", 30_000);
    const back = await c.pread(o.cap, 30_001, 0);
    assert.deepEqual(back.subarray(0, 100), data.subarray(0, 100));
    assert.deepEqual(back.subarray(100, 30_000), new Uint8Array(29_900));
    assert.equal(back[30_000], "w".charCodeAt(0));

    // SETATTR SIZE is truncate(2).
    const after = await c.setattr(sb, f.ino, { mask: SetAttr.SIZE, size: 10 });
    assert.equal(after.size, 10);
    assert.equal(after.blocks, 8);
    await c.ftruncate(o.cap, 0);
    assert.equal((await c.fstat(o.cap)).blocks, 0);

    await c.write(o.cap, "again");
    const t = await c.open(sb, f.ino, O.WRONLY | O.TRUNC);
    assert.equal(t.attrs.size, 0);
    assert.equal(t.attrs.blocks, 0);

    await fails(c.ftruncate(o.cap, -1), Errno.EINVAL);
    await fails(c.ftruncate(o.cap, 2 ** 53), Errno.EFBIG);
    await fails(c.setattr(sb, f.ino, { mask: SetAttr.SIZE, size: -5 }), Errno.EINVAL);
    const d = await c.open(sb, root.ino, O.RDONLY);
    await fails(c.ftruncate(d.cap, 0), Errno.EINVAL);
    await fails(c.setattr(sb, root.ino, { mask: SetAttr.SIZE, size: 0 }), Errno.EISDIR);
    const l = await c.symlink(sb, root.ino, "l", "t");
    await fails(c.setattr(sb, l.ino, { mask: SetAttr.SIZE, size: 0 }), Errno.EINVAL);
    for (const h of [o, t, d]) await c.release(h.cap);
  });
});

Deno.test("mfs_ram: xattrs in four namespaces, with Linux's limits and errors", async () => {
  await withMfs(async ({ os, c, sb, root }) => {
    const f = await c.create(sb, root.ino, "x");
    await c.setxattr(sb, f.ino, "user.color", bytes("blue"));
    await c.setxattr(sb, f.ino, "trusted.t", bytes(""));
    await c.setxattr(sb, f.ino, "security.selinux", bytes("ctx"));
    await c.setxattr(sb, f.ino, "system.posix_acl_access", bytes("acl"));
    assert.equal(text(await c.getxattr(sb, f.ino, "user.color")), "blue");
    assert.equal((await c.getxattr(sb, f.ino, "trusted.t")).length, 0);
    assert.deepEqual((await c.listxattr(sb, f.ino)).sort(), [
      "security.selinux",
      "system.posix_acl_access",
      "trusted.t",
      "user.color",
    ]);
    await fails(c.setxattr(sb, f.ino, "user.color", bytes("red"), XATTR_CREATE), Errno.EEXIST);
    await c.setxattr(sb, f.ino, "user.color", bytes("red"), XATTR_REPLACE);
    assert.equal(text(await c.getxattr(sb, f.ino, "user.color")), "red");
    await fails(c.setxattr(sb, f.ino, "user.none", bytes("1"), XATTR_REPLACE), Errno.ENODATA);
    await fails(c.getxattr(sb, f.ino, "user.none"), Errno.ENODATA);
    await fails(c.removexattr(sb, f.ino, "user.none"), Errno.ENODATA);
    await fails(c.setxattr(sb, f.ino, "foo.bar", bytes("1")), Errno.EOPNOTSUPP);
    await fails(c.setxattr(sb, f.ino, "user.", bytes("1")), Errno.EINVAL);
    await fails(c.setxattr(sb, f.ino, "", bytes("1")), Errno.ERANGE);
    await fails(c.setxattr(sb, f.ino, "user." + "n".repeat(251), bytes("1")), Errno.ERANGE);
    await c.setxattr(sb, f.ino, "user." + "n".repeat(250), bytes("1")); // 255 bytes: fits
    await fails(c.setxattr(sb, f.ino, "user.c", bytes("1"), 4), Errno.EINVAL);
    await c.removexattr(sb, f.ino, "user.color");
    await fails(c.getxattr(sb, f.ino, "user.color"), Errno.ENODATA);

    // Values past one message go through the data area: 64 KiB fits, one more byte does not.
    const big = pattern(65_536, 4);
    c.data.set(big, 0);
    const setBig = (len: number) =>
      c.errno(
        FsOp.SETXATTR,
        (w) =>
          w.num(sb).num(f.ino).str("user.big").bytesField(new Uint8Array(0)).num(0).num(0).num(len),
      );
    assert.equal(await setBig(65_537), Errno.E2BIG);
    assert.equal(await setBig(65_536), 0);
    c.data.fill(0, 0, 65_536);
    const size = await c.call(
      FsOp.GETXATTR,
      (w) => w.num(sb).num(f.ino).str("user.big").num(0).num(0),
    );
    assert.equal(size.value, 65_536); // size 0 asks for the length only
    const small = await c.call(
      FsOp.GETXATTR,
      (w) => w.num(sb).num(f.ino).str("user.big").num(0).num(100),
    );
    assert.equal(small.errno, Errno.ERANGE);
    const got = await c.call(
      FsOp.GETXATTR,
      (w) => w.num(sb).num(f.ino).str("user.big").num(0).num(65_536),
    );
    assert.equal(got.value, 65_536);
    assert.deepEqual(c.data.slice(0, 65_536), big);
    await fails(c.getxattr(sb, f.ino, "user.big"), Errno.ERANGE); // too big for an inline reply

    // The open-file calls answer the same.
    const o = await c.open(sb, f.ino, O.RDONLY);
    const fx = await c.call(Sys.fgetxattr, (w) => w.str("security.selinux"), { cap: o.cap });
    assert.equal(fx.errno, 0);
    const fl = await c.call(Sys.flistxattr, undefined, { cap: o.cap });
    assert.equal(fl.errno, 0);
    assert.ok(fl.value > 0);
    const lst = await c.call(FsOp.LISTXATTR, (w) => w.num(sb).num(f.ino).num(0).num(4096));
    const raw = text(c.data.slice(0, lst.value)).split("\0").filter((s) => s !== "").sort();
    assert.deepEqual(raw, (await c.listxattr(sb, f.ino)).sort());
    await c.release(o.cap);
    // Setting an xattr changes ctime.
    const before = await c.getattr(sb, f.ino);
    await c.setxattr(sb, f.ino, "user.t", bytes("1"));
    const after = await c.getattr(sb, f.ino);
    assert.ok(
      after.ctime.sec * 1e9 + after.ctime.nsec > before.ctime.sec * 1e9 + before.ctime.nsec,
    );
    assert.equal(os.services().find((s) => s.name === "mfs_ram")!.restarts, 0);
  });
});

Deno.test("mfs_ram: device nodes keep rdev; FIFOs and sockets are inodes; CREATE makes no dirs", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const chr = await c.create(sb, root.ino, "null", S.IFCHR | 0o666, makedev(1, 3));
    assert.equal(chr.mode, S.IFCHR | 0o666);
    assert.equal(chr.rdev, makedev(1, 3));
    const blk = await c.create(sb, root.ino, "sda", S.IFBLK | 0o660, makedev(8, 0));
    assert.equal(blk.rdev, makedev(8, 0));
    const fifo = await c.create(sb, root.ino, "p", S.IFIFO | 0o644, 1234);
    assert.equal(fifo.rdev, 0); // rdev only for devices
    const sock = await c.create(sb, root.ino, "s", S.IFSOCK | 0o755);
    assert.equal(sock.mode & S.IFMT, S.IFSOCK);
    const reg = await c.create(sb, root.ino, "plain", 0o600); // no type bits: regular
    assert.equal(reg.mode, S.IFREG | 0o600);
    await fails(c.create(sb, root.ino, "dir", S.IFDIR | 0o755), Errno.EINVAL);
    await fails(c.create(sb, root.ino, "lnk", S.IFLNK | 0o777), Errno.EINVAL);
    const o = await c.open(sb, chr.ino, O.RDWR);
    assert.equal((await c.fstat(o.cap)).rdev, makedev(1, 3));
    await fails(c.read(o.cap, 1), Errno.EINVAL);
    await fails(c.write(o.cap, "x"), Errno.EINVAL);
    const d = await c.open(sb, root.ino, O.RDONLY);
    const types = Object.fromEntries((await c.readdir(d.cap)).map((e) => [e.name, e.type]));
    assert.deepEqual([types.null, types.sda, types.p, types.s, types.plain], [
      DT.CHR,
      DT.BLK,
      DT.FIFO,
      DT.SOCK,
      DT.REG,
    ]);
    await c.release(o.cap);
    await c.release(d.cap);
  });
});

Deno.test("mfs_ram: size= and nr_inodes= limits give ENOSPC and leave nothing half-made", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const st0 = await c.statfs(sb);
    assert.equal(st0.blocks, 64); // 256 KiB in 4 KiB blocks
    const f = await c.create(sb, root.ino, "fill");
    const o = await c.open(sb, f.ino);
    // 300,000 bytes need 19 chunks; 16 fit: a short write up to the last chunk.
    assert.equal(await c.write(o.cap, pattern(300_000)), 16 * CHUNK_BYTES);
    assert.equal((await c.statfs(sb)).bfree, 0);
    await fails(c.write(o.cap, "x"), Errno.ENOSPC);
    assert.equal((await c.fstat(o.cap)).size, 16 * CHUNK_BYTES);
    await c.pwrite(o.cap, "in place", 10); // overwriting needs no new chunk
    await c.ftruncate(o.cap, 1 << 30); // nor does growing a hole
    await fails(c.pwrite(o.cap, "x", 500_000), Errno.ENOSPC);
    assert.equal((await c.fstat(o.cap)).size, 1 << 30);

    // nr_inodes=4: the root, "fill", two more; then ENOSPC with no trace left.
    await c.create(sb, root.ino, "i3");
    await c.mkdir(sb, root.ino, "i4");
    await fails(c.create(sb, root.ino, "i5"), Errno.ENOSPC);
    await fails(c.mkdir(sb, root.ino, "i5"), Errno.ENOSPC);
    await fails(c.symlink(sb, root.ino, "i5", "t"), Errno.ENOSPC);
    await fails(c.lookup(sb, root.ino, "i5"), Errno.ENOENT);
    assert.equal((await c.statfs(sb)).ffree, 0);
    await c.link(sb, f.ino, root.ino, "hard"); // a name is no inode

    await c.ftruncate(o.cap, 0);
    await c.unlink(sb, root.ino, "i3");
    const st = await c.statfs(sb);
    assert.deepEqual([st.bfree, st.ffree], [st0.bfree, 1]);
    await c.release(o.cap);
  }, { mount: "size=256k,nr_inodes=4" });
});

Deno.test("mfs_ram: timestamps follow tmpfs: create, write, read (relatime), chmod, link, rename", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const ns = (t: { sec: number; nsec: number }) => t.sec * 1e9 + t.nsec;
    const f = await c.create(sb, root.ino, "f");
    assert.deepEqual([f.atime, f.mtime], [f.ctime, f.ctime]);
    let dir = await c.getattr(sb, root.ino);
    assert.deepEqual([dir.mtime, dir.ctime], [f.ctime, f.ctime]); // the parent changed with it

    // Explicit times (SETATTR ATIME, MTIME) stick; ctime becomes now.
    const old = await c.setattr(sb, f.ino, {
      mask: SetAttr.ATIME | SetAttr.MTIME,
      atime: [1_000, 5],
      mtime: [2_000, 6],
    });
    assert.deepEqual([old.atime, old.mtime], [{ sec: 1_000, nsec: 5 }, { sec: 2_000, nsec: 6 }]);
    assert.ok(ns(old.ctime) > ns(f.ctime));

    // write: mtime and ctime, not atime.
    const o = await c.open(sb, f.ino);
    await c.write(o.cap, "data");
    let a = await c.getattr(sb, f.ino);
    assert.deepEqual(a.atime, { sec: 1_000, nsec: 5 });
    assert.ok(ns(a.mtime) > ns(old.ctime));
    assert.deepEqual(a.ctime, a.mtime);

    // read: relatime updates an atime not after mtime, then leaves it until the next change.
    await c.pread(o.cap, 4, 0);
    const r1 = await c.getattr(sb, f.ino);
    assert.ok(ns(r1.atime) > ns(a.mtime));
    await c.pread(o.cap, 4, 0);
    assert.deepEqual((await c.getattr(sb, f.ino)).atime, r1.atime);
    await c.pwrite(o.cap, "x", 0);
    await c.pread(o.cap, 4, 0);
    const r2 = await c.getattr(sb, f.ino);
    assert.ok(ns(r2.atime) >= ns(r2.mtime));
    const noatime = await c.open(sb, f.ino, O.RDONLY | O.NOATIME);
    await c.pwrite(o.cap, "y", 0);
    await c.pread(noatime.cap, 4, 0);
    assert.deepEqual((await c.getattr(sb, f.ino)).atime, r2.atime);

    // chmod: ctime only; the type bits stay.
    a = await c.getattr(sb, f.ino);
    const m = await c.setattr(sb, f.ino, { mask: SetAttr.MODE, mode: 0o4711 });
    assert.equal(m.mode, S.IFREG | 0o4711);
    assert.deepEqual(m.mtime, a.mtime);
    assert.ok(ns(m.ctime) > ns(a.ctime));
    const own = await c.setattr(sb, f.ino, { mask: SetAttr.UID | SetAttr.GID, uid: 7, gid: 8 });
    assert.deepEqual([own.uid, own.gid], [7, 8]);

    // link, unlink and rename: the inode's ctime, the directories' mtime and ctime.
    for (
      const step of [
        () => c.link(sb, f.ino, root.ino, "g"),
        () => c.rename(sb, root.ino, "g", root.ino, "h"),
        () => c.unlink(sb, root.ino, "h"),
      ]
    ) {
      const before = await c.getattr(sb, f.ino);
      const dBefore = await c.getattr(sb, root.ino);
      await step();
      const after = await c.getattr(sb, f.ino);
      dir = await c.getattr(sb, root.ino);
      assert.ok(ns(after.ctime) > ns(before.ctime));
      assert.deepEqual(after.mtime, before.mtime);
      assert.ok(ns(dir.mtime) > ns(dBefore.mtime));
      assert.deepEqual(dir.ctime, dir.mtime);
    }

    // A write by a non-root process clears set-user-ID (the kernel is root: it does not).
    await c.write(o.cap, "z");
    assert.equal((await c.getattr(sb, f.ino)).mode, S.IFREG | 0o4711);
    const now = await c.setattr(sb, f.ino, { mask: SetAttr.ATIME_NOW | SetAttr.MTIME_NOW });
    assert.ok(ns(now.atime) > ns(a.ctime));
    // With both bits (Linux's ATTR_ATIME without ATTR_ATIME_SET), *_NOW wins.
    const both = await c.setattr(sb, f.ino, {
      mask: SetAttr.ATIME | SetAttr.ATIME_NOW | SetAttr.MTIME | SetAttr.MTIME_NOW,
      atime: [0, 0],
      mtime: [0, 0],
    });
    assert.ok(ns(both.atime) > ns(now.atime) && ns(both.mtime) > ns(now.mtime));
    await c.release(o.cap);
    await c.release(noatime.cap);
  });
});

Deno.test("mfs_ram: garbage requests get an errno and the server keeps serving", async () => {
  await withMfs(async ({ os, c, sb, root }) => {
    const f = await c.create(sb, root.ino, "f");
    const o = await c.open(sb, f.ino);
    const junk: Array<Uint8Array | undefined> = [
      undefined,
      new Uint8Array(3),
      new Uint8Array([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4]), // a huge byte-string length
      pattern(64, 3),
      pattern(4000, 5),
      new Uint8Array(new Float64Array([NaN, Infinity, -1, 0.5]).buffer),
      new Uint8Array(new Float64Array([sb, 1, 2 ** 60, -7, 1e300]).buffer),
    ];
    const ops = [...Object.values(FsOp), 0x8380, 0x8381];
    const fdOps = [
      Sys.read,
      Sys.write,
      Sys.pread64,
      Sys.pwrite64,
      Sys.lseek,
      Sys.fstat,
      Sys.ftruncate,
      Sys.getdents64,
      Sys.fstatfs,
      Sys.fgetxattr,
      Sys.flistxattr,
      Sys.ioctl,
      0x8101,
    ];
    let errors = 0;
    for (const p of junk) {
      for (const op of ops) {
        const r = await os.kernel.client.call(3, op, c.cap, p);
        if (r.errno !== 0) errors++;
      }
      for (const op of fdOps) {
        for (const value of [0, -1, NaN, 2 ** 40, 1.5]) {
          const r = await os.kernel.client.call(3, op, o.cap, p, { value });
          if (r.errno !== 0) errors++;
        }
      }
    }
    assert.ok(errors > 300, `${errors} errors`);
    assert.equal(
      await c.errno(Sys.read, (w) => w.num(2 ** 20 - 10), { cap: o.cap, value: 100 }),
      Errno.EFAULT,
    );
    assert.equal(await c.errno(Sys.ioctl, undefined, { cap: o.cap, value: 0x5401 }), Errno.ENOTTY);

    // A capability for someone else, a stale one, one too weak.
    assert.equal(
      await c.errno(Sys.read, (w) => w.num(0), {
        cap: { slot: o.cap.slot, gen: o.cap.gen + 1 },
        value: 1,
      }),
      Errno.EBADF,
    );
    const weak = os.kernel.caps.derive(o.cap, Right.STAT, INIT_PID);
    // An fd not open for reading: EBADF, as Linux answers.
    assert.equal(await c.errno(Sys.read, (w) => w.num(0), { cap: weak, value: 1 }), Errno.EBADF);
    assert.equal(await c.errno(Sys.fstat, undefined, { cap: weak }), 0);
    assert.equal(await c.errno(0x8100, undefined, { cap: weak }), Errno.EPERM); // only the root releases
    assert.equal(await c.errno(FsOp.GETATTR, (w) => w.num(sb).num(1), { cap: o.cap }), Errno.EPERM);

    const mfs = os.services().find((s) => s.name === "mfs_ram")!;
    assert.equal(mfs.restarts, 0);
    assert.equal(mfs.state, "up");
    assert.equal(await c.pwrite(o.cap, "still here", 0), 10);
    assert.equal(text(await c.pread(o.cap, 10, 0)), "still here");
    await c.release(o.cap);
  });
});

Deno.test("mfs_ram: freeing files gives their chunks back (statfs and the arena return to baseline)", async () => {
  await withMfs(async ({ c, sb, root }) => {
    const base = await c.statfs(sb);
    const arena0 = (await c.stats()).freeChunks;
    const inos: number[] = [];
    for (let i = 0; i < 20; i++) {
      const f = await c.create(sb, root.ino, `f${i}`);
      const o = await c.open(sb, f.ino);
      await c.write(o.cap, pattern(100_000, i));
      await c.release(o.cap);
      inos.push(f.ino);
    }
    const full = await c.statfs(sb);
    const chunksEach = Math.ceil(100_000 / CHUNK_BYTES);
    assert.equal(base.bfree - full.bfree, 20 * chunksEach * (CHUNK_BYTES / 4096));
    assert.equal(arena0 - (await c.stats()).freeChunks, 20 * chunksEach);
    assert.equal(full.ffree, base.ffree - 20);
    const held = await c.open(sb, inos[0], O.RDONLY);
    for (let i = 0; i < 20; i++) await c.unlink(sb, root.ino, `f${i}`);
    assert.equal((await c.statfs(sb)).bfree, base.bfree - chunksEach * (CHUNK_BYTES / 4096));
    await c.release(held.cap);
    const after = await c.statfs(sb);
    assert.deepEqual([after.bfree, after.ffree], [base.bfree, base.ffree]);
    assert.equal((await c.stats()).freeChunks, arena0);
  });
});
