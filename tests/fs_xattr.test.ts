// Extended attributes end to end: the library, the VFS and mfs_ram against
// Linux's tmpfs. Each script runs in MelloOS and on the host (tests/helpers/
// fsops.ts) and every step must give the same value or errno. Scripts that
// switch to uid 1000 also carry their expected outcomes, so a host that
// cannot switch users (CI as non-root) still checks them, and a root host
// checks the expectations against Linux too.

import assert from "node:assert/strict";
import type { Handle } from "../kernel/mod.ts";
import { melloOps, type Outcome, sameAsHost, type Step } from "./helpers/fsops.ts";
import { until, withOs } from "./helpers/system.ts";
import { Area } from "../kernel/ipc/channel.ts";
import { DataSlots, SLOT_BYTES, slotsOf } from "../servers/vfs/data_slots.ts";

const KIB64 = 65536;
const big = (n: number, c = "v") => c.repeat(n);

/** A struct posix_acl_xattr value: version 2, then (tag, perm, id) entries. */
function acl(entries: Array<[number, number, number]>, version = 2): { hex: string } {
  const b = new DataView(new ArrayBuffer(4 + 8 * entries.length));
  b.setUint32(0, version, true);
  entries.forEach(([tag, perm, id], i) => {
    b.setUint16(4 + 8 * i, tag, true);
    b.setUint16(6 + 8 * i, perm, true);
    b.setUint32(8 + 8 * i, id, true);
  });
  const hex = Array.from(new Uint8Array(b.buffer), (x) => x.toString(16).padStart(2, "0"));
  return { hex: hex.join("") };
}
const NO_ID = 0xffffffff;

/** A struct vfs_cap_data value: magic_etc, then u32 words (permitted, inheritable, ...). */
function caps(words: number[]): { hex: string } {
  const b = new DataView(new ArrayBuffer(4 * words.length));
  words.forEach((x, i) => b.setUint32(4 * i, x, true));
  const hex = Array.from(new Uint8Array(b.buffer), (x) => x.toString(16).padStart(2, "0"));
  return { hex: hex.join("") };
}
const [USER_OBJ, USER, GROUP_OBJ, MASK, OTHER] = [1, 2, 4, 0x10, 0x20];

/** Steps paired with what Linux answers; returns both halves. */
function script(pairs: Array<[Step, Outcome]>): { steps: Step[]; expected: Outcome[] } {
  return { steps: pairs.map((p) => p[0]), expected: pairs.map((p) => p[1]) };
}
const ok = (v: unknown = 0): Outcome => ({ ok: v });
const err = (e: string): Outcome => ({ err: e });

/** Same as the host, and (where given) as the expectations. */
async function check(os: Handle, s: { steps: Step[]; expected: Outcome[] }): Promise<void> {
  const mine = await sameAsHost(os, s.steps, undefined, s.expected);
  assert.deepEqual(mine, s.expected);
}

Deno.test("xattr: every namespace set, read, listed and removed as tmpfs does", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["mkdir", "d", "0755"],
      ["setxattr", "f", "user.color", "blue"],
      ["setxattr", "f", "trusted.t", ""],
      ["setxattr", "f", "security.s", "ctx"],
      ["setxattr", "f", "user.bin", { hex: "00ff0001" }],
      ["getxattr", "f", "user.color"],
      ["getxattr", "f", "trusted.t"],
      ["getxattr", "f", "security.s"],
      ["getxattr", "f", "user.bin"],
      ["listxattr", "f"],
      ["setxattr", "d", "user.d", "dir"],
      ["setxattr", "d", "trusted.d", "dir"],
      ["listxattr", "d"],
      ["getxattr", "d", "user.d"],
      // Unknown namespaces, system.* other than the ACLs, and empty suffixes.
      ["setxattr", "f", "system.x", "1"],
      ["getxattr", "f", "system.x"],
      ["setxattr", "f", "foo.bar", "1"],
      ["getxattr", "f", "foo.bar"],
      ["removexattr", "f", "foo.bar"],
      ["setxattr", "f", "user.", "1"],
      ["getxattr", "f", "trusted."],
      ["setxattr", "f", "userx", "1"],
      // Removal, and ENODATA for what is not there.
      ["removexattr", "f", "user.color"],
      ["getxattr", "f", "user.color"],
      ["removexattr", "f", "user.color"],
      ["removexattr", "f", "trusted.t"],
      ["listxattr", "f"],
      ["getxattr", "f", "user.never"],
      ["listxattr", "d"],
      ["removexattr", "d", "user.d"],
      ["removexattr", "d", "trusted.d"],
      ["listxattr", "d"],
      // security.capability holds file capabilities: a v2 or v3 header, or EINVAL;
      // a v3 for root id 0 reads back as the v2 it equals.
      ["setxattr", "f", "security.capability", caps([0x02000001, 1, 0, 0, 0])],
      ["getxattr", "f", "security.capability"],
      ["setxattr", "f", "security.capability", caps([0x03000000, 1, 0, 0, 0, 0])],
      ["getxattr", "f", "security.capability"],
      ["setxattr", "f", "security.capability", caps([0x03000000, 1, 0, 0, 0, 1000])],
      ["getxattr", "f", "security.capability"],
      ["setxattr", "f", "security.capability", caps([0x02000000, 1, 0, 0])],
      ["setxattr", "f", "security.capability", caps([0x01000000, 1, 0, 0, 0])],
      ["setxattr", "f", "security.capability", "junk"],
      ["removexattr", "f", "security.capability"],
      // An empty value is a value.
      ["setxattr", "f", "user.empty", ""],
      ["getxattr", "f", "user.empty"],
      ["getxattr_size", "f", "user.empty", 0],
    ]);
  });
});

