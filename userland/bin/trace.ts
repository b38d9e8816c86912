// trace: run a command and print one strace-like line per syscall it makes,
// with the IPC hops each one caused and how long it spent in each server.
//
//   trace CMD [ARG...]     lines go to stderr, as strace prints them
//   trace -o FILE CMD ...  write them to FILE instead (created or truncated)
import {
  Errno,
  ErrnoError,
  errText,
  O,
  open,
  Output,
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
  let cmd = argv.slice(1);
  let outPath: string | undefined;
  if (cmd[0] === "-o") {
    outPath = cmd[1];
    cmd = cmd.slice(2);
  } else if (cmd[0]?.startsWith("-o") && cmd[0].length > 2) {
    outPath = cmd[0].slice(2);
    cmd = cmd.slice(1);
  }
  if (cmd.length === 0 || outPath === undefined && argv[1] === "-o") {
    warn("must have PROG [ARGS]");
    return 1;
  }
  let out = stderr();
  if (outPath !== undefined) {
    try {
      out = new Output(open(outPath, O.WRONLY | O.CREAT | O.TRUNC | O.CLOEXEC, 0o666));
    } catch (err) {
      warn(`Can't fopen '${outPath}': ${errText(err)}`);
      return 1;
    }
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
  for (;;) {
    const { text, done } = traceRead(pid);
    if (text !== "") out.write(text);
    if (done) break;
  }
  const [, ws] = waitpid(pid, 0);
  if (WIFEXITED(ws)) {
    out.write(`+++ exited with ${WEXITSTATUS(ws)} +++\n`);
    out.flush();
    return WEXITSTATUS(ws);
  }
  out.write(`+++ killed by signal ${WTERMSIG(ws)} +++\n`);
  out.flush();
  return 128 + WTERMSIG(ws);
}
