// The shell's builtins: commands that change the shell itself (cd, exit,
// export, set, ...), or that scripts run so often that a spawn each time
// would dominate (test, [, echo: the same code as their programs in /bin).
// Messages and statuses follow dash.

import {
  chdir,
  close,
  eprint,
  Errno,
  ErrnoError,
  execve,
  getcwd,
  O,
  open,
  read,
  readAllText,
  stdout,
  strerror,
  umask,
  waitpid,
  WEXITSTATUS,
  which,
  WIFEXITED,
  WTERMSIG,
} from "../lib/mod.ts";
import { main as echoMain } from "../bin/echo.ts";
import { main as testMain } from "../bin/test.ts";
import { main as bracketMain } from "../bin/[.ts";
import { ExitShell, LoopControl, ReturnSignal } from "./control.ts";
import type { Shell } from "./shell.ts";

export type Builtin = (sh: Shell, args: string[]) => number;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quote `v` for the shell (set, export -p). */
export function shellQuote(v: string): string {
  return `'${v.replace(/'/g, "'\\''")}'`;
}

function loopControl(kind: "break" | "continue"): Builtin {
  return (sh, args) => {
    const n = args.length > 1 ? Number(args[1]) : 1;
    if (!Number.isInteger(n) || n < 1) {
      eprint(`${sh.name}: ${sh.line}: ${kind}: Illegal number: ${args[1]}`);
      if (!sh.interactive) throw new ExitShell(2);
      return 2;
    }
    if (sh.loopDepth === 0) return 0; // dash: ignored outside loops
    throw new LoopControl(kind, Math.min(n, sh.loopDepth));
  };
}

function cd(sh: Shell, args: string[]): number {
  let dir = args[1] ?? sh.vars.get("HOME") ?? "/";
  const back = dir === "-";
  if (back) dir = sh.vars.get("OLDPWD") ?? getcwd();
  try {
    chdir(dir);
  } catch (err) {
    void err;
    eprint(`${sh.name}: ${sh.line}: cd: can't cd to ${dir}`);
    return 2;
  }
  sh.setVar("OLDPWD", sh.vars.get("PWD") ?? dir);
  sh.setVar("PWD", getcwd());
  if (back) stdout().line(sh.vars.get("PWD")!);
  return 0;
}

function readBuiltin(sh: Shell, args: string[]): number {
  const names = args.slice(1).filter((a) => !a.startsWith("-"));
  const raw = args.includes("-r");
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  let eof = true;
  // A byte at a time: what follows the line stays for the next reader.
  for (;;) {
    const n = read(0, one);
    if (n === 0) break;
    if (one[0] === 10) {
      eof = false;
      break;
    }
    bytes.push(one[0]);
  }
  let line = new TextDecoder().decode(new Uint8Array(bytes));
  if (!raw) line = line.replace(/\\(.)/g, "$1");
  // Fields split at IFS whitespace; the last name takes the rest of the line
  // as it is (inner spacing kept, trailing IFS whitespace dropped).
  const ifs = sh.vars.get("IFS") ?? " \t\n";
  const isWs = (c: string) => ifs.includes(c) && " \t\n".includes(c);
  const targets = names.length === 0 ? ["REPLY"] : names;
  let at = 0;
  const skipWs = () => {
    while (at < line.length && isWs(line[at])) at++;
  };
  skipWs();
  targets.forEach((name, i) => {
    if (i === targets.length - 1) {
      let end = line.length;
      while (end > at && isWs(line[end - 1])) end--;
      sh.setVar(name, line.slice(at, end));
      return;
    }
    const start = at;
    while (at < line.length && !isWs(line[at])) at++;
    sh.setVar(name, line.slice(start, at));
    skipWs();
  });
  return eof ? 1 : 0;
}

