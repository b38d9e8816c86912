// The shell's interpreter: expansion, redirection, pipelines, builtins.
//
// Commands run as separate processes (posix_spawn: there is no fork), so a
// pipeline is N spawns joined by pipes in one process group, and a
// redirection becomes a file action of the spawn. Builtins run inside the
// shell, with redirections applied to the shell's own fds and undone after.
// Messages and exit statuses follow dash (Debian's /bin/sh).

import {
  chdir,
  close,
  dup,
  dup2,
  environ,
  eprint,
  Errno,
  ErrnoError,
  execve,
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
  readAllText,
  Sig,
  sigDescription,
  spawnp,
  stdout,
  strerror,
  umask,
  waitpid,
  WEXITSTATUS,
  which,
  WIFEXITED,
  WNOHANG,
  WTERMSIG,
} from "../lib/mod.ts";
import type { AndOr, Command, List, Pipeline, Redir, Simple, Word } from "./ast.ts";
import { parse, SyntaxError } from "./parser.ts";
import { escapeGlob, glob, hasGlob } from "./glob.ts";

const TIOCSPGRP = 0x5410;
/** Signals a job gets back at their defaults though the shell ignores them. */
const JOB_SIGDEFAULT = (1 << Sig.SIGINT) | (1 << Sig.SIGQUIT) | (1 << Sig.SIGTSTP);

/** Leaves the shell with a status (the exit builtin, or a fatal error in a script). */
export class ExitShell {
  constructor(readonly status: number) {}
}

type Builtin = (sh: Shell, args: string[]) => number;

