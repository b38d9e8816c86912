// Test program: wait4 semantics.
//   waittest echild    wait with no children
//   waittest nohang    WNOHANG while a child runs, then a blocking wait
//   waittest status    children exiting 0, 7, and killed by SIGTERM
//   waittest orphan    spawn a sleeping child and exit at once (it is reparented to init)
//   waittest many N    spawn N children, reap them all with wait(-1)
import {
  errnoName,
  FileAction,
  kill,
  print,
  sleep,
  spawn,
  waitpid,
  WEXITSTATUS,
  WIFEXITED,
  WNOHANG,
  WTERMSIG,
} from "../../userland/lib/mod.ts";
import { ErrnoError } from "../../userland/lib/syscall.ts";

export function main(argv: string[]): number {
  const mode = argv[1];
  if (mode === "echild") {
    try {
      waitpid(-1, 0);
    } catch (err) {
      print(`wait: ${err instanceof ErrnoError ? errnoName(err.errno) : err}`);
    }
    return 0;
  }
  if (mode === "nohang") {
    const pid = spawn("/bin/sleep", ["sleep", "0.2"]);
    const [none] = waitpid(pid, WNOHANG);
    print(`nohang ${none}`);
    const [done, st] = waitpid(pid, 0);
    print(`waited ${done === pid} ${WIFEXITED(st)} ${WEXITSTATUS(st)}`);
    return 0;
  }
  if (mode === "status") {
    const a = spawn("/bin/true", ["true"]);
    const b = spawn("/bin/sh", ["sh", "-c", "exit 7"]);
    const c = spawn("/bin/sleep", ["sleep", "30"]);
    kill(c, 15);
    for (const pid of [a, b, c]) {
      const [, st] = waitpid(pid, 0);
      print(WIFEXITED(st) ? `exit ${WEXITSTATUS(st)}` : `signal ${WTERMSIG(st)}`);
    }
    return 0;
  }
  if (mode === "orphan") {
    // The child lets go of our stdout, so whoever reads it sees EOF when we exit.
    const actions = [1, 2].map((fd) => ({ kind: FileAction.CLOSE, fd, fd2: -1 }));
    print(`child ${spawn("/bin/sleep", ["sleep", "30"], { actions })}`);
    return 0;
  }
  if (mode === "many") {
    const n = Number(argv[2]);
    for (let i = 0; i < n; i++) spawn("/bin/true", ["true"]);
    let reaped = 0;
    for (;;) {
      try {
        waitpid(-1, 0);
        reaped++;
      } catch {
        break;
      }
    }
    print(`reaped ${reaped}`);
    sleep(0);
    return 0;
  }
  return 2;
}