function umaskBuiltin(sh: Shell, args: string[]): number {
  const symbolic = args.includes("-S");
  const value = args.slice(1).find((a) => a !== "-S");
  if (value === undefined) {
    const mask = umask(0);
    umask(mask);
    if (!symbolic) stdout().line(mask.toString(8).padStart(4, "0"));
    else {
      const who = ["u", "g", "o"].map((w, i) => {
        const bits = (~mask >> (6 - 3 * i)) & 7;
        return `${w}=${bits & 4 ? "r" : ""}${bits & 2 ? "w" : ""}${bits & 1 ? "x" : ""}`;
      });
      stdout().line(who.join(","));
    }
    return 0;
  }
  if (!/^[0-7]{1,4}$/.test(value)) {
    eprint(`${sh.name}: ${sh.line}: umask: Illegal mode: ${value}`);
    return 2;
  }
  umask(parseInt(value, 8));
  return 0;
}

function dot(sh: Shell, args: string[]): number {
  const path = args[1];
  if (path === undefined) return 0;
  let text: string;
  try {
    const fd = open(path, O.RDONLY | O.CLOEXEC);
    try {
      text = readAllText(fd);
    } finally {
      close(fd);
    }
  } catch (err) {
    eprint(
      `${sh.name}: ${sh.line}: .: cannot open ${path}: ${
        err instanceof ErrnoError ? strerror(err.errno) : String(err)
      }`,
    );
    throw new ExitShell(2);
  }
  try {
    return sh.runSource(text);
  } catch (err) {
    if (err instanceof ReturnSignal) return err.status;
    throw err;
  }
}

function set(sh: Shell, args: string[]): number {
  if (args.length === 1) {
    for (const [k, v] of [...sh.vars].sort(([a], [b]) => (a < b ? -1 : 1))) {
      stdout().line(`${k}=${shellQuote(v)}`);
    }
    return 0;
  }
  let i = 1;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      i++;
      sh.args = args.slice(i);
      return 0;
    }
    if (!/^[-+][a-zA-Z]+$/.test(a)) break;
    for (const c of a.slice(1)) {
      if (!"euxfCvn".includes(c)) {
        eprint(`${sh.name}: ${sh.line}: set: Illegal option ${a[0]}${c}`);
        return 2;
      }
      if (a[0] === "-") sh.options.add(c);
      else sh.options.delete(c);
    }
  }
  if (i < args.length) sh.args = args.slice(i);
  return 0;
}

function local(sh: Shell, args: string[]): number {
  if (!sh.inFunction()) {
    eprint(`${sh.name}: ${sh.line}: local: not in a function`);
    return 2;
  }
  for (const a of args.slice(1)) {
    const i = a.indexOf("=");
    const name = i < 0 ? a : a.slice(0, i);
    if (!NAME.test(name)) {
      eprint(`${sh.name}: ${sh.line}: local: ${name}: bad variable name`);
      return 2;
    }
    sh.makeLocal(name);
    if (i >= 0) sh.setVar(name, a.slice(i + 1));
  }
  return 0;
}

function typeBuiltin(sh: Shell, args: string[]): number {
  let status = 0;
  for (const name of args.slice(1)) {
    if (sh.functions.has(name)) stdout().line(`${name} is a shell function`);
    else if (BUILTINS.has(name)) stdout().line(`${name} is a shell builtin`);
    else {
      let path: string | undefined;
      try {
        path = which(name);
      } catch {
        path = undefined;
      }
      if (path !== undefined) stdout().line(`${name} is ${path}`);
      else {
        stdout().line(`${name}: not found`);
        status = 127;
      }
    }
  }
  return status;
}

function exportBuiltin(sh: Shell, args: string[]): number {
  const names = args.slice(1).filter((a) => a !== "-p");
  if (names.length === 0) {
    for (const name of [...sh.exported].sort()) {
      const v = sh.vars.get(name);
      stdout().line(v === undefined ? `export ${name}` : `export ${name}=${shellQuote(v)}`);
    }
    return 0;
  }
  for (const a of names) {
    const i = a.indexOf("=");
    const name = i < 0 ? a : a.slice(0, i);
    if (!NAME.test(name)) {
      eprint(`${sh.name}: ${sh.line}: export: ${name}: bad variable name`);
      if (!sh.interactive) throw new ExitShell(2);
      return 2;
    }
    if (i >= 0) sh.setVar(name, a.slice(i + 1));
    sh.exported.add(name);
  }
  return 0;
}

