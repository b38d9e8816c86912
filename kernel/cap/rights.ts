// Rights a capability can carry. A request needs the right its operation
// names; a derived capability carries a subset of its parent's rights.

/** Right bits (bits 0-7: objects such as open files; 8 and up: endpoints). */
export const Right = {
  READ: 1 << 0, // read, pread, getdents: data out of the object
  WRITE: 1 << 1, // write, pwrite, ftruncate: data into the object
  STAT: 1 << 2, // fstat, lseek and other metadata reads
  CONTROL: 1 << 3, // ioctl, fcntl, fchmod, fchown: change how the object behaves

  CALL: 1 << 8, // ordinary requests to an endpoint (getpid, open by path, ...)
  SPAWN: 1 << 9, // create processes
  SIGNAL: 1 << 10, // kill other processes (credentials still apply)
  SERVICE: 1 << 11, // restart or crash servers
  TRACE: 1 << 12, // read other processes' traces
  DERIVE: 1 << 13, // derive capabilities for other processes
  MOUNT: 1 << 14, // mount and unmount (credentials still apply)
  SYSTEM: 1 << 15, // kernel-only requests (fork an fd table, reap a process)
} as const;
export type Right = typeof Right[keyof typeof Right];

/** Every right. */
export const ALL_RIGHTS = 0x7fffffff;

/** Right names, for tracing and `service` output. */
export function rightsText(rights: number): string {
  const names = Object.entries(Right).filter(([, bit]) => (rights & bit) !== 0).map(([n]) =>
    n.toLowerCase()
  );
  return names.length === 0 ? "none" : names.join(",");
}
