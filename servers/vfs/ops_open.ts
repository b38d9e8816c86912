// VFS handler for open(2) (openat; open and creat arrive as it): walk the
// path, create the file if asked (following a last symlink to where it
// points, as Linux does), then open what was found (open_file.ts: the
// checks and the open file by kind). Errno order follows Linux's do_open()
// and may_open().

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { O } from "../../kernel/fcntl.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import { S } from "../../kernel/stat.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { encodeRoutes } from "./mod.ts";
import type { Attrs } from "./fs_protocol.ts";
import { isDir, isSymlink, type Loc } from "./namei.ts";
import { MAY_EXEC, MAY_WRITE, require } from "./perm.ts";
import { SYMLINK_MAX_HOPS } from "./params.ts";
import type { FdEntry } from "./fd_table.ts";
import { entryFd, fileOpener, O_PATH_FLAGS, O_TMPFILE, VALID_OPEN_FLAGS } from "./open_file.ts";
import {
  call,
  cause,
  checkName,
  ownership,
  type PathCtx,
  textArg,
  writable,
} from "./ops_path_ctx.ts";

/** The open routes. */
export function openRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, ns, w, me, resolve, parentOf, existing, created } = x;
  const { openLoc, shownPath } = fileOpener(x);

  function routeAnswer(value: number, fd: number, e: FdEntry): Answer {
    return {
      value,
      payload: encodeRoutes(w.reset(), [{ fd, ep: e.ofd.ep, cap: e.cap }]).bytes().slice(),
    };
  }

  async function doOpenat(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    // Linux's open() drops the bits it does not know (openat2 would refuse them).
    let flags = req.args.int(-(2 ** 31), 2 ** 32 - 1) & VALID_OPEN_FLAGS;
    const mode = req.args.int(0, 0xffffffff); // Linux ignores bits past 0o7777 (below)
    // O_PATH beats everything else (Linux's build_open_how): no O_CREAT, no O_TMPFILE.
    if ((flags & O.PATH) !== 0) flags &= O_PATH_FLAGS;
    if ((flags & O_TMPFILE) !== 0) checkTmpfile(flags);
    // Linux 6.4 and later refuse the pair rather than guess what was meant.
    if ((flags & O.CREAT) !== 0 && (flags & O.DIRECTORY) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "O_CREAT with O_DIRECTORY");
    }
    let loc: Loc;
    let createdNow = false;
    if ((flags & O.CREAT) !== 0) {
      const got = await openCreating(req, dirfd, path, flags, mode);
      loc = got.loc;
      createdNow = got.created;
    } else {
      loc = await resolve(req, dirfd, path, (flags & O.NOFOLLOW) === 0, me(req));
    }
    if ((flags & O_TMPFILE) !== 0) {
      if ((loc.node.attrs.mode & S.IFMT) !== S.IFDIR) throw new ErrnoError(Errno.ENOTDIR, path);
      throw new ErrnoError(Errno.EOPNOTSUPP, "O_TMPFILE: no unnamed files here");
    }
    const how = { created: createdNow, shown: shownPath(req, loc, path) };
    const entry = await openLoc(req, loc, flags, how);
    const fd = entryFd(vfs.ctx(req.pid).table, entry);
    return routeAnswer(fd, fd, entry);
  }

  /**
   * The O_CREAT part of open: find the last component, following a symlink
   * there (unless O_NOFOLLOW or O_EXCL) to wherever it points, and create a
   * regular file if nothing is there, as Linux's open_last_lookups() does:
   * a dangling symlink gets its target created.
   */
  async function openCreating(
    req: Request,
    dirfd: number,
    path: string,
    flags: number,
    mode: number,
  ): Promise<{ loc: Loc; created: boolean }> {
    const creds = me(req);
    const c = vfs.ctx(req.pid);
    let p = await parentOf(req, dirfd, path);
    for (let hops = 0;; hops++) {
      if (p.name === "" || p.name === "." || p.name === ".." || p.trailingSlash) {
        throw new ErrnoError(Errno.EISDIR, path);
      }
      checkName(p.name);
      const found = await existing(req, p);
      if (found !== undefined) {
        if ((flags & O.EXCL) !== 0) throw new ErrnoError(Errno.EEXIST, path);
        if (!isSymlink(found.node) || (flags & O.NOFOLLOW) !== 0) {
          if (isDir(found.node)) throw new ErrnoError(Errno.EISDIR, path);
          return { loc: found, created: false };
        }
        if (hops >= SYMLINK_MAX_HOPS) throw new ErrnoError(Errno.ELOOP, path);
        const target = await ns.readlink(found, cause(req));
        if (target === "") throw new ErrnoError(Errno.ENOENT, path);
        p = await ns.walkParent(creds, c.root, p.dir, target, cause(req));
        continue;
      }
      require(creds, p.dir.node.attrs, MAY_WRITE | MAY_EXEC, path);
      writable(p.dir.mount);
      const own = ownership(creds, p.dir);
      let attrs: Attrs;
      try {
        attrs = await p.dir.mount.fs.create(
          p.dir.mount.sb,
          p.dir.node.ino,
          p.name,
          S.IFREG | (mode & ~c.umask & 0o7777),
          own.uid,
          own.gid,
          0,
          cause(req),
        );
      } catch (err) {
        // Another call made the name since we looked: without O_EXCL, open what is there now.
        const raced = err instanceof ErrnoError && err.errno === Errno.EEXIST;
        if (!raced || (flags & O.EXCL) !== 0 || hops >= SYMLINK_MAX_HOPS) throw err;
        ns.dcache.drop(p.dir.mount.id, p.dir.node.ino, p.name);
        continue;
      }
      return { loc: created(p, attrs), created: true };
    }
  }

  /** open(2)'s checks of O_TMPFILE's company, made before any path is looked at. */
  function checkTmpfile(flags: number): void {
    if ((flags & (O_TMPFILE | O.DIRECTORY | O.CREAT)) !== (O_TMPFILE | O.DIRECTORY)) {
      throw new ErrnoError(Errno.EINVAL, "O_TMPFILE needs O_DIRECTORY and no O_CREAT");
    }
    if ((flags & O.ACCMODE) === O.RDONLY) throw new ErrnoError(Errno.EINVAL, "O_TMPFILE read-only");
  }

  return new Map<number, Route>([
    [Sys.openat, call(doOpenat)],
  ]);
}
