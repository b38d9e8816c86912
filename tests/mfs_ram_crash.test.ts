// mfs_ram crashes for real (its Worker dies, the supervisor starts a new
// one over the same state buffer): nothing it acknowledged may be lost, and
// open files, their offsets and their capabilities carry on.

import assert from "node:assert/strict";
import { Errno } from "../kernel/errno.ts";
import { O, SEEK } from "../kernel/fcntl.ts";
import { makedev, S } from "../kernel/stat.ts";
import { Sys } from "../kernel/syscalls.ts";
import { type Attrs, FsOp, SetAttr } from "../servers/vfs/fs_protocol.ts";
import { CHUNK_BYTES } from "../servers/mfs_ram/params.ts";
import type { Reply } from "../kernel/ipc/client_async.ts";
import type { MfsClient, OpenRec } from "./helpers/mfs_client.ts";
import { bytes, pattern, text, withMfs } from "./helpers/mfs_setup.ts";

function restarts(os: { services(): Array<{ name: string; restarts: number; state: string }> }) {
  const s = os.services().find((x) => x.name === "mfs_ram")!;
  assert.equal(s.state, "up");
  return s.restarts;
}

/** Attributes of every inode in `inos`, by ino. */
async function attrsOf(c: MfsClient, sb: number, inos: number[]): Promise<Map<number, Attrs>> {
  const out = new Map<number, Attrs>();
  for (const ino of inos) out.set(ino, await c.getattr(sb, ino));
  return out;
}

Deno.test("mfs_ram crash: data, metadata, xattrs and open files (offsets, dir streams, unlinked files) survive", async () => {
  await withMfs(async ({ os, c, sb, root }) => {
    const d1 = await c.mkdir(sb, root.ino, "d1");
    const d2 = await c.mkdir(sb, d1.ino, "d2");
    const f = await c.create(sb, d1.ino, "f");
    const fo = await c.open(sb, f.ino);
    const fdata = pattern(100_000, 11);
    assert.equal(await c.write(fo.cap, fdata), 100_000);
    await c.lseek(fo.cap, 1234, SEEK.SET);
    await c.link(sb, f.ino, d2.ino, "g");
    await c.setattr(sb, f.ino, { mask: SetAttr.MODE, mode: 0o600 });
    await c.setxattr(sb, f.ino, "user.a", bytes("1"));
    c.data.set(pattern(20_000, 12), 0);
    assert.equal(
      await c.errno(
        FsOp.SETXATTR,
        (w) =>
          w.num(sb).num(d1.ino).str("trusted.big").bytesField(new Uint8Array(0)).num(0).num(0).num(
            20_000,
          ),
      ),
      0,
    );
    const sparse = await c.create(sb, root.ino, "sparse");
    const so = await c.open(sb, sparse.ino);
    await c.pwrite(so.cap, "x", 1 << 20);
    await c.ftruncate(so.cap, 5 << 20);
    await c.release(so.cap);
    await c.setattr(sb, sparse.ino, {
      mask: SetAttr.ATIME | SetAttr.MTIME,
      atime: [100, 1],
      mtime: [200, 2],
    });
    const sym = await c.symlink(sb, root.ino, "sym", "d1/f");
    const dev = await c.create(sb, root.ino, "null", S.IFCHR | 0o666, makedev(1, 3));
    const old = await c.create(sb, d1.ino, "old");
    await c.rename(sb, d1.ino, "old", d1.ino, "new");
    // A file unlinked while open.
    const ghost = await c.create(sb, root.ino, "ghost");
    const go = await c.open(sb, ghost.ino);
    await c.write(go.cap, "ghost data");
    await c.unlink(sb, root.ino, "ghost");
    // A directory stream part-way through.
    for (let i = 0; i < 40; i++) await c.create(sb, root.ino, `e${String(i).padStart(2, "0")}`);
    const dir = await c.open(sb, root.ino, O.RDONLY);
    const firstPart = await c.getdents(dir.cap, 300);
    assert.ok(firstPart.length > 3 && firstPart.length < 20);

    const inos = [
      root.ino,
      d1.ino,
      d2.ino,
      f.ino,
      sparse.ino,
      sym.ino,
      dev.ino,
      old.ino,
      ghost.ino,
    ];
    const before = await attrsOf(c, sb, inos);
    const statfs = await c.statfs(sb);

    await os.crash("mfs_ram");
    assert.equal(restarts(os), 1);
    // Ours and whatever the VFS holds: all kept, none dropped.
    const line = os.log().find((l) => l.includes("mfs_ram: recovered"))!;
    assert.ok(Number(/(\d+) open files kept, 0 dropped/.exec(line)?.[1]) >= 3, line);

    assert.deepEqual(await attrsOf(c, sb, inos), before);
    assert.deepEqual(await c.statfs(sb), statfs);
    assert.deepEqual(await c.fsck(), []);
    assert.equal((await c.lookup(sb, d2.ino, "g")).ino, f.ino);
    assert.equal((await c.lookup(sb, d1.ino, "new")).ino, old.ino);
    await assert.rejects(c.lookup(sb, d1.ino, "old"));
    assert.equal((await c.lookup(sb, d2.ino, "..")).ino, d1.ino);
    assert.equal(await c.readlink(sb, sym.ino), "d1/f");
    assert.equal(text(await c.getxattr(sb, f.ino, "user.a")), "1");
    c.data.fill(0, 0, 20_000);
    const big = await c.call(
      FsOp.GETXATTR,
      (w) => w.num(sb).num(d1.ino).str("trusted.big").num(0).num(20_000),
    );
    assert.equal(big.value, 20_000);
    assert.deepEqual(c.data.slice(0, 20_000), pattern(20_000, 12));

    // The same capabilities, the same offsets.
    assert.equal(await c.lseek(fo.cap, 0, SEEK.CUR), 1234);
    assert.deepEqual(await c.read(fo.cap, 1000), fdata.subarray(1234, 2234));
    assert.deepEqual(await c.pread(fo.cap, 100_000, 0), fdata);
    const s2 = await c.open(sb, sparse.ino, O.RDONLY);
    const mid = await c.pread(s2.cap, 2 * CHUNK_BYTES, (1 << 20) - CHUNK_BYTES);
    assert.deepEqual([mid.indexOf(0x78), mid.filter((b) => b !== 0).length], [CHUNK_BYTES, 1]);
    assert.equal(text(await c.pread(go.cap, 100, 0)), "ghost data");
    assert.equal((await c.fstat(go.cap)).nlink, 0);
    const rest = await c.readdir(dir.cap, 300);
    const listed = [...firstPart, ...rest].map((e) => e.name);
    assert.equal(new Set(listed).size, listed.length);
    assert.deepEqual(
      listed.slice(2).sort(),
      [
        "d1",
        "null",
        "sparse",
        "sym",
        ...Array.from({ length: 40 }, (_, i) => `e${String(i).padStart(2, "0")}`),
      ].sort(),
    );

    // They still close, and work goes on.
    await c.release(go.cap);
    assert.equal(await c.errno(FsOp.GETATTR, (w) => w.num(sb).num(ghost.ino)), Errno.ESTALE);
    for (const h of [fo, dir, s2]) await c.release(h.cap);
    const after = await c.open(sb, (await c.create(sb, root.ino, "after")).ino);
    assert.equal(await c.write(after.cap, "fine"), 4);
    await c.release(after.cap);
  }, { mount: "size=64m" });
});

