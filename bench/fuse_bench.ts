// The FUSE bridge (issue 4): host programs on a FUSE mount of MelloOS
// (mfs_ram behind it) beside the same programs on the host's tmpfs, in the
// same run. The work runs in a python process of its own (fuse_probe.py):
// this process holds the booted system, and its main thread must never
// wait on the mount (the kernel's syscalls run on it).
//
//   - stat() round trip (the host kernel's attribute cache is off: every
//     stat is a GETATTR request);
//   - create + unlink per second;
//   - sequential write and read in MB/s of a 1 GiB file (on an mfs_ram
//     instance of its own, size=1100m);
//   - `git status` on a 1,000-file tree, whole command p50 (the mount's
//     default 1 s attribute and entry timeouts, as libfuse's).

import type { Handle } from "../kernel/mod.ts";
import { fuseSkipReason } from "../tests/helpers/fuse_mount.ts";
import type { Row } from "./table.ts";

const STAT_N = 5000;
const CREATE_N = 2000;
const FILE_MIB = 1024;
const GIT_FILES = 1000;
const GIT_RUNS = 9;
const probe = new URL("./fuse_probe.py", import.meta.url).pathname;

interface Probe {
  stat_us: number;
  create_unlink_us: number;
  write_mbs: number;
  read_mbs: number;
  git_status_ms: number;
}

async function runProbe(dir: string, parts: "stat" | "rest" | "all"): Promise<Probe> {
  const counts = [
    parts === "rest" ? 0 : STAT_N,
    ...(parts === "stat" ? [0, 0, 0, 0] : [CREATE_N, FILE_MIB, GIT_FILES, GIT_RUNS]),
  ];
  const args = [probe, dir, ...counts].map(String);
  const out = await new Deno.Command("python3", {
    args,
    cwd: "/",
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (out.code !== 0) {
    const why = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" / ");
    throw new Error(`fuse_probe.py on ${dir} failed (${out.code}): ${why}`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout)) as Probe;
}

export async function fuseBench(os: Handle): Promise<Row[]> {
  const skip = fuseSkipReason();
  if (skip !== undefined) throw new Error(`FUSE benchmarks skipped: ${skip}`);
  const r = await os.run(
    "mkdir -p /data/fusebench && mount -t mfs_ram -o size=1100m,mode=1777 none /data/fusebench",
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const mountDir = await Deno.makeTempDir({ prefix: "mello_fuse_bench_" });
  const hostDir = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "mello_fuse_host_" });
  let ours: Probe;
  try {
    // The stat round trip with the host's attribute cache off (every stat
    // is a GETATTR at the bridge); the rest as mounted by default.
    const uncached = await os.fuse.mount(mountDir, { root: "/data/fusebench", attrTimeoutMs: 0 });
    const stat = await runProbe(uncached.dir, "stat").finally(() => os.fuse.unmount(uncached));
    const cached = await os.fuse.mount(mountDir, { root: "/data/fusebench" });
    const rest = await runProbe(cached.dir, "rest").finally(() => os.fuse.unmount(cached));
    ours = { ...rest, stat_us: stat.stat_us };
  } finally {
    await Deno.remove(mountDir, { recursive: true });
    await os.run("umount /data/fusebench && rmdir /data/fusebench");
  }
  let host: Probe;
  try {
    host = await runProbe(hostDir, "all");
  } finally {
    await Deno.remove(hostDir, { recursive: true });
  }
  return [
    {
      name: "FUSE: stat() round trip (attr cache off)",
      unit: "µs",
      ours: ours.stat_us,
      hostWork: "python os.stat on tmpfs",
      host: host.stat_us,
    },
    {
      name: "FUSE: create + unlink",
      unit: "ops/s",
      ours: 1e6 / ours.create_unlink_us,
      hostWork: "python open(O_CREAT)+close+unlink",
      host: 1e6 / host.create_unlink_us,
    },
    {
      name: `FUSE: sequential write, ${FILE_MIB} MiB file`,
      unit: "MB/s",
      ours: ours.write_mbs,
      hostWork: "1 MiB writes + fsync on tmpfs",
      host: host.write_mbs,
    },
    {
      name: `FUSE: sequential read, ${FILE_MIB} MiB file`,
      unit: "MB/s",
      ours: ours.read_mbs,
      hostWork: "1 MiB reads on tmpfs",
      host: host.read_mbs,
    },
    {
      name: `FUSE: git status, ${GIT_FILES}-file tree, p50`,
      unit: "ms",
      ours: ours.git_status_ms,
      hostWork: "git status on tmpfs",
      host: host.git_status_ms,
    },
  ];
}