export class Shell {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  status = 0;
  lastBackground = 0;
  name = "sh";
  args: string[] = [];
  interactive = false;
  readonly jobs = new Map<number, string>();
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
  }

  /** Run source text; syntax errors print as dash prints them. */
  runSource(src: string, line = 1): number {
    let list: List;
    try {
      list = parse(src, line);
    } catch (err) {
      if (err instanceof SyntaxError) {
        eprint(`${this.name}: ${err.line}: ${err.message}`);
        this.status = 2;
        if (!this.interactive) throw new ExitShell(2);
        return 2;
      }
      throw err;
    }
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
    this.status = this.#pipeline(ao.first);
    for (const { op, pipeline } of ao.rest) {
      if ((op === "&&") === (this.status === 0)) this.status = this.#pipeline(pipeline);
    }
    return this.status;
  }

  #background(ao: AndOr): void {
    // A background job is a child shell running just that and-or list.
    const src = this.#render(ao);
    const pid = this.#spawn(["sh", "-c", src], [], 0, ao.first.cmds[0]?.line ?? 0, true);
    if (pid > 0) {
      this.lastBackground = pid;
      this.jobs.set(pid, src);
      if (this.interactive) eprint(`[${this.jobs.size}] ${pid}`);
    }
    this.status = 0;
  }

  /** Reconstruct source text for a background list (a child shell re-parses it). */
  #render(ao: AndOr): string {
    const word = (w: Word) =>
      w.map((p) => {
        if (p.kind === "lit") return p.quoted ? `'${p.text.replace(/'/g, "'\\''")}'` : p.text;
        if (p.kind === "param") return p.quoted ? `"\${${p.name}}"` : `\${${p.name}}`;
        return `$(${p.src})`;
      }).join("");
    const redir = (r: Redir) => `${r.fd}${r.op}${word(r.target)}`;
    const cmd = (c: Command): string =>
      c.kind === "simple"
        ? [
          ...c.assigns.map((a) => `${a.name}=${word(a.value)}`),
          ...c.words.map(word),
          ...c.redirs.map(redir),
        ].join(" ")
        : c.kind === "subshell"
        ? `(${this.#renderList(c.list)}) ${c.redirs.map(redir).join(" ")}`
        : `{ ${this.#renderList(c.list)}; } ${c.redirs.map(redir).join(" ")}`;
    const pipeline = (p: Pipeline) => (p.bang ? "! " : "") + p.cmds.map(cmd).join(" | ");
    return [pipeline(ao.first), ...ao.rest.map((r) => `${r.op} ${pipeline(r.pipeline)}`)].join(" ");
  }

  #renderList(list: List): string {
    return list.items.map((i) => this.#render(i.andOr) + (i.background ? " &" : "")).join("; ");
  }

  #pipeline(p: Pipeline): number {
    let status: number;
    const only = p.cmds.length === 1 ? p.cmds[0] : undefined;
    if (only !== undefined && only.kind === "brace") {
      status = this.#withRedirs(only.redirs, only.line, () => this.runList(only.list));
    } else if (only !== undefined && only.kind === "simple" && this.#isInShell(only)) {
      status = this.#simpleInShell(only);
    } else {
      status = this.#runJob(p.cmds);
    }
    return p.bang ? (status === 0 ? 1 : 0) : status;
  }

  #isInShell(c: Simple): boolean {
    if (c.words.length === 0) return true;
    const first = c.words[0];
    const name = first.length === 1 && first[0].kind === "lit" ? first[0].text : undefined;
    return name !== undefined && BUILTINS.has(name);
  }

  /** A builtin, or assignments alone, run in this shell. */
  #simpleInShell(c: Simple): number {
    const words = this.#expandWords(c.words);
    if (words.length === 0) {
      for (const a of c.assigns) this.setVar(a.name, this.#expandString(a.value));
      return this.#withRedirs(c.redirs, c.line, () => 0);
    }
    const builtin = BUILTINS.get(words[0])!;
    return this.#withRedirs(c.redirs, c.line, () => {
      try {
        return builtin(this, words);
      } catch (err) {
        if (err instanceof ExitShell) throw err;
        eprint(
          `${this.name}: ${c.line}: ${words[0]}: ${
            err instanceof ErrnoError ? strerror(err.errno) : String(err)
          }`,
        );
        return 2;
      }
    });
  }

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

  /** Run commands joined by pipes as one job; returns the last one's status. */
  #runJob(cmds: Command[]): number {
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
      const pid = this.#startCommand(cmds[i], actions, pgid);
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
  #startCommand(c: Command, pipeActions: FileActionSpec[], pgid: number): number {
    if (c.kind !== "simple" || this.#isInShell(c)) {
      // Groups and builtins inside a pipeline run in a child shell.
      const src = this.#render({ first: { bang: false, cmds: [c] }, rest: [] });
      return this.#spawn(["sh", "-c", src], pipeActions, pgid, c.line, false);
    }
    const words = this.#expandWords(c.words);
    const env = this.#childEnv(c);
    const opened: number[] = [];
    const actions = [...pipeActions];
    try {
      for (const r of c.redirs) {
        const src = this.#redirSource(r, c.line, opened);
        if (src === undefined) return -1;
        actions.push(
          src === -1
            ? { kind: FileAction.CLOSE, fd: r.fd, fd2: -1 }
            : { kind: FileAction.DUP2, fd: src, fd2: r.fd },
        );
      }
      return this.#spawn(words, actions, pgid, c.line, false, env);
    } finally {
      for (const fd of opened) close(fd);
    }
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
        return this.interactive ? "i" : "";
    }
    if (/^\d+$/.test(name)) return this.args[Number(name) - 1];
    return this.vars.get(name);
  }

  #paramValue(p: Extract<Word[number], { kind: "param" }>): string {
    const v = this.#param(p.name);
    const op = p.op;
    if (op === undefined) return v ?? "";
    if (op === "len") return String((v ?? "").length);
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
          eprint(`${this.name}: ${p.name}: ${arg() || "parameter not set"}`);
          throw new ExitShell(2);
        }
        return v!;
      case "#":
      case "##":
      case "%":
      case "%%":
        return trimPattern(v ?? "", arg(), op);
    }
    return v ?? "";
  }

  #substitute(src: string): string {
    const [r, w] = pipe(O.CLOEXEC);
    const pid = this.#spawn(
      ["sh", "-c", src],
      [{ kind: FileAction.DUP2, fd: w, fd2: 1 }],
      0,
      0,
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

  /**
   * Expand words into fields: parameter expansion, command substitution,
   * field splitting of unquoted results, then pathname expansion. Each field
   * carries a glob pattern beside its text, where what was quoted is escaped.
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
        const value = p.kind === "param" ? this.#paramValue(p) : this.#substitute(p.src);
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
        if (hasGlob(f.pat)) out.push(...glob(f.pat));
        else out.push(f.text);
      }
    }
    return out;
  }

  /** Expand a word to one string (assignments, redirection targets). */
  #expandString(word: Word): string {
    let s = "";
    for (const p of word) {
      if (p.kind === "lit") s += p.text;
      else if (p.kind === "param") s += this.#paramValue(p);
      else s += this.#substitute(p.src);
    }
    return s;
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

function trimPattern(v: string, pattern: string, op: string): string {
  const re = globToRegExp(pattern, op === "##" || op === "%%");
  if (op.startsWith("#")) {
    const candidates = [...Array(v.length + 1).keys()];
    const order = op === "##" ? candidates.reverse() : candidates;
    for (const n of order) if (re.test(v.slice(0, n))) return v.slice(n);
    return v;
  }
  const candidates = [...Array(v.length + 1).keys()];
  const order = op === "%%" ? candidates : candidates.reverse();
  for (const n of order) if (re.test(v.slice(n))) return v.slice(0, n);
  return v;
}

