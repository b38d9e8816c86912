// Mounting a test handler over FUSE and driving it with host programs.
//
// withFuse() mounts on a fresh temp dir and always takes the mount off
// again, even when the test fails: abort (so nothing can hang on it), detach
// (umount2 MNT_DETACH), wait for the session Workers to end, remove the dir,
// and check that /proc/self/mountinfo no longer lists it.

import assert from "node:assert/strict";
import { FuseSession, removeStaleMount } from "../../drivers/fuse/mod.ts";
import { libc, O_CLOEXEC, O_RDWR } from "../../drivers/fuse/libc.ts";
import { mountAt } from "../../drivers/fuse/mountinfo.ts";
import { strerror } from "../../kernel/errno.ts";

const decoder = new TextDecoder();

/** Why FUSE tests cannot run here, or undefined if they can. */
export function fuseSkipReason(): string | undefined {
  if (Deno.build.os !== "linux") return "FUSE tests need Linux";
  const c = libc();
  const fd = c.open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0) return `/dev/fuse cannot be opened: ${strerror(-fd)}`;
  c.close(fd);
  if (Deno.uid() === 0 || fusermount3() !== undefined) return undefined;
  return "not root, and no fusermount3 to mount with";
}

/** Where fusermount3 is, if the host has it. */
export function fusermount3(): string | undefined {
  const path = (Deno.env.get("PATH") ?? "").split(":");
  return path.map((d) => `${d}/fusermount3`).find((p) => libc().access(p, 1) === 0);
}

/** Handler Worker entries of the test filesystems. */
export const MEMFS_WORKER = new URL("./fuse_memfs_worker.ts", import.meta.url);
export const PROBE_WORKER = new URL("./fuse_probe_worker.ts", import.meta.url);

/** Mount points made by withFuse in this process (for the final leak check). */
export const mountPoints: string[] = [];

export interface FuseMountOptions {
  worker: URL;
  handlerOptions?: unknown;
  workers?: number;
  attrTimeoutMs?: number;
  entryTimeoutMs?: number;
  via?: "auto" | "fusermount3";
}

/** Mount `options.worker`'s handler on a temp dir, run `fn`, and take it all down. */
export async function withFuse(
  options: FuseMountOptions,
  fn: (dir: string, session: FuseSession) => Promise<void>,
): Promise<void> {
  const made = await Deno.makeTempDir({ prefix: "mello_fuse_" });
  const logs: string[] = [];
  let session: FuseSession | undefined;
  try {
    session = await FuseSession.mount(made, {
      workerModule: options.worker,
      handlerOptions: options.handlerOptions,
      workers: options.workers ?? 1,
      attrTimeoutMs: options.attrTimeoutMs,
      entryTimeoutMs: options.entryTimeoutMs,
      via: options.via,
      log: (t) => logs.push(t),
    });
    mountPoints.push(session.dir);
    await fn(session.dir, session);
    assert.deepEqual(logs, [], "session logged trouble");
  } finally {
    if (session !== undefined) await session.abort();
    await Deno.remove(made);
  }
  if (session !== undefined) assert.equal(mountAt(session.dir), undefined, "mount left behind");
}

/** What a host command did. */
export interface HostRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Who runs a command (setpriv; needs root). */
export interface RunAs {
  uid: number;
  gid: number;
  groups: number[];
}

/** Run `script` with bash on the host, in `cwd`, optionally as another user. */
export async function sh(script: string, cwd: string, as?: RunAs): Promise<HostRun> {
  const argv = ["bash", "-c", script];
  if (as !== undefined) {
    const groups = as.groups.length === 0
      ? ["--clear-groups"]
      : [`--groups=${as.groups.join(",")}`];
    argv.unshift("setpriv", `--reuid=${as.uid}`, `--regid=${as.gid}`, ...groups, "--");
  }
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { LC_ALL: "C", PATH: "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" },
    clearEnv: true,
  }).output();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/** Run `script`, which must succeed; its stdout. */
export async function ok(script: string, cwd: string, as?: RunAs): Promise<string> {
  const r = await sh(script, cwd, as);
  assert.equal(r.code, 0, `${script}\nexit ${r.code}\n${r.stderr}`);
  return r.stdout;
}

/** Run `script`, which must fail with `message` (a strerror text) on stderr. */
export async function fails(
  script: string,
  cwd: string,
  message: string,
  as?: RunAs,
): Promise<void> {
  const r = await sh(script, cwd, as);
  assert.notEqual(r.code, 0, `${script} succeeded`);
  assert.ok(r.stderr.includes(message), `${script}: wanted "${message}", got: ${r.stderr}`);
}

/**
 * `child` serves a FUSE mount on `dir` and prints "mounted" once it does:
 * check the mount works, SIGKILL the child, and require every command in
 * `dead` (scripts using the mount) to fail with ENOTCONN rather than hang; then
 * the stale mount must come off. The child is killed and `dir` removed
 * whatever happens.
 */
export async function killServerExpectEnotconn(
  child: Deno.ChildProcess,
  dir: string,
  dead: string[],
): Promise<void> {
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value, "mounted\n");
    await ok(`cd '${dir}' && echo alive > f && cat f`, "/");
    child.kill("SIGKILL");
    await child.status;
    for (const script of dead) await fails(script, "/", "Transport endpoint is not connected");
    assert.ok(await removeStaleMount(dir));
    assert.equal(mountAt(dir), undefined);
    reader.releaseLock();
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already dead: the test killed it.
    }
    await child.status;
    await removeStaleMount(dir);
    await child.stdout.cancel().catch(() => {});
    try {
      await child.stdin.close();
    } catch {
      // Not piped, or closed with the child.
    }
    await Deno.remove(dir, { recursive: true });
  }
}
