// Line discipline: what a terminal does between the keyboard and read().
//
// Canonical mode (ICANON, the default): input is edited a line at a time:
// erase (DEL, ^H) and kill (^U) edit the line, a newline or ^D makes it
// readable, ^D on an empty line is end of file. ISIG turns ^C, ^\ and ^Z into
// signals for the foreground process group. ECHO echoes what is typed.
// Non-canonical mode hands bytes to read() as they come (a line editor in
// the shell works this way). termios bits and c_cc indices are Linux's.

export const L = {
  ISIG: 0o1,
  ICANON: 0o2,
  ECHO: 0o10,
  ECHOE: 0o20,
  ECHOK: 0o40,
  ECHONL: 0o100,
  IEXTEN: 0o100000,
} as const;
export const OPOST = 0o1;
export const ONLCR = 0o4;
export const ICRNL = 0o400;
export const VINTR = 0;
export const VQUIT = 1;
export const VERASE = 2;
export const VKILL = 3;
export const VEOF = 4;
export const VMIN = 6;
export const VSUSP = 10;

/** struct termios (asm-generic/termbits.h): 4 flag words, c_line, c_cc[19]. */
export const TERMIOS_BYTES = 36;

export interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  cc: Uint8Array; // 19 control characters
}

/** Linux's defaults for a new terminal. */
export function defaultTermios(): Termios {
  const cc = new Uint8Array(19);
  cc[VINTR] = 0x03;
  cc[VQUIT] = 0x1c;
  cc[VERASE] = 0x7f;
  cc[VKILL] = 0x15;
  cc[VEOF] = 0x04;
  cc[VMIN] = 1;
  cc[VSUSP] = 0x1a;
  return {
    iflag: ICRNL,
    oflag: OPOST | ONLCR,
    cflag: 0o277,
    lflag: L.ISIG | L.ICANON | L.ECHO | L.ECHOE | L.ECHOK | L.IEXTEN,
    cc,
  };
}

export function encodeTermios(t: Termios): Uint8Array {
  const out = new Uint8Array(TERMIOS_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, t.iflag, true);
  dv.setUint32(4, t.oflag, true);
  dv.setUint32(8, t.cflag, true);
  dv.setUint32(12, t.lflag, true);
  out.set(t.cc.subarray(0, 19), 17);
  return out;
}

export function decodeTermios(b: Uint8Array): Termios {
  const dv = new DataView(b.buffer, b.byteOffset, TERMIOS_BYTES);
  return {
    iflag: dv.getUint32(0, true),
    oflag: dv.getUint32(4, true),
    cflag: dv.getUint32(8, true),
    lflag: dv.getUint32(12, true),
    cc: b.slice(17, 36),
  };
}

/**
 * Bytes the discipline holds for readers (Linux's N_TTY_BUF_SIZE). In
 * canonical mode a line being typed stops growing one short of it (further
 * characters are dropped; a newline or ^D still ends the line, so a reader
 * always gets it). In non-canonical mode the tty server stops taking input
 * from the kernel's queue while this much is unread (full()).
 */
export const TTY_BUF_BYTES = 4096;
/** Most complete lines (^D on an empty line makes empty ones) held at once. */
export const MAX_LINES = 4096;
/** The largest save(): termios, counts, a full buffer plus one input chunk, line lengths. */
export const DISCIPLINE_SAVE_MAX = TERMIOS_BYTES + 16 + 3 * TTY_BUF_BYTES + 4 * MAX_LINES;

/** What processing one input chunk produced. */
export interface InputEffects {
  echo: number[];
  signal?: number;
}

/** Input side of the discipline: raw bytes in, readable bytes out. */
export class LineDiscipline {
  #termios = defaultTermios();
  /** Bytes read() may return now. */
  readonly ready: number[] = [];
  /**
   * Canonical mode: lengths of the complete lines in `ready`, in order. A
   * line ends at a newline or at ^D; a 0 is an end of file (^D on an empty
   * line), which one read() reports as 0 bytes.
   */
  readonly #lines: number[] = [];
  /** The line being edited (canonical mode). */
  readonly #line: number[] = [];
  /** The input's end was reached (the host's stdin closed): reads return what is left, then 0. */
  hungUp = false;

  get termios(): Termios {
    return this.#termios;
  }

  set termios(t: Termios) {
    const wasCanonical = this.canonical;
    this.#termios = t;
    // Line lengths mean something only in canonical mode: recount on the way
    // in (bytes typed in raw mode become one line).
    if (!wasCanonical && this.canonical) {
      this.#lines.length = 0;
      if (this.ready.length > 0) this.#lines.push(this.ready.length);
    }
  }

