"""Run a script of file syscalls on the host, as tests/programs/fsops.ts runs it
in MelloOS, and print what each step returned as JSON.

usage: host_fsops.py DIR [UID GID [GROUPS]]   (the script on stdin)

The steps run with DIR as the working directory. With UID and GID (the host
must be root), the script runs with those credentials (and the supplementary
groups GROUPS, comma-separated), as `os.run(..., {uid, gid})` runs it in
MelloOS. Calls Python's os module lacks (renameat2, utimensat, the *at forms
with flags) go through libc.
"""
import ctypes
import errno
import fcntl
import json
import os
import stat
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)

O = {
    "RDONLY": 0, "WRONLY": 1, "RDWR": 2, "ACCMODE": 3, "CREAT": 0o100, "EXCL": 0o200,
    "NOCTTY": 0o400, "TRUNC": 0o1000, "APPEND": 0o2000, "NONBLOCK": 0o4000,
    "DSYNC": 0o10000, "DIRECT": 0o40000, "LARGEFILE": 0o100000, "DIRECTORY": 0o200000,
    "NOFOLLOW": 0o400000, "NOATIME": 0o1000000, "CLOEXEC": 0o2000000, "SYNC": 0o4010000,
    "PATH": 0o10000000,
}
F = {"DUPFD": 0, "GETFD": 1, "SETFD": 2, "GETFL": 3, "SETFL": 4, "DUPFD_CLOEXEC": 1030}
S = {
    "IFMT": 0o170000, "IFSOCK": 0o140000, "IFLNK": 0o120000, "IFREG": 0o100000,
    "IFBLK": 0o060000, "IFDIR": 0o040000, "IFCHR": 0o020000, "IFIFO": 0o010000,
    "ISUID": 0o4000, "ISGID": 0o2000, "ISVTX": 0o1000,
}
SYMBOLS = {
    "AT_FDCWD": -100, "AT_SYMLINK_NOFOLLOW": 0x100, "AT_REMOVEDIR": 0x200, "AT_EACCESS": 0x200,
    "AT_SYMLINK_FOLLOW": 0x400, "AT_EMPTY_PATH": 0x1000,
    "F_OK": 0, "R_OK": 4, "W_OK": 2, "X_OK": 1,
    "RENAME_NOREPLACE": 1, "RENAME_EXCHANGE": 2, "XATTR_CREATE": 1, "XATTR_REPLACE": 2,
    "FD_CLOEXEC": 1, "UTIME_NOW": (1 << 30) - 1, "UTIME_OMIT": (1 << 30) - 2,
    "SEEK_SET": 0, "SEEK_CUR": 1, "SEEK_END": 2,
}
SYMBOLS.update({"O_" + k: v for k, v in O.items()})
SYMBOLS.update({"F_" + k: v for k, v in F.items()})
SYMBOLS.update({"S_" + k: v for k, v in S.items()})


def num(a, results):
    if isinstance(a, int):
        return a
    if a.startswith("@"):
        ref, _, part = a[1:].partition(".")
        v = results[int(ref)]
        return v if part == "" else v[int(part)]
    out = 0
    for t in (p.strip() for p in a.split("|")):
        if t.lstrip("-").isdigit():
            out |= int(t, 8) if t.startswith("0") and len(t) > 1 else int(t)
        else:
            out |= SYMBOLS[t]
    return out


def data(a):
    if isinstance(a, str):
        return a.encode()
    return bytes.fromhex(a["hex"])


def show(b):
    try:
        text = b.decode()
        if "\ufffd" not in text:
            return text
    except UnicodeDecodeError:
        pass
    return {"hex": b.hex()}


def stat_out(st):
    t = stat.S_IFMT(st.st_mode)
    return {
        "type": format(t, "o"),
        "mode": format(st.st_mode & 0o7777, "o"),
        "nlink": st.st_nlink,
        "uid": st.st_uid,
        "gid": st.st_gid,
        "size": -1 if t == stat.S_IFDIR else st.st_size,
        "rdev": [os.major(st.st_rdev), os.minor(st.st_rdev)],
    }


def check(rc):
    if rc < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return rc


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def b(s):
    return s.encode()


