"""The host's side of tests/programs/timerules.ts: the same sequence of file
operations, in the directory given as the only argument, printing the same
JSON (after each step: the atime, mtime and ctime of d/f and of d).

Before each step it waits for the filesystem's clock to move past every
timestamp seen so far (touching a probe file until the probe's mtime is
later): Linux stamps files from a coarse clock, so without this two steps
could share a timestamp and a change would look like none.
"""
import ctypes
import json
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
UTIME_NOW = (1 << 30) - 1
UTIME_OMIT = (1 << 30) - 2
AT_FDCWD = -100


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def utimensat(path, times):
    arg = None
    if times is not None:
        arg = (Timespec * 2)(Timespec(*times[0]), Timespec(*times[1]))
    if libc.utimensat(AT_FDCWD, path.encode(), arg, 0) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


last = [0, 0]


def ts(ns):
    return [ns // 10**9, ns % 10**9]


def times(path):
    global last
    st = os.lstat(path)
    out = [ts(st.st_atime_ns), ts(st.st_mtime_ns), ts(st.st_ctime_ns)]
    for t in out:
        if t > last:
            last = t
    return out


def tick():
    while True:
        utimensat(".probe", None)
        if ts(os.lstat(".probe").st_mtime_ns) > last:
            return


def with_fd(path, flags, fn):
    fd = os.open(path, flags)
    try:
        fn(fd)
    finally:
        os.close(fd)


STEPS = [
    ("create", lambda: os.close(os.open("d/f", os.O_WRONLY | os.O_CREAT, 0o644))),
    ("write", lambda: with_fd("d/f", os.O_WRONLY, lambda fd: os.write(fd, b"abc"))),
    ("write0", lambda: with_fd("d/f", os.O_WRONLY, lambda fd: os.write(fd, b""))),
    ("read", lambda: with_fd("d/f", os.O_RDONLY, lambda fd: os.read(fd, 1))),
    ("read-again", lambda: with_fd("d/f", os.O_RDONLY, lambda fd: os.read(fd, 1))),
    ("chmod", lambda: os.chmod("d/f", 0o600)),
    ("chown-same", lambda: os.chown("d/f", -1, -1)),
    ("fchmod", lambda: with_fd("d/f", os.O_RDONLY, lambda fd: os.fchmod(fd, 0o640))),
    ("utime-explicit", lambda: utimensat("d/f", [(1000, 111), (2000, 222)])),
    ("utime-omit-omit", lambda: utimensat("d/f", [(0, UTIME_OMIT), (0, UTIME_OMIT)])),
    ("utime-now-omit", lambda: utimensat("d/f", [(0, UTIME_NOW), (5, UTIME_OMIT)])),
    ("utime-omit-now", lambda: utimensat("d/f", [(0, UTIME_OMIT), (0, UTIME_NOW)])),
    ("utime-null", lambda: utimensat("d/f", None)),
    ("ftruncate-same", lambda: with_fd("d/f", os.O_WRONLY, lambda fd: os.ftruncate(fd, 3))),
    ("truncate-same", lambda: os.truncate("d/f", 3)),
    ("truncate-shrink", lambda: os.truncate("d/f", 1)),
    ("open-trunc", lambda: os.close(os.open("d/f", os.O_WRONLY | os.O_TRUNC))),
    ("link", lambda: os.link("d/f", "d/g")),
    ("rename", lambda: os.rename("d/g", "d/h")),
    ("unlink", lambda: os.unlink("d/h")),
    ("mkdir-in-dir", lambda: os.mkdir("d/sub", 0o755)),
    ("readdir", lambda: os.listdir("d")),
    ("symlink-in-dir", lambda: os.symlink("f", "d/s")),
    ("rmdir-in-dir", lambda: os.rmdir("d/sub")),
]


def main():
    os.chdir(sys.argv[1])
    os.umask(0o022)
    os.close(os.open(".probe", os.O_WRONLY | os.O_CREAT, 0o644))
    os.mkdir("d", 0o755)
    out = []
    for name, fn in STEPS:
        tick()
        fn()
        out.append([name, times("d/f"), times("d")])
    print(json.dumps(out))


main()
