// Recovery, with mfs_ram run in this thread (tests/helpers/mfs_direct.ts) so
// that each test can stop it at the exact point a dying Worker would: a
// chunk taken for a write never committed, a transaction failed half-way, a
// torn journal record, a checkpoint cut short, a close that never finished.
// Then a restart over the same buffers must rebuild exactly the state the
// acknowledged requests made, and fsck must find nothing.

import assert from "node:assert/strict";
import { CapTable } from "../kernel/cap/table.ts";
import { Errno, ErrnoError } from "../kernel/errno.ts";
import { O } from "../kernel/fcntl.ts";
import { ByteWriter } from "../kernel/persist/codec.ts";
import { JOURNAL_HEADER_BYTES } from "../kernel/persist/journal.ts";
import { STORE_HEADER_BYTES, StoreCorrupt } from "../kernel/persist/store.ts";
import { Endpoint } from "../kernel/registry.ts";
import { S } from "../kernel/stat.ts";
import { Sys } from "../kernel/syscalls.ts";
import { FsOp, SetAttr } from "../servers/vfs/fs_protocol.ts";
import { ObjectOp } from "../servers/vfs/mod.ts";
import { readData } from "../servers/mfs_ram/file_data.ts";
import { fsck } from "../servers/mfs_ram/fsck.ts";
import { STORE_OFFSET } from "../servers/mfs_ram/layout.ts";
import { LINK_MAX } from "../servers/mfs_ram/params.ts";
import { RecType } from "../servers/mfs_ram/records.ts";
import { encodeSnapshot } from "../servers/mfs_ram/snapshot.ts";
import { DirectMfs } from "./helpers/mfs_direct.ts";
import { pattern } from "./helpers/mfs_setup.ts";

const ROOT = 1;

function mount(d: DirectMfs, options = ""): number {
  return d.ok(FsOp.MOUNT, (w) => w.str(options)).value;
}

function create(d: DirectMfs, sb: number, dir: number, name: string, mode = 0o100644): number {
  return d.ok(FsOp.CREATE, (w) => w.num(sb).num(dir).str(name).num(mode).num(0).num(0).num(0)).r
    .int();
}

function open(
  d: DirectMfs,
  sb: number,
  ino: number,
  flags: number = O.RDWR,
): { id: number; slot: number; gen: number } {
  const { value, r } = d.ok(FsOp.OPEN, (w) => w.num(sb).num(ino).num(flags).num(1));
  return { id: value, slot: r.int(), gen: r.int() };
}

function pwrite(d: DirectMfs, id: number, bytes: Uint8Array, pos: number): number {
  d.data.set(bytes, 0);
  return d.ok(Sys.pwrite64, (w) => w.num(0).num(pos), { object: id, value: bytes.length }).value;
}

function release(d: DirectMfs, f: { id: number; slot: number }): void {
  d.ok(ObjectOp.RELEASE, undefined, { object: f.id, capSlot: f.slot });
}

function snapshotOf(d: DirectMfs): Uint8Array {
  const w = new ByteWriter();
  encodeSnapshot(d.mfs.model, w);
  return w.bytes().slice();
}

function clean(d: DirectMfs): void {
  assert.deepEqual(fsck(d.mfs.model, d.mfs.arena), []);
}

Deno.test("recovery: chunks taken by a write that never committed go back to the arena", () => {
  const d = DirectMfs.fresh();
  const sb = mount(d);
  const f = open(d, sb, create(d, sb, ROOT, "f"));
  pwrite(d, f.id, pattern(40_000), 0);
  const free = d.mfs.arena.freeChunks;
  const before = snapshotOf(d);
  // The Worker dies inside a write: chunks taken and filled, nothing committed.
  for (let n = 0; n < 5; n++) {
    d.mfs.arena.data.fill(7, d.mfs.arena.offsetOf(d.mfs.arena.alloc()), 16);
  }
  const r = d.restart();
  assert.match(r.summary, /5 orphan chunks freed, 0 revived/);
  assert.equal(r.mfs.arena.freeChunks, free);
  assert.deepEqual(snapshotOf(r), before);
  clean(r);
  // The open file survived with its capability; the data reads back.
  assert.ok(r.keepSlots.has(f.slot));
  r.data.fill(0);
  assert.equal(
    r.ok(Sys.pread64, (w) => w.num(0).num(0), { object: f.id, value: 40_000 }).value,
    40_000,
  );
  assert.deepEqual(r.data.subarray(0, 40_000), pattern(40_000));
});

