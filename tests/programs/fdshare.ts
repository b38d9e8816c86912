// Test program: an open file description shared between a parent and the
// child it spawns (one offset), and close-on-exec at spawn and at execve.
//
//   fdshare FILE [exec]  the parent: opens FILE, spawns itself as a child
//                        (with `exec`, the child first execs itself again),
//                        and prints what both saw, one fact a line
//   fdshare child FD CFD the child: reports on FD (inherited) and CFD
//                        (opened O_CLOEXEC: must be gone), writes, seeks
//   fdshare exec FD CFD  execs `fdshare child FD CFD`
//   fdshare race FD N    writes "c" N times to FD, one byte a write
import * as lib from "../../userland/lib/mod.ts";
import { ErrnoError, errnoName, F, O, SEEK } from "../../userland/lib/mod.ts";

const decoder = new TextDecoder();

/** The result of `fn`, or the name of the errno it failed with. */
function attempt(fn: () => number): string {
  try {
    return String(fn());
  } catch (err) {
    if (err instanceof ErrnoError) return errnoName(err.errno);
    throw err;
  }
}

function child(fd: number, cfd: number): number {
  lib.print(`child offset ${lib.lseek(fd, 0, SEEK.CUR)}`);
  lib.print(`child cloexec fd ${attempt(() => lib.fcntl(cfd, F.GETFD))}`);
  lib.print(`child getfd ${lib.fcntl(fd, F.GETFD)}`);
  lib.write(fd, "B");
  lib.lseek(fd, 5, SEEK.SET);
  return 0;
}

function race(fd: number, n: number): number {
  for (let i = 0; i < n; i++) lib.write(fd, "c");
  return 0;
}

/** Wait for `pid`; its exit status. */
function reap(pid: number): number {
  const [, status] = lib.waitpid(pid);
  return lib.WEXITSTATUS(status);
}

function parent(file: string, viaExec: boolean): number {
  const fd = lib.open(file, O.RDWR | O.CREAT | O.TRUNC, 0o644);
  const cfd = lib.open(file, O.RDONLY | O.CLOEXEC);
  lib.write(fd, "A");
  const mode = viaExec ? "exec" : "child";
  const pid = lib.spawn("/bin/fdshare", ["fdshare", mode, String(fd), String(cfd)]);
  lib.print(`child status ${reap(pid)}`);
  // The child's write and seek moved our offset too: it is one open file.
  lib.print(`parent offset ${lib.lseek(fd, 0, SEEK.CUR)}`);
  lib.write(fd, "C");
  const buf = new Uint8Array(64);
  const n = lib.pread(fd, buf, 0);
  lib.print(`content ${JSON.stringify(decoder.decode(buf.subarray(0, n)))}`);
  lib.print(`parent cloexec fd ${lib.fcntl(cfd, F.GETFD)}`);

  // Both writing at once: every byte lands, none overwrites another.
  lib.ftruncate(fd, 0);
  lib.lseek(fd, 0, SEEK.SET);
  const n2 = 300;
  const racer = lib.spawn("/bin/fdshare", ["fdshare", "race", String(fd), String(n2)]);
  for (let i = 0; i < n2; i++) lib.write(fd, "p");
  lib.print(`racer status ${reap(racer)}`);
  const all = decoder.decode(lib.readAllBytes(lib.open(file, O.RDONLY)));
  const count = (ch: string) => all.split("").filter((x) => x === ch).length;
  lib.print(`race size ${all.length} p ${count("p")} c ${count("c")}`);
  lib.print(`race offset ${lib.lseek(fd, 0, SEEK.CUR)}`);
  return 0;
}

export function main(argv: string[]): number {
  const [, a, b, c] = argv;
  if (a === "child") return child(Number(b), Number(c));
  if (a === "race") return race(Number(b), Number(c));
  if (a === "exec") lib.execve("/bin/fdshare", ["fdshare", "child", b, c]);
  return parent(a, b === "exec");
}
