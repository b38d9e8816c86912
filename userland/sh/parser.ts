// The shell's parser: tokens to a syntax tree (ast.ts).
//
//   list     := and_or ((';' | '&' | NL) and_or)*
//   and_or   := pipeline (('&&' | '||') NL* pipeline)*
//   pipeline := ['!'] command ('|' NL* command)*
//   command  := simple | '(' list ')' redir* | '{' list '}' redir*
//   simple   := (assignment | word | redir)+

import type { AndOr, Assign, Command, List, Pipeline, Redir, Simple, Word } from "./ast.ts";
import { Lexer, SyntaxError, type Token } from "./lexer.ts";

export { SyntaxError };

/** Parse a whole script or -c string. */
export function parse(src: string, line = 1): List {
  const p = new Parser(src, line);
  const list = p.list(true);
  p.expectEnd();
  return list;
}

class Parser {
  readonly #lx: Lexer;
  #peeked?: Token;

  constructor(src: string, line: number) {
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
    return t;
  }

  #isOp(op: string): boolean {
    const t = this.#peek();
    return t.t === "op" && t.op === op;
  }

  #isWord(text: string): boolean {
    const t = this.#peek();
    return t.t === "word" && t.raw === text;
  }

  #skipNewlines(): void {
    while (this.#peek().t === "nl") this.#take();
  }

  expectEnd(): void {
    const t = this.#peek();
    if (t.t !== "eof") throw new SyntaxError(t.line, `Syntax error: ${describe(t)} unexpected`);
  }

  list(top: boolean, closer?: string): List {
    const items: List["items"] = [];
    this.#skipNewlines();
    while (true) {
      const t = this.#peek();
      if (t.t === "eof" || (closer !== undefined && (this.#isOp(closer) || this.#isWord(closer)))) {
        break;
      }
      if (t.t === "op" && t.op === ")" && !top) break;
      const andOr = this.#andOr();
      let background = false;
      if (this.#isOp("&")) {
        this.#take();
        background = true;
      } else if (this.#isOp(";")) {
        this.#take();
      } else if (this.#peek().t !== "nl" && this.#peek().t !== "eof" && closer === undefined) {
        const u = this.#peek();
        if (!(u.t === "op" && u.op === ")" && !top)) {
          throw new SyntaxError(u.line, `Syntax error: ${describe(u)} unexpected`);
        }
      }
      items.push({ andOr, background });
      this.#skipNewlines();
    }
    return { items };
  }

  #andOr(): AndOr {
    const first = this.#pipeline();
    const rest: AndOr["rest"] = [];
    while (this.#isOp("&&") || this.#isOp("||")) {
      const op = (this.#take() as { op: "&&" | "||" }).op;
      this.#skipNewlines();
      rest.push({ op, pipeline: this.#pipeline() });
    }
    return { first, rest };
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
    if (t.t === "op" && t.op === "(") {
      this.#take();
      const list = this.list(false);
      this.#expectOp(")");
      return { kind: "subshell", list, redirs: this.#redirs(), line: t.line };
    }
    if (this.#isWord("{")) {
      this.#take();
      const list = this.list(false, "}");
      if (!this.#isWord("}")) {
        throw new SyntaxError(
          this.#peek().line,
          `Syntax error: ${describe(this.#peek())} unexpected (expecting "}")`,
        );
      }
      this.#take();
      return { kind: "brace", list, redirs: this.#redirs(), line: t.line };
    }
    return this.#simple();
  }

  #expectOp(op: string): void {
    const t = this.#take();
    if (t.t !== "op" || t.op !== op) {
      throw new SyntaxError(t.line, `Syntax error: ${describe(t)} unexpected (expecting "${op}")`);
    }
  }

  #redirs(): Redir[] {
    const out: Redir[] = [];
    while (this.#peek().t === "io") out.push(this.#redir());
    return out;
  }

  #redir(): Redir {
    const io = this.#take() as { t: "io"; fd: number; op: Redir["op"]; line: number };
    const target = this.#take();
    if (target.t !== "word") {
      throw new SyntaxError(io.line, `Syntax error: ${describe(target)} unexpected`);
    }
    return { fd: io.fd, op: io.op, target: target.word };
  }

  #simple(): Simple {
    const line = this.#peek().line;
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
      const m = words.length === 0 ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(t.raw) : null;
      const first = t.word[0];
      if (m !== null && first?.kind === "lit" && !first.quoted && first.text.startsWith(m[0])) {
        const value: Word = [{ ...first, text: first.text.slice(m[0].length) }, ...t.word.slice(1)];
        assigns.push({ name: m[1], value });
        continue;
      }
      words.push(t.word);
    }
    if (words.length === 0 && assigns.length === 0 && redirs.length === 0) {
      const t = this.#peek();
      throw new SyntaxError(t.line, `Syntax error: ${describe(t)} unexpected`);
    }
    return { kind: "simple", assigns, words, redirs, line };
  }
}

function describe(t: Token): string {
  if (t.t === "eof") return "end of file";
  if (t.t === "nl") return "newline";
  if (t.t === "op") return `"${t.op}"`;
  if (t.t === "io") return `"${t.op}"`;
  return `"${t.raw}"`;
}