Deno.test("xattr: XATTR_CREATE, XATTR_REPLACE and bad flags", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["setxattr", "f", "user.a", "1", "XATTR_CREATE"],
      ["setxattr", "f", "user.a", "2", "XATTR_CREATE"],
      ["getxattr", "f", "user.a"],
      ["setxattr", "f", "user.a", "3", "XATTR_REPLACE"],
      ["getxattr", "f", "user.a"],
      ["setxattr", "f", "user.b", "1", "XATTR_REPLACE"],
      ["getxattr", "f", "user.b"],
      ["setxattr", "f", "user.a", "4", "XATTR_CREATE|XATTR_REPLACE"],
      ["setxattr", "f", "user.c", "4", "XATTR_CREATE|XATTR_REPLACE"],
      ["setxattr", "f", "user.a", "5", 4],
      ["setxattr", "f", "user.a", "5", 0],
      ["fsetxattr", "@0", "user.a", "6", "XATTR_CREATE"],
      ["fsetxattr", "@0", "user.f", "6", "XATTR_REPLACE"],
      ["fsetxattr", "@0", "user.f", "6", "XATTR_CREATE"],
      ["listxattr", "f"],
      // Bad flags are refused before the file is looked up.
      ["setxattr", "missing", "user.a", "1", 8],
      ["setxattr", "missing", "user.a", "1", "XATTR_CREATE"],
    ]);
  });
});

Deno.test("xattr: Linux's size rules: 0 asks for the length, too small is ERANGE", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"],
      ["setxattr", "f", "user.a", "hello"],
      ["setxattr", "f", "user.bb", "x"],
      ["getxattr_size", "f", "user.a", 0],
      ["getxattr_size", "f", "user.a", 1],
      ["getxattr_size", "f", "user.a", 4],
      ["getxattr_size", "f", "user.a", 5],
      ["getxattr_size", "f", "user.a", 4096],
      ["getxattr_size", "f", "user.a", 1 << 20], // past XATTR_SIZE_MAX: clamped, fine
      ["getxattr_size", "f", "user.none", 0],
      ["getxattr_size", "f", "user.none", 10],
      ["listxattr_size", "f", 0],
      ["listxattr_size", "f", 1],
      ["listxattr_size", "f", 14],
      ["listxattr_size", "f", 15],
      ["listxattr_size", "f", 1 << 20],
      ["lgetxattr_size", "f", "user.a", 2],
      ["lgetxattr_size", "f", "user.a", 0],
      ["llistxattr_size", "f", 0],
      ["llistxattr_size", "f", 3],
      ["fgetxattr_size", "@0", "user.a", 0],
      ["fgetxattr_size", "@0", "user.a", 3],
      ["fgetxattr_size", "@0", "user.a", 5],
      ["flistxattr_size", "@0", 0],
      ["flistxattr_size", "@0", 5],
      ["flistxattr_size", "@0", 15],
      ["open", ".", "O_RDONLY|O_DIRECTORY"],
      ["flistxattr_size", "@26", 0],
      ["fgetxattr_size", "@26", "user.a", 0],
    ]);
  });
});

