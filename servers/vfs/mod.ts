// The VFS server: what other code imports. The VFS holds every process's fd
// table and the open file descriptions behind it, the mount table, the path
// walk with its dentry and inode caches, pipes, FIFOs, devices and /proc.

import type { CapToken } from "../../kernel/ipc/message.ts";
import { PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";

/** Kernel-only requests (need Right.SYSTEM). */
export const VfsOp = {
  FORK: 0x8001, // parent pid, child pid, file actions -> the child's fd routes
  EXEC_FDS: 0x8002, // pid -> fd routes left after closing CLOEXEC fds
  EXIT: 0x8003, // pid -> (): close every fd of a process that ended
  INSTALL: 0x8004, // pid, fd, endpoint, root cap, open flags -> (): an fd for another server's object
  FDS: 0x8005, // pid -> fd routes
  MOUNT: 0x8006, // fstype, source, options, flags, target path -> (): the kernel's mounts (the root at boot)
  EXEC: 0x8007, // creds pid, context pid, path -> ep, sb, mount id, Attrs (after the exec check)
} as const;

/** Requests every object server answers (the VFS sends them on last close). */
export const ObjectOp = {
  RELEASE: 0x8100, // (root cap) -> (): no fd refers to this open file any more
  SETFL: 0x8101, // (root cap) value = status flags -> ()
} as const;

/** posix_spawn file actions, applied in order to the child's fd table. */
export const FileAction = {
  DUP2: 1, // fd -> fd2 (fd === fd2 clears CLOEXEC, as posix_spawn_file_actions_adddup2)
  CLOSE: 2, // fd
} as const;

export interface FileActionSpec {
  kind: number;
  fd: number;
  fd2: number;
}

/** One fd of a process and where its requests go. */
export interface FdRouteRecord {
  fd: number;
  ep: number;
  cap: CapToken;
}

export function encodeRoutes(w: PayloadWriter, routes: FdRouteRecord[]): PayloadWriter {
  w.num(routes.length);
  for (const r of routes) w.num(r.fd).num(r.ep).num(r.cap.slot).num(r.cap.gen);
  return w;
}

export function decodeRoutes(r: PayloadReader): FdRouteRecord[] {
  const n = r.int(0, 65536);
  const out: FdRouteRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      fd: r.int(0),
      ep: r.int(0, 65535),
      cap: { slot: r.int(0), gen: r.int(0, 2 ** 32) },
    });
  }
  return out;
}

export function encodeActions(w: PayloadWriter, actions: FileActionSpec[]): PayloadWriter {
  w.num(actions.length);
  for (const a of actions) w.num(a.kind).num(a.fd).num(a.fd2);
  return w;
}

export function decodeActions(r: PayloadReader): FileActionSpec[] {
  const n = r.int(0, 1024);
  const out: FileActionSpec[] = [];
  for (let i = 0; i < n; i++) out.push({ kind: r.int(0, 255), fd: r.int(-1), fd2: r.int(-1) });
  return out;
}

/** Bytes of state the VFS keeps across restarts (persist.ts). */
export { VFS_STATE_BYTES } from "./persist.ts";
