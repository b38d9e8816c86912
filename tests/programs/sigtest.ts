// Test program: signal handling from the inside.
//   sigtest catch     print "ready", then report SIGUSR1s until SIGTERM ends us (default action)
//   sigtest ignore    ignore SIGTERM, print "ready", sleep 30 s
//   sigtest chld      catch SIGCHLD, spawn /bin/true, wait for the signal, then reap
//   sigtest pipe      write to a pipe whose reader is gone: SIGPIPE kills us
//   sigtest epipe     same with SIGPIPE ignored: write fails with EPIPE
import {
  close,
  errnoName,
  getpid,
  pipe,
  print,
  Sig,
  signal,
  sleep,
  spawn,
  stdout,
  waitpid,
  write,
} from "../../userland/lib/mod.ts";
import { ErrnoError } from "../../userland/lib/syscall.ts";

export function main(argv: string[]): number {
  const mode = argv[1];
  if (mode === "catch") {
    signal(Sig.SIGUSR1, (s) => {
      print(`got ${s}`);
      stdout().flush();
    });
    print(`ready ${getpid()}`);
    stdout().flush();
    for (;;) sleep(1000);
  }
  if (mode === "ignore") {
    signal(Sig.SIGTERM, "ignore");
    print("ready");
    stdout().flush();
    sleep(30_000);
    return 0;
  }
  if (mode === "chld") {
    let got = false;
    signal(Sig.SIGCHLD, () => (got = true));
    const pid = spawn("/bin/true", ["true"]);
    while (!got) sleep(10);
    const [reaped, status] = waitpid(pid, 0);
    print(`sigchld ${reaped === pid} ${status}`);
    return 0;
  }
  if (mode === "nested") {
    // A handler that makes syscalls of its own while we wait in the kernel.
    let calls = 0;
    signal(Sig.SIGCHLD, () => {
      calls++;
      getpid();
      print(`handler ran in pid ${getpid()}`);
      stdout().flush();
    });
    const pid = spawn("/bin/sleep", ["sleep", "0.1"]);
    const [reaped, status] = waitpid(pid, 0);
    print(`waited ${reaped === pid} ${status} handler calls ${calls}`);
    return 0;
  }
  if (mode === "pipe" || mode === "epipe") {
    if (mode === "epipe") signal(Sig.SIGPIPE, "ignore");
    const [r, w] = pipe();
    close(r);
    try {
      write(w, "x");
      print("write succeeded?");
    } catch (err) {
      print(`write: ${err instanceof ErrnoError ? errnoName(err.errno) : String(err)}`);
    }
    return 0;
  }
  return 2;
}
