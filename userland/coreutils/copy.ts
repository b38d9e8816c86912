// Copying files and trees, as GNU cp does it (and mv, when a rename crosses
// filesystems and it must copy, then remove).
//
// What must stay true:
//   - a directory is created writable by its owner and gets its final mode
//     only after its contents are copied (so a read-only source still copies);
//   - ownership is set before the mode (chown clears set-id bits) and times
//     last (everything else would change them);
//   - a directory is never copied into itself.
import {
  close,
  Errno,
  getcwd,
  lchown,
  lgetxattr,
  link,
  llistxattr,
  lsetxattr,
  lstat,
  mkdir,
  mknod,
  O,
  open,
  print,
  read,
  readlink,
  type Stat,
  stat,
  symlink,
  unlink,
  utimensat,
  warn,
  write,
} from "../lib/mod.ts";
import { chmod } from "../lib/mod.ts";
import { AT, isDir, isLnk, isReg, S } from "./consts.ts";
import { listNames } from "./dir.ts";
import { errnoOf } from "./files.ts";
import { dirName, join, normalize } from "./path.ts";
import { confirm } from "./prompt.ts";
import { quoteAlways } from "./quote.ts";

export interface CopyOptions {
  /** The program, for prompts ("cp" or "mv"). */
  prog: string;
  recursive: boolean;
  /** Follow symlinks: never (-P, -d, -a), always (-L), or command-line ones (-H). */
  deref: "never" | "always" | "cmdline";
  preserveMode: boolean;
  preserveOwner: boolean;
  preserveTimes: boolean;
  preserveLinks: boolean;
  preserveXattr: boolean;
  force: boolean;
  interactive: boolean;
  noClobber: boolean;
  verbose: boolean;
  /** Before "'a' -> 'b'" in verbose lines ("copied " for mv). */
  verbosePrefix: string;
  /** The process umask (new files' modes are the source's less this). */
  umask: number;
  /** Hard-linked sources already copied (dev:ino -> destination), for preserveLinks. */
  linked: Map<string, string>;
}

/** Copy `src` to `dst`; false (after a message) if anything failed. */
export function copy(src: string, dst: string, o: CopyOptions, cmdline = true): boolean {
  const follow = o.deref === "always" || (o.deref === "cmdline" && cmdline);
  let sst: Stat;
  try {
    sst = follow ? stat(src) : lstat(src);
  } catch (err) {
    warn(`cannot stat ${quoteAlways(src)}`, err);
    return false;
  }
  let dstSt: Stat | undefined;
  try {
    dstSt = lstat(dst);
  } catch (err) {
    if (errnoOf(err) !== Errno.ENOENT) {
      warn(`cannot stat ${quoteAlways(dst)}`, err);
      return false;
    }
  }
  if (dstSt !== undefined && sameFile(src, sst, dstSt, follow)) {
    warn(`${quoteAlways(src)} and ${quoteAlways(dst)} are the same file`);
    return false;
  }
  if (isDir(sst.mode)) {
    if (!o.recursive) {
      warn(`-r not specified; omitting directory ${quoteAlways(src)}`);
      return false;
    }
    if (dstSt !== undefined && !isDir(dstSt.mode)) {
      warn(`cannot overwrite non-directory ${quoteAlways(dst)} with directory ${quoteAlways(src)}`);
      return false;
    }
    if (cmdline && inside(dst, sst)) {
      warn(`cannot copy a directory, ${quoteAlways(src)}, into itself, ${quoteAlways(dst)}`);
      return false;
    }
    return copyDir(src, dst, sst, dstSt, o);
  }
  if (dstSt !== undefined) {
    if (isDir(dstSt.mode)) {
      warn(`cannot overwrite directory ${quoteAlways(dst)} with non-directory`);
      return false;
    }
    if (o.noClobber) return true;
    if (o.interactive && !confirm(`${o.prog}: overwrite ${quoteAlways(dst)}? `)) return true;
  }
  const key = `${sst.dev}:${sst.ino}`;
  if (o.preserveLinks && sst.nlink > 1 && !isDir(sst.mode)) {
    const first = o.linked.get(key);
    if (first !== undefined) return hardLink(first, dst, dstSt, o);
  }
  let ok: boolean;
  if (isLnk(sst.mode)) ok = copySymlink(src, dst, dstSt, o);
  else if (isReg(sst.mode) || !o.recursive) ok = copyData(src, dst, sst, dstSt, o);
  else ok = copySpecial(src, dst, sst, dstSt, o);
  if (!ok) return false;
  if (o.preserveLinks && sst.nlink > 1) o.linked.set(key, dst);
  if (o.verbose) print(`${o.verbosePrefix}${quoteAlways(src)} -> ${quoteAlways(dst)}`);
  return preserve(src, dst, sst, o, dstSt === undefined);
}

