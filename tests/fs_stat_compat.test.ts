// struct stat, struct statx and getdents64 records as Linux x86_64 programs
// see them, and the timestamp and block-count rules behind them.
//
// The layouts are not taken on trust: the host's C compiler says where each
// field is (tests/helpers/host_layout.c: offsetof and sizeof), and the bytes
// MelloOS answers (tests/programs/rawstat.ts prints the raw replies) are read
// at those offsets. Behaviour is compared with the host where Linux defines
// it: statx answers, record lengths and d_type, which timestamps each
// operation changes (tests/programs/timerules.ts beside
// tests/helpers/host_timerules.py), st_blocks, and the stat utility's output.
// Without a C compiler the layout checks are skipped, saying so.

import assert from "node:assert/strict";
import { installProgram, withOs } from "./helpers/system.ts";
import { melloOps, sameAsHost, type Step } from "./helpers/fsops.ts";
import { decodeStat, encodeStat, major, makedev, minor, STAT_BYTES } from "../kernel/stat.ts";
import type { Handle } from "../kernel/mod.ts";

const decoder = new TextDecoder();

type Field = [offset: number, size: number];
interface Layout {
  stat: Record<string, Field>;
  statx: Record<string, Field>;
  dirent64: Record<string, Field>;
  makedev_300_70000: number;
}

// --- the host's C view ---

/** Compile tests/helpers/host_layout.c and run `fn` with it; skip (and say so) without cc. */
async function withHostHelper(fn: (run: (args: string[]) => Promise<string>) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "mello_layout_" });
  try {
    const exe = `${dir}/host_layout`;
    const src = new URL("./helpers/host_layout.c", import.meta.url).pathname;
    let built: Deno.CommandOutput;
    try {
      built = await new Deno.Command("cc", { args: ["-o", exe, src], stderr: "piped" }).output();
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      console.log("SKIPPED: no C compiler (cc) on this host, so no struct layouts to compare with");
      return;
    }
    assert.ok(built.success, `cc failed: ${decoder.decode(built.stderr)}`);
    await fn(async (args) => {
      const out = await new Deno.Command(exe, { args, stderr: "piped" }).output();
      assert.ok(out.success, `host_layout ${args.join(" ")}: ${decoder.decode(out.stderr)}`);
      return decoder.decode(out.stdout);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

/** The little-endian unsigned integer of `size` bytes at `off`. */
function uint(b: Uint8Array, [off, size]: Field): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i]);
  return v;
}

/** Read every named field of `b` at the host's offsets, as numbers. */
function fieldsOf(b: Uint8Array, layout: Record<string, Field>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, f] of Object.entries(layout)) {
    if (name !== "size" && name !== "d_name") out[name] = Number(uint(b, f));
  }
  return out;
}

// --- MelloOS side ---

