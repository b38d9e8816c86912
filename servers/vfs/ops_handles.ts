// VFS handlers for file handles: name_to_handle_at(2) names an inode by the
// bytes of file_handle.ts (filesystem server, superblock, inode, generation),
// and open_by_handle_at(2) opens the inode such bytes name, with no path: a
// FUSE server names files by node, not by path. Both follow Linux's
// fs/fhandle.c, including its order of checks.
//
// The caller's struct file_handle lives in its data area, as in user memory
// for Linux: { u32 handle_bytes; i32 handle_type; u8 f_handle[] }. The VFS
// reads handle_bytes there and writes the answer back in place, the header
// too when the handle does not fit (EOVERFLOW), so the caller learns the
// size to pass; the mount id goes to a second offset (an int).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { AT, AT_FDCWD, O } from "../../kernel/fcntl.ts";
import { type Answer, callerData, type Request, type Route } from "../../kernel/ipc/server.ts";
import { Sys } from "../../kernel/syscalls.ts";
import { encodeRoutes } from "./mod.ts";
import type { Attrs } from "./fs_protocol.ts";
import { isDir, type Loc } from "./namei.ts";
import type { Mount } from "./mount.ts";
import {
  badHandleType,
  decodeHandle,
  encodeHandle,
  FILEID_INVALID,
  HANDLE_BYTES,
  HANDLE_TYPE,
  MAX_HANDLE_SZ,
} from "./file_handle.ts";
import { entryFd, fileOpener, O_PATH_FLAGS, O_TMPFILE, VALID_OPEN_FLAGS } from "./open_file.ts";
import { call, cause, type PathCtx, textArg } from "./ops_path_ctx.ts";

/** struct file_handle's header: handle_bytes u32, handle_type i32. */
const HEADER_BYTES = 8;