Deno.test("mfs_ram crash: in a burst of writes, every write that got a reply is there", async () => {
  await withMfs(async ({ os, c, sb, root }) => {
    const FILES = 4;
    const REGIONS = 256;
    const files: OpenRec[] = [];
    for (let k = 0; k < FILES; k++) {
      files.push(await c.open(sb, (await c.create(sb, root.ino, `w${k}`)).ino));
    }
    for (let r = 0; r < REGIONS; r++) c.data.set(pattern(4096, r + 1), r * 4096);
    const posOf = (i: number) => Math.floor(i / FILES) * 4096;

    // Keep WINDOW writes in flight, from well before the crash until well
    // after the server is back, so that the crash lands mid-stream.
    const WINDOW = 300;
    const results: Reply[] = [];
    const pending: Array<Promise<Reply>> = [];
    let crash: Promise<void> | undefined;
    let crashedAt = Infinity;
    let issued = 0;
    for (let i = 0; i < crashedAt + 2 * WINDOW && i < 50_000; i++, issued = i) {
      if (i >= WINDOW) results.push(await pending[i - WINDOW]);
      if (i === 500) crash = os.crash("mfs_ram").then(() => void (crashedAt = issued));
      pending.push(c.call(Sys.pwrite64, (w) => w.num((i % REGIONS) * 4096).num(posOf(i)), {
        cap: files[i % FILES].cap,
        value: 4096,
      }));
    }
    for (const p of pending.slice(results.length)) results.push(await p);
    await crash;
    const WRITES = results.length;
    assert.equal(restarts(os), 1);

    const ok = results.flatMap((r, i) => r.errno === 0 ? [i] : []);
    const lost = results.flatMap((r, i) => r.errno === Errno.EIO ? [i] : []);
    assert.equal(ok.length + lost.length, WRITES, "only EIO may fail");
    assert.ok(ok.every((i) => results[i].value === 4096));
    assert.ok(lost.length > 0, "the crash came in the middle of the burst");
    assert.ok(ok.length > 200);

    for (let k = 0; k < FILES; k++) {
      const size = (await c.fstat(files[k].cap)).size;
      const mine = (i: number) => i % FILES === k;
      const want = Math.max(0, ...ok.filter(mine).map((i) => posOf(i) + 4096));
      assert.ok(size >= want, `file ${k}: size ${size} < ${want}`);
      const all = new Uint8Array(size);
      for (let at = 0; at < size; at += 1 << 20) {
        all.set(await c.pread(files[k].cap, Math.min(1 << 20, size - at), at), at);
      }
      for (const i of ok.filter(mine)) {
        assert.deepEqual(
          all.subarray(posOf(i), posOf(i) + 4096),
          pattern(4096, (i % REGIONS) + 1),
          `write ${i}`,
        );
      }
      // A write that got EIO happened entirely or not at all.
      for (const i of lost.filter(mine)) {
        const got = all.subarray(posOf(i), posOf(i) + 4096);
        const whole = got.length === 4096 &&
          got.every((b, j) => b === pattern(4096, (i % REGIONS) + 1)[j]);
        assert.ok(whole || got.every((b) => b === 0), `write ${i} half there`);
      }
    }
    assert.deepEqual(await c.fsck(), []);
    for (const f of files) await c.release(f.cap);
  });
});

