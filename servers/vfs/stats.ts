// The VFS's counters of what it holds for processes, shown in
// /proc/mello/vfs: a program that exits, however it exits, must leave every
// count but the caches' where it found it.
//
//   processes         filesystem contexts (fd table, cwd, root, umask)
//   fds               fd table entries, all processes
//   open_files        open file descriptions (Ofds)
//   local_files       Ofds of objects the VFS serves itself (pipes, FIFOs, devices, /proc)
//   caps              live capabilities in the VFS's range (fd caps, pipe roots)
//   pipes             pipes with an end open (anonymous and FIFOs)
//   fifos             FIFO inodes with a pipe now
//   pipe_waiters      reads and writes waiting on a pipe
//   fifo_open_waiters opens of a FIFO waiting for the other side
//   inodes_referenced cached inodes something holds (open files, cwds, mount roots)
//   inode_refs        the references they hold
//   calls_in_flight   requests the VFS sent to other servers, not yet answered
//   journal_processes processes with state in the crash journal
//   journal_open_files, journal_fds: what that journal would rebuild
//   icache_entries, dcache_entries: cache sizes (they may grow to their limits)

import { PipeEnd } from "./pipe.ts";
import type { Vfs } from "./vfs.ts";

/** The counters, by name, in the order /proc/mello/vfs lists them. */
export function vfsStats(vfs: Vfs): Array<[string, number]> {
  let fds = 0;
  for (const c of vfs.procs.values()) fds += c.table.entries.size;
  const pipes = new Set<PipeEnd["pipe"]>();
  for (const f of vfs.locals.values()) if (f instanceof PipeEnd) pipes.add(f.pipe);
  let pipeWaiters = 0;
  for (const p of pipes) pipeWaiters += p.waiters;
  const fifo = vfs.fifos.counts();
  const held = vfs.ns.icache.referenced();
  const img = vfs.store?.image;
  let journalFds = 0;
  for (const t of img?.fds.values() ?? []) journalFds += t.size;
  const journalPids = new Set([...(img?.ctxs.keys() ?? []), ...(img?.fds.keys() ?? [])]);
  return [
    ["processes", vfs.procs.size],
    ["fds", fds],
    ["open_files", vfs.ofds.size],
    ["local_files", vfs.locals.size],
    ["caps", vfs.env.caps.liveCount()],
    ["pipes", pipes.size],
    ["fifos", fifo.fifos],
    ["pipe_waiters", pipeWaiters],
    ["fifo_open_waiters", fifo.openWaiters],
    ["inodes_referenced", held.inodes],
    ["inode_refs", held.refs],
    ["calls_in_flight", vfs.env.client.awaiting],
    ["journal_processes", journalPids.size],
    ["journal_open_files", img?.ofds.size ?? 0],
    ["journal_fds", journalFds],
    ["icache_entries", vfs.ns.icache.size],
    ["dcache_entries", vfs.ns.dcache.size],
  ];
}

/** The counters as /proc/mello/vfs shows them: one "name value" line each. */
export function vfsStatsText(vfs: Vfs): string {
  return vfsStats(vfs).map(([k, v]) => `${k} ${v}\n`).join("");
}
