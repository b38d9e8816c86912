// The interactive line editor: what the shell reads commands with when its
// input is a terminal.
//
// For each line it switches the terminal out of canonical mode (no ICANON,
// ECHO or ISIG, so it sees every key, ^C included) and puts the old settings
// back before returning, so commands run with the terminal as they expect.
// Keys: printable characters insert; Backspace/^H delete left; Delete and ^D
// (on a non-empty line) delete right; ^D on an empty line is end of input;
// Left/Right, Home/End, ^A/^E move; ^K kills to the end, ^U to the start, ^W
// a word back; Up/Down and ^P/^N walk the history; ^C drops the line; ^L
// clears the screen. Typing at the end of the line echoes the character;
// any other change redraws the line with ANSI sequences. Line ends are "\n":
// the terminal's output processing turns them into CR LF.

import { ioctlBytes, read, write } from "../lib/io.ts";

const TCGETS = 0x5401;
const TCSETS = 0x5402;
const LFLAG = 12; // offset of c_lflag in struct termios
const CC = 17; // offset of c_cc
const ISIG = 0o1;
const ICANON = 0o2;
const ECHO = 0o10;
const VTIME = 5;
const VMIN = 6;
const HISTORY_MAX = 1000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class LineEditor {
  readonly history: string[] = [];
  #pending: number[] = [];
  #eof = false;

  constructor(readonly fd = 0, readonly out = 1) {}

  /** Read one line after `prompt`; undefined at end of input. */
  readLine(prompt: string): string | undefined {
    const saved = ioctlBytes(this.fd, TCGETS);
    const raw = saved.slice();
    const dv = new DataView(raw.buffer);
    dv.setUint32(LFLAG, dv.getUint32(LFLAG, true) & ~(ICANON | ECHO | ISIG), true);
    raw[CC + VMIN] = 1;
    raw[CC + VTIME] = 0;
    ioctlBytes(this.fd, TCSETS, raw);
    let line: string | undefined;
    try {
      line = this.#edit(prompt);
    } finally {
      ioctlBytes(this.fd, TCSETS, saved);
    }
    // The line's end shows only once the terminal has its modes back: what
    // the user types after seeing it is read as the command expects.
    this.#put("\n");
    return line;
  }

  #edit(prompt: string): string | undefined {
    let line: string[] = [];
    let pos = 0;
    let hist = this.history.length;
    let draft: string[] = [];
    this.#put(prompt);
    const redraw = () => {
      const tail = line.length - pos;
      this.#put(`\r${prompt}${line.join("")}\x1b[K${tail > 0 ? `\x1b[${tail}D` : ""}`);
    };
    const recall = (to: number) => {
      if (to < 0 || to > this.history.length) return;
      if (hist === this.history.length) draft = line;
      hist = to;
      line = to === this.history.length ? draft.slice() : [...this.history[to]];
      pos = line.length;
      redraw();
    };
    for (;;) {
      const key = this.#key();
      if (key === undefined) {
        if (line.length === 0) return undefined;
        break;
      }
      if (key === "\r" || key === "\n") break;
      if (key === "\x03") {
        this.#put("^C");
        return "";
      }
      if (key === "\x04") {
        if (line.length === 0) return undefined;
        if (pos < line.length) line.splice(pos, 1);
      } else if (key === "\x7f" || key === "\x08") {
        if (pos > 0) line.splice(--pos, 1);
      } else if (key === "\x1b[3~") {
        if (pos < line.length) line.splice(pos, 1);
      } else if (key === "\x1b[D") {
        if (pos > 0) pos--;
      } else if (key === "\x1b[C") {
        if (pos < line.length) pos++;
      } else if (key === "\x01" || key === "\x1b[H" || key === "\x1b[1~" || key === "\x1bOH") {
        pos = 0;
      } else if (key === "\x05" || key === "\x1b[F" || key === "\x1b[4~" || key === "\x1bOF") {
        pos = line.length;
      } else if (key === "\x0b") {
        line.length = pos;
      } else if (key === "\x15") {
        line = line.slice(pos);
        pos = 0;
      } else if (key === "\x17") {
        let start = pos;
        while (start > 0 && line[start - 1] === " ") start--;
        while (start > 0 && line[start - 1] !== " ") start--;
        line.splice(start, pos - start);
        pos = start;
      } else if (key === "\x1b[A" || key === "\x10") {
        recall(hist - 1);
        continue;
      } else if (key === "\x1b[B" || key === "\x0e") {
        recall(hist + 1);
        continue;
      } else if (key === "\x0c") {
        this.#put("\x1b[H\x1b[2J");
      } else if (key.length === 1 && key >= " " || key.length > 1 && !key.startsWith("\x1b")) {
        line.splice(pos, 0, ...key);
        pos += [...key].length;
        // Typing at the end only needs the character itself.
        if (pos === line.length) {
          this.#put(key);
          continue;
        }
      }
      redraw();
    }
    const text = line.join("");
    if (text.trim() !== "" && this.history[this.history.length - 1] !== text) {
      this.history.push(text);
      if (this.history.length > HISTORY_MAX) this.history.shift();
    }
    return text;
  }

  /** The next key: one character, or a whole escape sequence; undefined at EOF. */
  #key(): string | undefined {
    const b = this.#byte();
    if (b === undefined) return undefined;
    if (b !== 0x1b) {
      if (b < 0x80) return String.fromCharCode(b);
      // A UTF-8 sequence: gather its continuation bytes.
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      const bytes = [b];
      for (let i = 1; i < len; i++) bytes.push(this.#byte() ?? 0);
      return decoder.decode(new Uint8Array(bytes));
    }
    const b2 = this.#byte();
    if (b2 !== 0x5b && b2 !== 0x4f) {
      return "\x1b" + (b2 === undefined ? "" : String.fromCharCode(b2));
    }
    let seq = "\x1b" + String.fromCharCode(b2);
    for (;;) {
      const c = this.#byte();
      if (c === undefined) return seq;
      seq += String.fromCharCode(c);
      if (c >= 0x40 && c <= 0x7e) return seq;
    }
  }

  #byte(): number | undefined {
    if (this.#pending.length > 0) return this.#pending.shift();
    if (this.#eof) return undefined;
    const buf = new Uint8Array(256);
    const n = read(this.fd, buf);
    if (n === 0) {
      this.#eof = true;
      return undefined;
    }
    this.#pending.push(...buf.subarray(0, n));
    return this.#pending.shift();
  }

  #put(text: string): void {
    write(this.out, encoder.encode(text));
  }
}
