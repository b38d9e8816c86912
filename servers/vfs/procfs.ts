// /proc: a filesystem the VFS makes up from live state, as Linux's procfs.
//
//   /proc/mounts            the mount table (source target type options 0 0)
//   /proc/self              symlink to the caller's pid
//   /proc/PID/status        Name, State, Tgid, Pid, PPid, Uid, Gid, FDSize, Groups
//   /proc/PID/cmdline       argv, NUL-separated
//   /proc/PID/cwd           symlink to its working directory
//   /proc/PID/fd/N          symlink to what fd N has open; a magic link: a walk through it
//                           lands on the fd's inode itself (magicTarget), not on its text
//   /proc/mello/vfs         the VFS's counters (stats.ts), one "name value" line each
//
// Processes come from the kernel (mello_proc_list, cached for PROC_CACHE_MS);
// fds and cwds from the VFS's own tables. Files are snapshots taken at open.
// Inode numbers: 1 root, 2 mounts, 3 self, 4 mello, 5 mello/vfs; PID_BASE + pid * 16 + k for a
// process's entries; FD_BASE + pid * 65536 + fd for its fds.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import { nowTimespec, S, type Stat } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import type { Attrs, StatfsRecord } from "./fs_protocol.ts";
import { DT, dtOf, FS_MAGIC, putDirent } from "./fs_protocol.ts";
import type { Cause, Fs, OpenedFile, SetAttrArgs } from "./fs.ts";
import type { Ofd } from "./fd_table.ts";
import type { Loc } from "./namei.ts";
import { O } from "../../kernel/fcntl.ts";
import type { LocalFile, Vfs } from "./vfs.ts";
import { vfsStatsText } from "./stats.ts";

const ROOT = 1;
const MOUNTS = 2;
const SELF = 3;
const MELLO = 4;
const MELLO_VFS = 5;
const PID_BASE = 0x10000;
const FD_BASE = 2 ** 32;
const K = { DIR: 0, STATUS: 1, CMDLINE: 2, FDDIR: 3, CWD: 4 } as const;
const PROC_CACHE_MS = 50;

interface ProcRow {
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  state: string;
  name: string;
  argv: string[];
  server: boolean;
}

const encoder = new TextEncoder();

export class ProcFs implements Fs {
  readonly ep: number;
  #rows: ProcRow[] = [];
  #rowsAt = -Infinity;

  constructor(readonly vfs: Vfs, readonly kernelCap: { slot: number; gen: number }) {
    this.ep = vfs.endpoint;
  }

  /**
   * The kernel's process list (refreshed at most every PROC_CACHE_MS, or now
   * with `fresh`).
   */
  async rows(fresh = false): Promise<ProcRow[]> {
    if (!fresh && performance.now() - this.#rowsAt < PROC_CACHE_MS) return this.#rows;
    const area = this.vfs.env.client.area;
    const off = 0;
    const len = area.data.length / 2;
    const w = new PayloadWriter().num(off).num(len);
    const r = await this.vfs.env.client.call(
      0,
      Sys.mello_proc_list,
      this.kernelCap,
      w.bytes().slice(),
    );
    if (r.errno !== 0) throw new ErrnoError(r.errno, "process list");
    this.#rows = JSON.parse(new TextDecoder().decode(area.data.slice(off, off + r.value)));
    this.#rowsAt = performance.now();
    return this.#rows;
  }

  async #row(pid: number): Promise<ProcRow> {
    // A pid missing from the cached list may be a process born since: ask again.
    const row = (await this.rows()).find((p) => p.pid === pid) ??
      (await this.rows(true)).find((p) => p.pid === pid);
    if (row === undefined) throw new ErrnoError(Errno.ENOENT, `no process ${pid}`);
    return row;
  }

