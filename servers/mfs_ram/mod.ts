// The mfs_ram server: a RAM filesystem (as Linux's tmpfs) that serves the
// filesystem protocol (servers/vfs/fs_protocol.ts) to the VFS and open-file
// requests straight from programs, and keeps everything, file data and open
// files included, in the state buffer the kernel holds across restarts.
// What other code imports.

import { makedev } from "../../kernel/stat.ts";
import { DEV_MINOR_BASE } from "./params.ts";

/** Bytes of state the kernel keeps for mfs_ram across restarts (layout.ts). */
export { STATE_BYTES } from "./layout.ts";

/** st_dev of instance `sb` (major 0, an anonymous device, as tmpfs). */
export function devOf(sb: number): number {
  return makedev(0, DEV_MINOR_BASE + sb);
}

/** Kernel-only requests (need Right.SYSTEM), for tests and diagnostics. */
export const MfsRamOp = {
  /** () -> value: problems found; payload: strs, the first ones (see fsck.ts). */
  FSCK: 0x8380,
  /**
   * () -> payload: [commits, checkpoints, journal bytes, snapshot bytes, metadata bytes, free
   * chunks, live inodes, unlinked inodes still open, open files, chunks in use, data bytes].
   */
  STATS: 0x8381,
} as const;
