// The registry: which servers exist, their endpoint numbers, and the Deno
// permissions each Worker gets (only what its job needs).

import { STATE_BYTES as TTY_STATE_BYTES } from "../servers/tty/mod.ts";
import { VFS_STATE_BYTES } from "../servers/vfs/mod.ts";
import { STATE_BYTES as MFS_RAM_STATE_BYTES } from "../servers/mfs_ram/mod.ts";
import { AttrEpochs } from "../servers/vfs/attr_epochs.ts";

/** Fixed endpoint numbers. */
export const Endpoint = {
  KERNEL: 0,
  VFS: 1,
  TTY: 2,
  MFS_RAM: 3,
} as const;
export type Endpoint = typeof Endpoint[keyof typeof Endpoint];

/** A server the kernel starts and supervises. */
export interface ServerSpec {
  name: string;
  endpoint: number;
  module: URL;
  /** Deno permissions of its Worker. */
  permissions: "none" | Deno.PermissionOptionsObject;
  /** Bytes of state kept across restarts (0: none). */
  stateBytes: number;
  options?: Record<string, unknown>;
}

/** The servers of a default boot, in start order. */
export function defaultServers(): ServerSpec[] {
  // mfs_ram's attribute epochs, shared with the VFS alone (counters, no data).
  const mfsRamEpochs = AttrEpochs.createBuffer();
  return [
    {
      name: "vfs",
      endpoint: Endpoint.VFS,
      module: new URL("../servers/vfs/main.ts", import.meta.url),
      permissions: "none",
      stateBytes: VFS_STATE_BYTES,
      options: { attrEpochs: { [Endpoint.MFS_RAM]: mfsRamEpochs } },
    },
    {
      // Terminal I/O needs no permission in Deno: stdin, stdout and raw mode are not gated.
      name: "tty",
      endpoint: Endpoint.TTY,
      module: new URL("../servers/tty/main.ts", import.meta.url),
      permissions: "none",
      stateBytes: TTY_STATE_BYTES,
    },
    {
      // The RAM filesystem keeps its files, data and open files in its state
      // buffer (about 2.3 GB of address space, touched only as files grow).
      name: "mfs_ram",
      endpoint: Endpoint.MFS_RAM,
      module: new URL("../servers/mfs_ram/main.ts", import.meta.url),
      permissions: "none",
      stateBytes: MFS_RAM_STATE_BYTES,
      options: { attrEpochs: mfsRamEpochs },
    },
  ];
}
