// The FUSE handler that serves a directory of the MelloOS VFS to the host.
//
// Each session Worker is a MelloOS process of its own (Kernel.attachProcess,
// userland/runtime/attached.ts): it answers a request with the syscalls a
// program would make, through the userland library, as the host caller:
// before each request it takes the caller's uid, gid and groups as its
// filesystem ids (setfsuid, setfsgid, setgroups), so files are created
// owned by the caller and every permission check is MelloOS's own. Its
// effective uid stays root, which opening a file by handle needs.
//
// State the Workers share: the node table (node_table.ts: node id <-> file
// handle, in shared memory). State each Worker keeps for itself, in its own
// fd table: an O_PATH fd per node it has met (opened by handle), and an fd
// per open file it has served a read or write of. An open file's handle
// (fh) is not an fd, which would be one Worker's: it encodes the node and
// the open flags, and a Worker that meets it first opens its own fd by
// handle (the caller's permission was checked once, at OPEN, by the Worker
// that served it, as Linux checks at open). Reads and writes carry their
// offsets, so separate fds per Worker change nothing. The table also counts
// open files per node: once the kernel forgot a node or released its last
// open file, every Worker closes the fds it keeps for it (#sweep), so that
// a deleted file's space comes back.
//
// Names cross as bytes; MelloOS names are UTF-8 strings, so a name that is
// not UTF-8 is refused with EILSEQ.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { AT, AT_FDCWD, O } from "../../kernel/fcntl.ts";
import { S } from "../../kernel/stat.ts";
import {
  chmod,
  close,
  faccessat,
  fchownat,
  fdatasync,
  fstat,
  fstatat,
  fstatfs,
  fsync,
  getdents64,
  getxattr,
  linkat,
  listxattr,
  lseek,
  mkdirat,
  mknodat,
  nameToHandleAt,
  open,
  openat,
  openByHandleAt,
  pread,
  pwrite,
  readAllText,
  readlinkat,
  removexattr,
  renameat2,
  setfsgid,
  setfsuid,
  setgroups,
  setxattr,
  symlinkat,
  truncate,
  umask,
  unlinkat,
  utimensat,
} from "../../userland/lib/mod.ts";
import type {
  AccessIn,
  Attr,
  Created,
  CreateIn,
  Entry,
  FsyncIn,
  GetattrIn,
  GetxattrIn,
  LinkIn,
  LseekIn,
  MkdirIn,
  MknodIn,
  NameIn,
  NodeIn,
  Opened,
  OpenIn,
  ReaddirIn,
  ReadIn,
  ReleaseIn,
  RemovexattrIn,
  RenameIn,
  RequestContext,
  SetattrIn,
  SetxattrIn,
  StatFs,
  SymlinkIn,
  WriteIn,
} from "./handler.ts";
import type { Forget, FuseHandler } from "./handler.ts";
import { FUSE_WRITE_KILL_SUIDGID } from "./abi.ts";
import { NodeTable } from "./node_table.ts";
import { FdCache } from "./fd_cache.ts";
import { attrOf, bareEntry, mayExec, nameOf, timeArg } from "./vfs_attrs.ts";
import { fhFlags, fhNode, fhOf, keyOf, unkey } from "./vfs_ids.ts";
import { AttrEpochs } from "../../servers/vfs/attr_epochs.ts";
import { decodeHandle, HANDLE_TYPE, type HandleFields } from "../../servers/vfs/file_handle.ts";
import type { VfsHandlerConfig } from "./vfs_options.ts";

const encoder = new TextEncoder();

/** A GETATTR answer kept with the epoch tag and node generation it holds for, and its file. */
interface KeptAttr {
  tag: number;
  generation: number;
  attr: Attr;
  file: HandleFields;
}