Deno.test("xattr: names of 255 bytes fit, 256 and empty are ERANGE, checked before the path", async () => {
  await withOs(async (os) => {
    const n255 = "user." + big(250, "n");
    const n256 = "user." + big(251, "n");
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"],
      ["setxattr", "f", n255, "ok"],
      ["getxattr", "f", n255],
      ["listxattr", "f"],
      ["setxattr", "f", n256, "no"],
      ["getxattr", "f", n256],
      ["removexattr", "f", n256],
      ["lsetxattr", "f", n256, "no"],
      ["fsetxattr", "@0", n256, "no"],
      ["fgetxattr", "@0", n256],
      ["fremovexattr", "@0", n256],
      ["setxattr", "f", "", "no"],
      ["getxattr", "f", ""],
      ["fgetxattr", "@0", ""],
      ["removexattr", "f", n255],
      ["listxattr", "f"],
      // The name is checked before the file is looked up; the fd after.
      ["setxattr", "missing", n256, "no"],
      ["getxattr", "missing", n256],
      ["removexattr", "missing", ""],
      ["getxattr", "missing", "user.a"],
      ["fsetxattr", 99, n256, "no"],
      ["fremovexattr", 99, n256],
      ["fsetxattr", 99, "user.a", "no"],
      ["fremovexattr", 99, "user.a"],
      ["fgetxattr", 99, "user.a"],
    ]);
  });
});

Deno.test("xattr: 64 KiB values pass every form, one byte more is E2BIG", async () => {
  await withOs(async (os) => {
    const max = big(KIB64, "m");
    const over = big(KIB64 + 1, "o");
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"],
      ["setxattr", "f", "user.max", max],
      ["getxattr", "f", "user.max"],
      ["getxattr_size", "f", "user.max", 0],
      ["getxattr_size", "f", "user.max", KIB64 - 1],
      ["getxattr_size", "f", "user.max", KIB64],
      ["fgetxattr_size", "@0", "user.max", 0],
      ["fgetxattr", "@0", "user.max"],
      ["setxattr", "f", "user.over", over],
      ["fsetxattr", "@0", "user.over", over],
      ["setxattr", "missing", "user.over", over], // E2BIG before the lookup
      ["fsetxattr", "@0", "user.fmax", big(KIB64, "f")],
      ["fgetxattr_size", "@0", "user.fmax", 0],
      ["getxattr", "f", "user.fmax"],
      ["lsetxattr", "f", "trusted.max", max],
      ["lgetxattr_size", "f", "trusted.max", 0],
      ["setxattr", "f", "user.max", "short now", "XATTR_REPLACE"],
      ["getxattr", "f", "user.max"],
      ["listxattr", "f"],
    ]);
  });
});

Deno.test("xattr: a name list past one message (many long names)", async () => {
  await withOs(async (os) => {
    // 40 names of 200 bytes: an 8 KiB list, twice what one reply carries.
    const names = Array.from(
      { length: 40 },
      (_, i) => `user.${String(i).padStart(3, "0")}${big(192, "L")}`,
    );
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"],
      ...names.map((n): Step => ["setxattr", "f", n, n.slice(5, 8)]),
      ["listxattr", "f"],
      ["listxattr_size", "f", 0],
      ["listxattr_size", "f", 8000],
      ["llistxattr_size", "f", 40 * 201],
      ["flistxattr_size", "@0", 0],
      ["flistxattr", "@0"],
      ["getxattr", "f", names[39]],
    ]);
  });
});

Deno.test("xattr: symlinks: the plain forms follow, the l-forms act on the link", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"],
      ["symlink", "f", "l"],
      ["symlink", "missing", "dangling"],
      ["setxattr", "l", "user.via", "link"],
      ["getxattr", "f", "user.via"],
      ["lgetxattr", "l", "user.via"],
      ["listxattr", "l"],
      ["llistxattr", "l"],
      // user.* lives on regular files and directories only.
      ["lsetxattr", "l", "user.on", "link"],
      ["lremovexattr", "l", "user.via"],
      // trusted.* and security.* may sit on the link itself.
      ["lsetxattr", "l", "trusted.t", "link"],
      ["lsetxattr", "l", "security.s", "link"],
      ["lgetxattr", "l", "trusted.t"],
      ["getxattr", "l", "trusted.t"],
      ["llistxattr", "l"],
      ["lremovexattr", "l", "security.s"],
      ["llistxattr", "l"],
      ["llistxattr_size", "l", 0],
      ["setxattr", "dangling", "user.a", "1"],
      ["lsetxattr", "dangling", "trusted.a", "1"],
      ["lgetxattr", "dangling", "trusted.a"],
      ["removexattr", "l", "user.via"],
      ["listxattr", "f"],
    ]);
  });
});