/** Is `dst` (to be) inside the directory `dir`: would copying dir there recurse forever? */
function inside(dst: string, dir: Stat): boolean {
  let path: string;
  try {
    path = normalize(dst, getcwd());
  } catch {
    return false;
  }
  for (;;) {
    try {
      const st = stat(path);
      if (st.dev === dir.dev && st.ino === dir.ino) return true;
    } catch {
      // not there yet: its parent may be
    }
    if (path === "/") return false;
    path = dirName(path);
  }
}

function sameFile(src: string, sst: Stat, dst: Stat, follow: boolean): boolean {
  if (sst.dev === dst.dev && sst.ino === dst.ino) return true;
  if (!follow && isLnk(sst.mode) && !isLnk(dst.mode)) {
    try {
      const t = stat(src);
      return t.dev === dst.dev && t.ino === dst.ino;
    } catch {
      return false;
    }
  }
  return false;
}

function copyDir(src: string, dst: string, sst: Stat, dstSt: Stat | undefined, o: CopyOptions) {
  const created = dstSt === undefined;
  if (created) {
    try {
      mkdir(dst, (sst.mode & 0o777) | 0o700);
    } catch (err) {
      warn(`cannot create directory ${quoteAlways(dst)}`, err);
      return false;
    }
    if (o.verbose) print(`${o.verbosePrefix}${quoteAlways(src)} -> ${quoteAlways(dst)}`);
  }
  let ok = true;
  let names: string[] = [];
  try {
    names = listNames(src);
  } catch (err) {
    warn(`cannot access ${quoteAlways(src)}`, err);
    ok = false;
  }
  for (const n of names) if (!copy(join(src, n), join(dst, n), o, false)) ok = false;
  if (!preserve(src, dst, sst, o, created)) ok = false;
  return ok;
}

function copySymlink(src: string, dst: string, dstSt: Stat | undefined, _o: CopyOptions) {
  let target: string;
  try {
    target = readlink(src);
  } catch (err) {
    warn(`cannot read symbolic link ${quoteAlways(src)}`, err);
    return false;
  }
  if (dstSt !== undefined) {
    try {
      unlink(dst);
    } catch (err) {
      warn(`cannot remove ${quoteAlways(dst)}`, err);
      return false;
    }
  }
  try {
    symlink(target, dst);
  } catch (err) {
    warn(`cannot create symbolic link ${quoteAlways(dst)}`, err);
    return false;
  }
  return true;
}

function hardLink(first: string, dst: string, dstSt: Stat | undefined, _o: CopyOptions) {
  try {
    if (dstSt !== undefined) unlink(dst);
    link(first, dst);
    return true;
  } catch (err) {
    warn(`cannot create hard link ${quoteAlways(dst)} to ${quoteAlways(first)}`, err);
    return false;
  }
}

function copySpecial(
  src: string,
  dst: string,
  sst: Stat,
  dstSt: Stat | undefined,
  _o: CopyOptions,
) {
  try {
    if (dstSt !== undefined) unlink(dst);
    mknod(dst, sst.mode & (S.IFMT | 0o777), sst.rdev);
    return true;
  } catch (err) {
    const what = (sst.mode & S.IFMT) === S.IFIFO ? "fifo" : "special file";
    warn(`cannot create ${what} ${quoteAlways(dst)}`, err);
    void src;
    return false;
  }
}

