// Filesystems as the VFS sees them: one interface, two kinds.
//   - RemoteFs: a filesystem server (mfs_ram, mfs_disk) spoken to with the
//     FsOp messages of fs_protocol.ts;
//   - local filesystems the VFS implements itself (procfs).
// Every method throws ErrnoError with the server's errno.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type { AsyncClient } from "../../kernel/ipc/client_async.ts";
import { type CapToken, PayloadReader, PayloadWriter } from "../../kernel/ipc/message.ts";
import { type DataSlots, slotsOf } from "./data_slots.ts";
import type { AttrEpochs } from "./attr_epochs.ts";
import { type Attrs, decodeAttrs, decodeStatfs, FsOp, type StatfsRecord } from "./fs_protocol.ts";
import { FRESH_ATTRS } from "./params.ts";

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/** A listxattr(2) list ("a\0b\0") as names. */
export function splitNames(raw: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== 0) continue;
    out.push(decoder.decode(raw.subarray(start, i)));
    start = i + 1;
  }
  return out;
}

/** An open file a filesystem server holds for the VFS. */
export interface OpenedFile {
  /** The server's id for the open file. */
  id: number;
  /** Root capability it minted for the VFS (fds get derived copies). */
  root: CapToken;
  attrs: Attrs;
}

/** Trace context of the request being served (propagated to the servers it causes). */
export interface Cause {
  traceId: number;
  traced: boolean;
  /** The process the request is for (procfs answers /proc/self by it). */
  pid?: number;
}

export interface Fs {
  /** The endpoint programs talk to for open files (the server's). */
  readonly ep: number;
  lookup(sb: number, dir: number, name: string, cause?: Cause): Promise<Attrs>;
  getattr(sb: number, ino: number, cause?: Cause): Promise<Attrs>;
  setattr(sb: number, ino: number, mask: number, a: SetAttrArgs, cause?: Cause): Promise<Attrs>;
  create(
    sb: number,
    dir: number,
    name: string,
    mode: number,
    uid: number,
    gid: number,
    rdev: number,
    cause?: Cause,
  ): Promise<Attrs>;
  mkdir(
    sb: number,
    dir: number,
    name: string,
    mode: number,
    uid: number,
    gid: number,
    cause?: Cause,
  ): Promise<Attrs>;
  symlink(
    sb: number,
    dir: number,
    name: string,
    target: string,
    uid: number,
    gid: number,
    cause?: Cause,
  ): Promise<Attrs>;
  link(sb: number, ino: number, dir: number, name: string, cause?: Cause): Promise<Attrs>;
  unlink(sb: number, dir: number, name: string, cause?: Cause): Promise<Attrs>;
  rmdir(sb: number, dir: number, name: string, cause?: Cause): Promise<void>;
  rename(
    sb: number,
    od: number,
    on: string,
    nd: number,
    nn: string,
    flags: number,
    cause?: Cause,
  ): Promise<Attrs | undefined>;
  readlink(sb: number, ino: number, cause?: Cause): Promise<string>;
  open(sb: number, ino: number, flags: number, holder: number, cause?: Cause): Promise<OpenedFile>;
  /** The whole value (up to 64 KiB); the VFS applies the caller's size. */
  getxattr(sb: number, ino: number, name: string, cause?: Cause): Promise<Uint8Array>;
  setxattr(
    sb: number,
    ino: number,
    name: string,
    value: Uint8Array,
    flags: number,
    cause?: Cause,
  ): Promise<void>;
  /** Every name; the VFS filters what the caller may see and applies its size. */
  listxattr(sb: number, ino: number, cause?: Cause): Promise<string[]>;
  removexattr(sb: number, ino: number, name: string, cause?: Cause): Promise<void>;
  statfs(sb: number, cause?: Cause): Promise<StatfsRecord>;
  sync(sb: number, cause?: Cause): Promise<void>;
  mount(options: string, cause?: Cause): Promise<{ sb: number; root: Attrs }>;
  unmount(sb: number, cause?: Cause): Promise<void>;
}

export interface SetAttrArgs {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  atime?: { sec: number; nsec: number };
  mtime?: { sec: number; nsec: number };
}

/** A filesystem server reached by messages. */
export class RemoteFs implements Fs {
  readonly #w = new PayloadWriter();
  readonly #slots: DataSlots;