/** GETATTR answers a Worker keeps. */
const KEPT_ATTRS = 8192;
/** Directory entries (name -> file node) a Worker keeps for READDIRPLUS. */
const KEPT_NAMES = 16384;
/** O_PATH fds a Worker keeps for the nodes it met (its fd table allows 1024). */
const NODE_FDS = 384;
/** Open-file fds a Worker keeps. */
const OPEN_FDS = 384;
const SEEK_SET = 0;
/** The fsuid of a write that must drop set-id bits but whose caller is root without CAP_FSETID. */
const NOBODY = 65534;

export class VfsHandler implements FuseHandler {
  /** MelloOS drops set-id bits on writes, truncates and chowns by callers other than root. */
  readonly killsPrivileges = true;
  readonly #nodes: NodeTable;
  readonly #nodeFds = new FdCache(NODE_FDS);
  readonly #openFds = new FdCache(OPEN_FDS);
  /** The node table's epoch at our last sweep of the fds above. */
  #epoch = 0;
  /** The ids we act with now (the filesystem ids). */
  #as = { uid: 0, gid: 0, groups: [0] as readonly number[] };
  /**
   * A directory fd (not O_PATH) on each mount we met, by VFS mount id:
   * open_by_handle_at decodes a handle only against its own mount.
   */
  readonly #mountFds = new Map<number, number>();
  /** GETATTR answers kept with their epoch tags (and node generations). */
  readonly #attrs = new Map<number, KeptAttr>();
  readonly #epochs = new Map<number, AttrEpochs>();
  /** The file the served root is (node 1 has no handle in the node table). */
  readonly #rootFile: HandleFields | undefined;
  /**
   * Names met in directories: "dir node:generation:name" -> the node key of
   * a file (never a directory: something may be mounted on one), valid while
   * the directory's epoch tag is the one read before the name was looked up.
   */
  readonly #names = new Map<
    string,
    { dirTag: number; key: Uint8Array; file: HandleFields | undefined }
  >();

  constructor(readonly config: VfsHandlerConfig) {
    this.#nodes = new NodeTable(config.nodes);
    umask(0); // the kernel applied the caller's umask to every mode it sends
    const rootFd = open(config.root, O.RDONLY | O.DIRECTORY | O.CLOEXEC);
    const root = nameToHandleAt(rootFd, "", AT.EMPTY_PATH);
    this.#mountFds.set(root.mountId, rootFd);
    this.#rootFile = decodeHandle(root.handle, HANDLE_TYPE);
  }

  // --- identity ---

  /** Act as the host caller for what follows (cheap when it is the same one again). */
  #actAs(c: { uid: number; gid: number; groups: readonly number[] }): void {
    if (c.uid !== this.#as.uid) setfsuid(c.uid);
    if (c.gid !== this.#as.gid) setfsgid(c.gid);
    const groups = c.groups;
    if (!sameGroups(groups, this.#as.groups)) setgroups([...groups]);
    this.#as = { uid: c.uid, gid: c.gid, groups };
  }

  /** Only the fsuid (no groups wanted: cheap for every write). */
  #setFsuid(uid: number): void {
    if (uid === this.#as.uid) return;
    setfsuid(uid);
    this.#as = { ...this.#as, uid };
  }

  /** Run `fn` with root's filesystem ids (the bridge's own business, not the caller's). */
  #asRoot<T>(fn: () => T): T {
    const caller = this.#as;
    this.#actAs({ uid: 0, gid: 0, groups: [0] });
    try {
      return fn();
    } finally {
      this.#actAs(caller);
    }
  }

  // --- nodes and open files ---

  /**
   * Close the fds we keep for nodes the kernel forgot and for files it no
   * longer has open (whichever Worker heard of it): they would keep deleted
   * files, and their space, alive.
   */
  #sweep(): void {
    const epoch = this.#nodes.epoch;
    if (epoch === this.#epoch) return;
    this.#epoch = epoch;
    const nodes = this.#nodes;
    this.#nodeFds.prune((nodeid, generation) => nodes.generation(nodeid) !== generation);
    this.#openFds.prune((fh, generation) =>
      nodes.generation(fhNode(fh)) !== generation || nodes.opens(fhNode(fh)) === 0
    );
  }

  /** An O_PATH fd on node `nodeid` (ESTALE if the kernel's node is gone). */
  #nodeFd(nodeid: number): number {
    this.#sweep();
    const generation = this.#nodes.generation(nodeid);
    const kept = this.#nodeFds.get(nodeid, generation);
    if (kept !== undefined) return kept;
    const fd = nodeid === 1 ? this.#openRoot() : this.#openNode(nodeid);
    this.#nodeFds.put(nodeid, generation, fd);
    return fd;
  }

