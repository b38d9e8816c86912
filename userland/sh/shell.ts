// The shell's interpreter: commands, compound commands, functions,
// expansion, redirection, pipelines.
//
// Commands run as separate processes (posix_spawn: there is no fork), so a
// pipeline is N spawns joined by pipes in one process group, and a
// redirection becomes a file action of the spawn. Builtins, functions and
// compound commands run inside the shell, with redirections applied to the
// shell's own fds and undone after. What must run apart from this shell (a
// subshell, a background job, a builtin or compound command in a pipeline)
// runs in a child `sh -c TEXT` that first takes this shell's variables,
// functions, options and positional parameters (childState()).
// Messages and exit statuses follow dash (Debian's /bin/sh).

import {
  close,
  dup,
  dup2,
  environ,
  eprint,
  Errno,
  ErrnoError,
  FileAction,
  type FileActionSpec,
  getcwd,
  getpgrp,
  getpid,
  ioctl,
  isatty,
  O,
  open,
  pipe,
  read,
  Sig,
  sigDescription,
  spawnp,
  stdout,
  strerror,
  unlink,
  waitpid,
  WEXITSTATUS,
  WIFEXITED,
  WNOHANG,
  write,
  WTERMSIG,
} from "../lib/mod.ts";
import type {
  AndOr,
  Case,
  Command,
  For,
  FuncDef,
  If,
  List,
  Loop,
  Pipeline,
  Redir,
  Simple,
  Word,
} from "./ast.ts";
import { parse, SyntaxError } from "./parser.ts";
import { escapeGlob, glob, hasGlob, segmentRegExp } from "./glob.ts";
import { ArithError, evaluate } from "./arith.ts";
import { BUILTINS } from "./builtins.ts";
import { ExitShell, LoopControl, ReturnSignal } from "./control.ts";

export { ExitShell };

const TIOCSPGRP = 0x5410;
/** Signals a job gets back at their defaults though the shell ignores them. */
const JOB_SIGDEFAULT = (1 << Sig.SIGINT) | (1 << Sig.SIGQUIT) | (1 << Sig.SIGTSTP);
/** The environment variable that carries a parent shell's state to a child shell. */
const STATE_VAR = "MELLO_SH_STATE";
/** Here-documents up to this size go through a pipe (the shell fills it before the command runs). */
const HEREDOC_PIPE_MAX = 65536;

interface ChildState {
  vars: Array<[string, string]>;
  funcs: string[];
  options: string;
  status: number;
}

export class Shell {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  readonly functions = new Map<string, FuncDef>();
  /** set -e -u -x -f ... */
  readonly options = new Set<string>();
  status = 0;
  lastBackground = 0;
  name = "sh";
  args: string[] = [];
  interactive = false;
  readonly jobs = new Map<number, string>();
  /** Line of the command running now (for messages). */
  line = 0;
  loopDepth = 0;
  /** > 0 while running a condition (if, while, && ||, !): set -e does not apply there. */
  #condDepth = 0;
  /** One map per function call: a local's name -> its value before (undefined: unset). */
  readonly #frames: Array<Map<string, string | undefined>> = [];
  #ownGroup = 0;

  constructor() {
    for (const kv of environ()) {
      const i = kv.indexOf("=");
      if (i < 0) continue;
      this.vars.set(kv.slice(0, i), kv.slice(i + 1));
      this.exported.add(kv.slice(0, i));
    }
    this.vars.set("PPID", String(0));
    this.vars.set("IFS", this.vars.get("IFS") ?? " \t\n");
    try {
      this.vars.set("PWD", getcwd());
      this.exported.add("PWD");
    } catch {
      // no working directory to name
    }
    this.#takeParentState();
  }