Deno.test("xattr: the f-forms, on files and directories", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_RDWR|O_CREAT", "0644"],
      ["fsetxattr", "@0", "user.a", "A"],
      ["fsetxattr", "@0", "trusted.b", "B"],
      ["fgetxattr", "@0", "user.a"],
      ["fgetxattr", "@0", "trusted.b"],
      ["flistxattr", "@0"],
      ["fgetxattr", "@0", "user.none"],
      ["fgetxattr", "@0", "system.x"],
      ["fgetxattr", "@0", "foo.x"],
      ["fgetxattr", "@0", "user."],
      ["fremovexattr", "@0", "user.a"],
      ["fremovexattr", "@0", "user.a"],
      ["flistxattr", "@0"],
      ["getxattr", "f", "trusted.b"],
      ["open", "f", "O_RDONLY"],
      ["fgetxattr", "@14", "trusted.b"],
      ["fsetxattr", "@14", "user.ro", "fd is read-only, the inode is writable"],
      ["getxattr", "f", "user.ro"],
      ["mkdir", "d", "0755"],
      ["open", "d", "O_RDONLY|O_DIRECTORY"],
      ["fsetxattr", "@19", "user.dir", "D"],
      ["fgetxattr", "@19", "user.dir"],
      ["flistxattr", "@19"],
      ["fremovexattr", "@19", "user.dir"],
      ["flistxattr", "@19"],
      ["close", "@0"],
      ["fgetxattr", "@0", "trusted.b"],
      ["flistxattr", "@0"],
    ]);
  });
});

Deno.test("xattr: user.* on FIFOs, pipes and devices is EPERM to set, ENODATA to read", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["mknod", "fifo", "S_IFIFO|0666", 0, 0],
      ["mknod", "null", "S_IFCHR|0666", 1, 3],
      ["setxattr", "fifo", "user.a", "1"],
      ["getxattr", "fifo", "user.a"],
      ["removexattr", "fifo", "user.a"],
      ["setxattr", "null", "user.a", "1"],
      ["getxattr", "null", "user.a"],
      ["setxattr", "fifo", "trusted.a", "1"],
      ["getxattr", "fifo", "trusted.a"],
      ["setxattr", "null", "security.a", "1"],
      ["listxattr", "fifo"],
      ["listxattr", "null"],
      // Through fds: a pipe's inode has no xattrs at all; a device's has its node's.
      ["pipe"],
      ["fgetxattr", "@12.0", "user.x"],
      ["fgetxattr", "@12.0", "trusted.x"],
      ["flistxattr", "@12.0"],
      ["flistxattr_size", "@12.1", 0],
      ["fsetxattr", "@12.1", "user.x", "1"],
      ["fsetxattr", "@12.1", "trusted.x", "1"],
      ["fsetxattr", "@12.1", "foo.x", "1"],
      ["fremovexattr", "@12.1", "security.x"],
      ["fsetxattr", "@12.1", "user.x", "1", 9],
      ["open", "null", "O_RDWR"],
      ["fsetxattr", "@22", "user.x", "1"],
      ["fsetxattr", "@22", "trusted.x", "1"],
      ["fgetxattr", "@22", "trusted.x"],
      ["fgetxattr", "@22", "user.x"],
      ["flistxattr", "@22"],
      ["fremovexattr", "@22", "trusted.x"],
      ["flistxattr", "@22"],
      ["fgetxattr", 0, "user.x"],
      ["flistxattr", 1],
    ]);
  });
});

