// The shell's parser: tokens to a syntax tree (ast.ts), POSIX sh grammar.
//
//   list      := and_or ((';' | '&' | NL) and_or)*
//   and_or    := pipeline (('&&' | '||') NL* pipeline)*
//   pipeline  := ['!'] command ('|' NL* command)*
//   command   := simple | compound redir* | NAME '(' ')' NL* compound
//   compound  := '(' list ')' | '{' list '}' | if | while | until | for | case
//   if        := 'if' list 'then' list ('elif' list 'then' list)* ['else' list] 'fi'
//   while     := ('while' | 'until') list 'do' list 'done'
//   for       := 'for' NAME [NL* 'in' word*] (';' | NL) NL* 'do' list 'done'
//   case      := 'case' word NL* 'in' NL* (['('] word ('|' word)* ')' list [';;'] NL*)* 'esac'
//   simple    := (assignment | word | redir)+
//
// Reserved words count only where a command may start, and only unquoted.
// An error at the end of the input is marked incomplete (more lines may
// finish the command).

import type {
  AndOr,
  Assign,
  Case,
  Command,
  For,
  FuncDef,
  Group,
  If,
  List,
  Loop,
  Pipeline,
  Redir,
  Simple,
  Word,
} from "./ast.ts";
import { Lexer, SyntaxError, type Token } from "./lexer.ts";

export { SyntaxError };

const RESERVED = new Set([
  "if",
  "then",
  "elif",
  "else",
  "fi",
  "do",
  "done",
  "case",
  "esac",
  "while",
  "until",
  "for",
  "in",
  "{",
  "}",
  "!",
]);

/** Parse a whole script or -c string. */
export function parse(src: string, line = 1): List {
  const p = new Parser(src, line);
  const list = p.list([]);
  p.expectEnd();
  return list;
}

class Parser {
  readonly #lx: Lexer;
  #peeked?: Token;
  #lastEnd = 0;

  constructor(readonly src: string, line: number) {
    this.#lx = new Lexer(src, (inner, l) => void parse(inner, l));
    this.#lx.line = line;
  }