Deno.test("recovery: a transaction that fails half-way never reaches the journal", () => {
  const d = DirectMfs.fresh();
  const sb = mount(d);
  const ino = create(d, sb, ROOT, "f");
  const before = snapshotOf(d);
  assert.throws(
    () =>
      d.mfs.persist.transact((tx) => {
        tx.apply({ t: RecType.LINK_ADD, sb, dir: ROOT, name: "g", ino });
        throw new ErrnoError(Errno.ENOSPC, "too late: one change is made");
      }),
    (e) => !(e instanceof ErrnoError), // an errno after a change becomes a bug: the Worker dies
  );
  assert.notDeepEqual(snapshotOf(d), before); // the dying Worker's memory is torn ...
  const r = d.restart();
  assert.deepEqual(snapshotOf(r), before); // ... the journal is not
  clean(r);
  // A truncate that freed chunks but died before committing: the chunks come back.
  const f = open(r, sb, ino);
  pwrite(r, f.id, pattern(50_000), 0);
  const kept = snapshotOf(r);
  const i = r.mfs.model.inode(sb, ino);
  assert.throws(() =>
    r.mfs.persist.transact((tx) => {
      tx.apply({ t: RecType.CHUNKS_CUT, sb, ino, from: 0 });
      throw new Error("bug");
    })
  );
  assert.equal(i.chunks!.size, 0);
  const r2 = r.restart();
  assert.match(r2.summary, /0 orphan chunks freed, 4 revived/);
  assert.deepEqual(snapshotOf(r2), kept);
  clean(r2);
});

Deno.test("recovery: a torn record at the journal's end is ignored, and appends go on after it", () => {
  const d = DirectMfs.fresh();
  const sb = mount(d);
  create(d, sb, ROOT, "a");
  create(d, sb, ROOT, "b");
  const before = snapshotOf(d);
  const journal = STORE_OFFSET + STORE_HEADER_BYTES;
  const dv = new DataView(d.state, journal);
  const tail = JOURNAL_HEADER_BYTES + d.mfs.persist.store.journal.used;
  // What a Worker dying inside append() leaves: hwm raised, a record
  // published with a body that was never finished (its CRC fails).
  dv.setUint32(0, d.mfs.persist.store.journal.used + 64, true);
  dv.setUint32(tail + 8, d.mfs.persist.store.epoch, true);
  dv.setUint32(tail + 12, 999, true);
  dv.setUint32(tail + 16, 30, true);
  dv.setUint32(tail, 56, true);
  const r = d.restart();
  assert.match(r.summary, /\+ 3 journal records/); // MOUNT and two CREATEs; not the torn one
  assert.deepEqual(snapshotOf(r), before);
  create(r, sb, ROOT, "c");
  const after = snapshotOf(r);
  const r2 = r.restart();
  assert.deepEqual(snapshotOf(r2), after);
  clean(r2);
});

Deno.test("recovery: a checkpoint cut short leaves the previous snapshot and journal in force", () => {
  const d = DirectMfs.fresh();
  const sb = mount(d);
  create(d, sb, ROOT, "a");
  d.mfs.persist.checkpoint();
  create(d, sb, ROOT, "b");
  const before = snapshotOf(d);
  assert.throws(() =>
    d.mfs.persist.store.checkpoint((out) => {
      encodeSnapshot(d.mfs.model, out);
      throw new Error("the Worker died here");
    })
  );
  const r = d.restart();
  assert.match(r.summary, /recovered epoch 1: snapshot \d+ bytes \+ 1 journal records/);
  assert.deepEqual(snapshotOf(r), before);
  // A corrupted committed snapshot is refused, not half-read.
  new Uint8Array(d.state)[STORE_OFFSET + STORE_HEADER_BYTES + (32 << 20) + (64 << 20) + 10] ^= 1;
  assert.throws(() => r.restart(), StoreCorrupt);
});