Deno.test("xattr: an unprivileged user: trusted.* hidden, security.* read-only, permissions apply", async () => {
  await withOs(async (os) => {
    await check(
      os,
      script([
        // As root: a file of root's, one for uid 1000, a sticky directory.
        [["open", "root", "O_WRONLY|O_CREAT", "0644"], ok(3)],
        [["setxattr", "root", "user.r", "root's"], ok()],
        [["setxattr", "root", "trusted.t", "secret"], ok()],
        [["setxattr", "root", "security.s", "label"], ok()],
        [["open", "mine", "O_WRONLY|O_CREAT", "0600"], ok(4)],
        [["setxattr", "mine", "trusted.t", "secret"], ok()],
        [["chown", "mine", 1000, 1000], ok()],
        [["mkdir", "sticky", "01777"], ok()],
        [["chmod", "sticky", "01777"], ok()],
        [["mknod", "fifo", "S_IFIFO|0666", 0, 0], ok()],
        [["open", "wo", "O_WRONLY|O_CREAT", "0600"], ok(5)],
        [["chown", "wo", 1000, 1000], ok()],
        [["setxattr", "wo", "user.w", "w"], ok()],
        [["chmod", "wo", "0200"], ok()],
        [["become", 1000, 1000], ok()],
        // Root's file: read user.* and security.*, never trusted.*; change nothing.
        [["getxattr", "root", "user.r"], ok("root's")],
        [["getxattr", "root", "security.s"], ok("label")],
        [["getxattr", "root", "trusted.t"], err("ENODATA")],
        [["listxattr", "root"], ok(["security.s", "user.r"])],
        [["listxattr_size", "root", 0], ok(18)],
        [["setxattr", "root", "user.r", "mine"], err("EACCES")],
        [["removexattr", "root", "user.r"], err("EACCES")],
        [["setxattr", "root", "trusted.t", "x"], err("EPERM")],
        [["removexattr", "root", "trusted.t"], err("EPERM")],
        [["setxattr", "root", "security.s", "x"], err("EPERM")],
        [["setxattr", "root", "foo.x", "x"], err("EACCES")], // permission before namespace
        [["setxattr", "root", "system.x", "x"], err("EOPNOTSUPP")],
        // Own file: user.* freely; trusted.* and security.* still not.
        [["setxattr", "mine", "user.m", "mine"], ok()],
        [["getxattr", "mine", "user.m"], ok("mine")],
        [["listxattr", "mine"], ok(["user.m"])],
        [["getxattr", "mine", "trusted.t"], err("ENODATA")],
        [["setxattr", "mine", "trusted.u", "x"], err("EPERM")],
        [["setxattr", "mine", "security.s", "x"], err("EPERM")],
        [["removexattr", "mine", "security.s"], err("EPERM")],
        [["setxattr", "mine", "foo.x", "x"], err("EOPNOTSUPP")],
        [["removexattr", "mine", "user.m"], ok()],
        // The f-forms check the same (fgetxattr and flistxattr at mfs_ram).
        [["open", "mine", "O_RDWR"], ok(6)],
        [["fsetxattr", "@36", "user.f", "f"], ok()],
        [["flistxattr", "@36"], ok(["user.f"])],
        [["flistxattr_size", "@36", 0], ok(7)],
        [["fgetxattr", "@36", "trusted.t"], err("ENODATA")],
        [["fsetxattr", "@36", "trusted.t", "x"], err("EPERM")],
        [["fgetxattr", "@36", "system.x"], err("EOPNOTSUPP")],
        // Write-only: the value cannot be read, even through an open fd; the list can.
        [["open", "wo", "O_WRONLY"], ok(7)],
        [["fgetxattr", "@43", "user.w"], err("EACCES")],
        [["getxattr", "wo", "user.w"], err("EACCES")],
        [["flistxattr", "@43"], ok(["user.w"])],
        [["fsetxattr", "@43", "user.w2", "w"], ok()],
        // A sticky directory: only its owner sets user.* on it.
        [["setxattr", "sticky", "user.s", "x"], err("EPERM")],
        [["getxattr", "sticky", "user.s"], err("ENODATA")],
        [["setxattr", "fifo", "user.s", "x"], err("EPERM")],
        [["getxattr", "fifo", "user.s"], err("ENODATA")],
        // File capabilities: the value is checked first, then the privilege.
        [["setxattr", "mine", "security.capability", "junk"], err("EINVAL")],
        [["setxattr", "mine", "security.capability", caps([0x02000000, 1, 0, 0, 0])], err("EPERM")],
        [["setxattr", "root", "security.capability", caps([0x02000000, 1, 0, 0, 0])], err("EPERM")],
        // A pipe of one's own: no trusted.* to read, nothing to set.
        [["pipe"], ok([8, 9])],
        [["fgetxattr", "@55.0", "trusted.x"], err("ENODATA")],
        [["fsetxattr", "@55.1", "trusted.x", "1"], err("EPERM")],
        [["fsetxattr", "@55.1", "security.x", "1"], err("EPERM")],
        [["fsetxattr", "@55.1", "foo.x", "1"], err("EOPNOTSUPP")],
      ]),
    );
  });
});

