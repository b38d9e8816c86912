// open(2) and fcntl(2) constants, Linux x86_64 values (asm-generic/fcntl.h).

export const O = {
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  ACCMODE: 3,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  TRUNC: 0o1000,
  APPEND: 0o2000,
  NONBLOCK: 0o4000,
  DSYNC: 0o10000,
  DIRECT: 0o40000,
  LARGEFILE: 0o100000,
  DIRECTORY: 0o200000,
  NOFOLLOW: 0o400000,
  NOATIME: 0o1000000,
  CLOEXEC: 0o2000000,
  SYNC: 0o4010000,
  PATH: 0o10000000,
} as const;

/** fcntl commands. */
export const F = {
  DUPFD: 0,
  GETFD: 1,
  SETFD: 2,
  GETFL: 3,
  SETFL: 4,
  DUPFD_CLOEXEC: 1030,
} as const;

export const FD_CLOEXEC = 1;

/** Status flags F_SETFL may change (Linux ignores the rest). */
export const SETFL_MASK = O.APPEND | O.NONBLOCK | O.DIRECT | O.NOATIME;

/** lseek whence. */
export const SEEK = { SET: 0, CUR: 1, END: 2 } as const;

/** Special dirfd meaning "relative to the cwd". */
export const AT_FDCWD = -100;

/** wait4 options. */
export const WNOHANG = 1;

/** ioctl requests on terminals (asm-generic/ioctls.h). */
export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCGWINSZ = 0x5413;

/** *at() flags. */
export const AT = {
  FDCWD: -100,
  SYMLINK_NOFOLLOW: 0x100,
  REMOVEDIR: 0x200,
  EACCESS: 0x200,
  SYMLINK_FOLLOW: 0x400,
  NO_AUTOMOUNT: 0x800,
  EMPTY_PATH: 0x1000,
} as const;

/** access() modes. */
export const F_OK = 0;
export const X_OK = 1;
export const W_OK = 2;
export const R_OK = 4;

/** renameat2() flags. */
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;

/** setxattr() flags. */
export const XATTR_CREATE = 1;
export const XATTR_REPLACE = 2;

/** utimensat() special nanosecond values. */
export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

/** mount() flags (<sys/mount.h>) and umount2() flags. */
export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  SYNCHRONOUS: 16,
  REMOUNT: 32,
  MANDLOCK: 64,
  DIRSYNC: 128,
  NOATIME: 1024,
  NODIRATIME: 2048,
  BIND: 4096,
  REC: 16384,
  RELATIME: 1 << 21,
  STRICTATIME: 1 << 24,
} as const;
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;

/** statx() mask bits (STATX_BASIC_STATS = 0x7ff). */
export const STATX_BASIC_STATS = 0x7ff;
