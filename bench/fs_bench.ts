// Filesystem calls (issue 3): MelloOS's VFS and mfs_ram beside the host's
// tmpfs (/dev/shm) through Deno doing the same work in the same run.
//
//   - `ls` of a cached 100-entry directory, the whole command: target < 5 ms
//     (host: `ls` run as a process);
//   - stat, open+close, create+unlink: operations per second;
//   - 4 KiB reads of a cached 1 MiB file at random offsets: target >= 300,000/s.

import type { Handle } from "../kernel/mod.ts";
import { summarize } from "./stats.ts";
import { runSysbench } from "./sysbench.ts";
import type { Row } from "./table.ts";

const DIR_ENTRIES = 100;
const FILE_BYTES = 1 << 20;
const OPS = 5000;
const READS = 50_000;
const LS_RUNS = 40;

export async function fsBench(os: Handle): Promise<Row[]> {
  const base = "/tmp/bench";
  const setup = await os.run(
    `mkdir -p ${base} && sysbench mkfiles ${DIR_ENTRIES} ${base}/d100 && sysbench mkfile ${FILE_BYTES} ${base}/f1m`,
  );
  if (setup.status !== 0) throw new Error(`setup: ${setup.stderr}`);
  const host = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "mello-bench-" });
  try {
    await Deno.mkdir(`${host}/d100`);
    for (let i = 0; i < DIR_ENTRIES; i++) {
      await Deno.writeFile(`${host}/d100/file${String(i).padStart(3, "0")}`, new Uint8Array());
    }
    await Deno.writeFile(`${host}/f1m`, new Uint8Array(FILE_BYTES).map((_, i) => i & 0xff));

    const ls = await runSysbench(os, `ls ${LS_RUNS} ${base}/d100`);
    const hostLs = summarize(await timeHostLs(`${host}/d100`, LS_RUNS));
    const st = await runSysbench(os, `stat ${OPS} ${base}/f1m`);
    const oc = await runSysbench(os, `openclose ${OPS} ${base}/f1m`);
    const cu = await runSysbench(os, `createunlink ${OPS} ${base}`);
    const rd = await runSysbench(os, `read4k ${READS} ${base}/f1m`);
    const hostSt = rate(timeEach(OPS, () => Deno.statSync(`${host}/f1m`)));
    const hostOc = rate(timeEach(OPS, () => Deno.openSync(`${host}/f1m`).close()));
    const hostCu = rate(timeEach(OPS, () => {
      Deno.writeFileSync(`${host}/x`, new Uint8Array());
      Deno.removeSync(`${host}/x`);
    }));
    const hostRd = rate(hostReads(`${host}/f1m`, READS));
    return [
      {
        name: `ls of a cached ${DIR_ENTRIES}-entry dir, whole command p50`,
        unit: "ms",
        ours: ls.p50Us / 1000,
        hostWork: "host `ls` process on tmpfs",
        host: hostLs.p50 / 1000,
        target: 5,
      },
      {
        name: "ls, whole command p95",
        unit: "ms",
        ours: ls.p95Us / 1000,
        hostWork: "host `ls` process on tmpfs",
        host: hostLs.p95 / 1000,
      },
      {
        name: "stat()",
        unit: "ops/s",
        ours: st.opsPerSec,
        hostWork: "Deno.statSync on tmpfs",
        host: hostSt,
      },
      {
        name: "open() + close()",
        unit: "ops/s",
        ours: oc.opsPerSec,
        hostWork: "Deno.openSync + close on tmpfs",
        host: hostOc,
      },
      {
        name: "creat() + close() + unlink()",
        unit: "ops/s",
        ours: cu.opsPerSec,
        hostWork: "Deno.writeFileSync + removeSync",
        host: hostCu,
      },
      {
        name: "4 KiB pread() of a cached file",
        unit: "ops/s",
        ours: rd.opsPerSec,
        hostWork: "FsFile seek + readSync 4 KiB",
        host: hostRd,
        target: 300_000,
      },
    ];
  } finally {
    await Deno.remove(host, { recursive: true });
  }
}

function timeEach(n: number, fn: () => void): Float64Array {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    fn();
    out[i] = (performance.now() - t0) * 1000;
  }
  return out;
}

function rate(timesUs: Float64Array): number {
  let total = 0;
  for (const t of timesUs) total += t;
  return timesUs.length / (total / 1e6);
}

function hostReads(path: string, n: number): Float64Array {
  const f = Deno.openSync(path);
  const buf = new Uint8Array(4096);
  const blocks = FILE_BYTES / 4096;
  let seed = 12345;
  const times = timeEach(n, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    f.seekSync((seed % blocks) * 4096, Deno.SeekMode.Start);
    f.readSync(buf);
  });
  f.close();
  return times;
}

async function timeHostLs(dir: string, runs: number): Promise<Float64Array> {
  const cmd = new Deno.Command("ls", { args: [dir], stdout: "null", stderr: "null" });
  for (let i = 0; i < 3; i++) await cmd.output();
  const out = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await cmd.output();
    out[i] = (performance.now() - t0) * 1000;
  }
  return out;
}
