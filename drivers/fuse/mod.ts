// The FUSE driver: serve a filesystem to the host through /dev/fuse.
//
// Code outside drivers/fuse imports from here. A filesystem implements
// FuseHandler (handler.ts) and gets a Worker entry that calls
// runFuseWorker(factory); FuseSession.mount() mounts it on a host directory
// and serves it with a few of those Workers. See docs/fuse.md.

export { FuseSession, type SessionEnd, type SessionOptions } from "./session.ts";
export { runFuseWorker } from "./session_worker.ts";
export { abortConnection, fuseMounts, type Mounted, removeStaleMount } from "./mount.ts";
export type * from "./handler.ts";
export { DirPacker } from "./dirent.ts";
export {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  FALLOC_FL_ZERO_RANGE,
  Fopen,
  FUSE_ROOT_ID,
  FUSE_WRITE_KILL_SUIDGID,
  RENAME_EXCHANGE,
  RENAME_NOREPLACE,
  RENAME_WHITEOUT,
  SEEK_DATA,
  SEEK_HOLE,
  XATTR_CREATE,
  XATTR_REPLACE,
} from "./abi.ts";