  /** A child shell: take the state its parent passed (childState()). */
  #takeParentState(): void {
    const text = this.vars.get(STATE_VAR);
    if (text === undefined) return;
    this.vars.delete(STATE_VAR);
    this.exported.delete(STATE_VAR);
    const st = JSON.parse(text) as ChildState;
    for (const [k, v] of st.vars) this.vars.set(k, v);
    for (const f of st.funcs) this.runSource(f);
    for (const o of st.options) this.options.add(o);
    this.status = st.status;
  }

  /** The environment entry that gives a child shell this shell's state. */
  #childState(): string {
    const st: ChildState = {
      vars: [...this.vars].filter(([k]) => !this.exported.has(k)),
      funcs: [...this.functions.values()].map((f) => f.text),
      options: [...this.options].join(""),
      status: this.status,
    };
    return `${STATE_VAR}=${JSON.stringify(st)}`;
  }

  // --- running source ---

  /**
   * Parse `src`; a syntax error is printed as dash prints it (and ends a
   * non-interactive shell). With `allowIncomplete`, input that just stops
   * early answers "incomplete" (the caller reads more).
   */
  parseSource(src: string, line = 1, allowIncomplete = false): List | "incomplete" | undefined {
    try {
      return parse(src, line);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      if (allowIncomplete && err.incomplete) return "incomplete";
      eprint(`${this.name}: ${err.line}: ${err.message}`);
      this.status = 2;
      if (!this.interactive) throw new ExitShell(2);
      return undefined;
    }
  }

  /** Run source text. */
  runSource(src: string, line = 1): number {
    const list = this.parseSource(src, line);
    if (list === undefined || list === "incomplete") return this.status;
    return this.runList(list);
  }

  runList(list: List): number {
    for (const item of list.items) {
      if (item.background) this.#background(item.andOr);
      else this.status = this.#andOr(item.andOr);
    }
    return this.status;
  }

  #andOr(ao: AndOr): number {
    const chain = [{ op: "", pipeline: ao.first }, ...ao.rest];
    let status = 0;
    let last = -1;
    for (let i = 0; i < chain.length; i++) {
      const { op, pipeline } = chain[i];
      if (i > 0 && (op === "&&") !== (status === 0)) continue;
      // Every pipeline but the last of the chain is a condition for set -e.
      const cond = i < chain.length - 1 || pipeline.bang;
      status = this.#asCondition(cond, () => this.#pipeline(pipeline));
      this.status = status;
      last = i;
    }
    if (
      status !== 0 && this.options.has("e") && this.#condDepth === 0 && last === chain.length - 1 &&
      !chain[last].pipeline.bang
    ) {
      throw new ExitShell(status);
    }
    return status;
  }

  #asCondition(cond: boolean, fn: () => number): number {
    if (!cond) return fn();
    this.#condDepth++;
    try {
      return fn();
    } finally {
      this.#condDepth--;
    }
  }

  #background(ao: AndOr): void {
    const pid = this.#spawnShell(ao.text, [], 0, ao.first.cmds[0]?.line ?? 0, true);
    if (pid > 0) {
      this.lastBackground = pid;
      this.jobs.set(pid, ao.text);
      if (this.interactive) eprint(`[${this.jobs.size}] ${pid}`);
    }
    this.status = 0;
  }

  #pipeline(p: Pipeline): number {
    const status = p.cmds.length === 1 ? this.#command(p.cmds[0]) : this.#runJob(p.cmds);
    return p.bang ? (status === 0 ? 1 : 0) : status;
  }

  // --- one command in this shell ---

  #command(c: Command): number {
    this.line = c.line;
    switch (c.kind) {
      case "simple":
        return this.#simple(c);
      case "func":
        this.functions.set(c.name, c);
        return 0;
      case "subshell":
        return this.#runJob([c]);
      case "brace":
        return this.#withRedirs(c.redirs, c.line, () => this.runList(c.list));
      case "if":
        return this.#withRedirs(c.redirs, c.line, () => this.#if(c));
      case "while":
      case "until":
        return this.#withRedirs(c.redirs, c.line, () => this.#loop(c));
      case "for":
        return this.#withRedirs(c.redirs, c.line, () => this.#for(c));
      case "case":
        return this.#withRedirs(c.redirs, c.line, () => this.#case(c));
    }
  }

  #if(c: If): number {
    for (const { cond, body } of c.clauses) {
      if (this.#asCondition(true, () => this.runList(cond)) === 0) return this.runList(body);
    }
    return c.orElse !== undefined ? this.runList(c.orElse) : 0;
  }

  /** Run `body` as a loop iteration; false when a break ends the loop. */
  #iteration(body: List): boolean {
    try {
      this.runList(body);
      return true;
    } catch (err) {
      if (!(err instanceof LoopControl)) throw err;
      if (err.levels > 1) {
        err.levels--;
        throw err;
      }
      return err.kind === "continue";
    }
  }

  #loop(c: Loop): number {
    let status = 0;
    this.loopDepth++;
    try {
      for (;;) {
        const cond = this.#asCondition(true, () => this.runList(c.cond));
        if ((cond === 0) !== (c.kind === "while")) break;
        const goOn = this.#iteration(c.body);
        status = this.status;
        if (!goOn) break;
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  #for(c: For): number {
    const items = c.words === undefined ? [...this.args] : this.#expandWords(c.words);
    let status = 0;
    this.loopDepth++;
    try {
      for (const item of items) {
        this.setVar(c.name, item);
        const goOn = this.#iteration(c.body);
        status = this.status;
        if (!goOn) break;
      }
    } finally {
      this.loopDepth--;
    }
    return status;
  }

  #case(c: Case): number {
    const subject = this.#expandString(c.word);
    for (const item of c.items) {
      for (const p of item.patterns) {
        if (segmentRegExp(this.#expandPattern(p), true).test(subject)) {
          return item.body.items.length === 0 ? 0 : this.runList(item.body);
        }
      }
    }
    return 0;
  }

  #simple(c: Simple): number {
    const words = this.#expandWords(c.words);
    if (this.options.has("x")) this.#xtrace(c, words);
    if (words.length === 0) {
      // Assignments alone change this shell; a redirection alone still opens (and creates).
      for (const a of c.assigns) this.setVar(a.name, this.#expandString(a.value));
      return this.#withRedirs(c.redirs, c.line, () => 0);
    }
    const fn = this.functions.get(words[0]);
    if (fn !== undefined) return this.#withRedirs(c.redirs, c.line, () => this.#call(fn, words));
    const builtin = BUILTINS.get(words[0]);
    if (builtin !== undefined) {
      return this.#withRedirs(c.redirs, c.line, () => {
        try {
          return builtin(this, words);
        } catch (err) {
          if (!(err instanceof ErrnoError)) throw err;
          eprint(`${this.name}: ${c.line}: ${words[0]}: ${strerror(err.errno)}`);
          return 2;
        }
      });
    }
    return this.#runJob([c], [words]);
  }

  #call(fn: FuncDef, words: string[]): number {
    const savedArgs = this.args;
    this.args = words.slice(1);
    this.#frames.push(new Map());
    try {
      return this.#command(fn.body);
    } catch (err) {
      if (err instanceof ReturnSignal) return err.status;
      throw err;
    } finally {
      for (const [name, value] of this.#frames.pop()!) {
        if (value === undefined) this.vars.delete(name);
        else this.vars.set(name, value);
      }
      this.args = savedArgs;
    }
  }

  inFunction(): boolean {
    return this.#frames.length > 0;
  }

  /** `local NAME`: NAME gets its present value back when the function returns. */
  makeLocal(name: string): void {
    const frame = this.#frames[this.#frames.length - 1];
    if (!frame.has(name)) frame.set(name, this.vars.get(name));
  }

  #xtrace(c: Simple, words: string[]): void {
    const assigns = c.assigns.map((a) => `${a.name}=${this.#expandString(a.value)}`);
    eprint(`+ ${[...assigns, ...words].join(" ")}`);
  }

  // --- redirections ---

  /** Apply redirections to our own fds around `fn`, then put them back. */
  #withRedirs(redirs: Redir[], line: number, fn: () => number): number {
    if (redirs.length === 0) return fn();
    const saved: Array<[number, number]> = [];
    const opened: number[] = [];
    try {
      for (const r of redirs) {
        const src = this.#redirSource(r, line, opened);
        if (src === undefined) return 2;
        let backup = -1;
        try {
          backup = dup(r.fd);
          saved.push([r.fd, backup]);
        } catch {
          saved.push([r.fd, -1]);
        }
        if (src === -1) {
          try {
            close(r.fd);
          } catch { /* already closed */ }
        } else {
          dup2(src, r.fd);
        }
      }
      return fn();
    } finally {
      stdout().flush();
      for (const [fd, backup] of saved.reverse()) {
        if (backup >= 0) {
          dup2(backup, fd);
          close(backup);
        } else {
          try {
            close(fd);
          } catch { /* was closed before */ }
        }
      }
      for (const fd of opened) close(fd);
    }
  }

  /** The fd a redirection reads from (-1: close the target), or undefined after an error. */
  #redirSource(r: Redir, line: number, opened: number[]): number | undefined {
    if (r.op === "<<") return this.#heredoc(r, opened);
    const target = this.#expandString(r.target);
    if (r.op === ">&" || r.op === "<&") {
      if (target === "-") return -1;
      if (!/^\d+$/.test(target)) {
        eprint(`${this.name}: ${line}: Syntax error: Bad fd number`);
        return undefined;
      }
      return Number(target);
    }
    const flags = r.op === "<"
      ? O.RDONLY
      : r.op === "<>"
      ? O.RDWR | O.CREAT
      : r.op === ">>"
      ? O.WRONLY | O.CREAT | O.APPEND
      : O.WRONLY | O.CREAT | O.TRUNC;
    try {
      const fd = open(target, flags | O.CLOEXEC, 0o666);
      opened.push(fd);
      return fd;
    } catch (err) {
      const errno = err instanceof ErrnoError ? err.errno : Errno.EIO;
      const verb = r.op === "<" ? "cannot open" : "cannot create";
      const why = errno === Errno.ENOENT && r.op !== "<"
        ? "Directory nonexistent"
        : strerror(errno);
      eprint(`${this.name}: ${line}: ${verb} ${target}: ${why}`);
      return undefined;
    }
  }

  /** A here-document's body, readable from the fd returned: a pipe, or an unlinked file in /tmp when large. */
  #heredoc(r: Redir, opened: number[]): number {
    const body = new TextEncoder().encode(this.#expandString(r.target));
    if (body.length <= HEREDOC_PIPE_MAX) {
      const [rd, wr] = pipe(O.CLOEXEC);
      opened.push(rd);
      try {
        for (let done = 0; done < body.length;) done += write(wr, body.subarray(done));
      } finally {
        close(wr);
      }
      return rd;
    }
    const path = `/tmp/.sh-heredoc-${getpid()}-${Math.random().toString(36).slice(2)}`;
    const wr = open(path, O.WRONLY | O.CREAT | O.EXCL | O.CLOEXEC, 0o600);
    try {
      for (let done = 0; done < body.length;) done += write(wr, body.subarray(done));
    } finally {
      close(wr);
    }
    const rd = open(path, O.RDONLY | O.CLOEXEC);
    opened.push(rd);
    unlinkQuietly(path); // the open fd keeps the data until the command is done with it
    return rd;
  }

  // --- jobs ---

  /**
   * Run commands joined by pipes as one job; returns the last one's status.
   * `expanded[i]`, when given, are command i's words already expanded.
   */
  #runJob(cmds: Command[], expanded: Array<string[] | undefined> = []): number {
    const pids: number[] = [];
    let prevRead = -1;
    let pgid = 0;
    let failed = 0; // the last command's status when it could not start
    for (let i = 0; i < cmds.length; i++) {
      const last = i === cmds.length - 1;
      let pr = -1;
      let pw = -1;
      if (!last) [pr, pw] = pipe(O.CLOEXEC);
      const actions: FileActionSpec[] = [];
      if (prevRead >= 0) actions.push({ kind: FileAction.DUP2, fd: prevRead, fd2: 0 });
      if (pw >= 0) actions.push({ kind: FileAction.DUP2, fd: pw, fd2: 1 });
      const pid = this.#startCommand(cmds[i], expanded[i], actions, pgid);
      if (prevRead >= 0) close(prevRead);
      if (pw >= 0) close(pw);
      prevRead = pr;
      if (pid > 0) {
        pids.push(pid);
        if (pgid === 0) pgid = pid;
      } else if (last) {
        failed = -pid;
      }
      if (last && pid > 0) failed = 0;
    }
    if (pids.length === 0) return failed === 0 ? 127 : failed;
    const fg = this.interactive && isatty(0);
    if (fg) this.#foreground(pgid);
    let status = failed;
    const lastStarted = failed !== 0 ? -1 : pids[pids.length - 1];
    try {
      for (const pid of pids) {
        const [, ws] = waitpid(pid, 0);
        if (pid === lastStarted) status = this.#statusOf(ws);
      }
    } finally {
      if (fg) this.#foreground(this.#ownGroup);
    }
    return status;
  }

  #foreground(pgid: number): void {
    try {
      ioctl(0, TIOCSPGRP, pgid);
    } catch {
      // not a terminal after all
    }
  }

  #statusOf(ws: number): number {
    if (WIFEXITED(ws)) return WEXITSTATUS(ws);
    const sig = WTERMSIG(ws);
    if (this.interactive && sig !== Sig.SIGINT && sig !== Sig.SIGPIPE) eprint(sigDescription(sig));
    else if (this.interactive && sig === Sig.SIGINT) eprint("");
    return 128 + sig;
  }

  /** Spawn one command of a job; returns its pid, or -status if it could not start. */
  #startCommand(
    c: Command,
    expanded: string[] | undefined,
    pipeActions: FileActionSpec[],
    pgid: number,
  ): number {
    this.line = c.line;
    if (c.kind === "subshell") {
      // The child runs the list; the subshell's redirections are the spawn's file actions.
      const actions = [...pipeActions];
      const opened: number[] = [];
      try {
        if (!this.#redirActions(c.redirs, c.line, opened, actions)) return -1;
        return this.#spawnShell(c.listText, actions, pgid, c.line, false);
      } finally {
        for (const fd of opened) close(fd);
      }
    }
    if (c.kind !== "simple") return this.#spawnShell(c.text, pipeActions, pgid, c.line, false);
    const words = expanded ?? this.#expandWords(c.words);
    if (words.length === 0 || BUILTINS.has(words[0]) || this.functions.has(words[0])) {
      // Builtins and functions inside a pipeline run in a child shell.
      return this.#spawnShell(c.text, pipeActions, pgid, c.line, false);
    }
    if (expanded === undefined && this.options.has("x")) this.#xtrace(c, words);
    const env = this.#childEnv(c);
    const opened: number[] = [];
    const actions = [...pipeActions];
    try {
      if (!this.#redirActions(c.redirs, c.line, opened, actions)) return -1;
      return this.#spawn(words, actions, pgid, c.line, false, env);
    } finally {
      for (const fd of opened) close(fd);
    }
  }

  /** Redirections as spawn file actions (fds it opens go to `opened`); false after an error. */
  #redirActions(
    redirs: Redir[],
    line: number,
    opened: number[],
    actions: FileActionSpec[],
  ): boolean {
    for (const r of redirs) {
      const src = this.#redirSource(r, line, opened);
      if (src === undefined) return false;
      actions.push(
        src === -1
          ? { kind: FileAction.CLOSE, fd: r.fd, fd2: -1 }
          : { kind: FileAction.DUP2, fd: src, fd2: r.fd },
      );
    }
    return true;
  }

  /** A child shell running `text` with this shell's state ($0, $1..., variables, functions). */
  #spawnShell(
    text: string,
    actions: FileActionSpec[],
    pgid: number,
    line: number,
    background: boolean,
  ): number {
    const argv = ["sh", "-c", text, this.name, ...this.args];
    return this.#spawn(argv, actions, pgid, line, background, [
      ...this.environ(),
      this.#childState(),
    ]);
  }

  #spawn(
    argv: string[],
    actions: FileActionSpec[],
    pgid: number,
    line: number,
    background: boolean,
    env?: string[],
  ): number {
    stdout().flush();
    try {
      return spawnp(argv, {
        env: env ?? this.environ(),
        actions,
        pgid: background ? 0 : pgid,
        sigDefault: this.interactive ? JOB_SIGDEFAULT : 0,
      });
    } catch (err) {
      const errno = err instanceof ErrnoError ? err.errno : Errno.EIO;
      if (errno === Errno.ENOENT) {
        eprint(`${this.name}: ${line}: ${argv[0]}: not found`);
        return -127;
      }
      eprint(`${this.name}: ${line}: ${argv[0]}: ${strerror(errno)}`);
      return -126;
    }
  }

  #childEnv(c: Simple): string[] {
    const env = new Map<string, string>();
    for (const name of this.exported) {
      const v = this.vars.get(name);
      if (v !== undefined) env.set(name, v);
    }
    for (const a of c.assigns) env.set(a.name, this.#expandString(a.value));
    return [...env].map(([k, v]) => `${k}=${v}`);
  }

  environ(): string[] {
    const out: string[] = [];
    for (const name of this.exported) {
      const v = this.vars.get(name);
      if (v !== undefined) out.push(`${name}=${v}`);
    }
    return out;
  }

  setVar(name: string, value: string): void {
    this.vars.set(name, value);
  }

  /** Reap finished background jobs (before each prompt). */
  reapJobs(): void {
    for (const [pid, src] of this.jobs) {
      try {
        const [done, ws] = waitpid(pid, WNOHANG);
        if (done === 0) continue;
        this.jobs.delete(pid);
        if (this.interactive) {
          eprint(`[done] ${WIFEXITED(ws) ? "" : sigDescription(WTERMSIG(ws)) + " "}${src}`);
        }
      } catch {
        this.jobs.delete(pid);
      }
    }
  }

  /** Take the terminal: our group is the foreground one between jobs. */
  setOwnGroup(): void {
    this.#ownGroup = getpgrp();
    this.#foreground(this.#ownGroup);
  }

  // --- expansion ---

  #param(name: string): string | undefined {
    switch (name) {
      case "?":
        return String(this.status);
      case "$":
        return String(getpid());
      case "!":
        return this.lastBackground === 0 ? "" : String(this.lastBackground);
      case "#":
        return String(this.args.length);
      case "0":
        return this.name;
      case "@":
      case "*":
        return this.args.join(" ");
      case "-":
        return [...this.options].join("") + (this.interactive ? "i" : "");
    }
    if (/^\d+$/.test(name)) return this.args[Number(name) - 1];
    return this.vars.get(name);
  }

  #paramValue(p: Extract<Word[number], { kind: "param" }>): string {
    const v = this.#param(p.name);
    const op = p.op;
    if (op === undefined || op === "len") {
      if (v === undefined && this.options.has("u") && !"@*".includes(p.name)) {
        eprint(`${this.name}: ${this.line}: ${p.name}: parameter not set`);
        throw new ExitShell(2);
      }
      return op === "len" ? String((v ?? "").length) : v ?? "";
    }
    const unsetOrEmpty = op.startsWith(":") ? v === undefined || v === "" : v === undefined;
    const arg = () => this.#expandString(p.arg ?? []);
    switch (op.replace(":", "")) {
      case "-":
        return unsetOrEmpty ? arg() : v!;
      case "=":
        if (unsetOrEmpty) this.setVar(p.name, arg());
        return this.vars.get(p.name) ?? "";
      case "+":
        return unsetOrEmpty ? "" : arg();
      case "?":
        if (unsetOrEmpty) {
          eprint(`${this.name}: ${this.line}: ${p.name}: ${arg() || "parameter not set"}`);
          throw new ExitShell(2);
        }
        return v!;
      case "#":
      case "##":
      case "%":
      case "%%":
        return trimPattern(v ?? "", this.#expandPattern(p.arg ?? []), op);
    }
    return v ?? "";
  }

  #arith(expr: Word): string {
    const text = this.#expandString(expr);
    try {
      return String(
        evaluate(text, { get: (n) => this.vars.get(n), set: (n, v) => this.setVar(n, v) }),
      );
    } catch (err) {
      if (!(err instanceof ArithError)) throw err;
      eprint(`${this.name}: ${this.line}: arithmetic expression: ${err.message}`);
      throw new ExitShell(2);
    }
  }

  #substitute(src: string): string {
    const [r, w] = pipe(O.CLOEXEC);
    const pid = this.#spawnShell(
      src,
      [{ kind: FileAction.DUP2, fd: w, fd2: 1 }],
      0,
      this.line,
      false,
    );
    close(w);
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = read(r, buf);
      if (n === 0) break;
      chunks.push(buf.slice(0, n));
    }
    close(r);
    if (pid > 0) this.status = this.#statusOf(waitpid(pid, 0)[1]);
    const text = new TextDecoder().decode(concat(chunks));
    return text.replace(/\n+$/, "");
  }

  /** A part's value when it is not a literal. */
  #partValue(p: Exclude<Word[number], { kind: "lit" }>): string {
    if (p.kind === "param") return this.#paramValue(p);
    if (p.kind === "arith") return this.#arith(p.expr);
    return this.#substitute(p.src);
  }

  /**
   * Expand words into fields: parameter expansion, command substitution,
   * arithmetic, field splitting of unquoted results, then pathname
   * expansion. Each field carries a glob pattern beside its text, where
   * what was quoted is escaped.
   */
  #expandWords(words: Word[]): string[] {
    const out: string[] = [];
    const ifs = this.vars.get("IFS") ?? " \t\n";
    for (const word of words) {
      const fields: Array<{ text: string; pat: string }> = [];
      let cur = { text: "", pat: "" };
      let hasQuoted = false;
      let started = false;
      const add = (text: string, quoted: boolean) => {
        cur.text += text;
        cur.pat += quoted ? escapeGlob(text) : text;
      };
      const cut = () => {
        fields.push(cur);
        cur = { text: "", pat: "" };
      };
      for (const p of word) {
        if (p.kind === "lit") {
          add(p.text, p.quoted);
          if (p.quoted) hasQuoted = true;
          started = true;
          continue;
        }
        if (p.kind === "param" && p.quoted && p.name === "@" && p.op === undefined) {
          hasQuoted = true;
          this.args.forEach((a, i) => {
            if (i > 0) cut();
            add(a, true);
          });
          started = this.args.length > 0 || started;
          continue;
        }
        const value = this.#partValue(p);
        if (p.quoted) {
          add(value, true);
          hasQuoted = true;
          started = true;
          continue;
        }
        const pieces = splitFields(value, ifs);
        if (pieces.length === 0) continue;
        if (/^[ \t\n]/.test(value) && ifs.includes(value[0]) && (cur.text !== "" || started)) cut();
        add(pieces[0], false);
        for (const piece of pieces.slice(1)) {
          cut();
          add(piece, false);
        }
        if (/[ \t\n]$/.test(value) && ifs.includes(value[value.length - 1])) {
          cut();
          started = false;
          continue;
        }
        started = true;
      }
      if (cur.text !== "" || hasQuoted || started) fields.push(cur);
      const kept = fields.filter((f, i) => f.text !== "" || hasQuoted || i < fields.length - 1);
      for (const f of kept) {
        if (!this.options.has("f") && hasGlob(f.pat)) out.push(...glob(f.pat));
        else out.push(f.text);
      }
    }
    return out;
  }

  /** Expand a word to one string (assignments, redirection targets, case subjects). */
  #expandString(word: Word): string {
    let s = "";
    for (const p of word) s += p.kind === "lit" ? p.text : this.#partValue(p);
    return s;
  }

  /** Expand a word as a pattern: what was quoted matches itself only. */
  #expandPattern(word: Word): string {
    let s = "";
    for (const p of word) {
      const text = p.kind === "lit" ? p.text : this.#partValue(p);
      s += p.quoted ? escapeGlob(text) : text;
    }
    return s;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlink(path);
  } catch {
    // already gone
  }
}

function splitFields(value: string, ifs: string): string[] {
  if (ifs === "") return [value];
  const ws = [...ifs].filter((c) => " \t\n".includes(c)).join("");
  const re = new RegExp(`[${escapeClass(ws)}]+`);
  return value.split(re).filter((f) => f !== "");
}

function escapeClass(s: string): string {
  return s.replace(/[\]\\^-]/g, "\\$&").replace(/\t/g, "\\t").replace(/\n/g, "\\n");
}

/** ${v#p} ${v##p} ${v%p} ${v%%p}: the shortest or longest match of `pattern` removed. */
function trimPattern(v: string, pattern: string, op: string): string {
  const re = segmentRegExp(pattern, true);
  const cuts = [...Array(v.length + 1).keys()];
  if (op.startsWith("#")) {
    for (const n of op === "##" ? cuts.reverse() : cuts) {
      if (re.test(v.slice(0, n))) return v.slice(n);
    }
    return v;
  }
  for (const n of op === "%%" ? cuts : cuts.reverse()) {
    if (re.test(v.slice(n))) return v.slice(0, n);
  }
  return v;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function isBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}
