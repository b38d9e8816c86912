// Test helper: drive mfs_ram straight from the kernel, as the VFS will,
// with the SYSTEM capability the kernel holds for its endpoint, and its open
// files with the root capabilities OPEN returns (holder: init, pid 1). Bulk
// data goes through the kernel's own data area.

import { Errno, ErrnoError, errnoName } from "../../kernel/errno.ts";
import type { Handle } from "../../kernel/mod.ts";
import type { Reply } from "../../kernel/ipc/client_async.ts";
import { type CapToken, PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import { Endpoint } from "../../kernel/registry.ts";
import { decodeStat, type Stat } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import {
  type Attrs,
  decodeAttrs,
  decodeStatfs,
  FsOp,
  type StatfsRecord,
} from "../../servers/vfs/fs_protocol.ts";
import { ObjectOp } from "../../servers/vfs/mod.ts";
import { MfsRamOp } from "../../servers/mfs_ram/mod.ts";

export const MFS = Endpoint.MFS_RAM;

export type Name = string | Uint8Array;

/** One linux_dirent64 record. */
export interface DirentRec {
  ino: number;
  off: number;
  type: number;
  name: string;
}

/** An open file: its id and the root capability. */
export interface OpenRec {
  id: number;
  cap: CapToken;
  attrs: Attrs;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Throw an ErrnoError for a failed reply; return it otherwise. */
export function check(r: Reply, what: string): Reply {
  if (r.errno !== 0) throw new ErrnoError(r.errno, `${what}: ${errnoName(r.errno)}`);
  return r;
}

export class MfsClient {
  readonly cap: CapToken;
  readonly #w = new PayloadWriter();

  constructor(readonly os: Handle) {
    this.cap = os.kernel.systemCaps.get(MFS)!;
  }

  get data(): Uint8Array {
    return this.os.kernel.area.data;
  }

  /** Send a request; `build` writes its payload. */
  call(
    op: number,
    build?: (w: PayloadWriter) => void,
    opts: { cap?: CapToken; value?: number } = {},
  ): Promise<Reply> {
    let payload: Uint8Array | undefined;
    if (build !== undefined) {
      build(this.#w.reset());
      payload = this.#w.bytes().slice();
    }
    return this.os.kernel.client.call(MFS, op, opts.cap ?? this.cap, payload, {
      value: opts.value ?? 0,
    });
  }

  /** The errno a request fails with (0: it succeeded). */
  async errno(op: number, build?: (w: PayloadWriter) => void, opts = {}): Promise<number> {
    return (await this.call(op, build, opts)).errno;
  }

  async #attrs(op: number, build: (w: PayloadWriter) => void, what: string): Promise<Attrs> {
    const r = check(await this.call(op, build), what);
    return decodeAttrs(new PayloadReader(r.payload));
  }

  async mount(options = ""): Promise<{ sb: number; root: Attrs }> {
    const r = check(await this.call(FsOp.MOUNT, (w) => w.str(options)), "mount");
    return { sb: r.value, root: decodeAttrs(new PayloadReader(r.payload)) };
  }

  lookup(sb: number, dir: number, name: Name): Promise<Attrs> {
    return this.#attrs(FsOp.LOOKUP, (w) => name_(w.num(sb).num(dir), name), "lookup");
  }

  getattr(sb: number, ino: number): Promise<Attrs> {
    return this.#attrs(FsOp.GETATTR, (w) => w.num(sb).num(ino), "getattr");
  }

  setattr(
    sb: number,
    ino: number,
    a: {
      mask: number;
      mode?: number;
      uid?: number;
      gid?: number;
      size?: number;
      atime?: [number, number];
      mtime?: [number, number];
    },
  ): Promise<Attrs> {
    return this.#attrs(FsOp.SETATTR, (w) => {
      w.num(sb).num(ino).num(a.mask).num(a.mode ?? 0).num(a.uid ?? 0).num(a.gid ?? 0)
        .num(a.size ?? 0);
      const [as, ans] = a.atime ?? [0, 0];
      const [ms, mns] = a.mtime ?? [0, 0];
      w.num(as).num(ans).num(ms).num(mns);
    }, "setattr");
  }

  create(sb: number, dir: number, name: Name, mode = 0o100644, rdev = 0): Promise<Attrs> {
    return this.#attrs(
      FsOp.CREATE,
      (w) => name_(w.num(sb).num(dir), name).num(mode).num(0).num(0).num(rdev),
      "create",
    );
  }

  mkdir(sb: number, dir: number, name: Name, mode = 0o755): Promise<Attrs> {
    return this.#attrs(
      FsOp.MKDIR,
      (w) => name_(w.num(sb).num(dir), name).num(mode).num(0).num(0),
      "mkdir",
    );
  }

  symlink(sb: number, dir: number, name: Name, target: string): Promise<Attrs> {
    return this.#attrs(
      FsOp.SYMLINK,
      (w) => name_(w.num(sb).num(dir), name).str(target).num(0).num(0),
      "symlink",
    );
  }

  link(sb: number, ino: number, dir: number, name: Name): Promise<Attrs> {
    return this.#attrs(FsOp.LINK, (w) => name_(w.num(sb).num(ino).num(dir), name), "link");
  }

  unlink(sb: number, dir: number, name: Name): Promise<Attrs> {
    return this.#attrs(FsOp.UNLINK, (w) => name_(w.num(sb).num(dir), name), "unlink");
  }

  async rmdir(sb: number, dir: number, name: Name): Promise<void> {
    check(await this.call(FsOp.RMDIR, (w) => name_(w.num(sb).num(dir), name)), "rmdir");
  }

  /** Rename; returns the displaced inode's attributes after, if any. */
  async rename(
    sb: number,
    od: number,
    on: Name,
    nd: number,
    nn: Name,
    flags = 0,
  ): Promise<Attrs | undefined> {
    const r = check(
      await this.call(FsOp.RENAME, (w) => {
        name_(name_(w.num(sb).num(od), on).num(nd), nn).num(flags);
      }),
      "rename",
    );
    return r.payload.length === 0 ? undefined : decodeAttrs(new PayloadReader(r.payload));
  }

  renameErrno(sb: number, od: number, on: Name, nd: number, nn: Name, flags = 0) {
    return this.errno(FsOp.RENAME, (w) => {
      name_(name_(w.num(sb).num(od), on).num(nd), nn).num(flags);
    });
  }

  async readlink(sb: number, ino: number): Promise<string> {
    const r = check(await this.call(FsOp.READLINK, (w) => w.num(sb).num(ino)), "readlink");
    return new TextDecoder().decode(r.payload);
  }

  async open(sb: number, ino: number, flags = 2): Promise<OpenRec> {
    const r = check(
      await this.call(FsOp.OPEN, (w) => w.num(sb).num(ino).num(flags).num(1)),
      "open",
    );
    const p = new PayloadReader(r.payload);
    const cap = { slot: p.int(0), gen: p.int(0) };
    return { id: r.value, cap, attrs: decodeAttrs(p) };
  }

  async statfs(sb: number): Promise<StatfsRecord> {
    const r = check(await this.call(FsOp.STATFS, (w) => w.num(sb)), "statfs");
    return decodeStatfs(new PayloadReader(r.payload));
  }

  async setxattr(sb: number, ino: number, name: string, value: Uint8Array, flags = 0) {
    check(
      await this.call(
        FsOp.SETXATTR,
        (w) => w.num(sb).num(ino).str(name).bytesField(value).num(flags),
      ),
      "setxattr",
    );
  }

  async getxattr(sb: number, ino: number, name: string): Promise<Uint8Array> {
    const r = check(
      await this.call(FsOp.GETXATTR, (w) => w.num(sb).num(ino).str(name)),
      "getxattr",
    );
    return new PayloadReader(r.payload).bytesField().slice();
  }

  async listxattr(sb: number, ino: number): Promise<string[]> {
    const r = check(await this.call(FsOp.LISTXATTR, (w) => w.num(sb).num(ino)), "listxattr");
    return new PayloadReader(r.payload).strs();
  }

  async removexattr(sb: number, ino: number, name: string) {
    check(await this.call(FsOp.REMOVEXATTR, (w) => w.num(sb).num(ino).str(name)), "removexattr");
  }

  // --- open files ---

  /** write(2) of `bytes` (placed at `dataOff` of the kernel's data area). */
  async write(cap: CapToken, bytes: Uint8Array | string, dataOff = 0): Promise<number> {
    const b = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
    this.data.set(b, dataOff);
    const r = check(
      await this.call(Sys.write, (w) => w.num(dataOff), { cap, value: b.length }),
      "write",
    );
    return r.value;
  }

  async read(cap: CapToken, count: number, dataOff = 0): Promise<Uint8Array> {
    const r = check(
      await this.call(Sys.read, (w) => w.num(dataOff), { cap, value: count }),
      "read",
    );
    return this.data.slice(dataOff, dataOff + r.value);
  }

  async pwrite(cap: CapToken, bytes: Uint8Array | string, pos: number, dataOff = 0) {
    const b = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
    this.data.set(b, dataOff);
    const r = check(
      await this.call(Sys.pwrite64, (w) => w.num(dataOff).num(pos), { cap, value: b.length }),
      "pwrite",
    );
    return r.value;
  }

  async pread(cap: CapToken, count: number, pos: number, dataOff = 0): Promise<Uint8Array> {
    const r = check(
      await this.call(Sys.pread64, (w) => w.num(dataOff).num(pos), { cap, value: count }),
      "pread",
    );
    return this.data.slice(dataOff, dataOff + r.value);
  }

  async lseek(cap: CapToken, off: number, whence: number): Promise<number> {
    return check(await this.call(Sys.lseek, (w) => w.num(off).num(whence), { cap }), "lseek").value;
  }

  async fstat(cap: CapToken): Promise<Stat> {
    return decodeStat(check(await this.call(Sys.fstat, undefined, { cap }), "fstat").payload);
  }

  async ftruncate(cap: CapToken, len: number): Promise<void> {
    check(await this.call(Sys.ftruncate, (w) => w.num(len), { cap }), "ftruncate");
  }

  async getdents(cap: CapToken, max = 65536, dataOff = 0): Promise<DirentRec[]> {
    const r = check(
      await this.call(Sys.getdents64, (w) => w.num(dataOff), { cap, value: max }),
      "getdents64",
    );
    return parseDirents(this.data.subarray(dataOff, dataOff + r.value));
  }

  /** Every entry, "." and ".." included, in as many getdents64 calls as it takes. */
  async readdir(cap: CapToken, max = 65536): Promise<DirentRec[]> {
    const all: DirentRec[] = [];
    for (;;) {
      const batch = await this.getdents(cap, max);
      if (batch.length === 0) return all;
      all.push(...batch);
    }
  }

  async fstatfs(cap: CapToken): Promise<StatfsRecord> {
    const r = check(await this.call(Sys.fstatfs, undefined, { cap }), "fstatfs");
    return decodeStatfs(new PayloadReader(r.payload));
  }

  async release(cap: CapToken): Promise<void> {
    check(await this.call(ObjectOp.RELEASE, undefined, { cap }), "release");
  }

  async fsck(): Promise<string[]> {
    const r = check(await this.call(MfsRamOp.FSCK), "fsck");
    return new PayloadReader(r.payload).strs();
  }

  async stats() {
    const r = check(await this.call(MfsRamOp.STATS), "stats");
    const p = new PayloadReader(r.payload);
    return {
      commits: p.num(),
      checkpoints: p.num(),
      journalBytes: p.num(),
      snapshotBytes: p.num(),
      metaBytes: p.num(),
      freeChunks: p.num(),
      inodes: p.num(),
      unlinkedInodes: p.num(),
      openFiles: p.num(),
      usedChunks: p.num(),
      dataBytes: p.num(),
    };
  }
}

function name_(w: PayloadWriter, name: Name): PayloadWriter {
  return typeof name === "string" ? w.str(name) : w.bytesField(name);
}

/** Decode linux_dirent64 records. */
export function parseDirents(b: Uint8Array): DirentRec[] {
  const out: DirentRec[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let at = 0; at < b.length;) {
    const reclen = dv.getUint16(at + 16, true);
    if (reclen < 24 || at + reclen > b.length) throw new Error(`bad dirent at ${at}`);
    const end = b.indexOf(0, at + 19);
    out.push({
      ino: Number(dv.getBigUint64(at, true)),
      off: Number(dv.getBigInt64(at + 8, true)),
      type: dv.getUint8(at + 18),
      name: decoder.decode(b.subarray(at + 19, end)),
    });
    at += reclen;
  }
  return out;
}

export { Errno };