Deno.test("recovery: an unlinked file whose last close died is freed; dead capabilities drop their opens", () => {
  const d = DirectMfs.fresh();
  const sb = mount(d, "size=1m");
  const ino = create(d, sb, ROOT, "gone");
  const f = open(d, sb, ino);
  pwrite(d, f.id, pattern(60_000), 0);
  d.ok(FsOp.UNLINK, (w) => w.num(sb).num(ROOT).str("gone"));
  const kept = open(d, sb, create(d, sb, ROOT, "kept"));
  const revoked = open(d, sb, create(d, sb, ROOT, "revoked"));
  // The release of `f` died after its first step (the record is gone).
  d.mfs.opens.close(f.id);
  // Someone revoked `revoked`'s root capability.
  assert.ok(new CapTable(d.caps, Endpoint.MFS_RAM).revoke(revoked));
  assert.equal(d.mfs.model.sb(sb).chunksUsed, 4); // 60,000 bytes in 16 KiB chunks
  const r = d.restart();
  assert.match(r.summary, /1 open files kept, 1 dropped/);
  assert.match(r.summary, /1 unreferenced inodes freed/);
  assert.equal(r.errno(FsOp.GETATTR, (w) => w.num(sb).num(ino)), Errno.ESTALE);
  assert.equal(r.mfs.model.sb(sb).chunksUsed, 0);
  assert.deepEqual([...r.keepSlots], [kept.slot]);
  assert.equal(r.errno(Sys.fstat, undefined, { object: revoked.id }), Errno.EBADF);
  assert.equal(r.errno(Sys.fstat, undefined, { object: kept.id }), 0);
  clean(r);
});