  /**
   * Called when the server has restarted since our last reply. A call that
   * failed with EIO then may have been done all the same (its reply was lost
   * with the old Worker), so names cached from before may be stale.
   */
  onRestart?: () => void;
  #epoch = -1;
  /** Attributes fetched by getattr, with the epoch tag read before asking. */
  readonly #fresh = new Map<string, { tag: number; attrs: Attrs }>();

  constructor(
    readonly ep: number,
    readonly client: AsyncClient,
    readonly cap: CapToken,
    /** The server's attribute epochs, if it keeps them (attr_epochs.ts). */
    readonly epochs?: AttrEpochs,
  ) {
    this.#slots = slotsOf(client.area);
  }

  #noticeRestart(): void {
    const epoch = this.client.area.channel(this.ep).epoch;
    if (epoch === this.#epoch) return;
    if (this.#epoch !== -1) this.onRestart?.();
    this.#epoch = epoch;
  }

  async #call(
    op: number,
    fill: (w: PayloadWriter) => void,
    cause?: Cause,
  ): Promise<{ value: number; r: PayloadReader }> {
    const w = this.#w.reset();
    fill(w);
    const rep = await this.client.call(this.ep, op, this.cap, w.bytes().slice(), {
      traceId: cause?.traceId ?? 0,
      traced: cause?.traced ?? false,
    });
    this.#noticeRestart();
    if (rep.errno !== 0) throw new ErrnoError(rep.errno, `fs op 0x${op.toString(16)}`);
    return { value: rep.value, r: new PayloadReader(rep.payload) };
  }