  get canonical(): boolean {
    return (this.#termios.lflag & L.ICANON) !== 0;
  }

  /** True when a read() would return now (data, or an end of file). */
  hasInput(): boolean {
    if (this.hungUp) return true;
    return this.canonical ? this.#lines.length > 0 : this.ready.length > 0;
  }

  /** Non-canonical mode: no more input should be taken until a reader takes some. */
  full(): boolean {
    return !this.canonical && this.ready.length >= TTY_BUF_BYTES;
  }

  /** Feed bytes typed at the terminal (or read from a non-terminal stdin). */
  input(bytes: Uint8Array): InputEffects {
    const t = this.#termios;
    const echo: number[] = [];
    const doEcho = (t.lflag & L.ECHO) !== 0;
    let signal: number | undefined;
    for (let b of bytes) {
      if (b === 0x0d && (t.iflag & ICRNL) !== 0) b = 0x0a;
      if ((t.lflag & L.ISIG) !== 0) {
        const sig = b === t.cc[VINTR] ? 2 : b === t.cc[VQUIT] ? 3 : b === t.cc[VSUSP] ? 20 : 0;
        if (sig !== 0) {
          this.#line.length = 0;
          signal = sig;
          if (doEcho) echo.push(0x5e, b + 0x40); // "^C", as ECHOCTL shows it
          continue;
        }
      }
      if (!this.canonical) {
        this.ready.push(b);
        if (doEcho) echo.push(b);
        continue;
      }
      if (b === t.cc[VERASE] || b === 0x08) {
        if (this.#line.length > 0) {
          this.#line.pop();
          if (doEcho && (t.lflag & L.ECHOE) !== 0) echo.push(0x08, 0x20, 0x08);
        }
        continue;
      }
      if (b === t.cc[VKILL]) {
        if (doEcho) { for (let i = 0; i < this.#line.length; i++) echo.push(0x08, 0x20, 0x08); }
        this.#line.length = 0;
        continue;
      }
      const ends = b === t.cc[VEOF] || b === 0x0a;
      if (
        ends
          ? this.#lines.length >= MAX_LINES
          : this.ready.length + this.#line.length >= TTY_BUF_BYTES - 1
      ) {
        continue; // full: dropped, as Linux does
      }
      if (b === t.cc[VEOF]) {
        // ^D ends the line as it is (readable without a newline); alone, it is EOF.
        this.#endLine();
        continue;
      }
      this.#line.push(b);
      if (doEcho || (b === 0x0a && (t.lflag & L.ECHONL) !== 0)) echo.push(b);
      if (b === 0x0a) this.#endLine();
    }
    return { echo, signal };
  }

  #endLine(): void {
    this.#lines.push(this.#line.length);
    this.ready.push(...this.#line.splice(0));
  }

  /** Host stdin closed: whatever is being edited becomes readable, then reads see the end. */
  hangup(): void {
    if (this.#line.length > 0) this.#endLine();
    this.hungUp = true;
  }

  /** The buffers, for saveDiscipline(). */
  parts(): { ready: number[]; line: number[]; lines: number[] } {
    return { ready: this.ready, line: this.#line, lines: this.#lines };
  }

  /** Put saved buffers back (loadDiscipline()). */
  restoreParts(ready: Uint8Array, line: Uint8Array, lines: number[]): void {
    this.ready.splice(0, this.ready.length, ...ready);
    this.#line.splice(0, this.#line.length, ...line);
    this.#lines.splice(0, this.#lines.length, ...lines);
  }

  /**
   * Take up to `max` readable bytes: in canonical mode from one line at most.
   * Empty means end of file.
   */
  take(max: number): number[] {
    if (!this.canonical) return this.ready.splice(0, Math.min(max, this.ready.length));
    if (this.#lines.length === 0) return [];
    const n = Math.min(max, this.#lines[0]);
    this.#lines[0] -= n;
    if (this.#lines[0] === 0) this.#lines.shift();
    return this.ready.splice(0, n);
  }
}

/**
 * The whole discipline as bytes (at most DISCIPLINE_SAVE_MAX), so that a
 * restarted tty server has the modes, the typed-ahead lines and the line
 * being edited of the one that crashed. Little-endian:
 *   [0, 36)  struct termios
 *   [36]     u32 flags (1 = hung up)
 *   [40]     u32 ready bytes R,  [44] u32 line bytes N,  [48] u32 complete lines K
 *   [52]     R ready bytes, N line bytes, then K u32 line lengths
 */
export function saveDiscipline(ld: LineDiscipline): Uint8Array {
  const { ready, line, lines } = ld.parts();
  const out = new Uint8Array(TERMIOS_BYTES + 16 + ready.length + line.length + 4 * lines.length);
  const dv = new DataView(out.buffer);
  out.set(encodeTermios(ld.termios), 0);
  dv.setUint32(36, ld.hungUp ? 1 : 0, true);
  dv.setUint32(40, ready.length, true);
  dv.setUint32(44, line.length, true);
  dv.setUint32(48, lines.length, true);
  let at = 52;
  out.set(ready, at);
  at += ready.length;
  out.set(line, at);
  at += line.length;
  for (const n of lines) {
    dv.setUint32(at, n, true);
    at += 4;
  }
  return out;
}

/** Rebuild a discipline from saveDiscipline() bytes; a short or inconsistent record gives a fresh one. */
export function loadDiscipline(b: Uint8Array): LineDiscipline {
  const ld = new LineDiscipline();
  if (b.length < 52) return ld;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const [r, n, k] = [dv.getUint32(40, true), dv.getUint32(44, true), dv.getUint32(48, true)];
  if (52 + r + n + 4 * k !== b.length) return ld;
  const lines: number[] = [];
  for (let i = 0, at = 52 + r + n; i < k; i++, at += 4) lines.push(dv.getUint32(at, true));
  if (lines.reduce((a, x) => a + x, 0) > r) return ld;
  ld.termios = decodeTermios(b.subarray(0, TERMIOS_BYTES));
  ld.restoreParts(b.slice(52, 52 + r), b.slice(52 + r, 52 + r + n), lines);
  ld.hungUp = (dv.getUint32(36, true) & 1) !== 0;
  return ld;
}
