// VFS tunables, each with its reason.

/** Most fds a process may hold (Linux's default RLIMIT_NOFILE soft limit). */
export const MAX_FDS = 1024;

/** Pipe capacity in bytes (Linux: 16 pages). */
export const PIPE_CAPACITY = 65536;

/** Writes up to this many bytes to a pipe are atomic (POSIX PIPE_BUF on Linux). */
export const PIPE_BUF = 4096;

/** st_dev of pipes (Linux reports its pipefs as an anonymous device, 0:13). */
export const PIPEFS_DEV = 13;

/** Dentries cached (each ~100 bytes): enough for a large tree's hot paths. */
export const DCACHE_ENTRIES = 65536;

/** Inodes cached beyond those in use. */
export const ICACHE_ENTRIES = 65536;

/** Attributes a filesystem client keeps with their epoch tags (attr_epochs.ts). */
export const FRESH_ATTRS = 8192;

/** Symlinks followed in one path walk before ELOOP (Linux's MAXSYMLINKS). */
export const SYMLINK_MAX_HOPS = 40;

/** Mounts at most (Linux's default mount-max is much larger; ours is a table). */
export const MAX_MOUNTS = 256;
