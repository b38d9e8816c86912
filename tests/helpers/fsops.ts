// Run one script of file syscalls in MelloOS (tests/programs/fsops.ts) and
// on the host (tests/helpers/host_fsops.py), each in a fresh directory, and
// compare what every step returned: values, data and errno names.
//
// A script is a list of steps [op, ...args]; see tests/programs/fsops.ts for
// the argument forms ("O_WRONLY|O_CREAT", "@3" for the fd step 3 returned).
// Ops: open openat creat close read write pread pwrite readv writev lseek
// truncate ftruncate stat lstat fstat fstatat mkdir mkdirat rmdir unlink
// unlinkat link linkat symlink symlinkat readlink readlinkat rename
// renameat2 chmod fchmod fchmodat chown lchown fchown fchownat utimensat
// times blocks access faccessat dup dup2 dup3 fcntl pipe mknod mknodat setxattr
// lsetxattr fsetxattr getxattr lgetxattr fgetxattr listxattr llistxattr
// flistxattr removexattr lremovexattr fremovexattr readdir getdents chdir
// fchdir getcwd umask fsync fdatasync sync become; mount umount2 (MelloOS only).
// O_PATH and file handles: reopen [fd, flags] (open("/proc/self/fd/N")),
// fstatfs futimens ioctl [fd, request] getdents_any [fd] (success only),
// name_to_handle_at [dirfd, path, flags, size?] (shows "handle", keeps it for
// "@N"; EOVERFLOW shows ["EOVERFLOW", handle_type] and keeps the size asked
// for), open_by_handle_at [mountfd, "@N", flags, tamper?] ("generation",
// "size:N", "type:N"), same_mount ["@N", "@M"]. Handles need root on the
// host (CAP_DAC_READ_SEARCH), as scripts that switch users do.
// getxattr_size lgetxattr_size fgetxattr_size [target, name, size] and
// listxattr_size llistxattr_size flistxattr_size [target, size] pass an
// explicit size (0: the length; ERANGE when too small) and return the
// length, the value, or the names sorted.
// "<root>" in a string argument stands for the run's own directory (an
// absolute path differs between the two sides); results show it the same way.
// ["become", uid, gid, [groups]] drops root for the rest of the script (so a
// script can set files up as root first); the host must be root for it.
// stat-like ops return {type, mode (octal strings), nlink, uid, gid, size
// (-1 for directories: their sizes are the filesystem's), rdev [major, minor]}.
//
// The host side uses tmpfs (/dev/shm) when it can: mfs_ram is a RAM
// filesystem, and tmpfs is the Linux one whose limits (64 KiB xattr values,
// user. xattrs on regular files) it shares.

import assert from "node:assert/strict";
import type { Handle } from "../../kernel/mod.ts";
import { installProgram } from "./system.ts";

export type Step = [string, ...unknown[]];
export type Outcome = { ok: unknown } | { err: string };

export interface Who {
  uid: number;
  gid: number;
  groups?: number[];
}

const decoder = new TextDecoder();
let counter = 0;
const installed = new WeakSet<Handle>();

/** Replace the run's own directory in string results, so both sides read the same. */
function relative(v: unknown, root: string): unknown {
  if (typeof v === "string") return v === root ? "<root>" : v.replaceAll(root + "/", "<root>/");
  if (Array.isArray(v)) return v.map((x) => relative(x, root));
  return v;
}

/** `steps` with "<root>" in string arguments replaced by `dir`. */
function rooted(steps: Step[], dir: string): Step[] {
  const sub = (v: unknown): unknown =>
    typeof v === "string" ? v.replaceAll("<root>", dir) : Array.isArray(v) ? v.map(sub) : v;
  return steps.map((s) => sub(s) as Step);
}

/** Run `steps` in MelloOS, in a new directory owned by `who` (default root). */
export async function melloOps(os: Handle, steps: Step[], who?: Who): Promise<Outcome[]> {
  if (!installed.has(os)) {
    await installProgram(os, "fsops");
    installed.add(os);
  }
  const dir = `/tmp/fsops-${++counter}`;
  const mk = await os.run(`mkdir ${dir} && chown ${who?.uid ?? 0}:${who?.gid ?? 0} ${dir}`);
  assert.equal(mk.status, 0, mk.stderr);
  const r = await os.run(`cd ${dir} && fsops`, {
    stdin: JSON.stringify(rooted(steps, dir)),
    ...(who === undefined ? {} : { uid: who.uid, gid: who.gid, groups: who.groups ?? [who.gid] }),
  });
  assert.equal(r.status, 0, `fsops failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as Outcome[]).map((o) =>
    "ok" in o ? { ok: relative(o.ok, dir) } : o
  );
}

/** True when the host can run scripts as another user (it is root). */
export const hostCanSwitchUser = Deno.uid() === 0;

/** Run `steps` on the host, in a new directory on tmpfs if there is one; undefined if `who` cannot be honoured. */
export async function hostOps(steps: Step[], who?: Who): Promise<Outcome[] | undefined> {
  const switches = who !== undefined || steps.some((s) => s[0] === "become");
  const handles = steps.some((s) => s[0] === "open_by_handle_at");
  if ((switches || handles) && !hostCanSwitchUser) return undefined;
  let base: string | undefined;
  try {
    if ((await Deno.stat("/dev/shm")).isDirectory) base = "/dev/shm";
  } catch {
    // no tmpfs: the default temporary directory
  }
  const dir = await Deno.makeTempDir({ dir: base, prefix: "mello_fsops_" });
  try {
    if (who !== undefined) await Deno.chown(dir, who.uid, who.gid);
    await Deno.chmod(dir, 0o755);
    const args = [new URL("./host_fsops.py", import.meta.url).pathname, dir];
    if (who !== undefined) {
      args.push(String(who.uid), String(who.gid), (who.groups ?? [who.gid]).join(","));
    }
    const child = new Deno.Command("python3", {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    })
      .spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(rooted(steps, dir))));
    await writer.close();
    const out = await child.output();
    assert.equal(out.code, 0, `host_fsops.py failed: ${decoder.decode(out.stderr)}`);
    return (JSON.parse(decoder.decode(out.stdout)) as Outcome[]).map((o) =>
      "ok" in o ? { ok: relative(o.ok, dir) } : o
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Text for the steps whose outcomes differ. */
export function differences(steps: Step[], a: Outcome[], b: Outcome[], names = ["mello", "host"]) {
  const out: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    try {
      assert.deepEqual(a[i], b[i]);
    } catch {
      out.push(
        `step ${i} ${JSON.stringify(steps[i])}\n    ${names[0]}: ${JSON.stringify(a[i])}\n    ${
          names[1]
        }: ${JSON.stringify(b[i])}`,
      );
    }
  }
  return out;
}

/**
 * Run `steps` in MelloOS and on the host and require the same outcome at
 * every step. When the host cannot run as `who`, `expected` (if given) is
 * the reference instead. Returns MelloOS's outcomes.
 */
export async function sameAsHost(
  os: Handle,
  steps: Step[],
  who?: Who,
  expected?: Outcome[],
): Promise<Outcome[]> {
  const mine = await melloOps(os, steps, who);
  const host = (await hostOps(steps, who)) ?? expected;
  if (host === undefined) return mine; // nothing to compare with on this host
  const diffs = differences(steps, mine, host);
  assert.equal(diffs.length, 0, `MelloOS and Linux differ:\n  ${diffs.join("\n  ")}`);
  return mine;
}