  #peek(): Token {
    this.#peeked ??= this.#lx.next();
    return this.#peeked;
  }

  #take(): Token {
    const t = this.#peek();
    this.#peeked = undefined;
    this.#lastEnd = t.end;
    return t;
  }

  #isOp(op: string): boolean {
    const t = this.#peek();
    return t.t === "op" && t.op === op;
  }

  /** The next token is the unquoted word `text`. */
  #isWord(text: string): boolean {
    const t = this.#peek();
    return t.t === "word" && t.raw === text;
  }

  #isReserved(): boolean {
    const t = this.#peek();
    return t.t === "word" && RESERVED.has(t.raw);
  }

  #skipNewlines(): void {
    while (this.#peek().t === "nl") this.#take();
  }

  #error(t: Token, expecting?: string): SyntaxError {
    const what = `Syntax error: ${describe(t)} unexpected${
      expecting === undefined ? "" : ` (expecting "${expecting}")`
    }`;
    return new SyntaxError(t.line, what, t.t === "eof");
  }

  #expectWord(word: string): void {
    if (!this.#isWord(word)) throw this.#error(this.#peek(), word);
    this.#take();
  }

  #expectOp(op: string): void {
    const t = this.#take();
    if (t.t !== "op" || t.op !== op) throw this.#error(t, op);
  }

  expectEnd(): void {
    const t = this.#peek();
    if (t.t !== "eof") throw this.#error(t);
  }

  /** Is the next token one that ends the list being read (a closer, or ")" in a subshell)? */
  #atCloser(closers: string[]): boolean {
    const t = this.#peek();
    if (t.t === "op") return closers.includes(t.op);
    return t.t === "word" && closers.includes(t.raw);
  }

  /**
   * A list up to (not including) one of `closers` (reserved words, ")" or
   * ";;"), or the end of the input when `closers` is empty.
   */
  list(closers: string[]): List {
    const items: List["items"] = [];
    this.#skipNewlines();
    for (;;) {
      const t = this.#peek();
      if (t.t === "eof" || this.#atCloser(closers)) break;
      const andOr = this.#andOr();
      let background = false;
      if (this.#isOp("&")) {
        this.#take();
        background = true;
      } else if (this.#isOp(";")) {
        this.#take();
      } else {
        const u = this.#peek();
        if (u.t !== "nl" && u.t !== "eof" && !this.#atCloser(closers)) throw this.#error(u);
      }
      items.push({ andOr, background });
      this.#skipNewlines();
    }
    return { items };
  }

  /** A list that must end at one of `closers` and have at least one command. */
  #body(closers: string[]): List {
    const list = this.list(closers);
    const t = this.#peek();
    if (!this.#atCloser(closers)) throw this.#error(t, closers[closers.length - 1]);
    if (list.items.length === 0) throw this.#error(t);
    return list;
  }

  #andOr(): AndOr {
    const start = this.#peek().start;
    const first = this.#pipeline();
    const rest: AndOr["rest"] = [];
    while (this.#isOp("&&") || this.#isOp("||")) {
      const op = (this.#take() as { op: "&&" | "||" }).op;
      this.#skipNewlines();
      rest.push({ op, pipeline: this.#pipeline() });
    }
    return { first, rest, text: this.src.slice(start, this.#lastEnd) };
  }

  #pipeline(): Pipeline {
    let bang = false;
    if (this.#isWord("!")) {
      this.#take();
      bang = true;
    }
    const cmds = [this.#command()];
    while (this.#isOp("|")) {
      this.#take();
      this.#skipNewlines();
      cmds.push(this.#command());
    }
    return { bang, cmds };
  }

  #command(): Command {
    const t = this.#peek();
    const compound = this.#compound();
    if (compound !== undefined) return compound;
    if (t.t === "word" && RESERVED.has(t.raw) && t.raw !== "!") throw this.#error(t);
    return this.#simple();
  }

  /** A compound command with its redirections, or undefined if none starts here. */
  #compound(): Exclude<Command, Simple | FuncDef> | undefined {
    const t = this.#peek();
    const line = t.line;
    const start = t.start;
    const done = <C extends { redirs: Redir[]; text: string }>(c: Omit<C, "redirs" | "text">) => {
      const redirs = this.#redirs();
      return { ...c, redirs, text: this.src.slice(start, this.#lastEnd) } as C;
    };
    if (t.t === "op" && t.op === "(") {
      this.#take();
      const from = this.#lastEnd;
      const list = this.#body([")"]);
      const listText = this.src.slice(from, this.#peek().start);
      this.#expectOp(")");
      return done<Group>({ kind: "subshell", list, listText, line });
    }
    if (t.t !== "word") return undefined;
    switch (t.raw) {
      case "{": {
        this.#take();
        const from = this.#lastEnd;
        const list = this.#body(["}"]);
        const listText = this.src.slice(from, this.#peek().start);
        this.#expectWord("}");
        return done<Group>({ kind: "brace", list, listText, line });
      }
      case "if":
        return done<If>(this.#if(line));
      case "while":
      case "until": {
        this.#take();
        const cond = this.#body(["do"]);
        this.#take();
        const body = this.#body(["done"]);
        this.#take();
        return done<Loop>({ kind: t.raw, cond, body, line });
      }
      case "for":
        return done<For>(this.#for(line));
      case "case":
        return done<Case>(this.#case(line));
    }
    return undefined;
  }

  #if(line: number): Omit<If, "redirs" | "text"> {
    this.#take(); // if
    const clauses: If["clauses"] = [];
    let orElse: List | undefined;
    for (;;) {
      const cond = this.#body(["then"]);
      this.#take();
      const body = this.#body(["elif", "else", "fi"]);
      clauses.push({ cond, body });
      const closer = (this.#take() as { raw: string }).raw;
      if (closer === "elif") continue;
      if (closer === "else") {
        orElse = this.#body(["fi"]);
        this.#take();
      }
      break;
    }
    return { kind: "if", clauses, orElse, line };
  }

  #for(line: number): Omit<For, "redirs" | "text"> {
    this.#take(); // for
    const nameTok = this.#take();
    if (nameTok.t !== "word" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameTok.raw)) {
      throw new SyntaxError(
        nameTok.line,
        `Syntax error: Bad for loop variable`,
        nameTok.t === "eof",
      );
    }
    this.#skipNewlines();
    let words: Word[] | undefined;
    if (this.#isWord("in")) {
      this.#take();
      words = [];
      for (let t = this.#peek(); t.t === "word"; t = this.#peek()) {
        words.push((this.#take() as { word: Word }).word);
      }
      if (this.#isOp(";")) this.#take();
      else if (this.#peek().t !== "nl") throw this.#error(this.#peek());
    } else if (this.#isOp(";")) {
      this.#take();
    }
    this.#skipNewlines();
    this.#expectWord("do");
    const body = this.#body(["done"]);
    this.#take();
    return { kind: "for", name: nameTok.raw, words, body, line };
  }

  #case(line: number): Omit<Case, "redirs" | "text"> {
    this.#take(); // case
    const w = this.#take();
    if (w.t !== "word") throw this.#error(w);
    this.#skipNewlines();
    this.#expectWord("in");
    this.#skipNewlines();
    const items: Case["items"] = [];
    while (!this.#isWord("esac")) {
      if (this.#isOp("(")) this.#take();
      const patterns: Word[] = [];
      for (;;) {
        const p = this.#take();
        if (p.t !== "word") throw this.#error(p, ")");
        patterns.push(p.word);
        if (this.#isOp("|")) {
          this.#take();
          continue;
        }
        break;
      }
      this.#expectOp(")");
      const body = this.list([";;", "esac"]);
      items.push({ patterns, body });
      if (this.#isOp(";;")) this.#take();
      else if (!this.#isWord("esac")) throw this.#error(this.#peek(), "esac");
      this.#skipNewlines();
    }
    this.#take(); // esac
    return { kind: "case", word: w.word, items, line };
  }

  #redirs(): Redir[] {
    const out: Redir[] = [];
    while (this.#peek().t === "io") out.push(this.#redir());
    return out;
  }

  #redir(): Redir {
    const io = this.#take() as { t: "io"; fd: number; op: string; line: number };
    const target = this.#take();
    if (target.t !== "word") throw this.#error(target);
    if (io.op === "<<" || io.op === "<<-") {
      // The body comes after the end of this line; the lexer fills it in.
      const literal = target.word.some((p) => p.kind === "lit" && p.quoted);
      const delimiter = target.word.map((p) => (p.kind === "lit" ? p.text : "")).join("");
      const body: Word = [];
      this.#lx.addHeredoc({ delimiter, literal, stripTabs: io.op === "<<-", body });
      return { fd: io.fd, op: "<<", target: body };
    }
    return { fd: io.fd, op: io.op as Redir["op"], target: target.word };
  }

  #simple(): Simple | FuncDef {
    const first = this.#peek();
    const line = first.line;
    const assigns: Assign[] = [];
    const words: Word[] = [];
    const redirs: Redir[] = [];
    for (;;) {
      const t = this.#peek();
      if (t.t === "io") {
        redirs.push(this.#redir());
        continue;
      }
      if (t.t !== "word") break;
      this.#take();
      if (words.length === 0 && assigns.length === 0 && redirs.length === 0 && this.#isOp("(")) {
        return this.#funcDef(t, line);
      }
      const m = words.length === 0 ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.raw) : null;
      const head = t.word[0];
      if (m !== null && head?.kind === "lit" && !head.quoted && head.text.startsWith(m[0])) {
        const value: Word = [{ ...head, text: head.text.slice(m[0].length) }, ...t.word.slice(1)];
        assigns.push({ name: m[1], value });
        continue;
      }
      words.push(t.word);
    }
    if (words.length === 0 && assigns.length === 0 && redirs.length === 0) {
      throw this.#error(this.#peek());
    }
    return {
      kind: "simple",
      assigns,
      words,
      redirs,
      line,
      text: this.src.slice(first.start, this.#lastEnd),
    };
  }

  /** NAME ( ) NL* compound-command */
  #funcDef(name: Token & { t: "word" }, line: number): FuncDef {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.raw)) {
      throw new SyntaxError(line, `Syntax error: Bad function name`);
    }
    this.#take(); // (
    this.#expectOp(")");
    this.#skipNewlines();
    const body = this.#compound();
    if (body === undefined) throw this.#error(this.#peek());
    return {
      kind: "func",
      name: name.raw,
      body,
      line,
      text: this.src.slice(name.start, this.#lastEnd),
    };
  }
}

function describe(t: Token): string {
  if (t.t === "eof") return "end of file";
  if (t.t === "nl") return "newline";
  if (t.t === "op") return `"${t.op}"`;
  if (t.t === "io") return `"${t.op}"`;
  return `"${t.raw}"`;
}