/** The handle routes. */
export function handleRoutes(x: PathCtx): Map<number, Route> {
  const { vfs, ns, w, me, resolveAt } = x;
  const { openLoc, shownPath } = fileOpener(x);

  /** name_to_handle_at: [dirfd, path, flags, handle offset, mount id offset]. */
  async function doNameToHandleAt(req: Request): Promise<Answer> {
    const dirfd = req.args.int();
    const path = textArg(req);
    const flags = req.args.int();
    const handleOff = req.args.num(); // checked by callerData (EFAULT)
    const mountOff = req.args.num();
    if ((flags & ~(AT.SYMLINK_FOLLOW | AT.EMPTY_PATH)) !== 0) {
      throw new ErrnoError(Errno.EINVAL, "name_to_handle_at flags");
    }
    const loc = await handleTarget(req, dirfd, path, flags);
    // Files the VFS makes up itself cannot be found again by number (Linux's procfs: the same).
    if (loc.mount.fstype === "proc") throw new ErrnoError(Errno.EOPNOTSUPP, "/proc");
    const header = callerData(req, handleOff, HEADER_BYTES);
    const hv = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
    const room = hv.getUint32(0, true);
    if (room > MAX_HANDLE_SZ) throw new ErrnoError(Errno.EINVAL, "handle_bytes past MAX_HANDLE_SZ");
    const mountId = callerData(req, mountOff, 4);
    const fits = room >= HANDLE_BYTES;
    if (fits) {
      const h = {
        ep: loc.mount.fs.ep,
        sb: loc.mount.sb,
        ino: loc.node.ino,
        gen: loc.node.attrs.gen,
      };
      callerData(req, handleOff + HEADER_BYTES, HANDLE_BYTES).set(encodeHandle(h));
    }
    // Linux writes the header and the mount id even for EOVERFLOW: the size to ask for.
    hv.setUint32(0, HANDLE_BYTES, true);
    hv.setInt32(4, fits ? HANDLE_TYPE : FILEID_INVALID, true);
    new DataView(mountId.buffer, mountId.byteOffset, 4).setInt32(0, loc.mount.id, true);
    if (!fits) throw new ErrnoError(Errno.EOVERFLOW, `a handle needs ${HANDLE_BYTES} bytes`);
    return 0;
  }

  /** The inode name_to_handle_at names: path (following a last symlink only if asked) or fd. */
  async function handleTarget(req: Request, dirfd: number, path: string, flags: number) {
    if (path === "" && (flags & AT.EMPTY_PATH) !== 0 && dirfd !== AT_FDCWD) {
      const { ofd } = vfs.fd(req.pid, dirfd);
      // A pipe, the console: no filesystem of ours holds them.
      if (ofd.node === undefined) throw new ErrnoError(Errno.EOPNOTSUPP, `fd ${dirfd}`);
      return ofd.node;
    }
    const follow = (flags & AT.SYMLINK_FOLLOW) !== 0 ? 0 : AT.SYMLINK_NOFOLLOW;
    return await resolveAt(req, dirfd, path, (flags & AT.EMPTY_PATH) | follow);
  }

  /** open_by_handle_at: [mount fd, handle offset, flags]. */
  async function doOpenByHandleAt(req: Request): Promise<Answer> {
    const mountFd = req.args.int();
    const handleOff = req.args.num(); // checked by callerData (EFAULT)
    let flags = req.args.int(-(2 ** 31), 2 ** 32 - 1) & VALID_OPEN_FLAGS;
    const header = callerData(req, handleOff, HEADER_BYTES);
    const dv = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
    const size = dv.getUint32(0, true);
    const type = dv.getInt32(4, true);
    if (size === 0 || size > MAX_HANDLE_SZ) throw new ErrnoError(Errno.EINVAL, "handle_bytes");
    if (badHandleType(type)) throw new ErrnoError(Errno.EINVAL, "handle_type");
    const bytes = callerData(req, handleOff + HEADER_BYTES, size).slice();
    const mount = anchor(req, mountFd);
    // CAP_DAC_READ_SEARCH: a handle skips every directory's search permission.
    if (me(req).euid !== 0) throw new ErrnoError(Errno.EPERM, "open_by_handle_at needs euid 0");
    const loc = await inodeOf(req, mount, bytes, type);
    if ((flags & O.PATH) !== 0) flags &= O_PATH_FLAGS;
    // What open(2) would say of O_CREAT and O_TMPFILE on a file that exists.
    if ((flags & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL)) {
      throw new ErrnoError(Errno.EEXIST, "open_by_handle_at with O_EXCL");
    }
    if ((flags & O_TMPFILE) !== 0) {
      if (!isDir(loc.node)) throw new ErrnoError(Errno.ENOTDIR, "O_TMPFILE of a non-directory");
      throw new ErrnoError(Errno.EOPNOTSUPP, "O_TMPFILE: no unnamed files here");
    }
    const entry = await openLoc(req, loc, flags, {
      byHandle: true,
      shown: shownPath(req, loc, ""),
    });
    const fd = entryFd(vfs.ctx(req.pid).table, entry);
    return {
      value: fd,
      payload: encodeRoutes(w.reset(), [{ fd, ep: entry.ofd.ep, cap: entry.cap }]).bytes().slice(),
    };
  }

  /**
   * The mount a handle is decoded in: mount_fd's, or the cwd's for AT_FDCWD.
   * Linux takes mount_fd with fdget(), so an O_PATH fd is EBADF; an fd on no
   * filesystem of ours (a pipe) decodes nothing: ESTALE.
   */
  function anchor(req: Request, fd: number): Mount {
    if (fd === AT_FDCWD) return vfs.rooted(req.pid).cwd.mount;
    const { ofd } = vfs.fd(req.pid, fd);
    if ((ofd.flags & O.PATH) !== 0) throw new ErrnoError(Errno.EBADF, `fd ${fd} is O_PATH`);
    if (ofd.node === undefined) throw new ErrnoError(Errno.ESTALE, `fd ${fd} is on no filesystem`);
    return ofd.node.mount;
  }

  /**
   * The live inode `bytes` names in `mount`: asked of its filesystem (mfs_ram
   * answers ESTALE for an inode it freed), and the same generation, or the
   * number now names another inode: ESTALE either way.
   */
  async function inodeOf(req: Request, mount: Mount, bytes: Uint8Array, type: number) {
    const h = decodeHandle(bytes, type);
    if (h === undefined || mount.fstype === "proc") throw new ErrnoError(Errno.ESTALE, "handle");
    if (h.ep !== mount.fs.ep || h.sb !== mount.sb) {
      throw new ErrnoError(Errno.ESTALE, "a handle of another filesystem");
    }
    let attrs: Attrs;
    try {
      attrs = await mount.fs.getattr(mount.sb, h.ino, cause(req));
    } catch (err) {
      if (err instanceof ErrnoError && err.errno === Errno.ENOENT) {
        throw new ErrnoError(Errno.ESTALE, `inode ${h.ino}`);
      }
      throw err;
    }
    if (attrs.gen !== h.gen) throw new ErrnoError(Errno.ESTALE, `inode ${h.ino} was reused`);
    const loc: Loc = { mount, node: ns.remember(mount, attrs) };
    return loc;
  }

  return new Map<number, Route>([
    [Sys.name_to_handle_at, call(doNameToHandleAt)],
    // No walk to retry: ESTALE is the answer for a handle whose inode is gone.
    [Sys.open_by_handle_at, { need: Right.CALL, fn: doOpenByHandleAt }],
  ]);
}