Deno.test("mfs_ram crash: checkpoints and the journal rebuild it together, crash after crash", async () => {
  await withMfs(async ({ os, c, sb, root }) => {
    const expected = new Map<string, Uint8Array>();
    let round = 0;
    const work = async () => {
      round++;
      for (let i = 0; i < 150; i++) {
        const name = `r${round}_${i}`;
        const f = await c.create(sb, root.ino, name);
        const o = await c.open(sb, f.ino);
        const data = pattern(100 + (i * 977) % 30_000, round * 1000 + i);
        await c.write(o.cap, data);
        await c.release(o.cap);
        await c.setxattr(sb, f.ino, "user.n", bytes(name));
        expected.set(name, data);
        if (i % 3 === 0) {
          await c.rename(sb, root.ino, name, root.ino, name + "_m");
          expected.set(name + "_m", data);
          expected.delete(name);
        } else if (i % 5 === 0) {
          await c.unlink(sb, root.ino, name);
          expected.delete(name);
        }
      }
    };
    const check = async () => {
      const dir = await c.open(sb, root.ino, O.RDONLY);
      const names = (await c.readdir(dir.cap)).map((e) => e.name).slice(2);
      await c.release(dir.cap);
      assert.deepEqual(names, [...expected.keys()].sort());
      for (const [name, data] of expected) {
        const a = await c.lookup(sb, root.ino, name);
        assert.equal(a.size, data.length, name);
        const o = await c.open(sb, a.ino, O.RDONLY);
        assert.deepEqual(await c.pread(o.cap, data.length, 0), data, name);
        await c.release(o.cap);
        assert.equal(text(await c.getxattr(sb, a.ino, "user.n")), name.replace(/_m$/, ""));
      }
      assert.deepEqual(await c.fsck(), []);
    };

    await work();
    // A checkpoint comes once the journal outgrows twice the last snapshot,
    // when the server's loop is next idle. Changes after the last checkpoint
    // must then be in the journal alone: write tails until some are there
    // with no checkpoint due (one the tails themselves made due would take
    // them into the snapshot before the crash).
    const settled = async () => {
      let stats = await c.stats();
      while (stats.journalBytes >= Math.max(16_384, 2 * stats.snapshotBytes)) {
        await new Promise((r) => setTimeout(r, 10));
        stats = await c.stats();
      }
      return stats;
    };
    let stats = await settled();
    assert.ok(stats.checkpoints >= 2, `${stats.checkpoints} checkpoints`);
    for (let t = 1; t <= 3 || stats.journalBytes === 0; t++) {
      const name = `tail${t}`;
      await c.create(sb, root.ino, name);
      expected.set(name, new Uint8Array(0));
      await c.setxattr(sb, (await c.lookup(sb, root.ino, name)).ino, "user.n", bytes(name));
      stats = await settled();
    }
    await os.crash("mfs_ram");
    const line = os.log().findLast((l) => l.includes("mfs_ram: recovered"))!;
    const [, epoch, records] = /epoch (\d+): snapshot \d+ bytes \+ (\d+) journal/.exec(line)!;
    assert.ok(Number(epoch) >= 2 && Number(records) > 0, line);
    await check();

    await work();
    const r = await os.run("service crash mfs_ram");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(restarts(os), 2);
    await check();

    await work();
    await os.crash("mfs_ram");
    await check();
  }, { mfsOptions: { checkpointMinBytes: 16_384 } });
});

Deno.test("mfs_ram crash: instances survive, unmounted ones stay gone, and ids are not reused", async () => {
  await withMfs(async ({ os, c, sb }) => {
    const a = await c.mount("size=1m");
    const b = await c.mount("size=2m,nr_inodes=7,mode=0750");
    await c.create(b.sb, b.root.ino, "in_b");
    assert.equal(await c.errno(FsOp.UNMOUNT, (w) => w.num(a.sb)), 0);
    await os.crash("mfs_ram");
    assert.equal(await c.errno(FsOp.STATFS, (w) => w.num(a.sb)), Errno.ESTALE);
    const st = await c.statfs(b.sb);
    assert.deepEqual([st.blocks, st.files, st.ffree], [512, 7, 5]);
    assert.equal((await c.getattr(b.sb, b.root.ino)).mode, S.IFDIR | 0o750);
    await c.lookup(b.sb, b.root.ino, "in_b");
    const next = await c.mount("");
    assert.ok(next.sb > b.sb && next.sb !== a.sb);
    assert.ok(sb < a.sb);
  });
});
