// Syscall numbers: Linux x86_64's (arch/x86/entry/syscalls/syscall_64.tbl), plus
// MelloOS extensions from 1000 up where Linux has no single call (posix_spawn,
// the service manager, the tracer, capability derivation).
//
// A program's request carries its syscall number as the message opcode, so a
// trace of IPC reads like strace. Numbers never change once used.

/** Syscall numbers (message opcodes for program requests). */
export const Sys = {
  read: 0,
  write: 1,
  open: 2,
  close: 3,
  stat: 4,
  fstat: 5,
  lstat: 6,
  poll: 7,
  lseek: 8,
  ioctl: 16,
  pread64: 17,
  pwrite64: 18,
  readv: 19,
  writev: 20,
  access: 21,
  pipe: 22,
  sched_yield: 24,
  dup: 32,
  dup2: 33,
  pause: 34,
  nanosleep: 35,
  getpid: 39,
  execve: 59,
  exit: 60,
  wait4: 61,
  kill: 62,
  uname: 63,
  fcntl: 72,
  fsync: 74,
  fdatasync: 75,
  truncate: 76,
  ftruncate: 77,
  getcwd: 79,
  chdir: 80,
  fchdir: 81,
  rename: 82,
  mkdir: 83,
  rmdir: 84,
  creat: 85,
  link: 86,
  unlink: 87,
  symlink: 88,
  readlink: 89,
  chmod: 90,
  fchmod: 91,
  chown: 92,
  fchown: 93,
  lchown: 94,
  umask: 95,
  getuid: 102,
  getgid: 104,
  setuid: 105,
  setgid: 106,
  geteuid: 107,
  getegid: 108,
  setpgid: 109,
  getppid: 110,
  getpgrp: 111,
  setsid: 112,
  getgroups: 115,
  setgroups: 116,
  getpgid: 121,
  setfsuid: 122,
  setfsgid: 123,
  getsid: 124,
  mknod: 133,
  statfs: 137,
  fstatfs: 138,
  sync: 162,
  mount: 165,
  umount2: 166,
  setxattr: 188,
  lsetxattr: 189,
  fsetxattr: 190,
  getxattr: 191,
  lgetxattr: 192,
  fgetxattr: 193,
  listxattr: 194,
  llistxattr: 195,
  flistxattr: 196,
  removexattr: 197,
  lremovexattr: 198,
  fremovexattr: 199,
  getdents64: 217,
  exit_group: 231,
  openat: 257,
  mkdirat: 258,
  mknodat: 259,
  fchownat: 260,
  newfstatat: 262,
  unlinkat: 263,
  renameat: 264,
  linkat: 265,
  symlinkat: 266,
  readlinkat: 267,
  fchmodat: 268,
  faccessat: 269,
  utimensat: 280,
  dup3: 292,
  pipe2: 293,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  renameat2: 316,
  statx: 332,
  // MelloOS extensions.
  mello_spawn: 1000, // posix_spawn: path, argv, env, file actions -> pid
  mello_service_list: 1001, // -> one record per server
  mello_service_control: 1002, // name, action (restart | crash) -> ()
  mello_trace_read: 1003, // pid -> trace lines of that process's syscalls
  mello_cap_derive: 1004, // cap, rights, holder pid -> new cap
  mello_cap_revoke: 1005, // cap -> ()
  mello_proc_list: 1006, // -> one record per process
  mello_sigaction: 1007, // signal, disposition -> old disposition
} as const;
export type Sys = typeof Sys[keyof typeof Sys];

const SYS_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Sys).map(([name, value]) => [value, name]),
);

/** The name of a syscall number ("openat"), or "syscall_<n>". */
export function sysName(nr: number): string {
  return SYS_NAMES[nr] ?? `syscall_${nr}`;
}