  #openRoot(): number {
    return open(this.config.root, O.PATH | O.DIRECTORY | O.CLOEXEC);
  }

  #openNode(nodeid: number, flags: number = O.PATH): number {
    const { handle: key } = this.#nodes.get(nodeid);
    const { handle, mountId } = unkey(key);
    return openByHandleAt(this.#mountFd(mountId), handle, flags | O.CLOEXEC);
  }

  /**
   * A directory fd on mount `mountId`. Another Worker may have met the mount
   * first (the node table is shared, fds are not): then find it among the
   * mounts of /proc/mounts. Only mounts the host holds nodes of are kept
   * open (an open fd makes a plain umount inside MelloOS EBUSY).
   */
  #mountFd(mountId: number): number {
    let fd = this.#mountFds.get(mountId);
    if (fd === undefined) {
      fd = this.#asRoot(() => this.#findMount(mountId));
      if (fd === undefined) throw new ErrnoError(Errno.ESTALE, `mount ${mountId} is gone`);
      this.#mountFds.set(mountId, fd);
    }
    return fd;
  }

  #findMount(mountId: number): number | undefined {
    const list = open("/proc/mounts", O.RDONLY | O.CLOEXEC);
    let text: string;
    try {
      text = readAllText(list);
    } finally {
      close(list);
    }
    for (const line of text.split("\n")) {
      const target = line.split(" ")[1];
      if (target === undefined) continue;
      const path = target.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
      let fd: number;
      try {
        fd = open(path, O.RDONLY | O.DIRECTORY | O.CLOEXEC);
      } catch {
        continue; // gone meanwhile
      }
      try {
        if (nameToHandleAt(fd, "", AT.EMPTY_PATH).mountId === mountId) return fd;
      } catch {
        // /proc: no handles there
      }
      close(fd);
    }
    return undefined;
  }

  /** `/proc/self/fd/N` of node `nodeid`: a path to the file itself, for calls that take one. */
  #path(nodeid: number): string {
    return `/proc/self/fd/${this.#nodeFd(nodeid)}`;
  }

  /** This Worker's fd for open file `fh` (opened by handle if it is new to us). */
  #openFd(fh: number): number {
    this.#sweep();
    const nodeid = fhNode(fh);
    const generation = this.#nodes.generation(nodeid);
    const kept = this.#openFds.get(fh, generation);
    if (kept !== undefined) return kept;
    const fd = nodeid === 1
      ? open(this.config.root, fhFlags(fh) | O.CLOEXEC)
      : this.#openNode(nodeid, fhFlags(fh));
    this.#openFds.put(fh, generation, fd);
    return fd;
  }

  /** The entry for `name` in `dirFd`, counted as one more lookup of its node. */
  #entry(dirFd: number, name: string): Entry {
    const st = fstatat(dirFd, name, AT.SYMLINK_NOFOLLOW);
    const { handle, mountId } = nameToHandleAt(dirFd, name, 0);
    if (!this.#mountFds.has(mountId) && (st.mode & S.IFMT) === S.IFDIR) {
      // The root of another mount: keep a way to open its files by handle.
      const fd = this.#asRoot(() => openat(dirFd, name, O.RDONLY | O.DIRECTORY | O.CLOEXEC));
      this.#mountFds.set(mountId, fd);
    }
    const ref = this.#nodes.ref(keyOf(handle, mountId));
    return { nodeid: ref.nodeid, generation: ref.generation, attr: attrOf(st) };
  }

  // --- FUSE operations ---

  lookup(ctx: RequestContext, req: NameIn): Entry {
    this.#actAs(ctx.caller);
    return this.#entry(this.#nodeFd(req.parent), nameOf(req.name));
  }

  forget(_ctx: RequestContext, forgets: readonly Forget[]): void {
    for (const f of forgets) this.#nodes.forget(f.nodeid, f.nlookup);
    this.#sweep();
  }

  getattr(ctx: RequestContext, req: GetattrIn): Attr {
    // No permission is needed to stat a node the kernel has looked up: a
    // kept answer is as good as a new one while the file's epoch holds. A
    // kept answer knows its file, so a hit reads neither the node table nor
    // the handle again.
    const generation = this.#nodes.generation(req.nodeid);
    const kept = this.#attrs.get(req.nodeid);
    const file = kept?.generation === generation ? kept.file : this.#fileOf(req.nodeid);
    const tag = this.#tagOf(file);
    if (
      kept !== undefined && tag !== undefined && kept.tag === tag && kept.generation === generation
    ) {
      return kept.attr;
    }
    this.#actAs(ctx.caller);
    const attr = attrOf(
      fstat(req.fh === undefined ? this.#nodeFd(req.nodeid) : this.#openFd(req.fh)),
    );
    if (tag !== undefined) this.#keepAttr(req.nodeid, { tag, generation, attr, file: file! });
    return attr;
  }

  #keepAttr(nodeid: number, kept: KeptAttr): void {
    this.#attrs.delete(nodeid);
    if (this.#attrs.size >= KEPT_ATTRS) this.#attrs.delete(this.#attrs.keys().next().value!);
    this.#attrs.set(nodeid, kept);
  }

  /** The file a node names (from its handle), or undefined if the node is gone. */
  #fileOf(nodeid: number): HandleFields | undefined {
    if (nodeid === 1) return this.#rootFile;
    try {
      return decodeHandle(unkey(this.#nodes.get(nodeid).handle).handle, HANDLE_TYPE);
    } catch {
      return undefined;
    }
  }

  /** The attribute epoch tag of `file`, read before asking; undefined if its server keeps none. */
  #tagOf(file: HandleFields | undefined): number | undefined {
    if (file === undefined || this.config.attrEpochs === undefined) return undefined;
    let epochs = this.#epochs.get(file.ep);
    if (epochs === undefined) {
      const sab = this.config.attrEpochs[file.ep];
      if (sab === undefined) return undefined;
      epochs = new AttrEpochs(sab);
      this.#epochs.set(file.ep, epochs);
    }
    return epochs.tag(file.sb, file.ino);
  }

  setattr(ctx: RequestContext, req: SetattrIn): Attr {
    this.#actAs(ctx.caller);
    const path = this.#path(req.nodeid);
    if (setsNothing(req)) this.#dropSetIds(req.nodeid, path);
    if (req.mode !== undefined) chmod(path, req.mode & 0o7777);
    if (req.uid !== undefined || req.gid !== undefined) {
      fchownat(AT_FDCWD, path, req.uid ?? -1, req.gid ?? -1);
    }
    if (req.sizeBytes !== undefined) {
      if (req.fh !== undefined && (fhFlags(req.fh) & O.ACCMODE) !== O.RDONLY) {
        truncate(`/proc/self/fd/${this.#openFd(req.fh)}`, req.sizeBytes);
      } else truncate(path, req.sizeBytes);
    }
    if (req.atime !== undefined || req.mtime !== undefined) {
      utimensat(AT_FDCWD, path, [timeArg(req.atime), timeArg(req.mtime)]);
    }
    return attrOf(fstat(this.#nodeFd(req.nodeid)));
  }

  /**
   * A SETATTR that sets nothing comes only from the kernel's
   * file_remove_privs() (HANDLE_KILLPRIV_V2): a caller without CAP_FSETID is
   * about to write to a set-id file it opened for writing. Drop the bits now,
   * as Linux does before the write, with root's ids (the caller need not own
   * the file), so the attributes we answer, which the kernel caches, are
   * right; the write itself would drop them only after the kernel cached them.
   */
  #dropSetIds(nodeid: number, path: string): void {
    const mode = fstat(this.#nodeFd(nodeid)).mode;
    if ((mode & S.IFMT) !== S.IFREG) return;
    let m = mode & 0o7777 & ~S.ISUID;
    if ((m & 0o010) !== 0) m &= ~S.ISGID;
    if (m !== (mode & 0o7777)) this.#asRoot(() => chmod(path, m));
  }

  readlink(ctx: RequestContext, req: NodeIn): Uint8Array {
    this.#actAs(ctx.caller);
    return encoder.encode(readlinkat(this.#nodeFd(req.nodeid), ""));
  }

  symlink(ctx: RequestContext, req: SymlinkIn): Entry {
    this.#actAs(ctx.caller);
    const dir = this.#nodeFd(req.parent);
    const name = nameOf(req.name);
    symlinkat(nameOf(req.target), dir, name);
    return this.#entry(dir, name);
  }

  mknod(ctx: RequestContext, req: MknodIn): Entry {
    this.#actAs(ctx.caller);
    const dir = this.#nodeFd(req.parent);
    const name = nameOf(req.name);
    mknodat(dir, name, req.mode, req.rdev);
    return this.#entry(dir, name);
  }

  mkdir(ctx: RequestContext, req: MkdirIn): Entry {
    this.#actAs(ctx.caller);
    const dir = this.#nodeFd(req.parent);
    const name = nameOf(req.name);
    mkdirat(dir, name, req.mode);
    return this.#entry(dir, name);
  }

  unlink(ctx: RequestContext, req: NameIn): void {
    this.#actAs(ctx.caller);
    unlinkat(this.#nodeFd(req.parent), nameOf(req.name), 0);
  }

  rmdir(ctx: RequestContext, req: NameIn): void {
    this.#actAs(ctx.caller);
    unlinkat(this.#nodeFd(req.parent), nameOf(req.name), AT.REMOVEDIR);
  }

  rename(ctx: RequestContext, req: RenameIn): void {
    this.#actAs(ctx.caller);
    renameat2(
      this.#nodeFd(req.parent),
      nameOf(req.name),
      this.#nodeFd(req.newParent),
      nameOf(req.newName),
      req.flags,
    );
  }

  link(ctx: RequestContext, req: LinkIn): Entry {
    this.#actAs(ctx.caller);
    const dir = this.#nodeFd(req.newParent);
    const name = nameOf(req.newName);
    linkat(AT_FDCWD, this.#path(req.nodeid), dir, name, AT.SYMLINK_FOLLOW);
    return this.#entry(dir, name);
  }

  open(ctx: RequestContext, req: OpenIn): Opened {
    this.#actAs(ctx.caller);
    // Opened through /proc/self/fd: a fresh open of the file, checked
    // against the caller's ids (O_TRUNC done here, once). The host kernel
    // walked the caller's path (O_NOFOLLOW included): what is left is the
    // node itself, so the magic link must be followed.
    const flags = req.flags & ~(O.CREAT | O.EXCL | O.NOFOLLOW);
    const fd = open(this.#path(req.nodeid), flags | O.CLOEXEC);
    const fh = fhOf(req.nodeid, req.flags);
    this.#nodes.opened(req.nodeid);
    this.#openFds.put(fh, this.#nodes.generation(req.nodeid), fd);
    return { fh };
  }

  opendir(ctx: RequestContext, req: OpenIn): Opened {
    return this.open(ctx, { nodeid: req.nodeid, flags: (req.flags & ~O.ACCMODE) | O.DIRECTORY });
  }

  create(ctx: RequestContext, req: CreateIn): Created {
    this.#actAs(ctx.caller);
    const dir = this.#nodeFd(req.parent);
    const name = nameOf(req.name);
    const fd = openat(dir, name, req.flags | O.CREAT | O.CLOEXEC, req.mode);
    let entry: Entry;
    try {
      entry = this.#entry(dir, name);
    } catch (err) {
      close(fd);
      throw err;
    }
    const fh = fhOf(entry.nodeid, req.flags);
    this.#nodes.opened(entry.nodeid);
    this.#openFds.put(fh, entry.generation, fd);
    return { fh, entry };
  }

  read(_ctx: RequestContext, req: ReadIn): Uint8Array {
    const out = req.buffer.subarray(0, req.size);
    return out.subarray(0, pread(this.#openFd(req.fh), out, req.offset));
  }

  write(ctx: RequestContext, req: WriteIn): number {
    // The filesystem drops the set-id bits of a file written without
    // CAP_FSETID, which it judges by our fsuid; the kernel tells us which
    // writes those are (killsPrivileges).
    const kill = (req.writeFlags & FUSE_WRITE_KILL_SUIDGID) !== 0;
    this.#setFsuid(kill ? ctx.caller.uid || NOBODY : 0);
    return pwrite(this.#openFd(req.fh), req.data, req.offset);
  }

  flush(): void {
    // Data goes to the filesystem server at each write: nothing is held back.
  }

  release(_ctx: RequestContext, req: ReleaseIn): void {
    this.#openFds.drop(req.fh);
    this.#nodes.released(fhNode(req.fh));
    this.#sweep();
  }

  releasedir(ctx: RequestContext, req: ReleaseIn): void {
    this.release(ctx, req);
  }

  fsync(_ctx: RequestContext, req: FsyncIn): void {
    const fd = this.#openFd(req.fh);
    if (req.datasync) fdatasync(fd);
    else fsync(fd);
  }

  fsyncdir(ctx: RequestContext, req: FsyncIn): void {
    this.fsync(ctx, req);
  }

  readdir(_ctx: RequestContext, req: ReaddirIn): void {
    const fd = this.#openFd(req.fh);
    lseek(fd, req.offset, SEEK_SET);
    for (;;) {
      const batch = getdents64(fd);
      if (batch.length === 0) return;
      for (const d of batch) {
        const name = encoder.encode(d.name);
        if (!req.out.add(name, d.ino, d.type << 12, d.off)) {
          // Full: the next READDIR resumes at the last entry taken.
          return;
        }
      }
    }
  }

  /**
   * READDIR with each entry's node and attributes, so `ls -l` needs no
   * LOOKUP per name. The kernel asks for it at the start of every listing,
   * so it must cost little when nothing changed: a file's name and node are
   * kept while the directory's epoch holds, its attributes while its own
   * does, and then an entry costs no syscall. The caller must be able to
   * search the directory (a LOOKUP would check it); if not, or for "." and
   * "..", the entry carries no node (id 0), which the kernel takes as a
   * plain one. Each entry packed with a node counts as a lookup of it.
   */
  readdirplus(ctx: RequestContext, req: ReaddirIn): void {
    this.#actAs(ctx.caller);
    const fd = this.#openFd(req.fh);
    const dirTag = this.#tagOf(this.#fileOf(req.nodeid));
    const searchable = mayExec(ctx.caller, fstat(fd));
    const prefix = `${req.nodeid}:${this.#nodes.generation(req.nodeid)}:`;
    lseek(fd, req.offset, SEEK_SET);
    for (;;) {
      const batch = getdents64(fd);
      if (batch.length === 0) return;
      for (const d of batch) {
        const plain = !searchable || d.name === "." || d.name === "..";
        const entry = plain ? undefined : this.#listed(fd, d.name, prefix + d.name, dirTag);
        const packed = req.out.addPlus(
          encoder.encode(d.name),
          entry ?? bareEntry(d.ino, d.type << 12),
          d.off,
        );
        if (!packed) {
          // Full: the kernel never saw this one, so it counts no lookup of it.
          if (entry !== undefined) this.#nodes.forget(entry.nodeid, 1);
          return;
        }
      }
    }
  }

  /** The entry of `name` in directory `dirFd` for READDIRPLUS; undefined if it went. */
  #listed(dirFd: number, name: string, nameKey: string, dirTag?: number): Entry | undefined {
    const known = this.#names.get(nameKey);
    if (known !== undefined && dirTag !== undefined && known.dirTag === dirTag) {
      const ref = this.#nodes.ref(known.key);
      const tag = this.#tagOf(known.file);
      const kept = this.#attrs.get(ref.nodeid);
      if (
        kept !== undefined && tag !== undefined && kept.tag === tag &&
        kept.generation === ref.generation
      ) {
        return { nodeid: ref.nodeid, generation: ref.generation, attr: kept.attr };
      }
      try {
        const attr = attrOf(fstatat(dirFd, name, AT.SYMLINK_NOFOLLOW));
        if (tag !== undefined) {
          this.#keepAttr(ref.nodeid, { tag, generation: ref.generation, attr, file: known.file! });
        }
        return { nodeid: ref.nodeid, generation: ref.generation, attr };
      } catch (err) {
        this.#nodes.forget(ref.nodeid, 1);
        if (err instanceof ErrnoError && NO_ENTRY.has(err.errno)) return undefined;
        throw err;
      }
    }
    let entry: Entry;
    try {
      entry = this.#entry(dirFd, name);
    } catch (err) {
      if (err instanceof ErrnoError && NO_ENTRY.has(err.errno)) return undefined;
      throw err;
    }
    if (dirTag !== undefined && (entry.attr.mode & S.IFMT) !== S.IFDIR) {
      this.#names.delete(nameKey);
      if (this.#names.size >= KEPT_NAMES) this.#names.delete(this.#names.keys().next().value!);
      const key = this.#nodes.get(entry.nodeid).handle;
      this.#names.set(nameKey, { dirTag, key, file: decodeHandle(unkey(key).handle, HANDLE_TYPE) });
    }
    return entry;
  }

  statfs(_ctx: RequestContext, req: NodeIn): StatFs {
    const s = fstatfs(this.#nodeFd(req.nodeid));
    return {
      blocks: s.blocks,
      bfree: s.bfree,
      bavail: s.bavail,
      files: s.files,
      ffree: s.ffree,
      bsize: s.bsize,
      namelen: s.namelen,
      frsize: s.frsize,
    };
  }

  access(ctx: RequestContext, req: AccessIn): void {
    this.#actAs(ctx.caller);
    faccessat(AT_FDCWD, this.#path(req.nodeid), req.mask, AT.EACCESS);
  }

  setxattr(ctx: RequestContext, req: SetxattrIn): void {
    this.#actAs(ctx.caller);
    setxattr(this.#path(req.nodeid), nameOf(req.name), req.value, req.flags);
  }

  getxattr(ctx: RequestContext, req: GetxattrIn): Uint8Array {
    this.#actAs(ctx.caller);
    return getxattr(this.#path(req.nodeid), nameOf(req.name));
  }

  listxattr(ctx: RequestContext, req: NodeIn): Uint8Array[] {
    this.#actAs(ctx.caller);
    return listxattr(this.#path(req.nodeid)).map((n) => encoder.encode(n));
  }

  removexattr(ctx: RequestContext, req: RemovexattrIn): void {
    this.#actAs(ctx.caller);
    removexattr(this.#path(req.nodeid), nameOf(req.name));
  }

  lseek(_ctx: RequestContext, req: LseekIn): number {
    return lseek(this.#openFd(req.fh), req.offset, req.whence);
  }
}

/** A SETATTR with no attribute to set (the FH and LOCKOWNER bits say which file, not what). */
function setsNothing(req: SetattrIn): boolean {
  return req.mode === undefined && req.uid === undefined && req.gid === undefined &&
    req.sizeBytes === undefined && req.atime === undefined && req.mtime === undefined &&
    req.ctime === undefined && !req.killSuidgid;
}

/** Errnos that make a READDIRPLUS entry a plain one: the name went, or may not be looked up. */
const NO_ENTRY = new Set<number>([Errno.ENOENT, Errno.EACCES, Errno.ESTALE, Errno.EOPNOTSUPP]);

function sameGroups(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((g, i) => g === b[i]);
}
