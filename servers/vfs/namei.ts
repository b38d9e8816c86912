// Path resolution (namei): a path, a starting directory and credentials in;
// an inode (or its parent directory and last name) out, as Linux's
// link_path_walk() does it:
//   - "/" starts at the process's root, anything else at the starting
//     directory (the cwd, or a dirfd for the *at calls);
//   - empty components ("//") are skipped, "." stays, ".." goes up: not above
//     the process's root, and across a mount root to the mountpoint's parent;
//   - every directory walked through needs search (x) permission: EACCES;
//   - a name longer than NAME_MAX is ENAMETOOLONG, a path of PATH_MAX bytes
//     or more too; walking through a non-directory is ENOTDIR;
//   - a symlink in the middle is always followed, the last one only when the
//     caller asks; more than SYMLINK_MAX_HOPS is ELOOP; an empty target is
//     ENOENT;
//   - a trailing slash requires a directory (ENOTDIR);
//   - a magic link (/proc/PID/fd/N) is followed to the inode its fd holds,
//     not through its text, as Linux's nd_jump_link(): a deleted or renamed
//     file, an O_PATH fd's inode (re-opened with a fresh permission check).
// Lookups go through the dentry and inode caches; a miss asks the
// filesystem (one message).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { S } from "../../kernel/stat.ts";
import type { Creds } from "../../kernel/sysmem.ts";
import type { Attrs } from "./fs_protocol.ts";
import { NAME_MAX, PATH_MAX } from "./fs_protocol.ts";
import { DentryCache, NEGATIVE } from "./dcache.ts";
import { type Inode, InodeCache } from "./icache.ts";
import type { Cause } from "./fs.ts";
import type { Mount, MountTable } from "./mount.ts";
import { MAY_EXEC, require } from "./perm.ts";
import { SYMLINK_MAX_HOPS } from "./params.ts";

const encoder = new TextEncoder();

/** A resolved inode: which mount, which inode. */
export interface Loc {
  mount: Mount;
  node: Inode;
}

/** A parent directory and the last component of a path. */
export interface ParentLoc {
  dir: Loc;
  /** The last component ("" for a path with none, such as "/"). */
  name: string;
  /** The path ended with "/". */
  trailingSlash: boolean;
}

export function isDir(n: Inode): boolean {
  return (n.attrs.mode & S.IFMT) === S.IFDIR;
}

export function isSymlink(n: Inode): boolean {
  return (n.attrs.mode & S.IFMT) === S.IFLNK;
}

/** The names and caches the VFS keeps; resolution and the cache-keeping wrappers. */
export class Namespace {
  readonly dcache = new DentryCache();
  readonly icache = new InodeCache();
  /** Where a magic link leads (procfs answers for its fd links); undefined: an ordinary symlink. */
  magicLink?: (link: Loc) => Loc | undefined;
  /**
   * A directory the caller may search whatever its mode says (procfs: a
   * process's own /proc/PID/fd, as Linux's proc_fd_permission(): a server
   * acting with another fsuid still walks its own fds).
   */
  alwaysSearchable?: (dir: Loc, cause?: Cause) => boolean;

  constructor(readonly mounts: MountTable) {}

  /** The root of `m` as a Loc. */
  rootOf(m: Mount): Loc {
    const node = this.icache.get(m.id, m.root);
    if (node === undefined) throw new ErrnoError(Errno.ESTALE, `root of mount ${m.id}`);
    return { mount: m, node };
  }

  /** Record attributes of `ino` in `m`. */
  remember(m: Mount, attrs: Attrs): Inode {
    return this.icache.put(m.id, attrs);
  }

  /** Look `name` up in directory `dir` (no permission check here). */
  async child(dir: Loc, name: string, cause?: Cause): Promise<Loc> {
    if (dir.node.dead) throw new ErrnoError(Errno.ENOENT, `${name}: directory removed`);
    const m = dir.mount;
    // /proc changes under us (processes come and go): never cached.
    const cacheable = m.fstype !== "proc";
    const cached = cacheable ? this.dcache.get(m.id, dir.node.ino, name) : undefined;
    if (cached === NEGATIVE) throw new ErrnoError(Errno.ENOENT, name);
    if (cached !== undefined) {
      const node = this.icache.get(m.id, cached);
      if (node !== undefined) return { mount: m, node };
    }
    let attrs: Attrs;
    try {
      attrs = await m.fs.lookup(m.sb, dir.node.ino, name, cause);
    } catch (err) {
      if (cacheable && err instanceof ErrnoError && err.errno === Errno.ENOENT) {
        this.dcache.set(m.id, dir.node.ino, name, NEGATIVE);
      }
      throw err;
    }
    const node = this.icache.put(m.id, attrs);
    if (cacheable) this.dcache.set(m.id, dir.node.ino, name, attrs.ino);
    if (name !== ".." && name !== ".") node.parent = { ino: dir.node.ino, name };
    return { mount: m, node };
  }

  /** The directory above `at`, not above `root`, crossing mount roots. */
  async parent(at: Loc, root: Loc, cause?: Cause): Promise<Loc> {
    let cur = at;
    for (;;) {
      if (cur.mount.id === root.mount.id && cur.node.ino === root.node.ino) return cur;
      if (cur.node.ino === cur.mount.root && cur.mount.on !== undefined) {
        const onMount = this.mounts.get(cur.mount.on.mount);
        const point = this.icache.get(onMount.id, cur.mount.on.ino);
        if (point === undefined) throw new ErrnoError(Errno.ESTALE, "mountpoint");
        cur = { mount: onMount, node: point };
        continue;
      }
      if (cur.node.ino === cur.mount.root) return cur; // the root of the whole tree
      const up = cur.node.parent;
      if (up !== undefined) {
        const node = this.icache.get(cur.mount.id, up.ino);
        if (node !== undefined) return { mount: cur.mount, node };
      }
      return await this.child(cur, "..", cause);
    }
  }

