// Rebuilding the VFS after a crash, from what persist.ts kept: mounts first
// (their roots and mountpoints fetched again from their filesystems), then
// the open file descriptions other servers hold, then each live process's
// cwd, umask and fd table. Processes that ended while no VFS ran are
// dropped, and open files nobody refers to any more are released. An fd of
// a file the old VFS served itself (a pipe, a device) comes back lost: it
// keeps its number until the process closes it, and every call on it fails.

import { ROOT_CREDS } from "../../kernel/sysmem.ts";
import type { CapToken } from "../../kernel/ipc/message.ts";
import type { Ofd } from "./fd_table.ts";
import type { Fs } from "./fs.ts";
import type { Mount } from "./mount.ts";
import type { Loc } from "./namei.ts";
import type { VfsStore } from "./persist.ts";
import type { ProcFs } from "./procfs.ts";
import type { Vfs } from "./vfs.ts";

/** Rebuild `vfs` from `store`; returns the capability slots to keep. */
export async function rebuild(
  vfs: Vfs,
  store: VfsStore,
  fsOf: (fstype: string) => Fs | undefined,
  procfs: ProcFs,
): Promise<Set<number>> {
  const img = store.image;
  const ns = vfs.ns;
  for (const r of [...img.mounts.values()].sort((a, b) => a.id - b.id)) {
    const fs = fsOf(r.fstype);
    if (fs === undefined) continue;
    const m: Mount = { ...r, fs };
    vfs.mounts.add(m);
    try {
      ns.remember(m, await fs.getattr(m.sb, m.root)).refs++;
    } catch {
      // a root that cannot be read: walks into it fail, the rest works
    }
  }
  for (const m of vfs.mounts.list()) {
    if (m.on === undefined) continue;
    const parent = vfs.mounts.mounts.get(m.on.mount);
    if (parent === undefined) continue;
    try {
      ns.remember(parent, await parent.fs.getattr(parent.sb, m.on.ino));
    } catch {
      // as above
    }
  }
  for (const o of img.ofds.values()) {
    let node: Loc | undefined;
    const m = o.node === undefined ? undefined : vfs.mounts.mounts.get(o.node.mount);
    if (m !== undefined && o.node !== undefined) {
      try {
        node = { mount: m, node: ns.remember(m, await m.fs.getattr(m.sb, o.node.ino)) };
      } catch {
        node = undefined;
      }
    }
    vfs.restoreOfd({
      id: o.id,
      ep: o.ep,
      root: o.root,
      flags: o.flags,
      refs: 0,
      node,
      path: o.path,
    });
  }
  vfs.nextOfd = img.nextOfd;

  const lost: Ofd = {
    id: 0,
    ep: vfs.endpoint,
    root: { slot: 0, gen: 0 },
    flags: 0,
    refs: 0,
    path: "(lost with the VFS)",
    lost: true,
  };
  const live = new Set((await procfs.rows()).map((r) => r.pid));
  const keep = new Set<number>();
  const pids = new Set([...img.ctxs.keys(), ...img.fds.keys()]);
  for (const pid of pids) {
    if (!live.has(pid)) {
      store.drop(pid);
      continue;
    }
    const c = vfs.ctx(pid);
    const rec = img.ctxs.get(pid);
    if (rec !== undefined && c.root !== undefined) {
      c.umask = rec.umask;
      try {
        const cwd = await ns.walk(
          ROOT_CREDS,
          c.root,
          c.root,
          rec.cwd,
          { follow: true },
        );
        vfs.unhold(c.cwd);
        c.cwd = cwd;
        vfs.hold(cwd);
      } catch {
        // the directory is gone: "/" it is
      }
    }
    for (const [fd, e] of img.fds.get(pid) ?? []) {
      if (e.ofd === 0) {
        c.table.restore(fd, lost, e.cloexec, { slot: 0, gen: 0 });
        continue;
      }
      const ofd = vfs.ofds.get(e.ofd);
      if (ofd === undefined) continue;
      c.table.restore(fd, ofd, e.cloexec, e.cap as CapToken);
      keep.add(e.cap.slot);
    }
  }
  // Open files whose every fd went with a process that ended meanwhile.
  for (const o of [...vfs.ofds.values()]) if (o.refs === 0) vfs.release(o);
  return keep;
}
