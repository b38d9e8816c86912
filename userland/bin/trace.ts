// trace: run a command and print one strace-like line per syscall it makes,
// with the IPC hops each one caused and how long it spent in each server.
//
//   trace CMD [ARG...]     lines go to stderr, as strace prints them
//   trace -o FILE ...      (once files exist) write them to FILE
import {
  Errno,
  ErrnoError,
  spawnp,
  stderr,
  traceRead,
  waitpid,
  warn,
  WEXITSTATUS,
  WIFEXITED,
  WTERMSIG,
} from "../lib/mod.ts";

export function main(argv: string[]): number {
  const cmd = argv.slice(1);
  if (cmd.length === 0) {
    warn("must have PROG [ARGS]");
    return 1;
  }
  let pid: number;
  try {
    pid = spawnp(cmd, { traced: true });
  } catch (err) {
    const errno = err instanceof ErrnoError ? err.errno : Errno.EIO;
    warn(
      `Can't stat '${cmd[0]}': ${
        errno === Errno.ENOENT ? "No such file or directory" : String(err)
      }`,
    );
    return 1;
  }
  const out = stderr();
  for (;;) {
    const { text, done } = traceRead(pid);
    if (text !== "") out.write(text);
    if (done) break;
  }
  const [, ws] = waitpid(pid, 0);
  if (WIFEXITED(ws)) {
    out.write(`+++ exited with ${WEXITSTATUS(ws)} +++\n`);
    return WEXITSTATUS(ws);
  }
  out.write(`+++ killed by signal ${WTERMSIG(ws)} +++\n`);
  return 128 + WTERMSIG(ws);
}
