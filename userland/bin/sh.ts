// sh: the MelloOS shell (POSIX sh syntax; messages and exit statuses as dash).
//
//   sh -c 'CMD' [NAME [ARG...]]   run CMD ($0 = NAME, $1... = ARGs)
//   sh FILE [ARG...]              run the script FILE
//   sh                            read commands from stdin: with a line
//                                 editor and history when it is a terminal
import {
  eprint,
  errText,
  geteuid,
  isatty,
  O,
  open,
  readAllText,
  Sig,
  signal,
  stdout,
} from "../lib/mod.ts";
import { close } from "../lib/io.ts";
import { LineEditor } from "../sh/editor.ts";
import { ScriptInput } from "../sh/script_input.ts";
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
    if (argv.length > 1 && argv[1] !== "-" && argv[1] !== "-i") {
      return script(sh, argv[1], argv.slice(2));
    }
    return interactive(sh);
  } catch (err) {
    if (err instanceof ExitShell) return err.status;
    throw err;
  } finally {
    stdout().flush();
  }
}

function script(sh: Shell, path: string, args: string[]): number {
  let text: string;
  try {
    const fd = open(path, O.RDONLY | O.CLOEXEC);
    try {
      text = readAllText(fd);
    } finally {
      close(fd);
    }
  } catch (err) {
    eprint(`${sh.name}: 0: cannot open ${path}: ${errText(err)}`);
    return 2;
  }
  sh.name = path;
  sh.args = args;
  if (text.startsWith("#!")) text = "#" + text.slice(2); // the interpreter line is a comment
  return sh.runSource(text);
}

function interactive(sh: Shell): number {
  sh.interactive = isatty(0);
  if (!sh.interactive) {
    const input = new ScriptInput(0);
    let lineNo = 0;
    for (let line = input.next(); line !== undefined; line = input.next()) {
      sh.runSource(line, ++lineNo);
      stdout().flush();
    }
    return sh.status;
  }
  signal(Sig.SIGINT, "ignore");
  signal(Sig.SIGQUIT, "ignore");
  sh.setOwnGroup();
  const editor = new LineEditor(0, 1);
  let lineNo = 0;
  for (;;) {
    sh.reapJobs();
    stdout().flush();
    const line = editor.readLine(geteuid() === 0 ? "# " : "$ ");
    if (line === undefined) break;
    lineNo++;
    sh.runSource(line, lineNo);
    stdout().flush();
  }
  return sh.status;
}
