// The registry: which servers exist, their endpoint numbers, and the Deno
// permissions each Worker gets (only what its job needs).

import { STATE_BYTES as TTY_STATE_BYTES } from "../servers/tty/mod.ts";

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
  return [
    {
      name: "vfs",
      endpoint: Endpoint.VFS,
      module: new URL("../servers/vfs/main.ts", import.meta.url),
      permissions: "none",
      stateBytes: 0,
    },
    {
      // Terminal I/O needs no permission in Deno: stdin, stdout and raw mode are not gated.
      name: "tty",
      endpoint: Endpoint.TTY,
      module: new URL("../servers/tty/main.ts", import.meta.url),
      permissions: "none",
      stateBytes: TTY_STATE_BYTES,
    },
  ];
}