Deno.test("recovery: after any run of requests, a restart rebuilds byte-identical state and data", () => {
  let d = DirectMfs.fresh();
  const sb = mount(d, "size=16m");
  let x = 2024;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) >>> 0;
    return (x >>> 8) % n;
  };
  const names = ["a", "b", "c", "d", "e", "f"];
  const shadow = new Map<number, Uint8Array>(); // ino -> expected bytes
  const opens: Array<{ id: number; slot: number; gen: number; ino: number }> = [];
  const dirs = () => [...d.mfs.model.sb(sb).inodes.values()].filter((i) => i.dir && i.nlink > 0);
  const regs = () =>
    [...d.mfs.model.sb(sb).inodes.values()].filter((i) => (i.mode & S.IFMT) === S.IFREG);
  const pick = <T>(a: T[]) => a[rnd(a.length)];
  const nameIn = (dir: number) => {
    const entries = [...d.mfs.model.inode(sb, dir).dir!.entries.from()];
    return entries.length > 0 && rnd(2) === 0 ? pick(entries).name : pick(names);
  };
  const resize = (b: Uint8Array, n: number) => {
    const out = new Uint8Array(n);
    out.set(b.subarray(0, Math.min(n, b.length)));
    return out;
  };
  const verify = () => {
    clean(d);
    for (const i of regs()) {
      const got = new Uint8Array(i.size);
      readData(d.mfs.arena, i, 0, got);
      assert.deepEqual(got, shadow.get(i.ino) ?? new Uint8Array(0), `inode ${i.ino}`);
    }
  };
  let errnos = 0;
  for (let step = 1; step <= 4000; step++) {
    const dir = pick(dirs()).ino;
    const name = nameIn(dir);
    const ops: Array<() => unknown> = [
      () => shadow.set(create(d, sb, dir, name), new Uint8Array(0)),
      () => d.ok(FsOp.MKDIR, (w) => w.num(sb).num(dir).str(name).num(0o755).num(0).num(0)),
      () => d.ok(FsOp.SYMLINK, (w) => w.num(sb).num(dir).str(name).str("t" + step).num(0).num(0)),
      () => {
        const i = pick(regs());
        if (i !== undefined) d.ok(FsOp.LINK, (w) => w.num(sb).num(i.ino).num(dir).str(name));
      },
      () => d.ok(FsOp.UNLINK, (w) => w.num(sb).num(dir).str(name)),
      () => d.ok(FsOp.RMDIR, (w) => w.num(sb).num(dir).str(name)),
      () =>
        d.ok(
          FsOp.RENAME,
          (w) =>
            w.num(sb).num(dir).str(name).num(pick(dirs()).ino).str(pick(names)).num(
              pick([0, 0, 1, 2]),
            ),
        ),
      () => {
        const i = pick([...d.mfs.model.sb(sb).inodes.values()].filter((i) => i.nlink > 0));
        const flags = rnd(8) === 0 ? O.RDWR | O.TRUNC : O.RDWR;
        opens.push({ ...open(d, sb, i.ino, flags), ino: i.ino });
        if ((flags & O.TRUNC) !== 0 && (i.mode & S.IFMT) === S.IFREG) {
          shadow.set(i.ino, new Uint8Array(0));
        }
      },
      () => {
        const k = rnd(opens.length || 1);
        if (opens.length === 0) return;
        const f = opens.splice(k, 1)[0];
        release(d, f);
      },
      () => {
        const f = pick(
          opens.filter((o) => d.mfs.model.sb(sb).inodes.get(o.ino)?.chunks !== undefined),
        );
        if (f === undefined) return;
        const pos = rnd(100_000);
        const data = pattern(1 + rnd(40_000), step);
        const n = pwrite(d, f.id, data, pos);
        const old = shadow.get(f.ino)!;
        const next = resize(old, Math.max(old.length, pos + n));
        next.set(data.subarray(0, n), pos);
        shadow.set(f.ino, next);
      },
      () => {
        const f = pick(
          opens.filter((o) => d.mfs.model.sb(sb).inodes.get(o.ino)?.chunks !== undefined),
        );
        if (f === undefined) return;
        const len = rnd(120_000);
        d.ok(Sys.ftruncate, (w) => w.num(len), { object: f.id });
        shadow.set(f.ino, resize(shadow.get(f.ino)!, len));
      },
      () => {
        const i = pick([...d.mfs.model.sb(sb).inodes.values()]);
        if (rnd(3) === 0) d.ok(FsOp.REMOVEXATTR, (w) => w.num(sb).num(i.ino).str("user." + name));
        else {
          d.ok(
            FsOp.SETXATTR,
            (w) =>
              w.num(sb).num(i.ino).str("user." + name).bytesField(pattern(rnd(300), step)).num(0),
          );
        }
      },
      () => {
        const i = pick([...d.mfs.model.sb(sb).inodes.values()]);
        d.ok(
          FsOp.SETATTR,
          (w) =>
            w.num(sb).num(i.ino).num(SetAttr.MODE | SetAttr.MTIME).num(rnd(0o7777)).num(0).num(0)
              .num(0).num(0).num(0).num(step).num(rnd(1e9)),
        );
      },
    ];
    try {
      ops[rnd(ops.length)]();
    } catch (e) {
      if (!(e instanceof ErrnoError)) throw e;
      errnos++;
    }
    if (step % 173 === 0) d.mfs.persist.checkpoint();
    if (step % 250 === 0) {
      const before = snapshotOf(d);
      d = d.restart();
      assert.deepEqual(snapshotOf(d), before, `state after restart at step ${step}`);
      verify();
    }
  }
  assert.ok(
    errnos > 200 && errnos < 3000,
    `${errnos} errnos: the run should mix failures and successes`,
  );
  assert.ok(d.mfs.model.sb(sb).inodes.size > 20);
});

Deno.test("limits: LINK_MAX names for one inode, then EMLINK; mkdir under a full parent too", () => {
  const d = DirectMfs.fresh();
  const sb = mount(d, "nr_inodes=0");
  const ino = create(d, sb, ROOT, "f");
  const link = (name: string) => d.errno(FsOp.LINK, (w) => w.num(sb).num(ino).num(ROOT).str(name));
  for (let n = 2; n <= LINK_MAX; n++) assert.equal(link(`l${n}`), 0);
  assert.equal(d.mfs.model.inode(sb, ino).nlink, LINK_MAX);
  assert.equal(link("one_more"), Errno.EMLINK);
  // A directory's nlink counts its subdirectories: the same limit.
  const dir = d.ok(FsOp.MKDIR, (w) => w.num(sb).num(ROOT).str("parent").num(0o755).num(0).num(0)).r
    .int();
  const mkdir = (name: string) =>
    d.errno(FsOp.MKDIR, (w) => w.num(sb).num(dir).str(name).num(0o755).num(0).num(0));
  for (let n = 3; n <= LINK_MAX; n++) assert.equal(mkdir(`d${n}`), 0);
  assert.equal(mkdir("one_more"), Errno.EMLINK);
  const r = d.restart();
  assert.equal(r.mfs.model.inode(sb, dir).nlink, LINK_MAX);
  clean(r);
});
