// env: print the environment, or run a command in a changed one (env [-i] [NAME=VALUE]... [CMD [ARG]...]).
import {
  environ,
  Errno,
  ErrnoError,
  print,
  spawnp,
  waitpid,
  warn,
  WEXITSTATUS,
  WIFEXITED,
  WTERMSIG,
} from "../lib/mod.ts";

export function main(argv: string[]): number {
  let args = argv.slice(1);
  let env = environ();
  if (args[0] === "-i" || args[0] === "-") {
    env = [];
    args = args.slice(1);
  }
  while (args.length > 0 && /^[^=]+=/.test(args[0])) {
    const name = args[0].slice(0, args[0].indexOf("="));
    env = env.filter((kv) => !kv.startsWith(name + "=")).concat(args[0]);
    args = args.slice(1);
  }
  if (args.length === 0) {
    for (const kv of env) print(kv);
    return 0;
  }
  try {
    const pid = spawnp(args, { env });
    const [, ws] = waitpid(pid, 0);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
  } catch (err) {
    const errno = err instanceof ErrnoError ? err.errno : Errno.EIO;
    warn(`'${args[0]}': No such file or directory`);
    return errno === Errno.ENOENT ? 127 : 126;
  }
}