Deno.test("xattr: POSIX ACLs that say the mode bits change the mode; bad ones are refused", async () => {
  await withOs(async (os) => {
    const A = "system.posix_acl_access";
    const D = "system.posix_acl_default";
    const minimal = acl([[USER_OBJ, 7, NO_ID], [GROUP_OBJ, 5, NO_ID], [OTHER, 1, NO_ID]]);
    await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["mkdir", "d", "0755"],
      ["symlink", "f", "l"],
      ["setxattr", "f", A, minimal],
      ["stat", "f"],
      ["getxattr", "f", A],
      ["listxattr", "f"],
      ["setxattr", "f", A, acl([[USER_OBJ, 6, NO_ID], [GROUP_OBJ, 4, NO_ID], [OTHER, 4, NO_ID]])],
      ["stat", "f"],
      // Malformed: version, length, perms, order, missing entries, a named user without mask.
      [
        "setxattr",
        "f",
        A,
        acl([[USER_OBJ, 7, NO_ID], [GROUP_OBJ, 5, NO_ID], [OTHER, 1, NO_ID]], 3),
      ],
      ["setxattr", "f", A, { hex: "0200" }],
      ["setxattr", "f", A, { hex: "02000000010007" }],
      ["setxattr", "f", A, acl([[USER_OBJ, 8, NO_ID], [GROUP_OBJ, 5, NO_ID], [OTHER, 1, NO_ID]])],
      ["setxattr", "f", A, acl([[GROUP_OBJ, 5, NO_ID], [USER_OBJ, 7, NO_ID], [OTHER, 1, NO_ID]])],
      ["setxattr", "f", A, acl([[USER_OBJ, 7, NO_ID], [GROUP_OBJ, 5, NO_ID]])],
      ["setxattr", "f", A, acl([[USER_OBJ, 7, NO_ID], [3, 5, NO_ID], [OTHER, 1, NO_ID]])],
      [
        "setxattr",
        "f",
        A,
        acl([[USER_OBJ, 7, NO_ID], [USER, 7, 5], [GROUP_OBJ, 5, NO_ID], [OTHER, 1, NO_ID]]),
      ],
      [
        "setxattr",
        "f",
        A,
        acl([[USER_OBJ, 7, NO_ID], [USER, 7, NO_ID], [GROUP_OBJ, 5, NO_ID], [MASK, 7, NO_ID], [
          OTHER,
          1,
          NO_ID,
        ]]),
      ],
      ["stat", "f"],
      // No entries (or no bytes) removes the ACL; so does removexattr, even when there is none.
      ["setxattr", "f", A, acl([])],
      ["setxattr", "f", A, ""],
      ["removexattr", "f", A],
      ["removexattr", "f", A],
      ["stat", "f"],
      // Default ACLs belong to directories.
      ["setxattr", "f", D, minimal],
      ["setxattr", "f", D, acl([[GROUP_OBJ, 7, NO_ID]])],
      ["removexattr", "f", D],
      ["getxattr", "f", D],
      ["getxattr", "d", D],
      ["removexattr", "d", D],
      // Symlinks have none.
      ["lsetxattr", "l", A, minimal],
      ["lgetxattr", "l", A],
      ["lremovexattr", "l", A],
      ["getxattr", "l", A],
    ]);
  });
});

Deno.test("xattr: ACLs beyond the mode bits are refused, not kept and ignored", async () => {
  await withOs(async (os) => {
    const A = "system.posix_acl_access";
    const got = await melloOps(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["mkdir", "d", "0755"],
      [
        "setxattr",
        "f",
        A,
        acl([[USER_OBJ, 7, NO_ID], [USER, 7, 5], [GROUP_OBJ, 5, NO_ID], [MASK, 7, NO_ID], [
          OTHER,
          1,
          NO_ID,
        ]]),
      ],
      ["stat", "f"],
      [
        "setxattr",
        "d",
        "system.posix_acl_default",
        acl([[USER_OBJ, 7, NO_ID], [GROUP_OBJ, 5, NO_ID], [OTHER, 1, NO_ID]]),
      ],
      ["listxattr", "d"],
    ]);
    assert.deepEqual(got[2], err("EOPNOTSUPP"));
    assert.equal((got[3] as { ok: { mode: string } }).ok.mode, "644");
    assert.deepEqual(got[4], err("EOPNOTSUPP"));
    assert.deepEqual(got[5], ok([]));
  });
});

