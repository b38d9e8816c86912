// Test helper: the counts of everything a process can make the system hold
// for it (fds, open files, inodes, pipes, waiters, capabilities, areas,
// data), from the kernel, the VFS (/proc/mello/vfs) and mfs_ram
// (MfsRamOp.STATS). Caches are left out: they may keep entries; references
// may not stay.

import assert from "node:assert/strict";
import type { Handle } from "../../kernel/mod.ts";
import { MAX_AREAS } from "../../kernel/sysmem.ts";
import { O } from "../../kernel/fcntl.ts";
import { Endpoint } from "../../kernel/registry.ts";
import { MfsClient } from "./mfs_client.ts";
import { until } from "./system.ts";

/** VFS counters that are caches, free to differ. */
const VFS_CACHES = new Set(["icache_entries", "dcache_entries"]);

const decoder = new TextDecoder();

/** /proc/mello/vfs as numbers (read by init, whose one open file is counted in). */
export async function vfsCounters(os: Handle): Promise<Record<string, number>> {
  const fds = os.kernel.fds;
  const fd = await fds.open("/proc/mello/vfs", O.RDONLY | O.CLOEXEC);
  let text: string;
  try {
    text = decoder.decode(await fds.readAll(fd));
  } finally {
    await fds.close(fd);
  }
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+) (\d+)$/.exec(line);
    if (m !== null) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Everything held, by "where.what". */
export async function counters(os: Handle): Promise<Record<string, number>> {
  // A process that has exited may still be giving its Worker back to the pool.
  await until(() => os.kernel.manager.finishing === 0, "processes' ends carried out");
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(await vfsCounters(os))) {
    if (!VFS_CACHES.has(k)) out[`vfs.${k}`] = v;
  }
  const s = await new MfsClient(os).stats();
  out["mfs_ram.inodes"] = s.inodes;
  out["mfs_ram.unlinked_inodes"] = s.unlinkedInodes;
  out["mfs_ram.open_files"] = s.openFiles;
  out["mfs_ram.chunks_in_use"] = s.usedChunks;
  out["mfs_ram.data_bytes"] = s.dataBytes;
  out["mfs_ram.metadata_bytes"] = s.metaBytes;
  const k = os.kernel;
  out["kernel.processes"] = k.manager.procs.size;
  out["kernel.fds"] = k.fds.routes.size;
  out["kernel.data_slots_free"] = k.fds.freeSlots;
  out["kernel.areas_in_use"] = k.areas.size - k.pool.idle;
  let owned = 0;
  for (let a = 0; a < MAX_AREAS; a++) if (k.sys.owner(a) !== 0) owned++;
  out["kernel.areas_owned"] = owned;
  for (const [name, ep] of Object.entries(Endpoint)) {
    out[`caps.${name.toLowerCase()}`] = k.caps.liveIn(ep);
  }
  return out;
}

/** Wait until every counter is back at `baseline`; fail showing the ones that are not. */
export async function backTo(
  os: Handle,
  baseline: Record<string, number>,
  limitMs = 10_000,
): Promise<void> {
  const start = performance.now();
  let now = await counters(os);
  while (!same(now, baseline) && performance.now() - start < limitMs) {
    await new Promise((r) => setTimeout(r, 10));
    now = await counters(os);
  }
  assert.deepEqual(differing(now, baseline), differing(baseline, now), "counters left changed");
}

function same(a: Record<string, number>, b: Record<string, number>): boolean {
  return Object.keys(differing(a, b)).length === 0 && Object.keys(a).length ===
      Object.keys(b).length;
}

/** The entries of `a` that `b` does not have the same. */
function differing(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(a)) if (b[k] !== v) out[k] = v;
  return out;
}