async function rawstat(os: Handle, args: string): Promise<string[]> {
  const r = await os.run(`rawstat ${args}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

/** Run setup steps (absolute paths) in MelloOS; every one must succeed. */
async function setup(os: Handle, steps: Step[]): Promise<void> {
  const out = await melloOps(os, steps);
  out.forEach((o, i) =>
    assert.ok("ok" in o, `setup step ${JSON.stringify(steps[i])}: ${JSON.stringify(o)}`)
  );
}

/** A file with every stat field set to something recognisable. */
const KNOWN_FILE: Step[] = [
  ["mkdir", "/tmp/sc", "0755"],
  ["open", "/tmp/sc/f", "O_WRONLY|O_CREAT", "0640"],
  ["write", "@1", "x".repeat(5000)],
  ["close", "@1"],
  ["link", "/tmp/sc/f", "/tmp/sc/f2"],
  ["chown", "/tmp/sc/f", 1234, 5678],
  ["utimensat", "AT_FDCWD", "/tmp/sc/f", [1234567890, 123456789], [987654321, 987654321]],
  ["mknod", "/tmp/sc/dev", "S_IFCHR|0644", 300, 70000],
];

Deno.test("stat: encodeStat puts every field at the offset and width the host's C compiler gives", async () => {
  await withHostHelper(async (host) => {
    const layout: Layout = JSON.parse(await host(["layout"]));
    assert.equal(layout.stat.size[1], STAT_BYTES);
    // Values with bits in every byte each field owns, so a narrow or shifted write shows.
    const st = {
      dev: 0x0102030405060708,
      ino: 0x0011223344556677,
      nlink: 0x000a0b0c0d0e0f10,
      mode: 0x89abcdef,
      uid: 0xfedcba98,
      gid: 0x76543210,
      rdev: layout.makedev_300_70000,
      size: 0x001f2e3d4c5b6a79,
      blksize: 0x0000123456789abc,
      blocks: 0x000f0e0d0c0b0a09,
      atime: { sec: 0x0012345678, nsec: 999_999_999 },
      mtime: { sec: 0x0023456789, nsec: 123_456_789 },
      ctime: { sec: 0x003456789a, nsec: 1 },
    };
    const b = encodeStat(st);
    assert.deepEqual(fieldsOf(b, layout.stat), {
      st_dev: st.dev,
      st_ino: st.ino,
      st_nlink: st.nlink,
      st_mode: st.mode,
      st_uid: st.uid,
      st_gid: st.gid,
      st_rdev: st.rdev,
      st_size: st.size,
      st_blksize: st.blksize,
      st_blocks: st.blocks,
      "st_atim.tv_sec": st.atime.sec,
      "st_atim.tv_nsec": st.atime.nsec,
      "st_mtim.tv_sec": st.mtime.sec,
      "st_mtim.tv_nsec": st.mtime.nsec,
      "st_ctim.tv_sec": st.ctime.sec,
      "st_ctim.tv_nsec": st.ctime.nsec,
    });
    assert.deepEqual(decodeStat(b), st);
    // glibc's dev_t: makedev, major and minor as <sys/sysmacros.h>.
    assert.equal(makedev(300, 70000), layout.makedev_300_70000);
    assert.equal(major(layout.makedev_300_70000), 300);
    assert.equal(minor(layout.makedev_300_70000), 70000);
  });
});

Deno.test("stat: the bytes fstat and newfstatat answer read right at the host's offsets", async () => {
  await withHostHelper(async (host) => {
    const layout: Layout = JSON.parse(await host(["layout"]));
    await withOs(async (os) => {
      await installProgram(os, "rawstat");
      await setup(os, KNOWN_FILE);
      const [fst] = await rawstat(os, "fstat /tmp/sc/f");
      const [st] = await rawstat(os, "stat /tmp/sc/f 0");
      const [dev] = await rawstat(os, "stat /tmp/sc/dev 0");
      // What the stat utility (through the library's decoding) says of the fields we cannot set.
      const ids = await os.run("stat -c '%i %d %b %.9Z' /tmp/sc/f /tmp/sc/dev");
      const [[ino, stDev, blocks, ctime], [devIno]] = ids.stdout.trim().split("\n").map((l) =>
        l.split(" ")
      );
      const [csec, cnsec] = ctime.split(".");
      assert.equal(fst, st, "fstat and stat of one file answer the same bytes");
      const b = hexBytes(st);
      assert.equal(b.length, layout.stat.size[1]);
      assert.deepEqual(fieldsOf(b, layout.stat), {
        st_dev: Number(stDev),
        st_ino: Number(ino),
        st_nlink: 2,
        st_mode: 0o100640,
        st_uid: 1234,
        st_gid: 5678,
        st_rdev: 0,
        st_size: 5000,
        st_blksize: 4096,
        st_blocks: Number(blocks),
        "st_atim.tv_sec": 1234567890,
        "st_atim.tv_nsec": 123456789,
        "st_mtim.tv_sec": 987654321,
        "st_mtim.tv_nsec": 987654321,
        "st_ctim.tv_sec": Number(csec),
        "st_ctim.tv_nsec": Number(cnsec),
      });
      const d = fieldsOf(hexBytes(dev), layout.stat);
      assert.equal(d.st_rdev, layout.makedev_300_70000);
      assert.equal(d.st_mode, 0o020644);
      assert.equal(d.st_ino, Number(devIno));
    });
  });
});

// --- statx ---

const STATX_BASIC_STATS = 0x7ff;
const AT_SYMLINK_NOFOLLOW = 0x100;

Deno.test("statx: the struct, its mask and its fields read right at the host's offsets", async () => {
  await withHostHelper(async (host) => {
    const layout: Layout = JSON.parse(await host(["layout"]));
    await withOs(async (os) => {
      await installProgram(os, "rawstat");
      await setup(os, KNOWN_FILE);
      const [st] = await rawstat(os, "stat /tmp/sc/f 0");
      const [sx] = await rawstat(os, `statx /tmp/sc/f 0 ${STATX_BASIC_STATS}`);
      const [dx] = await rawstat(os, `statx /tmp/sc/dev 0 ${STATX_BASIC_STATS}`);
      const s = fieldsOf(hexBytes(st), layout.stat);
      const b = hexBytes(sx);
      assert.equal(b.length, layout.statx.size[1]);
      const x = fieldsOf(b, layout.statx);
      assert.equal(x.stx_mask & STATX_BASIC_STATS, STATX_BASIC_STATS);
      assert.deepEqual(
        {
          blksize: x.stx_blksize,
          nlink: x.stx_nlink,
          uid: x.stx_uid,
          gid: x.stx_gid,
          mode: x.stx_mode,
          ino: x.stx_ino,
          size: x.stx_size,
          blocks: x.stx_blocks,
          atime: [x["stx_atime.tv_sec"], x["stx_atime.tv_nsec"]],
          mtime: [x["stx_mtime.tv_sec"], x["stx_mtime.tv_nsec"]],
          ctime: [x["stx_ctime.tv_sec"], x["stx_ctime.tv_nsec"]],
          dev: [x.stx_dev_major, x.stx_dev_minor],
          rdev: [x.stx_rdev_major, x.stx_rdev_minor],
        },
        {
          blksize: s.st_blksize,
          nlink: 2,
          uid: 1234,
          gid: 5678,
          mode: 0o100640,
          ino: s.st_ino,
          size: 5000,
          blocks: s.st_blocks,
          atime: [1234567890, 123456789],
          mtime: [987654321, 987654321],
          ctime: [s["st_ctim.tv_sec"], s["st_ctim.tv_nsec"]],
          dev: [major(s.st_dev), minor(s.st_dev)],
          rdev: [0, 0],
        },
      );
      const d = fieldsOf(hexBytes(dx), layout.statx);
      assert.deepEqual([d.stx_rdev_major, d.stx_rdev_minor, d.stx_mode], [300, 70000, 0o020644]);
    });
  });
});

/** statx's answer in MelloOS, as the host helper prints it. */
function melloStatx(hex: string, layout: Layout) {
  if (!/^[0-9a-f]+$/.test(hex)) return { errno: hex };
  const x = fieldsOf(hexBytes(hex), layout.statx);
  return {
    mask: x.stx_mask,
    blksize: x.stx_blksize,
    attributes: x.stx_attributes,
    nlink: x.stx_nlink,
    uid: x.stx_uid,
    gid: x.stx_gid,
    mode: x.stx_mode,
    size: x.stx_size,
    blocks: x.stx_blocks,
    rdev: [x.stx_rdev_major, x.stx_rdev_minor],
    dev: [x.stx_dev_major, x.stx_dev_minor],
  };
}

/** What of a statx answer MelloOS must share with Linux's tmpfs. */
function comparable(x: Record<string, unknown>, isDir: boolean) {
  if ("errno" in x) return x;
  return {
    // MelloOS keeps no birth time and has no mount ids: only the basic stats are compared.
    mask: (x.mask as number) & STATX_BASIC_STATS,
    blksize: x.blksize,
    nlink: x.nlink,
    uid: x.uid,
    gid: x.gid,
    mode: x.mode,
    size: isDir ? "dir" : x.size,
    blocks: x.blocks,
    rdev: x.rdev,
    devMajor: (x.dev as number[])[0],
  };
}

Deno.test("statx: answers as Linux's for each kind of file, and refuses bad flags and masks", async () => {
  await withHostHelper(async (host) => {
    const layout: Layout = JSON.parse(await host(["layout"]));
    const base = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "mello_statx_" }).catch(() =>
      Deno.makeTempDir({ prefix: "mello_statx_" })
    );
    try {
      const mk = await new Deno.Command("sh", {
        args: ["-c", "printf hello > f && mkdir d && ln -s f l && mkfifo p"],
        cwd: base,
      }).output();
      assert.ok(mk.success);
      await withOs(async (os) => {
        await installProgram(os, "rawstat");
        await setup(os, [["mkdir", "/tmp/sx", "0755"]]);
        const made = await os.run(
          "cd /tmp/sx && printf hello > f && mkdir d && ln -s f l && mkfifo p",
        );
        assert.equal(made.status, 0, made.stderr);
        const cases: Array<[string, number, number]> = [
          ["f", 0, STATX_BASIC_STATS],
          ["f", 0, 0xfff],
          ["f", 0, 0x1], // less than asked for is allowed; what is given must be right
          ["d", 0, STATX_BASIC_STATS],
          ["l", 0, STATX_BASIC_STATS],
          ["l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS],
          ["p", 0, STATX_BASIC_STATS],
          ["f", 0x6000, STATX_BASIC_STATS], // AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC
          ["f", 0x80000, STATX_BASIC_STATS], // a flag statx does not know
          ["f", 0, 0x80000000], // STATX__RESERVED
          ["f", 0x8000, STATX_BASIC_STATS], // AT_RECURSIVE is not statx's
        ];
        const diffs: string[] = [];
        for (const [name, flags, mask] of cases) {
          const h = JSON.parse(
            await host(["statx", `${base}/${name}`, String(flags), String(mask)]),
          );
          const [m] = await rawstat(os, `statx /tmp/sx/${name} ${flags} ${mask}`);
          const mine = comparable(melloStatx(m, layout), name === "d");
          const theirs = comparable(h, name === "d");
          if (mask === 0x1 && !("errno" in h)) {
            // The kernel may give more than was asked: compare only type and mode then.
            assert.equal((mine as { mode: number }).mode, (theirs as { mode: number }).mode);
            continue;
          }
          try {
            assert.deepEqual(mine, theirs);
          } catch {
            diffs.push(
              `${name} ${flags} ${mask}: mello ${JSON.stringify(mine)} host ${
                JSON.stringify(theirs)
              }`,
            );
          }
        }
        assert.deepEqual(diffs, []);
        // The device numbers of a device node, and of the filesystem.
        const [nul] = await rawstat(os, `statx /dev/null 0 ${STATX_BASIC_STATS}`);
        assert.deepEqual(melloStatx(nul, layout).rdev, [1, 3]);
      });
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  });
});

// --- getdents64 ---

interface Record64 {
  ino: number;
  off: number;
  reclen: number;
  type: number;
  name: string;
}

/** Parse getdents64 buffers with the host's dirent64 layout, checking each record's shape. */
function records(buffers: string[], layout: Layout): Record64[] {
  const out: Record64[] = [];
  const d = layout.dirent64;
  for (const hex of buffers) {
    const b = hexBytes(hex);
    for (let at = 0; at < b.length;) {
      const rec = b.subarray(at);
      const reclen = Number(uint(rec, d.d_reclen));
      assert.ok(reclen > 0 && reclen % 8 === 0 && at + reclen <= b.length, `reclen ${reclen}`);
      const nameAt = d.d_name[0];
      const nul = rec.indexOf(0, nameAt);
      assert.ok(nul >= 0 && nul < reclen, "d_name ends with a NUL inside its record");
      out.push({
        ino: Number(uint(rec, d.d_ino)),
        off: Number(uint(rec, d.d_off)),
        reclen,
        type: Number(uint(rec, d.d_type)),
        name: decoder.decode(rec.subarray(nameAt, nul)),
      });
      at += reclen;
    }
  }
  return out;
}

const DIR_SCRIPT = [
  ...Array.from({ length: 24 }, (_, i) => `touch ${"n".repeat(i + 1)}`),
  "mkdir dir",
  "ln -s n lnk",
  "mkfifo fifo",
  "mknod chr c 1 3",
].join(" && ");

Deno.test("getdents64: records as Linux lays them out (u64 ino, i64 off, u16 reclen, u8 type, name, 8-aligned)", async () => {
  await withHostHelper(async (host) => {
    const layout: Layout = JSON.parse(await host(["layout"]));
    const hostIsRoot = Deno.uid() === 0;
    const script = hostIsRoot ? DIR_SCRIPT : DIR_SCRIPT.replace(" && mknod chr c 1 3", "");
    const base = await Deno.makeTempDir({ prefix: "mello_dents_" });
    try {
      const sock = `python3 -c 'import os, stat; os.mknod("sock", stat.S_IFSOCK | 0o644)'`;
      const mk = await new Deno.Command("sh", {
        args: ["-c", `${script} && ${sock}`],
        cwd: base,
        stderr: "piped",
      }).output();
      assert.ok(mk.success, decoder.decode(mk.stderr));
      const theirs = records((await host(["dents", base, "200"])).trim().split("\n"), layout);
      await withOs(async (os) => {
        await installProgram(os, "rawstat");
        await setup(os, [["mkdir", "/tmp/dd", "0755"], [
          "mknod",
          "/tmp/dd/sock",
          "S_IFSOCK|0644",
          0,
          0,
        ]]);
        const made = await os.run(`cd /tmp/dd && ${script}`);
        assert.equal(made.status, 0, made.stderr);
        const mine = records(await rawstat(os, "dents /tmp/dd"), layout);
        const byName = (rs: Record64[]) =>
          Object.fromEntries(rs.map((r) => [r.name, { reclen: r.reclen, type: r.type }]));
        assert.deepEqual(byName(mine), byName(theirs));
        assert.equal(mine.length, theirs.length, "each entry once, across short buffers");
        // d_ino is the entry's inode number.
        const inos = await os.run("cd /tmp/dd && stat -c '%n %i' . * ");
        const want = Object.fromEntries(
          inos.stdout.trim().split("\n").map((l) => l.split(" ")).map(([n, i]) => [n, Number(i)]),
        );
        for (const r of mine) if (r.name in want) assert.equal(r.ino, want[r.name], r.name);
        // d_off is a cookie to resume from, not an order (ext4's are hashes): one per entry.
        assert.equal(new Set(mine.map((r) => r.off)).size, mine.length, "d_off values differ");
      });
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  });
});

// --- timestamps ---

type Ts = [number, number];
type Obs = [string, [Ts, Ts, Ts], [Ts, Ts, Ts]];

/** Per step: which of atime, mtime, ctime changed (file, then directory), and equalities. */
function summary(obs: Obs[]) {
  const same = (a: Ts, b: Ts) => a[0] === b[0] && a[1] === b[1];
  const changes = (now: [Ts, Ts, Ts], before: [Ts, Ts, Ts] | undefined) =>
    before === undefined
      ? "new"
      : ["a", "m", "c"].filter((_, i) => !same(now[i], before[i])).join("");
  return obs.map(([step, f, d], i) => {
    const prev = obs[i - 1];
    return {
      step,
      file: changes(f, prev?.[1]),
      dir: changes(d, prev?.[2]),
      "a=c": same(f[0], f[2]),
      "m=c": same(f[1], f[2]),
      ...(step === "utime-explicit" ? { a: f[0], m: f[1] } : {}),
    };
  });
}

Deno.test("timestamps: each operation changes the times Linux's does, nanoseconds kept", async () => {
  const base = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "mello_times_" }).catch(() =>
    Deno.makeTempDir({ prefix: "mello_times_" })
  );
  let theirs: Obs[];
  try {
    const out = await new Deno.Command("python3", {
      args: [new URL("./helpers/host_timerules.py", import.meta.url).pathname, base],
      stderr: "piped",
    }).output();
    assert.ok(out.success, decoder.decode(out.stderr));
    theirs = JSON.parse(decoder.decode(out.stdout));
  } finally {
    await Deno.remove(base, { recursive: true });
  }
  await withOs(async (os) => {
    await installProgram(os, "timerules");
    const r = await os.run("mkdir /tmp/tr && cd /tmp/tr && timerules");
    assert.equal(r.status, 0, r.stderr);
    const [mine, host] = [summary(JSON.parse(r.stdout)), summary(theirs)];
    const diffs = mine.map((m, i) => [m, host[i]]).filter(([m, h]) =>
      JSON.stringify(m) !== JSON.stringify(h)
    ).map(([m, h]) => `mello ${JSON.stringify(m)}\n  host  ${JSON.stringify(h)}`);
    assert.equal(diffs.length, 0, diffs.join("\n"));
  });
});

Deno.test("timestamps: UTIME_NOW is now, with nanoseconds", async () => {
  await withOs(async (os) => {
    const before = Date.now();
    const [, , t] = await melloOps(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["utimensat", "AT_FDCWD", "f", [0, "UTIME_NOW"], [0, "UTIME_NOW"]],
      ["times", "f"],
    ]);
    const after = Date.now();
    const [[as, ans], [ms, mns]] = (t as { ok: Ts[] }).ok;
    assert.deepEqual([as, ans], [ms, mns], "one now for both");
    const ms_ = as * 1000 + ans / 1e6;
    assert.ok(ms_ >= before - 1 && ms_ <= after + 1, `${ms_} within [${before}, ${after}]`);
  });
});

Deno.test("utimensat: who may set which times (write permission for now, the owner otherwise)", async () => {
  const steps: Step[] = [
    ["open", "mine", "O_WRONLY|O_CREAT", "0644"],
    ["open", "shared", "O_WRONLY|O_CREAT", "0644"],
    ["open", "private", "O_WRONLY|O_CREAT", "0600"],
    ["chmod", "shared", "0666"],
    ["become", 1000, 1000],
    ["utimensat", "AT_FDCWD", "shared", null, null], // now: write permission is enough
    ["utimensat", "AT_FDCWD", "shared", [0, "UTIME_NOW"], [0, "UTIME_NOW"]], // the same
    ["utimensat", "AT_FDCWD", "private", null, null],
    ["utimensat", "AT_FDCWD", "shared", [5, 0], [6, 0]], // explicit: the owner only
    ["utimensat", "AT_FDCWD", "shared", [0, "UTIME_NOW"], [0, "UTIME_OMIT"]], // so is any mix
    ["utimensat", "AT_FDCWD", "shared", [0, "UTIME_OMIT"], [0, "UTIME_NOW"]],
    ["utimensat", "AT_FDCWD", "private", [0, "UTIME_OMIT"], [0, "UTIME_OMIT"]], // nothing to do
    ["utimensat", "AT_FDCWD", "shared", [0, 1000000000], [0, 0]],
    ["utimensat", "AT_FDCWD", "shared", [0, -1], [0, 0]],
    ["utimensat", "AT_FDCWD", "nope", null, null],
    ["utimensat", "AT_FDCWD", "shared", null, null, 1],
    ["chown", "shared", -1, -1],
    ["chmod", "shared", "0666"],
  ];
  // Linux 6.x's answers, for a host that cannot switch users.
  const linux = [
    ...[3, 4, 5, 0, 0, 0, 0].map((v) => ({ ok: v })),
    ...["EACCES", "EPERM", "EPERM", "EPERM"].map((e) => ({ err: e })),
    { ok: 0 },
    ...["EINVAL", "EINVAL", "ENOENT", "EINVAL"].map((e) => ({ err: e })),
    { ok: 0 },
    { err: "EPERM" },
  ];
  await withOs((os) => sameAsHost(os, steps, undefined, linux));
});

// --- blocks and the stat utility ---

Deno.test("st_blocks: 512-byte units of what is allocated, sparse files counting only their data", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      ["open", "one", "O_WRONLY|O_CREAT", "0644"],
      ["write", "@0", "x"],
      ["blocks", "one"],
      ["open", "five", "O_WRONLY|O_CREAT", "0644"],
      ["write", "@3", "y".repeat(5000)],
      ["blocks", "five"],
      ["open", "dense", "O_WRONLY|O_CREAT", "0644"],
      ["write", "@6", "z".repeat(65536)],
      ["blocks", "dense"],
      ["open", "sparse", "O_WRONLY|O_CREAT", "0644"],
      ["pwrite", "@9", "s", 1048576],
      ["blocks", "sparse"],
      ["open", "hole", "O_WRONLY|O_CREAT", "0644"],
      ["ftruncate", "@12", 1048576],
      ["blocks", "hole"],
      ["truncate", "dense", 5000],
      ["blocks", "dense"],
      ["truncate", "dense", 0],
      ["blocks", "dense"],
      ["symlink", "target", "lnk"],
      ["blocks", "lnk"],
      ["mknod", "fifo", "S_IFIFO|0644", 0, 0],
      ["blocks", "fifo"],
    ])
  );
});

async function sameCommandsAsHost(os: Handle, cmds: string[]): Promise<void> {
  const diffs: string[] = [];
  for (const cmd of cmds) {
    const m = await os.run(`rm -rf /tmp/t; mkdir /tmp/t; cd /tmp/t; ${cmd}`);
    const dir = await Deno.makeTempDir({ prefix: "mello_stat_" });
    let h: Deno.CommandOutput;
    try {
      h = await new Deno.Command("sh", {
        args: ["-c", cmd.replace(/(^|[;|&(] *)(printf) /g, "$1env $2 ")],
        cwd: dir,
        env: { LC_ALL: "C", TZ: "UTC", PATH: "/usr/bin:/bin" },
        clearEnv: true,
      }).output();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    const mine = { status: m.status, stdout: m.stdout, stderr: m.stderr };
    const theirs = {
      status: h.code,
      stdout: decoder.decode(h.stdout),
      stderr: decoder.decode(h.stderr),
    };
    try {
      assert.deepEqual(mine, theirs);
    } catch {
      diffs.push(`$ ${cmd}\n  mello: ${JSON.stringify(mine)}\n  host:  ${JSON.stringify(theirs)}`);
    }
  }
  assert.equal(diffs.length, 0, diffs.join("\n"));
}

const FMT = "'%s %h %f %a %U %G %F'";

Deno.test("stat(1): -c '%s %h %f %a %U %G %F' prints what the host's stat prints", async () => {
  await withOs((os) =>
    sameCommandsAsHost(os, [
      `printf hello > f; stat -c ${FMT} f`,
      `mkdir d; mkdir d/e; stat -c '%h %f %a %U %G %F' d`,
      `printf hello > f; ln -s f l; stat -c ${FMT} l; stat -L -c ${FMT} l`,
      `mkfifo -m 640 p; stat -c ${FMT} p`,
      `stat -c '${FMT.slice(1, -1)} %t %T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom`,
      `touch f; ln f g; chmod 4751 f; stat -c ${FMT} f g`,
      `touch f; chmod 1777 f; stat -c '%a %A %f' f`,
      `stat -c ${FMT} nope; echo $?`,
      `printf abc > f; stat --printf='%s|%n\\n' f`,
    ])
  );
});