  /** Follow mounts stacked on `at` down to the top one's root. */
  crossDown(at: Loc): Loc {
    let cur = at;
    for (
      let m = this.mounts.at(cur.mount.id, cur.node.ino);
      m !== undefined;
      m = this.mounts.at(cur.mount.id, cur.node.ino)
    ) {
      cur = this.rootOf(m);
    }
    return cur;
  }

  async readlink(at: Loc, cause?: Cause): Promise<string> {
    if (at.node.target !== undefined) return at.node.target;
    const target = await at.mount.fs.readlink(at.mount.sb, at.node.ino, cause);
    // /proc's links depend on who asks and when: never cached.
    if (at.mount.fstype !== "proc") at.node.target = target;
    return target;
  }

  /**
   * Resolve `path` from `start` for `creds`. With `parentOnly`, stop before
   * the last component and return it unresolved (its directory resolved,
   * symlinks and all).
   */
  async walk(
    creds: Creds,
    root: Loc,
    start: Loc,
    path: string,
    opts: { follow: boolean; cause?: Cause },
  ): Promise<Loc> {
    const r = await this.#walk(creds, root, start, path, opts.follow, false, opts.cause);
    return r as Loc;
  }

  async walkParent(
    creds: Creds,
    root: Loc,
    start: Loc,
    path: string,
    cause?: Cause,
  ): Promise<ParentLoc> {
    return await this.#walk(creds, root, start, path, false, true, cause) as ParentLoc;
  }

  async #walk(
    creds: Creds,
    root: Loc,
    start: Loc,
    path: string,
    follow: boolean,
    parentOnly: boolean,
    cause?: Cause,
  ): Promise<Loc | ParentLoc> {
    if (path === "") throw new ErrnoError(Errno.ENOENT, "empty path");
    if (path.includes("\0")) throw new ErrnoError(Errno.EINVAL, "NUL in path");
    if (encoder.encode(path).length >= PATH_MAX) throw new ErrnoError(Errno.ENAMETOOLONG, "path");
    const trailingSlash = path.length > 1 && path.endsWith("/");
    let comps = path.split("/").filter((c) => c !== "");
    let cur = path.startsWith("/") ? root : start;
    let hops = 0;
    if (parentOnly && comps.length === 0) return { dir: cur, name: "", trailingSlash };
    while (comps.length > 0) {
      const name = comps.shift()!;
      const last = comps.length === 0;
      if (encoder.encode(name).length > NAME_MAX) throw new ErrnoError(Errno.ENAMETOOLONG, name);
      if (!isDir(cur.node)) throw new ErrnoError(Errno.ENOTDIR, name);
      if (this.alwaysSearchable?.(cur, cause) !== true) {
        require(creds, cur.node.attrs, MAY_EXEC, name);
      }
      if (parentOnly && last) return { dir: cur, name, trailingSlash };
      if (name === ".") continue;
      if (name === "..") {
        cur = await this.parent(cur, root, cause);
        continue;
      }
      const child = this.crossDown(await this.child(cur, name, cause));
      if (isSymlink(child.node) && (!last || follow || trailingSlash)) {
        if (++hops > SYMLINK_MAX_HOPS) throw new ErrnoError(Errno.ELOOP, path);
        const jump = this.magicLink?.(child);
        if (jump !== undefined) {
          cur = jump; // itself never followed further, even a symlink (an O_PATH fd's)
          continue;
        }
        const target = await this.readlink(child, cause);
        if (target === "") throw new ErrnoError(Errno.ENOENT, "empty symlink");
        comps = [...target.split("/").filter((c) => c !== ""), ...comps];
        if (target.startsWith("/")) cur = root;
        if (parentOnly && comps.length === 0) return { dir: cur, name: "", trailingSlash };
        continue;
      }
      cur = child;
    }
    if (trailingSlash && !isDir(cur.node)) throw new ErrnoError(Errno.ENOTDIR, path);
    return cur;
  }

  /** The path of directory `at` from `root`, as getcwd() reports it. */
  pathOf(at: Loc, root: Loc): string {
    const parts: string[] = [];
    let cur = at;
    for (let guard = 0; guard < 4096; guard++) {
      if (cur.node.dead) throw new ErrnoError(Errno.ENOENT, "getcwd: directory removed");
      if (cur.mount.id === root.mount.id && cur.node.ino === root.node.ino) {
        return "/" + parts.reverse().join("/");
      }
      if (cur.node.ino === cur.mount.root) {
        if (cur.mount.on === undefined) return "/" + parts.reverse().join("/");
        const onMount = this.mounts.get(cur.mount.on.mount);
        const point = this.icache.get(onMount.id, cur.mount.on.ino);
        if (point === undefined) throw new ErrnoError(Errno.ENOENT, "getcwd");
        cur = { mount: onMount, node: point };
        continue;
      }
      const up = cur.node.parent;
      if (up === undefined) {
        // Not learned by a walk (a restart, say): find our name in the parent.
        throw new ErrnoError(Errno.ENOENT, "getcwd: directory not reachable");
      }
      parts.push(up.name);
      const parentNode = this.icache.get(cur.mount.id, up.ino);
      if (parentNode === undefined) throw new ErrnoError(Errno.ENOENT, "getcwd");
      cur = { mount: cur.mount, node: parentNode };
    }
    throw new ErrnoError(Errno.ELOOP, "getcwd");
  }
}
