// The shell's tokenizer: words (with their quoting kept, for expansion),
// operators and redirections, as POSIX sh splits input.

import type { Part, Word } from "./ast.ts";

export type Token =
  | { t: "word"; word: Word; raw: string; line: number }
  | { t: "op"; op: string; line: number }
  | { t: "io"; fd: number; op: string; line: number }
  | { t: "nl"; line: number }
  | { t: "eof"; line: number };

/** A syntax error, with the token it stopped at. */
export class SyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

const OPS = [
  "&&",
  "||",
  ";;",
  "<<",
  ">>",
  "<&",
  ">&",
  "<>",
  ">|",
  "|",
  "&",
  ";",
  "(",
  ")",
  "<",
  ">",
];

/** Checks the syntax of a nested $( ... ); supplied by the parser to avoid an import cycle. */
export type SubParser = (src: string, line: number) => void;

export class Lexer {
  #pos = 0;
  line = 1;

  constructor(readonly src: string, readonly sub: SubParser) {}

  next(): Token {
    const s = this.src;
    for (;;) {
      while (this.#pos < s.length && (s[this.#pos] === " " || s[this.#pos] === "\t")) this.#pos++;
      if (s[this.#pos] === "\\" && s[this.#pos + 1] === "\n") {
        this.#pos += 2;
        this.line++;
        continue;
      }
      if (s[this.#pos] === "#") {
        while (this.#pos < s.length && s[this.#pos] !== "\n") this.#pos++;
      }
      break;
    }
    const line = this.line;
    if (this.#pos >= s.length) return { t: "eof", line };
    if (s[this.#pos] === "\n") {
      this.#pos++;
      this.line++;
      return { t: "nl", line };
    }
    const io = /^(\d+)?(>>|<&|>&|<>|>\||<(?!<)|>)/.exec(s.slice(this.#pos, this.#pos + 12));
    if (io !== null) {
      this.#pos += io[0].length;
      const op = io[2];
      const fd = io[1] !== undefined ? Number(io[1]) : op[0] === "<" ? 0 : 1;
      return { t: "io", fd, op, line };
    }
    for (const op of OPS) {
      if (s.startsWith(op, this.#pos)) {
        this.#pos += op.length;
        return { t: "op", op, line };
      }
    }
    return this.#word(line);
  }

  #word(line: number): Token {
    const s = this.src;
    const parts: Part[] = [];
    const start = this.#pos;
    let lit = "";
    const flush = (quoted: boolean) => {
      if (lit !== "" || quoted) parts.push({ kind: "lit", text: lit, quoted });
      lit = "";
    };
    while (this.#pos < s.length) {
      const c = s[this.#pos];
      if (" \t\n;&|()<>".includes(c)) break;
      if (c === "\\") {
        flush(false);
        const nc = s[this.#pos + 1] ?? "";
        this.#pos += 2;
        if (nc === "\n") {
          this.line++;
          continue;
        }
        parts.push({ kind: "lit", text: nc, quoted: true });
        continue;
      }
      if (c === "'") {
        flush(false);
        const end = s.indexOf("'", this.#pos + 1);
        if (end < 0) throw new SyntaxError(line, "Unterminated quoted string");
        const text = s.slice(this.#pos + 1, end);
        this.line += text.split("\n").length - 1;
        parts.push({ kind: "lit", text, quoted: true });
        this.#pos = end + 1;
        continue;
      }
      if (c === '"') {
        flush(false);
        this.#pos++;
        this.#double(parts, line);
        continue;
      }
      if (c === "$") {
        flush(false);
        this.#dollar(parts, false, line);
        continue;
      }
      if (c === "`") {
        flush(false);
        parts.push(this.#backquote(false, line));
        continue;
      }
      lit += c;
      this.#pos++;
    }
    flush(false);
    return { t: "word", word: parts, raw: s.slice(start, this.#pos), line };
  }

  #double(parts: Part[], line: number): void {
    const s = this.src;
    let lit = "";
    let any = false;
    const flush = () => {
      if (lit !== "") parts.push({ kind: "lit", text: lit, quoted: true });
      lit = "";
    };
    for (;;) {
      if (this.#pos >= s.length) throw new SyntaxError(line, "Unterminated quoted string");
      const c = s[this.#pos];
      if (c === '"') {
        this.#pos++;
        break;
      }
      if (c === "\\" && '$`"\\\n'.includes(s[this.#pos + 1] ?? "")) {
        if (s[this.#pos + 1] !== "\n") lit += s[this.#pos + 1];
        else this.line++;
        this.#pos += 2;
        continue;
      }
      if (c === "$") {
        flush();
        any = true;
        this.#dollar(parts, true, line);
        continue;
      }
      if (c === "`") {
        flush();
        any = true;
        parts.push(this.#backquote(true, line));
        continue;
      }
      if (c === "\n") this.line++;
      lit += c;
      this.#pos++;
    }
    if (lit !== "" || !any) parts.push({ kind: "lit", text: lit, quoted: true });
  }

  #dollar(parts: Part[], quoted: boolean, line: number): void {
    const s = this.src;
    this.#pos++;
    const c = s[this.#pos] ?? "";
    if (c === "(") {
      if (s[this.#pos + 1] === "(") {
        throw new SyntaxError(line, "arithmetic expansion is not supported");
      }
      const end = this.#matchParen(this.#pos);
      const inner = s.slice(this.#pos + 1, end);
      this.#pos = end + 1;
      this.sub(inner, line);
      parts.push({ kind: "subst", src: inner, quoted });
      this.line += inner.split("\n").length - 1;
      return;
    }
    if (c === "{") {
      const end = s.indexOf("}", this.#pos);
      if (end < 0) throw new SyntaxError(line, "Missing '}'");
      const body = s.slice(this.#pos + 1, end);
      this.#pos = end + 1;
      const len = /^#([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$#!@*])$/.exec(body);
      if (len !== null) {
        parts.push({ kind: "param", name: len[1], quoted, op: "len" });
        return;
      }
      const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?$#!@*])(?:(:?[-=+?]|##?|%%?)(.*))?$/s.exec(body);
      if (m === null) throw new SyntaxError(line, `\${${body}}: Bad substitution`);
      const arg = m[2] !== undefined ? this.#argWord(m[3], line) : undefined;
      parts.push({ kind: "param", name: m[1], quoted, op: m[2], arg });
      return;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|[0-9?$#!@*-])/.exec(s.slice(this.#pos, this.#pos + 256));
    if (m === null) {
      parts.push({ kind: "lit", text: "$", quoted });
      return;
    }
    this.#pos += m[1].length;
    parts.push({ kind: "param", name: m[1], quoted });
  }

  #argWord(text: string, line: number): Word {
    const inner = new Lexer(text, this.sub);
    const parts: Part[] = [];
    inner.#pos = 0;
    while (inner.#pos < text.length) {
      const t = inner.#word(line);
      if (t.t === "word") parts.push(...t.word);
      if (inner.#pos < text.length) {
        parts.push({ kind: "lit", text: text[inner.#pos++], quoted: false });
      }
    }
    return parts;
  }

  #backquote(quoted: boolean, line: number): Part {
    const s = this.src;
    let i = this.#pos + 1;
    let inner = "";
    while (i < s.length && s[i] !== "`") {
      if (s[i] === "\\" && i + 1 < s.length) {
        inner += s[i + 1];
        i += 2;
        continue;
      }
      inner += s[i++];
    }
    if (i >= s.length) throw new SyntaxError(line, "EOF in backquote substitution");
    this.#pos = i + 1;
    this.sub(inner, line);
    return { kind: "subst", src: inner, quoted };
  }

  #matchParen(open: number): number {
    const s = this.src;
    let depth = 0;
    let q: string | undefined;
    for (let i = open; i < s.length; i++) {
      const c = s[i];
      if (q !== undefined) {
        if (c === "\\" && q === '"') i++;
        else if (c === q) q = undefined;
        continue;
      }
      if (c === "\\") {
        i++;
        continue;
      }
      if (c === "'" || c === '"') q = c;
      else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) return i;
    }
    throw new SyntaxError(this.line, "Missing ')'");
  }
}