function exec(sh: Shell, args: string[]): number {
  if (args.length === 1) return 0;
  stdout().flush();
  try {
    const path = which(args[1]);
    if (path === undefined) throw new ErrnoError(Errno.ENOENT, args[1]);
    execve(path, args.slice(1), sh.environ());
  } catch (err) {
    const errno = err instanceof ErrnoError ? err.errno : Errno.EIO;
    eprint(
      `${sh.name}: ${sh.line}: exec: ${args[1]}: ${
        errno === Errno.ENOENT ? "not found" : strerror(errno)
      }`,
    );
    throw new ExitShell(errno === Errno.ENOENT ? 127 : 126);
  }
  return 0;
}

function wait(sh: Shell, args: string[]): number {
  const targets = args.length > 1 ? args.slice(1).map(Number) : [...sh.jobs.keys()];
  let status = 0;
  for (const pid of targets) {
    try {
      const [, ws] = waitpid(pid, 0);
      status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    } catch {
      status = 127;
    }
    sh.jobs.delete(pid);
  }
  return status;
}

export const BUILTINS = new Map<string, Builtin>([
  [":", () => 0],
  ["true", () => 0],
  ["false", () => 1],
  ["exit", (sh, args) => {
    const code = args.length > 1 ? Number(args[1]) : sh.status;
    if (!Number.isInteger(code)) {
      eprint(`${sh.name}: ${sh.line}: exit: Illegal number: ${args[1]}`);
      throw new ExitShell(2);
    }
    throw new ExitShell(code & 0xff);
  }],
  ["return", (sh, args) => {
    const code = args.length > 1 ? Number(args[1]) : sh.status;
    if (!Number.isInteger(code)) {
      eprint(`${sh.name}: ${sh.line}: return: Illegal number: ${args[1]}`);
      return 2;
    }
    throw new ReturnSignal(code & 0xff);
  }],
  ["break", loopControl("break")],
  ["continue", loopControl("continue")],
  ["export", exportBuiltin],
  ["local", local],
  ["unset", (sh, args) => {
    const functions = args[1] === "-f";
    for (const name of args.slice(1).filter((a) => a !== "-f" && a !== "-v")) {
      if (functions) sh.functions.delete(name);
      else {
        sh.vars.delete(name);
        sh.exported.delete(name);
      }
    }
    return 0;
  }],
  ["cd", cd],
  ["shift", (sh, args) => {
    const n = args.length > 1 ? Number(args[1]) : 1;
    if (!Number.isInteger(n) || n < 0 || n > sh.args.length) {
      eprint(`${sh.name}: ${sh.line}: shift: can't shift that many`);
      if (!sh.interactive) throw new ExitShell(2);
      return 2;
    }
    sh.args = sh.args.slice(n);
    return 0;
  }],
  ["wait", wait],
  ["exec", exec],
  ["eval", (sh, args) => sh.runSource(args.slice(1).join(" "), sh.line)],
  ["read", readBuiltin],
  ["umask", umaskBuiltin],
  [".", dot],
  ["set", set],
  ["pwd", (sh) => {
    stdout().line(sh.vars.get("PWD") ?? getcwd());
    return 0;
  }],
  ["jobs", (sh) => {
    let n = 1;
    for (const [pid, src] of sh.jobs) stdout().line(`[${n++}] ${pid} Running ${src}`);
    return 0;
  }],
  ["type", typeBuiltin],
  // The same programs as /bin/echo, /bin/test and /bin/[, run without a spawn.
  ["echo", (_sh, args) => echoMain(args)],
  ["test", (_sh, args) => testMain(args)],
  ["[", (_sh, args) => bracketMain(args)],
]);
