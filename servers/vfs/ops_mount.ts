// VFS handlers for whole filesystems: mount and umount2 (root only, the
// MOUNT right), the kernel's own mounts (the root at boot), statfs and sync.
// A mount is recorded in the mount table and in the VFS's store, so a
// restarted VFS mounts the same instances again; umount refuses a busy
// filesystem unless forced, and then moves cwds inside it to the root.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { AT_FDCWD, MNT_DETACH, MNT_FORCE, MS } from "../../kernel/fcntl.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import { makedev } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { VfsOp } from "./mod.ts";
import { encodeStatfs } from "./fs_protocol.ts";
import type { Cause, Fs } from "./fs.ts";
import { isDir, type Loc } from "./namei.ts";
import type { Mount } from "./mount.ts";
import { call, cause, type PathCtx, textArg } from "./ops_path_ctx.ts";

/** The mount, statfs and sync routes. */
export function mountRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, deps, ns, w, me, resolve } = x;

  async function doStatfs(req: Request): Promise<Answer> {
    const loc = await resolve(req, AT_FDCWD, textArg(req), true);
    const s = await loc.mount.fs.statfs(loc.mount.sb, cause(req));
    s.flags |= loc.mount.flags & (MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC);
    return { value: 0, payload: encodeStatfs(w.reset(), s).bytes().slice() };
  }

  async function doMount(req: Request): Promise<Answer> {
    const source = textArg(req);
    const target = textArg(req);
    const fstype = textArg(req);
    const flags = req.args.int(0);
    const data = textArg(req);
    if (me(req).euid !== 0) throw new ErrnoError(Errno.EPERM, "mount");
    const at = await resolve(req, AT_FDCWD, target, true);
    if (!isDir(at.node)) throw new ErrnoError(Errno.ENOTDIR, target);
    let where = target;
    try {
      where = ns.pathOf(at, vfs.rooted(req.pid).root);
    } catch {
      // keep the path as given
    }
    if ((flags & MS.REMOUNT) !== 0) {
      if (at.node.ino !== at.mount.root) {
        throw new ErrnoError(Errno.EINVAL, `${target} is not a mountpoint`);
      }
      at.mount.flags = flags & ~MS.REMOUNT;
      if (data !== "") at.mount.options = data;
      const m = at.mount;
      vfs.store?.mount({
        id: m.id,
        fstype: m.fstype,
        source: m.source,
        options: m.options,
        flags: m.flags,
        sb: m.sb,
        root: m.root,
        dev: m.dev,
        on: m.on,
        path: m.path,
      });
      return 0;
    }
    if ((flags & MS.BIND) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "bind mounts are not supported");
    }
    await mountAt(fstype, source, data, flags, at, where, cause(req));
    return 0;
  }

  async function doUmount2(req: Request): Promise<Answer> {
    const target = textArg(req);
    const flags = req.args.int(0);
    if (me(req).euid !== 0) throw new ErrnoError(Errno.EPERM, "umount");
    if ((flags & ~(MNT_FORCE | MNT_DETACH | 4 | 8)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "umount2 flags");
    }
    const at = await resolve(req, AT_FDCWD, target, true);
    const m = at.mount;
    if (at.node.ino !== m.root) throw new ErrnoError(Errno.EINVAL, `${target} is not a mountpoint`);
    if (m.on === undefined) throw new ErrnoError(Errno.EBUSY, "the root filesystem");
    if (vfs.mounts.children(m).length > 0) throw new ErrnoError(Errno.EBUSY, target);
    const users = [...vfs.ofds.values()].filter((o) => o.node?.mount.id === m.id);
    const cwds = [...vfs.procs.values()].filter((c) =>
      c.cwd?.mount.id === m.id || c.root?.mount.id === m.id
    );
    const force = (flags & (MNT_FORCE | MNT_DETACH)) !== 0;
    if ((users.length > 0 || cwds.length > 0) && !force) throw new ErrnoError(Errno.EBUSY, target);
    // Forced: open files keep their inode until closed; cwds inside fall back to the root.
    for (const c of cwds) {
      const root = ns.rootOf(vfs.mounts.root);
      if (c.cwd.mount.id === m.id) {
        vfs.unhold(c.cwd);
        c.cwd = root;
        vfs.hold(root);
      }
    }
    vfs.mounts.remove(m);
    vfs.store?.umount(m.id);
    ns.dcache.dropMount(m.id);
    if (users.length === 0) {
      ns.icache.dropMount(m.id);
      await m.fs.unmount(m.sb, cause(req)).catch(() => {});
    }
    return 0;
  }

  /** Mount a new `fstype` instance on directory `at`. */
  async function mountAt(
    fstype: string,
    source: string,
    options: string,
    flags: number,
    at: Loc | undefined,
    where: string,
    c?: Cause,
  ) {
    let fs: Fs;
    if (fstype === "proc") fs = deps.procfs;
    else {
      const found = deps.fsFor(fstype);
      if (found === undefined) {
        throw new ErrnoError(Errno.ENODEV, `unknown filesystem type '${fstype}'`);
      }
      fs = found.fs;
    }
    const { sb, root } = await fs.mount(options, c);
    const id = vfs.mounts.nextId();
    // st_dev must be what the filesystem's own fstat answers: an anonymous
    // device's f_fsid is its number. Without one (proc), a number of our own.
    const fsid = (await fs.statfs(sb, c).catch(() => ({ fsid: 0 }))).fsid;
    const m: Mount = {
      id,
      fstype,
      source,
      options,
      flags,
      fs,
      sb,
      root: root.ino,
      dev: fsid > 0 ? fsid : makedev(0, 64 + id),
      on: at === undefined ? undefined : { mount: at.mount.id, ino: at.node.ino },
      path: where,
    };
    vfs.mounts.add(m);
    vfs.store?.mount({
      id,
      fstype,
      source,
      options,
      flags,
      sb,
      root: root.ino,
      dev: m.dev,
      on: m.on,
      path: where,
    });
    const node = ns.remember(m, root);
    node.refs++; // a mounted root stays cached while mounted
    return m;
  }

  /** The kernel mounts (the root at boot): fstype, source, options, flags, target path. */
  async function doKernelMount(req: Request): Promise<Answer> {
    const fstype = textArg(req);
    const source = textArg(req);
    const options = textArg(req);
    const flags = req.args.int(0);
    const target = textArg(req);
    if (!vfs.mounts.hasRoot) {
      if (target !== "/") throw new ErrnoError(Errno.ENOENT, "no root filesystem yet");
      await mountAt(fstype, source, options, flags, undefined, "/", cause(req));
      return 0;
    }
    const at = await resolve(req, AT_FDCWD, target, true);
    if (!isDir(at.node)) throw new ErrnoError(Errno.ENOTDIR, target);
    await mountAt(fstype, source, options, flags, at, target, cause(req));
    return 0;
  }

  async function doSync(req: Request): Promise<Answer> {
    await Promise.all(vfs.mounts.list().map((m) => m.fs.sync(m.sb, cause(req)).catch(() => {})));
    return 0;
  }

  return new Map<number, Route>([
    [Sys.statfs, call(doStatfs)],
    [Sys.mount, { need: Right.MOUNT, fn: doMount }],
    [Sys.umount2, { need: Right.MOUNT, fn: doUmount2 }],
    [Sys.sync, call(doSync)],
    [VfsOp.MOUNT, { need: Right.SYSTEM, fn: doKernelMount }],
  ]);
}
