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
import { LoopControl, ReturnSignal } from "../sh/control.ts";

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
    if (err instanceof ExitShell || err instanceof ReturnSignal) return err.status;
    if (err instanceof LoopControl) return sh.status;
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

/**
 * Read one command (more lines while it is incomplete: an open quote, an
 * unfinished if or loop, a here-document) and run it. False at end of input.
 */
function readAndRun(
  sh: Shell,
  next: (more: boolean) => string | undefined,
  line: number[],
): boolean {
  let src = next(false);
  if (src === undefined) return false;
  let list = sh.parseSource(src, line[0], true);
  while (list === "incomplete") {
    const more = next(true);
    if (more === undefined) {
      list = sh.parseSource(src, line[0]); // prints the error
      break;
    }
    src += "\n" + more;
    list = sh.parseSource(src, line[0], true);
  }
  line[0] += src.split("\n").length;
  try {
    if (list !== undefined && list !== "incomplete") sh.runList(list);
  } catch (err) {
    // return or break outside a function or loop: the command just ends.
    if (!(err instanceof ReturnSignal) && !(err instanceof LoopControl)) throw err;
  }
  stdout().flush();
  return true;
}

function interactive(sh: Shell): number {
  sh.interactive = isatty(0);
  const line = [1];
  if (!sh.interactive) {
    const input = new ScriptInput(0);
    while (readAndRun(sh, () => input.next(), line)) { /* next command */ }
    return sh.status;
  }
  signal(Sig.SIGINT, "ignore");
  signal(Sig.SIGQUIT, "ignore");
  sh.setOwnGroup();
  const editor = new LineEditor(0, 1);
  for (;;) {
    sh.reapJobs();
    stdout().flush();
    const prompt = geteuid() === 0 ? "# " : "$ ";
    if (!readAndRun(sh, (more) => editor.readLine(more ? "> " : prompt), line)) break;
  }
  return sh.status;
}