function globToRegExp(glob: string, _greedy: boolean): RegExp {
  let re = "^";
  for (const c of glob) {
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(re + "$", "s");
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

// --- builtins ---

const BUILTINS = new Map<string, Builtin>([
  [":", () => 0],
  ["true", () => 0],
  ["false", () => 1],
  ["exit", (sh, args) => {
    const code = args.length > 1 ? Number(args[1]) : sh.status;
    if (!Number.isInteger(code)) {
      eprint(`${sh.name}: 1: exit: Illegal number: ${args[1]}`);
      throw new ExitShell(2);
    }
    throw new ExitShell(code & 0xff);
  }],
  ["export", (sh, args) => {
    if (args.length === 1) {
      for (const name of [...sh.exported].sort()) {
        stdout().line(`export ${name}='${sh.vars.get(name) ?? ""}'`);
      }
      return 0;
    }
    for (const a of args.slice(1)) {
      const i = a.indexOf("=");
      const name = i < 0 ? a : a.slice(0, i);
      if (i >= 0) sh.setVar(name, a.slice(i + 1));
      sh.exported.add(name);
    }
    return 0;
  }],
  ["unset", (sh, args) => {
    for (const name of args.slice(1)) {
      sh.vars.delete(name);
      sh.exported.delete(name);
    }
    return 0;
  }],
  ["cd", (sh, args) => {
    const dir = args[1] ?? sh.vars.get("HOME") ?? "/";
    try {
      chdir(dir);
    } catch (err) {
      eprint(`${sh.name}: 1: cd: can't cd to ${dir}`);
      void err;
      return 2;
    }
    return 0;
  }],
  ["shift", (sh, args) => {
    const n = args.length > 1 ? Number(args[1]) : 1;
    if (!Number.isInteger(n) || n < 0 || n > sh.args.length) return 2;
    sh.args = sh.args.slice(n);
    return 0;
  }],
  ["wait", (sh, args) => {
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
  }],
  ["exec", (sh, args) => {
    if (args.length === 1) return 0;
    stdout().flush();
    try {
      const path = which(args[1]);
      if (path === undefined) throw new ErrnoError(Errno.ENOENT, args[1]);
      execve(path, args.slice(1), sh.environ());
    } catch (err) {
      const errno = err instanceof ErrnoError ? err.errno : Errno.EIO;
      eprint(
        `${sh.name}: 1: exec: ${args[1]}: ${
          errno === Errno.ENOENT ? "not found" : strerror(errno)
        }`,
      );
      throw new ExitShell(errno === Errno.ENOENT ? 127 : 126);
    }
    return 0;
  }],
  ["read", (sh, args) => {
    const names = args.slice(1).filter((a) => !a.startsWith("-"));
    const raw = args.includes("-r");
    const bytes: number[] = [];
    const one = new Uint8Array(1);
    let eof = true;
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
    const fields = line.trim().split(/[ \t]+/);
    const targets = names.length === 0 ? ["REPLY"] : names;
    targets.forEach((name, i) => {
      const value = i === targets.length - 1 ? fields.slice(i).join(" ") : (fields[i] ?? "");
      sh.setVar(name, value);
    });
    return eof && bytes.length === 0 ? 1 : eof ? 1 : 0;
  }],
  ["umask", (_sh, args) => {
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
      eprint(`sh: 1: umask: Illegal mode: ${value}`);
      return 2;
    }
    umask(parseInt(value, 8));
    return 0;
  }],
  [".", (sh, args) => {
    const path = args[1];
    if (path === undefined) return 0;
    let text: string;
    try {
      const fd = open(path.includes("/") ? path : path, O.RDONLY | O.CLOEXEC);
      try {
        text = readAllText(fd);
      } finally {
        close(fd);
      }
    } catch (err) {
      eprint(
        `${sh.name}: 1: .: cannot open ${path}: ${
          err instanceof ErrnoError ? strerror(err.errno) : String(err)
        }`,
      );
      throw new ExitShell(2);
    }
    return sh.runSource(text);
  }],
  ["set", (sh, args) => {
    if (args[1] === "--") sh.args = args.slice(2);
    else if (args.length > 1 && !args[1].startsWith("-")) sh.args = args.slice(1);
    else if (args.length === 1) {
      for (const [k, v] of [...sh.vars].sort(([a], [b]) => (a < b ? -1 : 1))) {
        stdout().line(`${k}='${v}'`);
      }
    }
    return 0;
  }],
  ["pwd", () => {
    stdout().line(getcwd());
    return 0;
  }],
  ["jobs", (sh) => {
    let n = 1;
    for (const [pid, src] of sh.jobs) stdout().line(`[${n++}] ${pid} Running ${src}`);
    return 0;
  }],
]);

export function isBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}