Deno.test("xattr: an unprivileged owner sets ACLs; others may not", async () => {
  await withOs(async (os) => {
    const A = "system.posix_acl_access";
    const minimal = acl([[USER_OBJ, 6, NO_ID], [GROUP_OBJ, 0, NO_ID], [OTHER, 0, NO_ID]]);
    await check(
      os,
      script([
        [["open", "mine", "O_WRONLY|O_CREAT", "02674"], ok(3)],
        [["chmod", "mine", "02674"], ok()],
        [["chown", "mine", 1000, 0], ok()],
        [["open", "root", "O_WRONLY|O_CREAT", "0666"], ok(4)],
        [["become", 1000, 1000], ok()],
        [["setxattr", "root", A, minimal], err("EPERM")],
        [["removexattr", "root", A], err("EPERM")],
        [["getxattr", "root", A], err("ENODATA")],
        // Not in the file's group: the setgid bit goes, as chmod would clear it.
        [["setxattr", "mine", A, minimal], ok()],
        [
          ["stat", "mine"],
          ok({
            type: "100000",
            mode: "600",
            nlink: 1,
            uid: 1000,
            gid: 0,
            size: 0,
            rdev: [0, 0],
          }),
        ],
      ]),
    );
  });
});

Deno.test("xattr: attributes belong to the inode: they follow renames and hard links", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["open", "f", "O_WRONLY|O_CREAT", "0644"],
      ["setxattr", "f", "user.a", "A"],
      ["fsetxattr", "@0", "trusted.b", big(5000, "b")],
      ["link", "f", "hard"],
      ["getxattr", "hard", "user.a"],
      ["setxattr", "hard", "user.c", "C"],
      ["listxattr", "f"],
      ["rename", "f", "renamed"],
      ["listxattr", "renamed"],
      ["getxattr_size", "renamed", "trusted.b", 0],
      ["mkdir", "d", "0755"],
      ["rename", "renamed", "d/moved"],
      ["getxattr", "d/moved", "user.c"],
      ["unlink", "hard"],
      ["listxattr", "d/moved"],
      ["setxattr", "d", "user.dir", "D"],
      ["rename", "d", "d2"],
      ["getxattr", "d2", "user.dir"],
      ["removexattr", "d2/moved", "user.a"],
      ["fgetxattr", "@0", "user.a"],
      ["flistxattr", "@0"],
      ["open", "x", "O_WRONLY|O_CREAT", "0644"],
      ["setxattr", "x", "user.x", "x"],
      ["rename", "x", "d2/moved"],
      ["listxattr", "d2/moved"],
      ["flistxattr", "@0"],
    ]);
  });
});

/** Set attributes at absolute paths (64 KiB ones too) and read them all back. */
function survivalSteps(dir: string): { set: Step[]; read: Step[] } {
  const set: Step[] = [
    ["mkdir", dir, "0755"],
    ["open", `${dir}/f`, "O_WRONLY|O_CREAT", "0644"],
    ["setxattr", `${dir}/f`, "user.small", "s"],
    ["setxattr", `${dir}/f`, "user.big", big(KIB64, "B")],
    ["setxattr", `${dir}/f`, "trusted.t", "t"],
    ["setxattr", `${dir}/f`, "user.gone", "g"],
    ["removexattr", `${dir}/f`, "user.gone"],
    ["setxattr", `${dir}/f`, "user.small", "s2", "XATTR_REPLACE"],
    ["setxattr", dir, "security.d", "d"],
  ];
  const read: Step[] = [
    ["listxattr", `${dir}/f`],
    ["getxattr", `${dir}/f`, "user.small"],
    ["getxattr", `${dir}/f`, "user.big"],
    ["getxattr", `${dir}/f`, "trusted.t"],
    ["getxattr", `${dir}/f`, "user.gone"],
    ["listxattr", dir],
    ["getxattr", dir, "security.d"],
  ];
  return { set, read };
}

for (const server of ["mfs_ram", "vfs"]) {
  Deno.test(`xattr: attributes survive a crash of ${server}`, async () => {
    await withOs(async (os) => {
      const dir = `/tmp/survive-${server}`;
      const { set, read } = survivalSteps(dir);
      const before = await melloOps(os, [...set, ...read]);
      assert.ok(before.every((o) => "ok" in o || o.err === "ENODATA"), JSON.stringify(before));
      const restarts = os.services().find((s) => s.name === server)!.restarts;
      await os.crash(server);
      const after = await melloOps(os, read);
      assert.deepEqual(after, before.slice(set.length));
      assert.equal(os.services().find((s) => s.name === server)!.restarts, restarts + 1);
      // And what is set after the restart takes too (the VFS's data slots are fresh).
      const again = await melloOps(os, [
        ["setxattr", `${dir}/f`, "user.after", big(KIB64, "A")],
        ["getxattr_size", `${dir}/f`, "user.after", 0],
      ]);
      assert.deepEqual(again, [ok(), ok(KIB64)]);
    });
  });
}

