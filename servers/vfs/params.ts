// VFS tunables, each with its reason.

/** Most fds a process may hold (Linux's default RLIMIT_NOFILE soft limit). */
export const MAX_FDS = 1024;

/** Pipe capacity in bytes (Linux: 16 pages). */
export const PIPE_CAPACITY = 65536;

/** Writes up to this many bytes to a pipe are atomic (POSIX PIPE_BUF on Linux). */
export const PIPE_BUF = 4096;

/** st_dev of pipes (Linux reports its pipefs as an anonymous device, 0:13). */
export const PIPEFS_DEV = 13;