  async #attrs(op: number, fill: (w: PayloadWriter) => void, cause?: Cause): Promise<Attrs> {
    return decodeAttrs((await this.#call(op, fill, cause)).r);
  }

  lookup(sb: number, dir: number, name: string, cause?: Cause) {
    return this.#attrs(FsOp.LOOKUP, (w) => w.num(sb).num(dir).str(name), cause);
  }
  getattr(sb: number, ino: number, cause?: Cause): Promise<Attrs> {
    if (this.epochs === undefined) {
      return this.#attrs(FsOp.GETATTR, (w) => w.num(sb).num(ino), cause);
    }
    const key = `${sb}:${ino}`;
    const tag = this.epochs.tag(sb, ino);
    const kept = this.#fresh.get(key);
    // Attrs are values here: the VFS replaces an inode's, never changes one in place.
    if (kept !== undefined && kept.tag === tag) return Promise.resolve(kept.attrs);
    return this.#getattrFetch(sb, ino, key, tag, cause);
  }

  async #getattrFetch(sb: number, ino: number, key: string, tag: number, cause?: Cause) {
    const attrs = await this.#attrs(FsOp.GETATTR, (w) => w.num(sb).num(ino), cause);
    this.#fresh.delete(key);
    if (this.#fresh.size >= FRESH_ATTRS) this.#fresh.delete(this.#fresh.keys().next().value!);
    this.#fresh.set(key, { tag, attrs });
    return attrs;
  }
  setattr(sb: number, ino: number, mask: number, a: SetAttrArgs, cause?: Cause) {
    return this.#attrs(
      FsOp.SETATTR,
      (w) =>
        w.num(sb).num(ino).num(mask).num(a.mode ?? 0).num(a.uid ?? 0).num(a.gid ?? 0).num(
          a.size ?? 0,
        )
          .num(a.atime?.sec ?? 0).num(a.atime?.nsec ?? 0).num(a.mtime?.sec ?? 0).num(
            a.mtime?.nsec ?? 0,
          ),
      cause,
    );
  }
  create(
    sb: number,
    dir: number,
    name: string,
    mode: number,
    uid: number,
    gid: number,
    rdev: number,
    cause?: Cause,
  ) {
    return this.#attrs(
      FsOp.CREATE,
      (w) => w.num(sb).num(dir).str(name).num(mode).num(uid).num(gid).num(rdev),
      cause,
    );
  }
  mkdir(
    sb: number,
    dir: number,
    name: string,
    mode: number,
    uid: number,
    gid: number,
    cause?: Cause,
  ) {
    return this.#attrs(
      FsOp.MKDIR,
      (w) => w.num(sb).num(dir).str(name).num(mode).num(uid).num(gid),
      cause,
    );
  }
  symlink(
    sb: number,
    dir: number,
    name: string,
    target: string,
    uid: number,
    gid: number,
    cause?: Cause,
  ) {
    return this.#attrs(
      FsOp.SYMLINK,
      (w) => w.num(sb).num(dir).str(name).str(target).num(uid).num(gid),
      cause,
    );
  }
  link(sb: number, ino: number, dir: number, name: string, cause?: Cause) {
    return this.#attrs(FsOp.LINK, (w) => w.num(sb).num(ino).num(dir).str(name), cause);
  }
  unlink(sb: number, dir: number, name: string, cause?: Cause) {
    return this.#attrs(FsOp.UNLINK, (w) => w.num(sb).num(dir).str(name), cause);
  }
  async rmdir(sb: number, dir: number, name: string, cause?: Cause) {
    await this.#call(FsOp.RMDIR, (w) => w.num(sb).num(dir).str(name), cause);
  }
  async rename(
    sb: number,
    od: number,
    on: string,
    nd: number,
    nn: string,
    flags: number,
    cause?: Cause,
  ) {
    const { value, r } = await this.#call(
      FsOp.RENAME,
      (w) => w.num(sb).num(od).str(on).num(nd).str(nn).num(flags),
      cause,
    );
    return value !== 0 && r.remaining > 0 ? decodeAttrs(r) : undefined;
  }
  async readlink(sb: number, ino: number, cause?: Cause) {
    const { r } = await this.#call(FsOp.READLINK, (w) => w.num(sb).num(ino), cause);
    return decoder.decode(r.bytes);
  }
  async open(
    sb: number,
    ino: number,
    flags: number,
    holder: number,
    cause?: Cause,
  ): Promise<OpenedFile> {
    const { value, r } = await this.#call(
      FsOp.OPEN,
      (w) => w.num(sb).num(ino).num(flags).num(holder),
      cause,
    );
    const root = { slot: r.int(0), gen: r.int(0, 2 ** 32) };
    return { id: value, root, attrs: decodeAttrs(r) };
  }
  // xattr values and name lists may exceed one message (64 KiB each): they
  // travel through a slot of the VFS's own data area (data_slots.ts).
  getxattr(sb: number, ino: number, name: string, cause?: Cause) {
    return this.#slots.with(async (slot) => {
      const { value } = await this.#call(
        FsOp.GETXATTR,
        (w) => w.num(sb).num(ino).str(name).num(slot.off).num(slot.bytes.length),
        cause,
      );
      return slot.bytes.slice(0, value);
    });
  }
  setxattr(
    sb: number,
    ino: number,
    name: string,
    value: Uint8Array,
    flags: number,
    cause?: Cause,
  ) {
    return this.#slots.with(async (slot) => {
      if (value.length > slot.bytes.length) throw new ErrnoError(Errno.E2BIG, "xattr value");
      slot.bytes.set(value);
      await this.#call(
        FsOp.SETXATTR,
        (w) =>
          w.num(sb).num(ino).str(name).bytesField(EMPTY).num(flags).num(slot.off).num(value.length),
        cause,
      );
    });
  }
  listxattr(sb: number, ino: number, cause?: Cause) {
    return this.#slots.with(async (slot) => {
      const { value } = await this.#call(
        FsOp.LISTXATTR,
        (w) => w.num(sb).num(ino).num(slot.off).num(slot.bytes.length),
        cause,
      );
      return splitNames(slot.bytes.subarray(0, value));
    });
  }
  async removexattr(sb: number, ino: number, name: string, cause?: Cause) {
    await this.#call(FsOp.REMOVEXATTR, (w) => w.num(sb).num(ino).str(name), cause);
  }
  async statfs(sb: number, cause?: Cause) {
    return decodeStatfs((await this.#call(FsOp.STATFS, (w) => w.num(sb), cause)).r);
  }
  async sync(sb: number, cause?: Cause) {
    await this.#call(FsOp.SYNC, (w) => w.num(sb), cause);
  }
  async mount(options: string, cause?: Cause) {
    const { value, r } = await this.#call(FsOp.MOUNT, (w) => w.str(options), cause);
    return { sb: value, root: decodeAttrs(r) };
  }
  async unmount(sb: number, cause?: Cause) {
    await this.#call(FsOp.UNMOUNT, (w) => w.num(sb), cause);
  }
}