def step(op, a, results):
    n = lambda i: num(a[i], results)  # noqa: E731
    opt = lambda i, d=0: d if len(a) <= i else num(a[i], results)  # noqa: E731
    if op == "open":
        return check(libc.open(b(a[0]), n(1), opt(2, 0o666)))
    if op == "openat":
        return check(libc.openat(n(0), b(a[1]), n(2), opt(3, 0o666)))
    if op == "creat":
        return check(libc.creat(b(a[0]), n(1)))
    if op == "close":
        return os.close(n(0))
    if op == "read":
        return show(os.read(n(0), n(1)))
    if op == "write":
        return os.write(n(0), data(a[1]))
    if op == "pread":
        return show(os.pread(n(0), n(1), n(2)))
    if op == "pwrite":
        return os.pwrite(n(0), data(a[1]), n(2))
    if op == "readv":
        bufs = [bytearray(num(k, results)) for k in a[1]]
        got = os.readv(n(0), bufs)
        out = []
        for buf in bufs:
            k = min(got, len(buf))
            got -= k
            out.append(show(bytes(buf[:k])))
        return out
    if op == "writev":
        return os.writev(n(0), [data(x) for x in a[1]])
    if op == "lseek":
        return os.lseek(n(0), n(1), n(2))
    if op == "truncate":
        return os.truncate(a[0], n(1))
    if op == "ftruncate":
        return os.ftruncate(n(0), n(1))
    if op == "stat":
        return stat_out(os.stat(a[0]))
    if op == "lstat":
        return stat_out(os.lstat(a[0]))
    if op == "fstat":
        return stat_out(os.fstat(n(0)))
    if op == "fstatat":
        flags = opt(2)
        if flags & SYMBOLS["AT_EMPTY_PATH"]:
            if a[1] == "":
                return stat_out(os.stat(".") if n(0) == -100 else os.fstat(n(0)))
            return stat_out(os.stat(a[1], dir_fd=dirfd(n(0))))
        return stat_out(os.stat(a[1], dir_fd=dirfd(n(0)), follow_symlinks=not flags & 0x100))
    if op == "mkdir":
        return os.mkdir(a[0], opt(1, 0o777))
    if op == "mkdirat":
        return check(libc.mkdirat(n(0), b(a[1]), n(2)))
    if op == "rmdir":
        return os.rmdir(a[0])
    if op == "unlink":
        return os.unlink(a[0])
    if op == "unlinkat":
        return check(libc.unlinkat(n(0), b(a[1]), opt(2)))
    if op == "link":
        return os.link(a[0], a[1], follow_symlinks=False)
    if op == "linkat":
        return check(libc.linkat(n(0), b(a[1]), n(2), b(a[3]), opt(4)))
    if op == "symlink":
        return os.symlink(a[0], a[1])
    if op == "symlinkat":
        return check(libc.symlinkat(b(a[0]), n(1), b(a[2])))
    if op == "readlink":
        return os.readlink(a[0])
    if op == "readlinkat":
        buf = ctypes.create_string_buffer(4096)
        k = check(libc.readlinkat(n(0), b(a[1]), buf, 4096))
        return buf.raw[:k].decode()
    if op == "rename":
        return os.rename(a[0], a[1])
    if op == "renameat2":
        return check(libc.renameat2(n(0), b(a[1]), n(2), b(a[3]), n(4)))
    if op == "chmod":
        return os.chmod(a[0], n(1))
    if op == "fchmod":
        return os.fchmod(n(0), n(1))
    if op == "fchmodat":
        return check(libc.fchmodat(n(0), b(a[1]), n(2), opt(3)))
    if op == "chown":
        return os.chown(a[0], n(1), n(2))
    if op == "lchown":
        return os.lchown(a[0], n(1), n(2))
    if op == "fchown":
        return os.fchown(n(0), n(1), n(2))
    if op == "fchownat":
        return check(libc.fchownat(n(0), b(a[1]), n(2), n(3), opt(4)))
    if op == "utimensat":
        times = None
        if a[2] is not None:
            times = (Timespec * 2)(
                Timespec(num(a[2][0], results), num(a[2][1], results)),
                Timespec(num(a[3][0], results), num(a[3][1], results)),
            )
        return check(libc.utimensat(n(0), b(a[1]), times, opt(4)))
    if op == "blocks":
        st = os.lstat(a[0])
        return [st.st_size, st.st_blocks, st.st_blksize]
    if op == "times":
        st = os.lstat(a[0])
        return [[st.st_atime_ns // 10**9, st.st_atime_ns % 10**9], [st.st_mtime_ns // 10**9, st.st_mtime_ns % 10**9]]
    if op == "access":
        return check(libc.access(b(a[0]), n(1)))
    if op == "faccessat":
        return check(libc.faccessat(n(0), b(a[1]), n(2), opt(3)))
    if op == "dup":
        return check(libc.dup(n(0)))
    if op == "dup2":
        return check(libc.dup2(n(0), n(1)))
    if op == "dup3":
        return check(libc.dup3(n(0), n(1), n(2)))
    if op == "fcntl":
        return check(libc.fcntl(n(0), n(1), opt(2)))
    if op == "pipe":
        fds = (ctypes.c_int * 2)()
        check(libc.pipe2(fds, opt(0)))
        return [fds[0], fds[1]]
    if op == "mknod":
        return os.mknod(a[0], n(1), os.makedev(n(2), n(3)))
    if op == "mknodat":
        return os.mknod(a[1], n(2), os.makedev(n(3), n(4)), dir_fd=dirfd(n(0)))
    if op in ("setxattr", "lsetxattr"):
        return os.setxattr(a[0], a[1], data(a[2]), opt(3), follow_symlinks=op == "setxattr")
    if op == "fsetxattr":
        return os.setxattr(n(0), a[1], data(a[2]), opt(3))
    if op in ("getxattr", "lgetxattr"):
        return show(os.getxattr(a[0], a[1], follow_symlinks=op == "getxattr"))
    if op == "fgetxattr":
        return show(os.getxattr(n(0), a[1]))
    if op in ("listxattr", "llistxattr"):
        return sorted(os.listxattr(a[0], follow_symlinks=op == "listxattr"))
    if op == "flistxattr":
        return sorted(os.listxattr(n(0)))
    if op in ("getxattr_size", "lgetxattr_size", "fgetxattr_size"):
        return sized_xattr(op, a[0] if op != "fgetxattr_size" else n(0), a[1], n(2))
    if op in ("listxattr_size", "llistxattr_size", "flistxattr_size"):
        return sized_xattr(op, a[0] if op != "flistxattr_size" else n(0), None, n(1))
    if op in ("removexattr", "lremovexattr"):
        return os.removexattr(a[0], a[1], follow_symlinks=op == "removexattr")
    if op == "fremovexattr":
        return os.removexattr(n(0), a[1])
    if op == "readdir":
        return sorted([".", ".."] + os.listdir(a[0]))
    if op == "getdents":
        raise ValueError("getdents: its order is the filesystem's; compare readdir instead")
    if op == "chdir":
        return os.chdir(a[0])
    if op == "fchdir":
        return os.fchdir(n(0))
    if op == "getcwd":
        return os.getcwd()
    if op == "umask":
        return os.umask(n(0))
    if op == "fsync":
        return os.fsync(n(0))
    if op == "fdatasync":
        return os.fdatasync(n(0))
    if op == "sync":
        return os.sync()
    if op == "name_to_handle_at":
        return name_to_handle(n(0), a[1], n(2), opt(3, MAX_HANDLE_SZ))
    if op == "open_by_handle_at":
        return open_by_handle(n(0), results[int(a[1][1:])], n(2), a[3] if len(a) > 3 else None)
    if op == "same_mount":
        return results[int(a[0][1:])][2] == results[int(a[1][1:])][2]
    if op == "reopen":
        return check(libc.open(b(f"/proc/self/fd/{n(0)}"), n(1)))
    if op == "fstatfs":
        os.fstatvfs(n(0))
        return 0
    if op == "futimens":
        return os.utime(n(0))
    if op == "ioctl":
        fcntl.ioctl(n(0), n(1), bytes(64))
        return 0
    if op == "getdents_any":
        buf = ctypes.create_string_buffer(32768)
        return check(libc.syscall(217, n(0), buf, 32768)) > 0
    if op == "become":
        os.setgroups(a[2] if len(a) > 2 else [n(1)])
        os.setresgid(n(1), n(1), n(1))
        return os.setresuid(n(0), n(0), n(0))
    raise ValueError(f"unknown op {op}")


MAX_HANDLE_SZ = 128


class Kept:
    """A step's result shown as `shown` while later steps use `kept`."""

    def __init__(self, shown, kept):
        self.shown = shown
        self.kept = kept


def name_to_handle(dirfd, path, flags, size):
    """name_to_handle_at(2) with `size` bytes of room: "handle" (kept: bytes, type, mount id),
    or for EOVERFLOW ["EOVERFLOW", handle_type] (kept: the size it asked for)."""
    buf = ctypes.create_string_buffer(8 + MAX_HANDLE_SZ)
    struct.pack_into("<Ii", buf, 0, size, 0)
    mount = ctypes.c_int(0)
    rc = libc.name_to_handle_at(dirfd, b(path), buf, ctypes.byref(mount), flags)
    need, typ = struct.unpack_from("<Ii", buf, 0)
    if rc < 0 and ctypes.get_errno() == errno.EOVERFLOW:
        return Kept(["EOVERFLOW", typ], need)
    check(rc)
    return Kept("handle", (buf.raw[8:8 + need], typ, mount.value))


def open_by_handle(mount_fd, kept, flags, tamper):
    """open_by_handle_at(2), the handle as made or tampered with as tests/programs/fsops.ts does
    (tmpfs keeps the generation in its first 4 bytes)."""
    data, typ, _ = kept
    data = bytearray(data)
    if tamper == "generation":
        for i in range(4):
            data[i] ^= 0xFF
    elif tamper is not None and tamper.startswith("size:"):
        k = int(tamper[5:])
        data = (data + bytearray(max(0, k - len(data))))[:k]
    elif tamper is not None and tamper.startswith("type:"):
        typ = int(tamper[5:])
    buf = ctypes.create_string_buffer(8 + max(len(data), 1))
    struct.pack_into("<Ii", buf, 0, len(data), typ)
    buf[8:8 + len(data)] = bytes(data)
    return check(libc.open_by_handle_at(mount_fd, buf, flags))


def sized_xattr(op, target, name, size):
    """getxattr(2) / listxattr(2) and their l- and f- forms with an explicit size, through libc."""
    buf = ctypes.create_string_buffer(max(size, 1))
    ptr = buf if size > 0 else None
    fn = getattr(libc, op[: -len("_size")])
    t = target if isinstance(target, int) else b(target)
    args = (t, b(name), ptr, size) if name is not None else (t, ptr, size)
    k = check(fn(*args))
    if size == 0:
        return k
    if name is not None:
        return show(buf.raw[:k])
    return sorted(x.decode() for x in buf.raw[:k].split(b"\0")[:-1])


def errno_name(e):
    # Python names 95 ENOTSUP (an alias); Linux's and MelloOS's name is EOPNOTSUPP.
    if e == errno.EOPNOTSUPP:
        return "EOPNOTSUPP"
    return errno.errorcode.get(e, str(e))


def dirfd(fd):
    return None if fd == -100 else fd


def main():
    root = sys.argv[1]
    # Start with fds 0-2 only, as a MelloOS program does (the parent may leak some).
    os.closerange(3, 65536)
    os.chdir(root)
    os.umask(0o022)
    if len(sys.argv) > 3:
        uid, gid = int(sys.argv[2]), int(sys.argv[3])
        groups = [int(g) for g in sys.argv[4].split(",") if g] if len(sys.argv) > 4 else [gid]
        os.setgroups(groups)
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    steps = json.load(sys.stdin)
    results, out = [], []
    for op, *args in steps:
        try:
            v = step(op, args, results)
            results.append(v.kept if isinstance(v, Kept) else v)
            out.append({"ok": v.shown if isinstance(v, Kept) else 0 if v is None else v})
        except OSError as e:
            results.append(-1)
            out.append({"err": errno_name(e.errno)})
        except ValueError as e:
            # Python refuses a negative fd before any syscall; Linux says EBADF.
            if "negative" not in str(e):
                raise
            results.append(-1)
            out.append({"err": "EBADF"})
    print(json.dumps(out))


main()
