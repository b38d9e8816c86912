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