function copyData(src: string, dst: string, sst: Stat, dstSt: Stat | undefined, o: CopyOptions) {
  let in_: number;
  try {
    in_ = open(src, O.RDONLY);
  } catch (err) {
    warn(`cannot open ${quoteAlways(src)} for reading`, err);
    return false;
  }
  try {
    let out: number;
    try {
      out = dstSt !== undefined
        ? open(dst, O.WRONLY | O.TRUNC)
        : open(dst, O.WRONLY | O.CREAT | O.EXCL, sst.mode & 0o777);
    } catch (err) {
      if (!(o.force && dstSt !== undefined)) {
        warn(`cannot create regular file ${quoteAlways(dst)}`, err);
        return false;
      }
      try {
        unlink(dst);
        out = open(dst, O.WRONLY | O.CREAT | O.EXCL, sst.mode & 0o777);
      } catch (err2) {
        warn(`cannot create regular file ${quoteAlways(dst)}`, err2);
        return false;
      }
    }
    try {
      return pump(in_, out, src, dst);
    } finally {
      close(out);
    }
  } finally {
    close(in_);
  }
}

function pump(from: number, to: number, src: string, dst: string): boolean {
  const buf = new Uint8Array(128 * 1024);
  for (;;) {
    let n: number;
    try {
      n = read(from, buf);
    } catch (err) {
      warn(`error reading ${quoteAlways(src)}`, err);
      return false;
    }
    if (n === 0) return true;
    try {
      for (let done = 0; done < n;) done += write(to, buf.subarray(done, n));
    } catch (err) {
      warn(`error writing ${quoteAlways(dst)}`, err);
      return false;
    }
  }
}

/** Set what -p/-a keep (or, for a new directory, its final mode); false on a reported failure. */
function preserve(src: string, dst: string, sst: Stat, o: CopyOptions, created: boolean): boolean {
  const link = isLnk(sst.mode);
  let ok = true;
  if (o.preserveOwner) {
    try {
      lchown(dst, sst.uid, sst.gid);
    } catch (err) {
      // As GNU cp: losing ownership is no error for an unprivileged user.
      if (errnoOf(err) !== Errno.EPERM && errnoOf(err) !== Errno.EINVAL) {
        warn(`failed to preserve ownership for ${quoteAlways(dst)}`, err);
        ok = false;
      }
    }
  }
  if (o.preserveXattr) copyXattrs(src, dst);
  if (!link) {
    let mode: number | undefined;
    if (o.preserveMode) mode = sst.mode & 0o7777;
    else if (created && isDir(sst.mode)) mode = sst.mode & 0o777 & ~o.umask;
    if (mode !== undefined) {
      try {
        chmod(dst, mode);
      } catch (err) {
        warn(`preserving permissions for ${quoteAlways(dst)}`, err);
        ok = false;
      }
    }
  }
  if (o.preserveTimes) {
    try {
      utimensat(AT.FDCWD, dst, [sst.atime, sst.mtime], link ? AT.SYMLINK_NOFOLLOW : 0);
    } catch (err) {
      if (!(link && errnoOf(err) === Errno.EOPNOTSUPP)) {
        warn(`preserving times for ${quoteAlways(dst)}`, err);
        ok = false;
      }
    }
  }
  return ok;
}

function copyXattrs(src: string, dst: string): void {
  let names: string[];
  try {
    names = llistxattr(src);
  } catch {
    return;
  }
  for (const name of names) {
    try {
      lsetxattr(dst, name, lgetxattr(src, name));
    } catch {
      // GNU cp -a is quiet when a destination cannot hold an attribute
    }
  }
}

/** Default copy options (cp with no flags). */
export function copyOptions(prog: string, umask: number): CopyOptions {
  return {
    prog,
    recursive: false,
    deref: "always",
    preserveMode: false,
    preserveOwner: false,
    preserveTimes: false,
    preserveLinks: false,
    preserveXattr: false,
    force: false,
    interactive: false,
    noClobber: false,
    verbose: false,
    verbosePrefix: "",
    umask,
    linked: new Map(),
  };
}
