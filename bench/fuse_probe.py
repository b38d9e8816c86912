#!/usr/bin/env python3
"""Host-side filesystem work for bench/fuse_bench.ts, run once on a FUSE
mount of MelloOS and once on the host's tmpfs, in a process of its own (the
booted system shares the bench's process, whose main thread must never wait
on the mount). Prints one JSON object.

usage: fuse_probe.py DIR STAT_N CREATE_N FILE_MIB GIT_FILES GIT_RUNS
(a count of 0 skips that part)
"""
import json
import os
import subprocess
import sys
import time


def per_op_us(n, fn):
    for _ in range(min(200, n)):
        fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def main():
    d, stat_n, create_n, mib, git_files, git_runs = sys.argv[1], *map(int, sys.argv[2:7])
    out = {}
    probe = os.path.join(d, "probe")
    with open(probe, "w") as f:
        f.write("x")
    if stat_n > 0:
        out["stat_us"] = per_op_us(stat_n, lambda: os.stat(probe))
    if create_n > 0:
        measure_rest(d, out, create_n, mib, git_files, git_runs)
    print(json.dumps(out))


def measure_rest(d, out, create_n, mib, git_files, git_runs):

    victim = os.path.join(d, "victim")

    def create_unlink():
        os.close(os.open(victim, os.O_CREAT | os.O_WRONLY, 0o644))
        os.unlink(victim)

    out["create_unlink_us"] = per_op_us(create_n, create_unlink)

    big = os.path.join(d, "big")
    block = os.urandom(1 << 20)
    t0 = time.perf_counter()
    fd = os.open(big, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
    for _ in range(mib):
        os.write(fd, block)
    os.fsync(fd)
    os.close(fd)
    out["write_mbs"] = mib / (time.perf_counter() - t0)
    # Read it back through a fresh open; drop the host's cache of the file
    # first where we can, so the read reaches the filesystem.
    fd = os.open(big, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except OSError:
        pass
    t0 = time.perf_counter()
    while os.read(fd, 1 << 20):
        pass
    out["read_mbs"] = mib / (time.perf_counter() - t0)
    os.close(fd)
    os.unlink(big)

    repo = os.path.join(d, "repo")
    os.mkdir(repo)
    for i in range(git_files):
        sub = os.path.join(repo, f"d{i // 100}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"f{i}.txt"), "w") as f:
            f.write(f"file {i}\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
               GIT_COMMITTER_EMAIL="b@b", HOME=d)
    git = lambda *a: subprocess.run(["git", "-C", repo, *a], env=env, check=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "x")
    git("status", "--porcelain")
    times = []
    for _ in range(git_runs):
        t0 = time.perf_counter()
        git("status", "--porcelain")
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    out["git_status_ms"] = times[len(times) // 2]


main()