  /**
   * Owner of process `pid`'s entries (ENOENT if there is none): its effective
   * ids as they are now, as Linux's task_dump_owner(); the process list is a
   * cached copy, which a setuid() a moment ago would not be in yet.
   */
  async #owner(pid: number): Promise<{ uid: number; gid: number }> {
    const row = await this.#row(pid);
    const creds = this.vfs.env.sys.creds(pid);
    return creds === undefined ? row : { uid: creds.euid, gid: creds.egid };
  }

  #attrs(ino: number, mode: number, uid = 0, gid = 0, nlink = 1): Attrs {
    const t = nowTimespec();
    return {
      ino,
      mode,
      nlink,
      uid,
      gid,
      rdev: 0,
      size: 0,
      blksize: 1024,
      blocks: 0,
      atime: t,
      mtime: t,
      ctime: t,
      gen: 0,
    };
  }

  async getattr(_sb: number, ino: number): Promise<Attrs> {
    if (ino === ROOT) return this.#attrs(ROOT, S.IFDIR | 0o555, 0, 0, 2);
    if (ino === MOUNTS) return this.#attrs(MOUNTS, S.IFREG | 0o444);
    if (ino === SELF) return this.#attrs(SELF, S.IFLNK | 0o777);
    if (ino === MELLO) return this.#attrs(MELLO, S.IFDIR | 0o555, 0, 0, 2);
    if (ino === MELLO_VFS) return this.#attrs(MELLO_VFS, S.IFREG | 0o444);
    if (ino >= FD_BASE) {
      const pid = Math.floor((ino - FD_BASE) / 65536);
      const row = await this.#owner(pid);
      const e = this.vfs.procs.get(pid)?.table.entries.get((ino - FD_BASE) % 65536);
      return this.#attrs(ino, S.IFLNK | fdLinkMode(e?.ofd.flags ?? O.PATH), row.uid, row.gid);
    }
    const pid = Math.floor((ino - PID_BASE) / 16);
    const k = (ino - PID_BASE) % 16;
    const row = await this.#owner(pid);
    switch (k) {
      case K.DIR:
        return this.#attrs(ino, S.IFDIR | 0o555, row.uid, row.gid, 3);
      case K.STATUS:
      case K.CMDLINE:
        return this.#attrs(ino, S.IFREG | 0o444, row.uid, row.gid);
      case K.FDDIR:
        return this.#attrs(ino, S.IFDIR | 0o500, row.uid, row.gid, 2);
      case K.CWD:
        return this.#attrs(ino, S.IFLNK | 0o777, row.uid, row.gid);
    }
    throw new ErrnoError(Errno.ENOENT, `proc inode ${ino}`);
  }

  lookup(sb: number, dir: number, name: string): Promise<Attrs> {
    try {
      return this.#lookup(sb, dir, name);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #lookup(sb: number, dir: number, name: string): Promise<Attrs> {
    if (name === ".") return this.getattr(sb, dir);
    if (dir === ROOT) {
      if (name === "..") return this.getattr(sb, ROOT);
      if (name === "mounts") return this.getattr(sb, MOUNTS);
      if (name === "self") return this.getattr(sb, SELF);
      if (name === "mello") return this.getattr(sb, MELLO);
      if (/^[1-9]\d*$/.test(name)) return this.getattr(sb, PID_BASE + Number(name) * 16 + K.DIR);
      throw new ErrnoError(Errno.ENOENT, name);
    }
    if (dir === MELLO) {
      if (name === "..") return this.getattr(sb, ROOT);
      if (name === "vfs") return this.getattr(sb, MELLO_VFS);
      throw new ErrnoError(Errno.ENOENT, name);
    }
    const pid = Math.floor((dir - PID_BASE) / 16);
    const k = (dir - PID_BASE) % 16;
    if (k === K.DIR) {
      if (name === "..") return this.getattr(sb, ROOT);
      const kind = { status: K.STATUS, cmdline: K.CMDLINE, fd: K.FDDIR, cwd: K.CWD }[name];
      if (kind === undefined) throw new ErrnoError(Errno.ENOENT, name);
      return this.getattr(sb, PID_BASE + pid * 16 + kind);
    }
    if (k === K.FDDIR) {
      if (name === "..") return this.getattr(sb, PID_BASE + pid * 16 + K.DIR);
      const fd = /^\d+$/.test(name) ? Number(name) : -1;
      if (!this.vfs.procs.get(pid)?.table.entries.has(fd)) throw new ErrnoError(Errno.ENOENT, name);
      return this.getattr(sb, FD_BASE + pid * 65536 + fd);
    }
    throw new ErrnoError(Errno.ENOTDIR, name);
  }

  readlink(_sb: number, ino: number, cause?: Cause): Promise<string> {
    try {
      return Promise.resolve(this.#readlink(ino, cause));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #readlink(ino: number, cause?: Cause): string {
    if (ino === SELF) {
      if (cause?.pid === undefined) throw new ErrnoError(Errno.ENOENT, "self");
      return String(cause.pid);
    }
    if (ino >= FD_BASE) {
      const pid = Math.floor((ino - FD_BASE) / 65536);
      const fd = (ino - FD_BASE) % 65536;
      const e = this.vfs.procs.get(pid)?.table.entries.get(fd);
      if (e === undefined) throw new ErrnoError(Errno.ENOENT, `fd ${fd}`);
      return e.ofd.path ?? `anon_inode:[${e.ofd.id}]`;
    }
    if ((ino - PID_BASE) % 16 === K.CWD) {
      const pid = Math.floor((ino - PID_BASE) / 16);
      const c = this.vfs.procs.get(pid);
      if (c === undefined) throw new ErrnoError(Errno.ENOENT, "cwd");
      return this.vfs.ns.pathOf(c.cwd, c.root);
    }
    throw new ErrnoError(Errno.EINVAL, "not a symlink");
  }

  /** Is `ino` the fd directory of process `pid` (its own, searchable by it whatever its fsuid)? */
  isOwnFdDir(ino: number, pid: number | undefined): boolean {
    return pid !== undefined && ino === PID_BASE + pid * 16 + K.FDDIR;
  }

  /**
   * Where the magic link `ino` leads: the inode fd N of process PID holds
   * (undefined for other links, and for fds on no inode: pipes, the console).
   */
  magicTarget(ino: number): Loc | undefined {
    if (ino < FD_BASE) return undefined;
    const pid = Math.floor((ino - FD_BASE) / 65536);
    return this.vfs.procs.get(pid)?.table.entries.get((ino - FD_BASE) % 65536)?.ofd.node;
  }

  /** Entries of directory `ino`: name, ino, type. */
  async entries(ino: number): Promise<Array<{ name: string; ino: number; type: number }>> {
    if (ino === ROOT) {
      const rows = (await this.rows()).slice().sort((a, b) => a.pid - b.pid);
      return [
        { name: ".", ino: ROOT, type: DT.DIR },
        { name: "..", ino: ROOT, type: DT.DIR },
        { name: "mounts", ino: MOUNTS, type: DT.REG },
        { name: "self", ino: SELF, type: DT.LNK },
        { name: "mello", ino: MELLO, type: DT.DIR },
        ...rows.map((r) => ({ name: String(r.pid), ino: PID_BASE + r.pid * 16, type: DT.DIR })),
      ];
    }
    if (ino === MELLO) {
      return [
        { name: ".", ino, type: DT.DIR },
        { name: "..", ino: ROOT, type: DT.DIR },
        { name: "vfs", ino: MELLO_VFS, type: DT.REG },
      ];
    }
    const pid = Math.floor((ino - PID_BASE) / 16);
    const k = (ino - PID_BASE) % 16;
    if (k === K.DIR) {
      const base = PID_BASE + pid * 16;
      return [
        { name: ".", ino, type: DT.DIR },
        { name: "..", ino: ROOT, type: DT.DIR },
        { name: "cmdline", ino: base + K.CMDLINE, type: DT.REG },
        { name: "cwd", ino: base + K.CWD, type: DT.LNK },
        { name: "fd", ino: base + K.FDDIR, type: DT.DIR },
        { name: "status", ino: base + K.STATUS, type: DT.REG },
      ];
    }
    if (k === K.FDDIR) {
      const fds = [...(this.vfs.procs.get(pid)?.table.entries.keys() ?? [])].sort((a, b) => a - b);
      return [
        { name: ".", ino, type: DT.DIR },
        { name: "..", ino: PID_BASE + pid * 16, type: DT.DIR },
        ...fds.map((fd) => ({ name: String(fd), ino: FD_BASE + pid * 65536 + fd, type: DT.LNK })),
      ];
    }
    throw new ErrnoError(Errno.ENOTDIR, `proc inode ${ino}`);
  }

  /** The bytes of file `ino` right now. */
  async contents(ino: number): Promise<Uint8Array> {
    if (ino === MOUNTS) {
      const lines = this.vfs.mounts.list().map((m) => {
        const opts = [(m.flags & 1) !== 0 ? "ro" : "rw", ...(m.options === "" ? [] : [m.options])]
          .join(",");
        return `${m.source} ${m.path} ${m.fstype} ${opts} 0 0\n`;
      });
      return encoder.encode(lines.join(""));
    }
    if (ino === MELLO_VFS) return encoder.encode(vfsStatsText(this.vfs));
    const pid = Math.floor((ino - PID_BASE) / 16);
    const k = (ino - PID_BASE) % 16;
    const row = await this.#row(pid);
    if (k === K.CMDLINE) return encoder.encode(row.argv.map((a) => a + "\0").join(""));
    if (k === K.STATUS) {
      const fds = this.vfs.procs.get(pid)?.table.entries.size ?? 0;
      const state = row.state === "Z" ? "Z (zombie)" : row.server ? "S (sleeping)" : "R (running)";
      const text = [
        `Name:\t${row.name}`,
        `Umask:\t${(this.vfs.procs.get(pid)?.umask ?? 0o022).toString(8).padStart(4, "0")}`,
        `State:\t${state}`,
        `Tgid:\t${pid}`,
        `Pid:\t${pid}`,
        `PPid:\t${row.ppid}`,
        `Uid:\t${row.uid}\t${row.uid}\t${row.uid}\t${row.uid}`,
        `Gid:\t${row.gid}\t${row.gid}\t${row.gid}\t${row.gid}`,
        `FDSize:\t${Math.max(64, 2 ** Math.ceil(Math.log2(fds + 1)))}`,
        `Threads:\t1`,
        "",
      ].join("\n");
      return encoder.encode(text);
    }
    throw new ErrnoError(Errno.EISDIR, `proc inode ${ino}`);
  }

  /** An open file of /proc: a snapshot (files) or a listing (directories). */
  async openLocal(ino: number, statOf: () => Promise<Stat>): Promise<LocalFile> {
    const attrs = await this.getattr(0, ino);
    if ((attrs.mode & S.IFMT) === S.IFDIR) return new ProcDir(await this.entries(ino), statOf);
    return new ProcFile(await this.contents(ino), statOf);
  }

  // The rest of Fs: /proc is read-only.
  #ro(): never {
    throw new ErrnoError(Errno.EACCES, "/proc is read-only");
  }
  setattr(_sb: number, _ino: number, _mask: number, _a: SetAttrArgs): Promise<Attrs> {
    return Promise.reject(new ErrnoError(Errno.EPERM, "/proc"));
  }
  create(): Promise<Attrs> {
    return Promise.resolve().then(() => this.#ro());
  }
  mkdir(): Promise<Attrs> {
    return Promise.resolve().then(() => this.#ro());
  }
  symlink(): Promise<Attrs> {
    return Promise.resolve().then(() => this.#ro());
  }
  link(): Promise<Attrs> {
    return Promise.reject(new ErrnoError(Errno.EPERM, "/proc"));
  }
  unlink(): Promise<Attrs> {
    return Promise.resolve().then(() => this.#ro());
  }
  rmdir(): Promise<void> {
    return Promise.resolve().then(() => this.#ro());
  }
  rename(): Promise<Attrs | undefined> {
    return Promise.resolve().then(() => this.#ro());
  }
  open(): Promise<OpenedFile> {
    return Promise.reject(new ErrnoError(Errno.EINVAL, "/proc files are opened by the VFS"));
  }
  // Linux's procfs has no xattr handlers: every name is EOPNOTSUPP, the list is empty.
  getxattr(): Promise<Uint8Array> {
    return Promise.reject(new ErrnoError(Errno.EOPNOTSUPP, "/proc"));
  }
  setxattr(): Promise<void> {
    return Promise.reject(new ErrnoError(Errno.EOPNOTSUPP, "/proc"));
  }
  listxattr(): Promise<string[]> {
    return Promise.resolve([]);
  }
  removexattr(): Promise<void> {
    return Promise.reject(new ErrnoError(Errno.EOPNOTSUPP, "/proc"));
  }
  statfs(): Promise<StatfsRecord> {
    return Promise.resolve({
      type: FS_MAGIC.PROC,
      bsize: 4096,
      blocks: 0,
      bfree: 0,
      bavail: 0,
      files: 0,
      ffree: 0,
      fsid: 0,
      namelen: 255,
      frsize: 4096,
      flags: 0x20, // ST_NOATIME... reported as rw by Linux; keep it plain
    });
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  mount(): Promise<{ sb: number; root: Attrs }> {
    return this.getattr(0, ROOT).then((root) => ({ sb: 0, root }));
  }
  unmount(): Promise<void> {
    return Promise.resolve();
  }
}

/** Permission bits of an fd's link, as Linux shows them: r-x to read, -wx to write, none for O_PATH. */
function fdLinkMode(flags: number): number {
  if ((flags & O.PATH) !== 0) return 0;
  const acc = flags & O.ACCMODE;
  let mode = 0;
  if (acc === O.RDONLY || acc === O.RDWR) mode |= 0o500;
  if (acc === O.WRONLY || acc === O.RDWR) mode |= 0o300;
  return mode;
}

/** An open /proc file: the bytes as they were at open. */
class ProcFile implements LocalFile {
  #pos = 0;
  constructor(readonly bytes: Uint8Array, readonly statOf: () => Promise<Stat>) {}

  read(_req: unknown, sink: Uint8Array): number {
    const n = this.pread(sink, this.#pos);
    this.#pos += n;
    return n;
  }

  pread(sink: Uint8Array, pos: number): number {
    const n = Math.max(0, Math.min(sink.length, this.bytes.length - pos));
    sink.set(this.bytes.subarray(pos, pos + n));
    return n;
  }

  lseek(offset: number, whence: number): number {
    const base = whence === 0
      ? 0
      : whence === 1
      ? this.#pos
      : whence === 2
      ? this.bytes.length
      : NaN;
    const next = base + offset;
    if (!Number.isFinite(next) || next < 0) throw new ErrnoError(Errno.EINVAL, "lseek");
    this.#pos = next;
    return next;
  }

  stat(): Promise<Stat> {
    return this.statOf();
  }

  release(): void {}
}

/** An open /proc directory: its entries as they were at open. */
class ProcDir implements LocalFile {
  #next = 0;
  constructor(
    readonly list: Array<{ name: string; ino: number; type: number }>,
    readonly statOf: () => Promise<Stat>,
  ) {}

  read(): number {
    throw new ErrnoError(Errno.EISDIR, "read of a directory");
  }

  getdents(out: Uint8Array, _ofd: Ofd): number {
    let at = 0;
    while (this.#next < this.list.length) {
      const e = this.list[this.#next];
      const n = putDirent(out, at, e.ino, this.#next + 1, e.type, encoder.encode(e.name));
      if (n === 0) {
        if (at === 0) throw new ErrnoError(Errno.EINVAL, "buffer too small");
        break;
      }
      at += n;
      this.#next++;
    }
    return at;
  }

  lseek(offset: number, whence: number): number {
    if (whence !== 0 || offset < 0) throw new ErrnoError(Errno.EINVAL, "lseek on a directory");
    this.#next = offset;
    return offset;
  }

  stat(): Promise<Stat> {
    return this.statOf();
  }

  release(): void {}
}

export { dtOf };
