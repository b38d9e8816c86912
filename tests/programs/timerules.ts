// Test program: which timestamps each file operation changes. Runs a fixed
// sequence of operations in the current directory and prints, after each,
// the atime, mtime and ctime of the file and of the directory it is in, as
// JSON: [[step, [[as, ans], [ms, mns], [cs, cns]] (the file), [...] (the
// directory)], ...]. tests/helpers/host_timerules.py runs the same sequence
// on the host; tests/fs_stat_compat.test.ts compares what changed.
//
// Before each step the program waits for the filesystem's clock to move past
// every timestamp seen so far (it touches a probe file until the probe's
// mtime is later), so "unchanged" can only mean the step left it alone.
import * as lib from "../../userland/lib/mod.ts";

type Ts = [number, number];
const NOW = (1 << 30) - 1;
const OMIT = (1 << 30) - 2;

let last: Ts = [0, 0];

function later(a: Ts, b: Ts): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

function times(path: string): [Ts, Ts, Ts] {
  const st = lib.lstat(path);
  const out: [Ts, Ts, Ts] = [
    [st.atime.sec, st.atime.nsec],
    [st.mtime.sec, st.mtime.nsec],
    [st.ctime.sec, st.ctime.nsec],
  ];
  for (const t of out) if (later(t, last)) last = t;
  return out;
}

/** Wait until a fresh timestamp is later than any seen (a state of the clock, not a duration). */
function tick(): void {
  for (;;) {
    lib.utimensat(lib.AT_FDCWD, ".probe", undefined, 0);
    const st = lib.lstat(".probe");
    if (later([st.mtime.sec, st.mtime.nsec], last)) return;
  }
}

const steps: Array<[string, () => void]> = [
  ["create", () => lib.close(lib.open("d/f", lib.O.WRONLY | lib.O.CREAT, 0o644))],
  ["write", () => withFd("d/f", lib.O.WRONLY, (fd) => lib.write(fd, "abc"))],
  ["write0", () => withFd("d/f", lib.O.WRONLY, (fd) => lib.write(fd, ""))],
  ["read", () => withFd("d/f", lib.O.RDONLY, (fd) => lib.read(fd, new Uint8Array(1)))],
  ["read-again", () => withFd("d/f", lib.O.RDONLY, (fd) => lib.read(fd, new Uint8Array(1)))],
  ["chmod", () => lib.chmod("d/f", 0o600)],
  ["chown-same", () => lib.chown("d/f", -1, -1)],
  ["fchmod", () => withFd("d/f", lib.O.RDONLY, (fd) => lib.fchmod(fd, 0o640))],
  [
    "utime-explicit",
    () => lib.utimensat(lib.AT_FDCWD, "d/f", [{ sec: 1000, nsec: 111 }, { sec: 2000, nsec: 222 }]),
  ],
  [
    "utime-omit-omit",
    () => lib.utimensat(lib.AT_FDCWD, "d/f", [{ sec: 0, nsec: OMIT }, { sec: 0, nsec: OMIT }]),
  ],
  [
    "utime-now-omit",
    () => lib.utimensat(lib.AT_FDCWD, "d/f", [{ sec: 0, nsec: NOW }, { sec: 5, nsec: OMIT }]),
  ],
  [
    "utime-omit-now",
    () => lib.utimensat(lib.AT_FDCWD, "d/f", [{ sec: 0, nsec: OMIT }, { sec: 0, nsec: NOW }]),
  ],
  ["utime-null", () => lib.utimensat(lib.AT_FDCWD, "d/f", undefined)],
  ["ftruncate-same", () => withFd("d/f", lib.O.WRONLY, (fd) => lib.ftruncate(fd, 3))],
  ["truncate-same", () => lib.truncate("d/f", 3)],
  ["truncate-shrink", () => lib.truncate("d/f", 1)],
  ["open-trunc", () => lib.close(lib.open("d/f", lib.O.WRONLY | lib.O.TRUNC))],
  ["link", () => lib.link("d/f", "d/g")],
  ["rename", () => lib.rename("d/g", "d/h")],
  ["unlink", () => lib.unlink("d/h")],
  ["mkdir-in-dir", () => lib.mkdir("d/sub", 0o755)],
  ["readdir", () => lib.readdir("d")],
  ["symlink-in-dir", () => lib.symlink("f", "d/s")],
  ["rmdir-in-dir", () => lib.rmdir("d/sub")],
];

function withFd(path: string, flags: number, fn: (fd: number) => unknown): void {
  const fd = lib.open(path, flags);
  try {
    fn(fd);
  } finally {
    lib.close(fd);
  }
}

export function main(_argv: string[]): number {
  lib.close(lib.open(".probe", lib.O.WRONLY | lib.O.CREAT, 0o644));
  lib.mkdir("d", 0o755);
  const out: unknown[] = [];
  for (const [name, fn] of steps) {
    tick();
    fn();
    out.push([name, times("d/f"), times("d")]);
  }
  lib.print(JSON.stringify(out));
  return 0;
}
