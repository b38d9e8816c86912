// sh: the MelloOS shell (POSIX sh syntax; messages and statuses as dash).
//
//   sh -c 'CMD' [NAME [ARG...]]   run CMD
//   sh                            read commands from stdin (a prompt when it is a terminal)
import { eprint, geteuid, isatty, LineReader, Sig, signal, stdout } from "../lib/mod.ts";
import { ExitShell, Shell } from "../sh/shell.ts";

export function main(argv: string[]): number {
  const sh = new Shell();
  sh.name = argv[0] ?? "sh";
  try {
    if (argv[1] === "-c") {
      if (argv.length < 3) {
        eprint(`${sh.name}: 0: -c requires an argument`);
        return 2;
      }
      if (argv.length > 3) sh.name = argv[3];
      sh.args = argv.slice(4);
      return sh.runSource(argv[2]);
    }
    return interactive(sh);
  } catch (err) {
    if (err instanceof ExitShell) return err.status;
    throw err;
  } finally {
    stdout().flush();
  }
}

function interactive(sh: Shell): number {
  sh.interactive = isatty(0);
  if (sh.interactive) {
    signal(Sig.SIGINT, "ignore");
    signal(Sig.SIGQUIT, "ignore");
    sh.setOwnGroup();
  }
  const input = new LineReader(0);
  let lineNo = 0;
  for (;;) {
    sh.reapJobs();
    if (sh.interactive) {
      stdout().write(geteuid() === 0 ? "# " : "$ ");
      stdout().flush();
    }
    const line = input.next();
    if (line === undefined) break;
    lineNo++;
    try {
      sh.runSource(line, lineNo);
    } catch (err) {
      if (err instanceof ExitShell) return err.status;
      throw err;
    }
    stdout().flush();
  }
  if (sh.interactive) stdout().write("\n");
  return sh.status;
}
