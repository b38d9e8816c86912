// su: run a command (or a shell) as another user, as util-linux su.
//
//   su [-] [-l] [-m|-p] [-s SHELL] [-c COMMAND] [USER [ARG]...]
//
// USER defaults to root. MelloOS has no passwords: only root may switch,
// anyone else gets "Authentication failure". The shell (-s, else USER's
// login shell from /etc/passwd, else /bin/sh) is spawned with USER's uid and
// gid and supplementary groups (initgroups from /etc/group) and waited for; its status is su's. "-" (or -l) starts a login
// environment: only TERM kept, HOME SHELL USER LOGNAME PATH set, cwd HOME.
import {
  chdir,
  environ,
  getenv,
  getuid,
  spawn,
  waitpid,
  warn,
  WEXITSTATUS,
  WIFEXITED,
  WTERMSIG,
} from "../lib/mod.ts";
import { eprint, Errno } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { errnoOf } from "../coreutils/files.ts";
import { baseName } from "../coreutils/path.ts";
import { groupsOf, userByName } from "../coreutils/users.ts";

const USAGE = `Usage:
 su [options] [-] [<user> [<argument>...]]

Change the effective user ID and group ID to that of <user>.
A mere - implies -l.  If <user> is not given, root is assumed.

Options:
 -m, -p, --preserve-environment  do not reset environment variables
 -c, --command <command>         pass a single command to the shell with -c
 -l, --login                     make the shell a login shell
 -s, --shell <shell>             run <shell> if /etc/shells allows it`;

export function main(argv: string[]): number {
  // "-" alone may come before the user; getopt would take it as an operand anyway.
  const p = getopt(argv, {
    short: "+c:lmps:fg:G:w:P",
    usage: USAGE,
    long: {
      command: { arg: "required", key: "c" },
      login: { arg: "none", key: "l" },
      "preserve-environment": { arg: "none", key: "m" },
      shell: { arg: "required", key: "s" },
      "session-command": { arg: "required", key: "c" },
      pty: { arg: "none", key: "P" },
    },
  });
  if (typeof p === "number") return p;
  let command: string | undefined;
  let login = false;
  let preserve = false;
  let shellOpt: string | undefined;
  for (const { key, value } of p.opts) {
    if (key === "c") command = value;
    else if (key === "l") login = true;
    else if (key === "m" || key === "p") preserve = true;
    else if (key === "s") shellOpt = value;
    else if (key === "g" || key === "G") {
      return usageError("only root can specify alternative groups");
    }
  }
  const rest = [...p.operands];
  if (rest[0] === "-") {
    login = true;
    rest.shift();
  }
  // Options may follow the user too (su root -c CMD).
  const user = rest.length > 0 && !rest[0].startsWith("-") ? rest.shift()! : "root";
  while (rest.length > 0 && rest[0].startsWith("-")) {
    const o = rest.shift()!;
    if ((o === "-c" || o === "--command") && rest.length > 0) command = rest.shift();
    else if ((o === "-s" || o === "--shell") && rest.length > 0) shellOpt = rest.shift();
    else if (o === "-l" || o === "--login" || o === "-") login = true;
    else if (o === "-m" || o === "-p") preserve = true;
    else {
      rest.unshift(o);
      break;
    }
  }
  const pw = userByName(user);
  if (pw === undefined) {
    eprint(
      `su: user ${user} does not exist or the user entry does not contain all the required fields`,
    );
    return 1;
  }
  if (getuid() !== 0) {
    eprint("su: Authentication failure");
    return 1;
  }
  const shell = shellOpt ?? (pw.shell !== "" ? pw.shell : "/bin/sh");
  let env: string[];
  if (login) {
    env = [];
    const term = getenv("TERM");
    if (term !== undefined) env.push(`TERM=${term}`);
    env.push(
      `HOME=${pw.home}`,
      `SHELL=${shell}`,
      `USER=${pw.name}`,
      `LOGNAME=${pw.name}`,
      "PATH=/bin",
    );
    try {
      chdir(pw.home);
    } catch (err) {
      warn(`warning: cannot change directory to ${pw.home}`, err);
    }
  } else if (preserve) {
    env = environ();
  } else {
    const set = new Map<string, string>([["HOME", pw.home], ["SHELL", shell]]);
    if (pw.uid !== 0) {
      set.set("USER", pw.name);
      set.set("LOGNAME", pw.name);
    }
    env = environ().filter((kv) => !set.has(kv.slice(0, kv.indexOf("="))));
    for (const [k, v] of set) env.push(`${k}=${v}`);
  }
  const argv0 = (login ? "-" : "") + baseName(shell);
  const args = [argv0, ...(command !== undefined ? ["-c", command] : []), ...rest];
  let pid: number;
  try {
    pid = spawn(shell, args, { uid: pw.uid, gid: pw.gid, groups: groupsOf(pw), env });
  } catch (err) {
    warn(`failed to execute ${shell}`, err);
    return errnoOf(err) === Errno.ENOENT ? 127 : 126;
  }
  const [, ws] = waitpid(pid, 0);
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}
