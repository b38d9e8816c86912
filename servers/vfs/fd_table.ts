// Per-process fd tables and the open file descriptions they share.
//
// An open file description (Ofd) is the open file itself: its offset and
// status flags live at the server that holds the object (the VFS for pipes,
// the tty server for the console, a filesystem server for files). The VFS
// keeps, for each Ofd, the root capability that server minted and a count of
// the fds referring to it. Each fd gets its own capability, derived from the
// root for that process alone: closing the fd revokes just that one, and
// releasing the Ofd (last close) revokes the root and with it every copy.
//
// What must stay true: ofd.refs equals the number of fd entries pointing at
// it, across all tables; the lowest free fd is handed out; a table never
// holds more than MAX_FDS entries.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type { CapTable } from "../../kernel/cap/table.ts";
import { Right } from "../../kernel/cap/rights.ts";
import type { CapToken } from "../../kernel/ipc/message.ts";
import { O } from "../../kernel/fcntl.ts";
import { MAX_FDS } from "./params.ts";
import type { Loc } from "./namei.ts";

/** An open file description. */
export interface Ofd {
  id: number;
  /** Endpoint of the server holding the object. */
  ep: number;
  /** The capability that server minted for us; fds get derived copies. */
  root: CapToken;
  /** Open flags: access mode and status flags (O_APPEND, O_NONBLOCK). */
  flags: number;
  refs: number;
  /** The inode it was opened on (files, directories, FIFOs, devices). */
  node?: Loc;
  /** The path it was opened by (for /proc/PID/fd). */
  path?: string;
  /**
   * Who opened it (openat, open_by_handle_at): linkat(fd, "", AT_EMPTY_PATH)
   * of a caller without CAP_DAC_READ_SEARCH needs the opener's credentials,
   * as Linux compares the caller's with the file's f_cred.
   */
  opener?: { pid: number; creds: string };
  /**
   * Lost with a previous VFS (a pipe, a device: what the VFS served itself):
   * its fds keep their numbers, so nothing else is opened under them, until
   * closed; every call on them fails.
   */
  lost?: boolean;
}

export interface FdEntry {
  ofd: Ofd;
  cloexec: boolean;
  cap: CapToken;
}

/**
 * Rights an fd's capability carries, from the open access mode. An O_PATH
 * fd's carry every object right: the VFS serves it and answers EBADF for
 * all but fstat and fstatfs itself (Vfs.local), as Linux's fdget() does,
 * where a missing right would say EINVAL for ftruncate.
 */
export function fdRights(flags: number): number {
  if ((flags & O.PATH) !== 0) return Right.READ | Right.WRITE | Right.STAT | Right.CONTROL;
  const mode = flags & O.ACCMODE;
  let rights = Right.STAT | Right.CONTROL;
  if (mode === O.RDONLY || mode === O.RDWR) rights |= Right.READ;
  if (mode === O.WRONLY || mode === O.RDWR) rights |= Right.WRITE;
  return rights;
}

/** Where fd table changes are recorded (persist.ts), if anywhere. */
export interface FdJournal {
  install(pid: number, fd: number, e: FdEntry): void;
  close(pid: number, fd: number): void;
}

/** One process's fds. */
export class FdTable {
  readonly entries = new Map<number, FdEntry>();
  /** Its process ended: a call that was in flight then must not add fds (nothing would close them). */
  #retired = false;

  constructor(
    readonly pid: number,
    readonly caps: CapTable,
    readonly onRelease: (o: Ofd) => void,
    readonly journal?: FdJournal,
  ) {}

  /** Put back an entry a previous VFS had (its capability already exists). */
  restore(fd: number, ofd: Ofd, cloexec: boolean, cap: CapToken): void {
    ofd.refs++;
    this.entries.set(fd, { ofd, cloexec, cap });
  }

  get(fd: number): FdEntry {
    const e = Number.isInteger(fd) ? this.entries.get(fd) : undefined;
    if (e === undefined) throw new ErrnoError(Errno.EBADF, `fd ${fd}`);
    return e;
  }

  /** Lowest free fd >= min. */
  lowestFree(min = 0): number {
    for (let fd = min; fd < MAX_FDS; fd++) if (!this.entries.has(fd)) return fd;
    throw new ErrnoError(Errno.EMFILE, `pid ${this.pid}`);
  }

  /** Put `ofd` at `fd` (which must be free). */
  install(fd: number, ofd: Ofd, cloexec: boolean): FdEntry {
    if (this.#retired) throw new ErrnoError(Errno.ESRCH, `pid ${this.pid} ended`);
    if (ofd.lost) throw new ErrnoError(Errno.EIO, `open file ${ofd.id} was lost with the VFS`);
    if (fd < 0 || fd >= MAX_FDS) throw new ErrnoError(Errno.EBADF, `fd ${fd}`);
    if (this.entries.has(fd)) throw new Error(`install over open fd ${fd}`); // a bug: callers close first
    const cap = this.caps.derive(ofd.root, fdRights(ofd.flags), this.pid);
    ofd.refs++;
    const e = { ofd, cloexec, cap };
    this.entries.set(fd, e);
    this.journal?.install(this.pid, fd, e);
    return e;
  }

  /** Close `fd`; releases the Ofd when it was the last reference. */
  close(fd: number): void {
    const e = this.get(fd);
    this.entries.delete(fd);
    this.journal?.close(this.pid, fd);
    this.caps.free(e.cap);
    e.ofd.refs--;
    if (e.ofd.refs === 0) this.onRelease(e.ofd);
  }

  /** dup2 semantics: newfd becomes a copy of oldfd, closing what it was. */
  dupTo(oldfd: number, newfd: number, cloexec: boolean): number {
    const e = this.get(oldfd);
    if (newfd < 0 || newfd >= MAX_FDS) throw new ErrnoError(Errno.EBADF, `fd ${newfd}`);
    if (newfd === oldfd) return newfd;
    if (e.ofd.lost) throw new ErrnoError(Errno.EIO, `fd ${oldfd} was lost with the VFS`);
    // Take the reference first so closing newfd cannot release a shared Ofd.
    e.ofd.refs++;
    if (this.entries.has(newfd)) this.close(newfd);
    e.ofd.refs--;
    this.install(newfd, e.ofd, cloexec);
    return newfd;
  }

  /** Close everything (process exit). */
  closeAll(): void {
    for (const fd of [...this.entries.keys()]) this.close(fd);
  }

  /** The process ended: close everything, and take no fd from now on. */
  retire(): void {
    this.#retired = true;
    this.closeAll();
  }

  /** Close fds marked close-on-exec. */
  closeOnExec(): void {
    for (const [fd, e] of [...this.entries]) if (e.cloexec) this.close(fd);
  }

  /** A copy of this table for a new process (same Ofds, new capabilities). */
  fork(childPid: number): FdTable {
    const child = new FdTable(childPid, this.caps, this.onRelease, this.journal);
    // A lost fd is not inherited: the child never learned its number.
    for (const [fd, e] of this.entries) if (!e.ofd.lost) child.install(fd, e.ofd, e.cloexec);
    return child;
  }
}
