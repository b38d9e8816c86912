// The FUSE ABI in drivers/fuse/abi.ts (and the libc constants in libc.ts)
// against the C headers: a C program generated from abi.ts prints sizeof,
// offsetof and the width of every field of every struct, and the value of
// every opcode, flag and constant; each must equal ours. Without a C
// compiler or without linux/fuse.h the test is skipped, saying so.

import assert from "node:assert/strict";
import * as abi from "../drivers/fuse/abi.ts";
import * as libc from "../drivers/fuse/libc.ts";

const decoder = new TextDecoder();
const HEADER = "/usr/include/linux/fuse.h";

/** C names and our values of every constant abi.ts and libc.ts define. */
function constants(): Array<[cName: string, value: number]> {
  const out: Array<[string, number]> = [];
  const group = (prefix: string, values: Record<string, number>) => {
    for (const [k, v] of Object.entries(values)) out.push([prefix + k, v]);
  };
  group("FUSE_", abi.FuseOp);
  group("FUSE_", abi.InitFlag);
  group("FOPEN_", abi.Fopen);
  group("FATTR_", abi.Fattr);
  // flags2 bit n is bit 32 + n of the 64-bit flag macros.
  for (const [k, v] of Object.entries(abi.InitFlag2)) out.push([`FUSE_${k} >> 32`, v]);
  for (
    const name of [
      "FUSE_KERNEL_VERSION",
      "FUSE_KERNEL_MINOR_VERSION",
      "FUSE_ROOT_ID",
      "FUSE_MIN_READ_BUFFER",
      "FUSE_GETATTR_FH",
      "FUSE_RELEASE_FLUSH",
      "FUSE_RELEASE_FLOCK_UNLOCK",
      "FUSE_WRITE_CACHE",
      "FUSE_WRITE_LOCKOWNER",
      "FUSE_WRITE_KILL_SUIDGID",
      "FUSE_READ_LOCKOWNER",
      "FUSE_FSYNC_FDATASYNC",
      "FUSE_OPEN_KILL_SUIDGID",
      "RENAME_NOREPLACE",
      "RENAME_EXCHANGE",
      "RENAME_WHITEOUT",
      "XATTR_CREATE",
      "XATTR_REPLACE",
      "FALLOC_FL_KEEP_SIZE",
      "FALLOC_FL_PUNCH_HOLE",
      "FALLOC_FL_ZERO_RANGE",
      "SEEK_DATA",
      "SEEK_HOLE",
    ] as const
  ) out.push([name, abi[name]]);
  for (
    const name of [
      "O_RDONLY",
      "O_WRONLY",
      "O_RDWR",
      "O_DIRECTORY",
      "O_CLOEXEC",
      "O_PATH",
      "MS_NOSUID",
      "MS_NODEV",
      "MNT_DETACH",
    ] as const
  ) out.push([name, libc[name]]);
  out.push(["FUSE_NAME_OFFSET", abi.DIRENT.name]);
  out.push(["FUSE_NAME_OFFSET_DIRENTPLUS", abi.DIRENTPLUS.SIZE]);
  out.push(["FUSE_COMPAT_SETXATTR_IN_SIZE", abi.SETXATTR_IN_COMPAT_SIZE]);
  return out;
}

/** The C program: one line per struct, field and constant. */
function cSource(): string {
  const lines = [
    "#define _GNU_SOURCE",
    "#include <stdio.h>",
    "#include <stddef.h>",
    "#include <fcntl.h>",
    "#include <unistd.h>",
    "#include <sys/mount.h>",
    "#include <sys/xattr.h>",
    "#include <linux/fuse.h>",
    "int main(void) {",
  ];
  for (const [struct, layout] of Object.entries(abi.STRUCTS)) {
    lines.push(`  printf("S ${struct} %zu\\n", sizeof(struct ${struct}));`);
    for (const field of Object.keys(layout)) {
      if (field === "SIZE") continue;
      // A flexible array member has an offset but no size.
      const size = field === "name" ? "(size_t)0" : `sizeof(((struct ${struct} *)0)->${field})`;
      lines.push(
        `  printf("F ${struct}.${field} %zu %zu\\n", offsetof(struct ${struct}, ${field}), ${size});`,
      );
    }
  }
  for (const [name] of constants()) {
    // Every constant fits 32 unsigned bits (1 << 31 is negative as a C int).
    lines.push(`  printf("C ${name} %u\\n", (unsigned)(${name}));`);
  }
  lines.push("  return 0;", "}");
  return lines.join("\n") + "\n";
}

/** Our view, in the C program's output format. */
function expected(): string[] {
  const out: string[] = [];
  for (const [struct, layout] of Object.entries(abi.STRUCTS)) {
    out.push(`S ${struct} ${layout.SIZE}`);
    // Every struct is explicitly padded: a field's width is the gap to the next one.
    const fields = Object.entries(layout).filter(([k]) => k !== "SIZE").sort((a, b) => a[1] - b[1]);
    fields.forEach(([field, offset], i) => {
      const next = i + 1 < fields.length ? fields[i + 1][1] : layout.SIZE;
      out.push(`F ${struct}.${field} ${offset} ${field === "name" ? 0 : next - offset}`);
    });
  }
  for (const [name, value] of constants()) out.push(`C ${name} ${value}`);
  return out;
}

async function compileAndRun(): Promise<string[] | string> {
  try {
    await Deno.stat(HEADER);
  } catch {
    return `no ${HEADER} (Debian: linux-libc-dev)`;
  }
  const dir = await Deno.makeTempDir({ prefix: "mello_fuse_abi_" });
  try {
    await Deno.writeTextFile(`${dir}/abi.c`, cSource());
    let built: Deno.CommandOutput;
    try {
      built = await new Deno.Command("cc", {
        args: ["-Wall", "-o", `${dir}/abi`, `${dir}/abi.c`],
        stderr: "piped",
      }).output();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return "no C compiler (cc) on this host";
      throw err;
    }
    assert.ok(built.success, `cc failed: ${decoder.decode(built.stderr)}`);
    const out = await new Deno.Command(`${dir}/abi`).output();
    assert.ok(out.success);
    return decoder.decode(out.stdout).trimEnd().split("\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("fuse abi: every struct layout, opcode and flag matches linux/fuse.h", async () => {
  const host = await compileAndRun();
  if (typeof host === "string") {
    console.log(`SKIPPED: ${host}, so no C view of the FUSE ABI to compare with`);
    return;
  }
  const ours = expected();
  assert.deepEqual(host.filter((l) => !ours.includes(l)), [], "C says otherwise");
  assert.equal(host.length, ours.length);
});

Deno.test("fuse abi: recAlign is FUSE_REC_ALIGN (8-byte records)", () => {
  assert.deepEqual([0, 1, 7, 8, 9, 24, 25, 31, 32].map(abi.recAlign), [
    0,
    8,
    8,
    8,
    16,
    24,
    32,
    32,
    32,
  ]);
});
