// The shell's tokenizer: words (with their quoting kept, for expansion),
// operators and redirections, as POSIX sh splits input.

import type { Part, Word } from "./ast.ts";

/** A token; `start` and `end` are its offsets in the source. */
export type Token =
  & (
    | { t: "word"; word: Word; raw: string }
    | { t: "op"; op: string }
    | {
      t: "io";
      fd: number;
      op: string;
    }
    | { t: "nl" }
    | { t: "eof" }
  )
  & { line: number; start: number; end: number };

/**
 * A syntax error, with the line it stopped at. `incomplete`: the input ended
 * in the middle of something (a quote, a compound command, a here-document),
 * so more input may complete it (the interactive shell then prompts "> ").
 */
export class SyntaxError extends Error {
  constructor(readonly line: number, message: string, readonly incomplete = false) {
    super(message);
  }
}

/** A here-document waiting for its body (read after the next newline). */
export interface PendingHeredoc {
  delimiter: string;
  /** The delimiter was quoted: the body is taken literally. */
  literal: boolean;
  /** <<- : leading tabs are stripped from body lines and the delimiter line. */
  stripTabs: boolean;
  /** Filled in (pushed into) with the body, once read. */
  readonly body: Word;
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
  readonly #heredocs: PendingHeredoc[] = [];

  constructor(readonly src: string, readonly sub: SubParser) {}

  /** Offset of the next character to read. */
  get pos(): number {
    return this.#pos;
  }

  /** Read `h`'s body after the next newline. */
  addHeredoc(h: PendingHeredoc): void {
    this.#heredocs.push(h);
  }

  next(): Token {
    const start = this.#pos;
    const t = this.#next();
    return { ...t, start: t.t === "eof" ? this.#pos : start, end: this.#pos } as Token;
  }

  #next(): { t: string; line: number } & Record<string, unknown> {
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
    if (this.#pos >= s.length) {
      if (this.#heredocs.length > 0) {
        throw new SyntaxError(line, `here-document delimited by end-of-file`, true);
      }
      return { t: "eof", line };
    }
    if (s[this.#pos] === "\n") {
      this.#pos++;
      this.line++;
      this.#readHeredocs();
      return { t: "nl", line };
    }
    const io = /^(\d+)?(<<-|<<|>>|<&|>&|<>|>\||<|>)/.exec(s.slice(this.#pos, this.#pos + 12));
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

  /** After a newline: the bodies of the here-documents begun on the line just ended. */
  #readHeredocs(): void {
    const s = this.src;
    for (const h of this.#heredocs.splice(0)) {
      const startLine = this.line;
      let body = "";
      for (;;) {
        if (this.#pos >= s.length) {
          throw new SyntaxError(startLine, "here-document delimited by end-of-file", true);
        }
        const nl = s.indexOf("\n", this.#pos);
        const end = nl < 0 ? s.length : nl;
        let text = s.slice(this.#pos, end);
        this.#pos = nl < 0 ? s.length : nl + 1;
        this.line++;
        if (h.stripTabs) text = text.replace(/^\t+/, "");
        if (text === h.delimiter) break;
        if (nl < 0 && this.#pos >= s.length) {
          // The last line has no newline: it cannot be the delimiter line yet.
          body += text;
          throw new SyntaxError(startLine, "here-document delimited by end-of-file", true);
        }
        body += text + "\n";
      }
      h.body.push(
        ...(h.literal
          ? [{ kind: "lit" as const, text: body, quoted: true }]
          : this.#expandingWord(body)),
      );
    }
  }

  /**
   * Text in which only $ and ` expand and backslash quotes $ ` \ and newline
   * (a here-document body, an arithmetic expression): a Word of quoted parts.
   */
  #expandingWord(text: string, line = this.line): Word {
    const inner = new Lexer(text, this.sub);
    inner.line = line;
    const parts: Word = [];
    let lit = "";
    const flush = () => {
      if (lit !== "") parts.push({ kind: "lit", text: lit, quoted: true });
      lit = "";
    };
    while (inner.#pos < text.length) {
      const c = text[inner.#pos];
      if (c === "\\" && "$`\\\n".includes(text[inner.#pos + 1] ?? "")) {
        if (text[inner.#pos + 1] !== "\n") lit += text[inner.#pos + 1];
        inner.#pos += 2;
        continue;
      }
      if (c === "$") {
        flush();
        inner.#dollar(parts, true, line);
        continue;
      }
      if (c === "`") {
        flush();
        parts.push(inner.#backquote(true, line));
        continue;
      }
      lit += c;
      inner.#pos++;
    }
    flush();
    return parts;
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
        if (end < 0) throw new SyntaxError(line, "Unterminated quoted string", true);
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
    return { t: "word", word: parts, raw: s.slice(start, this.#pos), line, start, end: this.#pos };
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
      if (this.#pos >= s.length) throw new SyntaxError(line, "Unterminated quoted string", true);
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
        // $(( expr )): the expression expands like a here-document, then is evaluated.
        const end = this.#matchParen(this.#pos);
        const inner = s.slice(this.#pos + 1, end);
        if (!inner.endsWith(")")) throw new SyntaxError(line, "Missing '))'");
        this.#pos = end + 1;
        parts.push({ kind: "arith", expr: this.#expandingWord(inner.slice(1, -1), line), quoted });
        return;
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
      if (end < 0) throw new SyntaxError(line, "Missing '}'", true);
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
    if (i >= s.length) throw new SyntaxError(line, "EOF in backquote substitution", true);
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
    throw new SyntaxError(this.line, "Missing ')'", true);
  }
}
