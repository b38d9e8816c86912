// Test program: opens every kind of file and ends without closing any, in
// each way a program can end, so a test can check that nothing it held
// outlives it (tests/fs_leaks.test.ts).
//
//   leaky open DIR HOW [CHILDREN]  open files of every kind in DIR (made if
//                                  missing), spawn CHILDREN children that
//                                  inherit them (each runs `leaky open` with
//                                  no children, ending the same way), and end
//                                  by HOW without waiting for the children:
//                                    return  main returns
//                                    exit    exit(3)
//                                    throw   an uncaught exception
//   leaky victim DIR WAIT          open files, then wait forever in WAIT:
//                                    pipe-read   a read of an empty pipe
//                                    pipe-write  a write to a full pipe
//                                    fifo-open   an open of a FIFO no one writes
//                                    spin        a loop (no syscall)
//                                    churn       a loop of opens, dups, pipes
//                                                and closes (killed mid-call)
//   leaky kill DIR WAIT            spawn `leaky victim DIR WAIT`, wait until
//                                  the VFS shows it waiting (/proc/mello/vfs),
//                                  then `kill -9` it and reap it
import {
  chdir,
  close,
  dup,
  dup2,
  exit,
  F,
  fcntl,
  getdents64,
  getpid,
  mkdir,
  mknod,
  O,
  open,
  pipe,
  read,
  readAllText,
  readlink,
  S,
  sleep,
  spawn,
  spawnp,
  unlink,
  waitpid,
  WNOHANG,
  write,
} from "../../userland/lib/mod.ts";

/** Every kind of open file there is, left open. */
function openAll(dir: string, tag: string): number[] {
  try {
    mkdir(dir, 0o755);
  } catch {
    // made by an earlier run or a sibling
  }
  const fds: number[] = [];
  const reg = open(`${dir}/reg.${tag}`, O.RDWR | O.CREAT | O.TRUNC, 0o644);
  write(reg, "some data\n");
  fds.push(reg, open(`${dir}/reg.${tag}`, O.RDONLY));
  fds.push(dup(reg), dup2(reg, 40), fcntl(reg, F.DUPFD_CLOEXEC, 50));
  // A file unlinked while open: its inode and its data (several chunks)
  // live until the last fd goes.
  const ghost = open(`${dir}/ghost.${tag}`, O.RDWR | O.CREAT | O.EXCL, 0o600);
  write(ghost, new Uint8Array(200_000).fill(7));
  unlink(`${dir}/ghost.${tag}`);
  fds.push(ghost);
  const d = open(dir, O.RDONLY | O.DIRECTORY);
  getdents64(d, 64); // a directory stream part-way through
  fds.push(d, open("/", O.RDONLY | O.DIRECTORY));
  const [r1, w1] = pipe();
  write(w1, "unread bytes in a pipe");
  const [r2, w2] = pipe(O.CLOEXEC);
  fds.push(r1, w1, r2, w2);
  const fifo = `${dir}/fifo.${tag}`;
  mknod(fifo, S.IFIFO | 0o600, 0);
  const both = open(fifo, O.RDWR);
  fds.push(both, open(fifo, O.RDONLY | O.NONBLOCK), open(fifo, O.WRONLY));
  write(both, "unread bytes in a FIFO");
  for (const dev of ["/dev/null", "/dev/zero", "/dev/console"]) fds.push(open(dev, O.RDWR));
  fds.push(open("/proc/self/status", O.RDONLY), open("/proc/mello", O.RDONLY | O.DIRECTORY));
  chdir(dir); // the cwd holds its inode too
  return fds;
}

function end(how: string): number {
  if (how === "throw") throw new Error("leaky: ending by an uncaught exception");
  if (how === "exit") exit(3);
  return 0;
}

/** A counter of /proc/mello/vfs. */
function vfsCounter(name: string): number {
  const fd = open("/proc/mello/vfs", O.RDONLY);
  const text = readAllText(fd);
  close(fd);
  const m = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  if (m === null) throw new Error(`no ${name} in /proc/mello/vfs`);
  return Number(m[1]);
}

function doOpen(dir: string, how: string, children: number, tag: string): number {
  openAll(dir, tag);
  for (let i = 0; i < children; i++) {
    spawn("/bin/leaky", ["leaky", "open", dir, how, "0", `${tag}.${i}`]);
  }
  return end(how);
}

function doVictim(dir: string, wait: string): number {
  const fds = openAll(dir, `victim.${getpid()}`);
  const [r, w] = pipe();
  if (wait === "pipe-read") read(r, new Uint8Array(16));
  if (wait === "pipe-write") write(w, new Uint8Array(200_000));
  if (wait === "fifo-open") {
    mknod(`${dir}/lonely.${getpid()}`, S.IFIFO | 0o600, 0);
    open(`${dir}/lonely.${getpid()}`, O.RDONLY);
  }
  let n = fds.length;
  if (wait === "spin") { for (;;) n = (n + 1) % 1000; }
  if (wait === "churn") { for (;;) churn(dir); }
  return 1;
}

/** One round of calls that take and give back fds, files and pipes. */
function churn(dir: string): void {
  const f = open(`${dir}/churn`, O.RDWR | O.CREAT, 0o600);
  const g = dup(f);
  const [r, w] = pipe();
  write(w, "x");
  const d = open(dir, O.RDONLY | O.DIRECTORY);
  for (const fd of [f, g, r, w, d]) close(fd);
}

function doKill(dir: string, wait: string): number {
  const counter = wait === "fifo-open" ? "fifo_open_waiters" : "pipe_waiters";
  const before = vfsCounter(counter);
  const pid = spawn("/bin/leaky", ["leaky", "victim", dir, wait]);
  // It holds its files once its cwd is the directory.
  const ready = wait === "spin" || wait === "churn"
    ? () => readlinkOk(`/proc/${pid}/cwd`, dir)
    : () => vfsCounter(counter) > before;
  while (!ready()) {
    const [done, status] = waitpid(pid, WNOHANG);
    if (done === pid) throw new Error(`victim ended by itself: status ${status}`);
    sleep(1);
  }
  const killer = spawnp(["kill", "-9", String(pid)]);
  const [, ks] = waitpid(killer);
  const [, vs] = waitpid(pid);
  // Killed by SIGKILL: the low 7 bits of the wait status are 9.
  if (ks !== 0 || (vs & 0x7f) !== 9) throw new Error(`kill: ${ks}, victim: ${vs}`);
  return 0;
}

function readlinkOk(path: string, want: string): boolean {
  try {
    return readlink(path) === want;
  } catch {
    return false;
  }
}

export function main(argv: string[]): number {
  const [cmd, dir, arg, n = "0", tag = arg] = argv.slice(1);
  if (cmd === "open") return doOpen(dir, arg, Number(n), tag);
  if (cmd === "victim") return doVictim(dir, arg);
  if (cmd === "kill") return doKill(dir, arg);
  throw new Error(`usage: leaky open|victim|kill DIR ...`);
}