Deno.test("xattr: getfattr prints 64 KiB values; setfattr removes them", async () => {
  await withOs(async (os) => {
    // (setfattr cannot be handed a 64 KiB value: a spawn's argv must fit one message.)
    const set = await melloOps(os, [
      ["open", "/tmp/f", "O_WRONLY|O_CREAT", "0644"],
      ["setxattr", "/tmp/f", "user.big", big(KIB64, "g")],
    ]);
    assert.deepEqual(set, [ok(3), ok()]);
    const r = await os.run(
      `cd /tmp && getfattr -n user.big --only-values f | wc -c && getfattr -d -e hex f | wc -c && ` +
        `getfattr -d f | head -c 40; echo; setfattr -x user.big f && getfattr -d f; echo $?`,
    );
    assert.deepEqual(
      { status: r.status, stdout: r.stdout, stderr: r.stderr },
      {
        status: 0,
        // GNU getfattr on Linux's tmpfs prints the same.
        stdout: `65536\n131095\n# file: f\nuser.big="${big(20, "g")}\n0\n`,
        stderr: "",
      },
    );
  });
});

Deno.test("xattr: /proc has none: every name is EOPNOTSUPP, the list empty", async () => {
  await withOs(async (os) => {
    await sameAsHost(os, [
      ["getxattr", "/proc/self/status", "user.x"],
      ["setxattr", "/proc/self/status", "user.x", "1"],
      ["removexattr", "/proc/self/status", "user.x"],
      ["getxattr", "/proc", "trusted.x"],
      ["setxattr", "/proc", "trusted.x", "1"],
      ["getxattr", "/proc", "security.x"],
      ["listxattr", "/proc"],
      ["listxattr", "/proc/self/status"],
      ["listxattr_size", "/proc", 0],
    ]);
  });
});

Deno.test("xattr: a read-only mount refuses changes (EROFS) after the argument checks", async () => {
  await withOs(async (os) => {
    // MelloOS only: the host's scripts cannot mount. Linux's order: flags,
    // name and size first, then the lookup, then EROFS before permission.
    const got = await melloOps(os, [
      ["mkdir", "m", "0755"],
      ["mount", "none", "m", "tmpfs", 1, "size=1m"],
      ["setxattr", "m", "user.a", "1"],
      ["setxattr", "m", "trusted.a", "1"],
      ["setxattr", "m", "system.posix_acl_access", ""],
      ["removexattr", "m", "user.a"],
      ["setxattr", "m", "user.a", "1", 8],
      ["setxattr", "m", "", "1"],
      ["getxattr", "m", "user.a"],
      ["listxattr", "m"],
      ["umount2", "m"],
    ]);
    assert.deepEqual(got, [
      ok(),
      ok(),
      err("EROFS"),
      err("EROFS"),
      err("EROFS"),
      err("EROFS"),
      err("EINVAL"),
      err("ERANGE"),
      err("ENODATA"),
      ok([]),
      ok(),
    ]);
  });
});

Deno.test("xattr: the VFS's data slots: one each for requests in flight, the ninth waits", async () => {
  const area = Area.create(0);
  const slots = new DataSlots(area);
  const held: Array<() => void> = [];
  const offs: number[] = [];
  const hold = () =>
    slots.with((s) => {
      offs.push(s.off);
      assert.equal(s.bytes.length, SLOT_BYTES);
      return new Promise<void>((r) => held.push(r));
    });
  const running = Array.from({ length: 9 }, hold);
  await until(() => offs.length === 8, "eight slots taken");
  await Promise.resolve();
  assert.equal(offs.length, 8); // the ninth waits
  assert.equal(new Set(offs).size, 8);
  assert.ok(offs.every((o) => o >= area.data.length / 2 && o + SLOT_BYTES <= area.data.length));
  held[0]();
  await until(() => offs.length === 9, "the ninth gets the freed slot");
  assert.equal(offs[8], offs[0]);
  held.slice(1).forEach((r) => r());
  await Promise.all(running);
  assert.equal(slotsOf(area), slotsOf(area)); // one allocator per area
});
