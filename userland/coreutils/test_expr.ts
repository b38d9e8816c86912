// The expression language of test(1) and [, as GNU coreutils' test.c
// evaluates it: POSIX's rules by argument count for up to four arguments,
// then a recursive descent over -o, -a, !, ( ), unary and binary operators.
// A syntax error ends with status 2 and a "test: ..." message.
import { eprint, faccessat, getegid, geteuid, isatty, lstat, type Stat, stat } from "../lib/mod.ts";
import { AT, R_OK, S, W_OK, X_OK } from "./consts.ts";
import { quoteAlways } from "./quote.ts";

class SyntaxError {
  constructor(readonly message: string) {}
}

const BINOPS = new Set([
  "=",
  "!=",
  "==",
  "-nt",
  "-ot",
  "-ef",
  "-eq",
  "-ne",
  "-lt",
  "-le",
  "-gt",
  "-ge",
  "<",
  ">",
]);

/** Evaluate `args` (the operands, without the program name or "]"); the exit status. */
export function evalTest(prog: string, args: string[]): number {
  const t = new Test(args);
  try {
    if (args.length === 0) return 1;
    const value = t.posix(args.length);
    if (t.pos !== args.length) throw new SyntaxError(`extra argument ${quoteAlways(args[t.pos])}`);
    return value ? 0 : 1;
  } catch (err) {
    if (err instanceof SyntaxError) {
      eprint(`${prog}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

class Test {
  pos = 0;
  constructor(readonly argv: string[]) {}

  get argc(): number {
    return this.argv.length;
  }

  beyond(): never {
    throw new SyntaxError(`missing argument after ${quoteAlways(this.argv[this.argc - 1])}`);
  }

  advance(needMore: boolean): void {
    this.pos++;
    if (needMore && this.pos >= this.argc) this.beyond();
  }

  posix(nargs: number): boolean {
    const a = this.argv;
    switch (nargs) {
      case 1:
        return this.one();
      case 2:
        return this.two();
      case 3:
        return this.three();
      case 4:
        if (a[this.pos] === "!") {
          this.advance(true);
          return !this.three();
        }
        if (a[this.pos] === "(" && a[this.pos + 3] === ")") {
          this.advance(false);
          const v = this.two();
          this.advance(false);
          return v;
        }
        return this.expr();
      default:
        return this.expr();
    }
  }

  one(): boolean {
    return this.argv[this.pos++] !== "";
  }

  two(): boolean {
    const a = this.argv[this.pos];
    if (a === "!") {
      this.advance(false);
      return !this.one();
    }
    if (a.length === 2 && a[0] === "-") return this.unary();
    this.beyond();
  }

  three(): boolean {
    const a = this.argv;
    if (BINOPS.has(a[this.pos + 1])) return this.binary(false);
    if (a[this.pos] === "!") {
      this.advance(true);
      return !this.two();
    }
    if (a[this.pos] === "(" && a[this.pos + 2] === ")") {
      this.advance(false);
      const v = this.one();
      this.advance(false);
      return v;
    }
    if (a[this.pos + 1] === "-a" || a[this.pos + 1] === "-o") return this.expr();
    throw new SyntaxError(`${quoteAlways(a[this.pos + 1])}: binary operator expected`);
  }

  expr(): boolean {
    if (this.pos >= this.argc) this.beyond();
    return this.or();
  }

  or(): boolean {
    let v = this.and();
    while (this.pos < this.argc && this.argv[this.pos] === "-o") {
      this.advance(false);
      v = this.and() || v;
    }
    return v;
  }

  and(): boolean {
    let v = this.term();
    while (this.pos < this.argc && this.argv[this.pos] === "-a") {
      this.advance(false);
      v = this.term() && v;
    }
    return v;
  }

  term(): boolean {
    const a = this.argv;
    if (this.pos >= this.argc) this.beyond();
    let invert = false;
    while (this.pos < this.argc && a[this.pos] === "!") {
      this.advance(true);
      invert = !invert;
    }
    let v: boolean;
    if (a[this.pos] === "(") {
      this.advance(true);
      let nargs = 1;
      for (; this.pos + nargs < this.argc && a[this.pos + nargs] !== ")"; nargs++) {
        if (nargs === 4) {
          nargs = this.argc - this.pos;
          break;
        }
      }
      v = this.posix(nargs);
      if (this.pos >= this.argc) throw new SyntaxError(`')' expected`);
      if (a[this.pos] !== ")") {
        throw new SyntaxError(`')' expected, found ${quoteAlways(a[this.pos])}`);
      }
      this.advance(false);
    } else if (this.argc - this.pos >= 4 && a[this.pos] === "-l" && BINOPS.has(a[this.pos + 2])) {
      v = this.binary(true);
    } else if (this.argc - this.pos >= 3 && BINOPS.has(a[this.pos + 1])) {
      v = this.binary(false);
    } else if (a[this.pos].length === 2 && a[this.pos][0] === "-") {
      v = this.unary();
    } else {
      v = a[this.pos] !== "";
      this.advance(false);
    }
    return v !== invert;
  }

  binary(lengthLeft: boolean): boolean {
    const a = this.argv;
    if (lengthLeft) this.pos++;
    const op = a[this.pos + 1];
    const left = a[this.pos];
    const right = a[this.pos + 2];
    this.pos += 3;
    switch (op) {
      case "-eq":
      case "-ne":
      case "-lt":
      case "-le":
      case "-gt":
      case "-ge": {
        const x = lengthLeft ? BigInt(new TextEncoder().encode(left).length) : int(left);
        const y = int(right);
        switch (op) {
          case "-eq":
            return x === y;
          case "-ne":
            return x !== y;
          case "-lt":
            return x < y;
          case "-le":
            return x <= y;
          case "-gt":
            return x > y;
          default:
            return x >= y;
        }
      }
      case "-nt":
      case "-ot": {
        const ta = mtime(left);
        const tb = mtime(right);
        if (op === "-nt") return ta !== undefined && (tb === undefined || ta > tb);
        return tb !== undefined && (ta === undefined || ta < tb);
      }
      case "-ef": {
        const sa = tryStat(left);
        const sb = tryStat(right);
        return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
      }
      case "=":
      case "==":
        return left === right;
      case "!=":
        return left !== right;
      case "<":
        return left < right;
      default:
        return left > right;
    }
  }

  unary(): boolean {
    const op = this.argv[this.pos];
    if (!"bcdefgGhLknOprsStuwxz".includes(op[1])) {
      throw new SyntaxError(`${quoteAlways(op)}: unary operator expected`);
    }
    this.advance(true);
    const arg = this.argv[this.pos++];
    const type = (t: number) => {
      const st = tryStat(arg);
      return st !== undefined && (st.mode & S.IFMT) === t;
    };
    switch (op[1]) {
      case "e":
        return tryStat(arg) !== undefined;
      case "f":
        return type(S.IFREG);
      case "d":
        return type(S.IFDIR);
      case "b":
        return type(S.IFBLK);
      case "c":
        return type(S.IFCHR);
      case "p":
        return type(S.IFIFO);
      case "S":
        return type(S.IFSOCK);
      case "h":
      case "L": {
        try {
          return (lstat(arg).mode & S.IFMT) === S.IFLNK;
        } catch {
          return false;
        }
      }
      case "s":
        return (tryStat(arg)?.size ?? 0) > 0;
      case "u":
        return ((tryStat(arg)?.mode ?? 0) & S.ISUID) !== 0;
      case "g":
        return ((tryStat(arg)?.mode ?? 0) & S.ISGID) !== 0;
      case "k":
        return ((tryStat(arg)?.mode ?? 0) & S.ISVTX) !== 0;
      case "O": {
        const st = tryStat(arg);
        return st !== undefined && st.uid === geteuid();
      }
      case "G": {
        const st = tryStat(arg);
        return st !== undefined && st.gid === getegid();
      }
      case "r":
        return access(arg, R_OK);
      case "w":
        return access(arg, W_OK);
      case "x":
        return access(arg, X_OK);
      case "t": {
        const fd = int(arg);
        return fd >= 0n && fd < 1024n && isatty(Number(fd));
      }
      case "n":
        return arg !== "";
      default: // "z"
        return arg === "";
    }
  }
}

/** An integer operand: blanks, an optional sign, digits, blanks. */
function int(s: string | undefined): bigint {
  const m = /^[ \t]*([+-]?\d+)[ \t]*$/.exec(s ?? "");
  if (m === null) throw new SyntaxError(`invalid integer ${quoteAlways(s ?? "")}`);
  return BigInt(m[1]);
}

function tryStat(path: string): Stat | undefined {
  try {
    return stat(path);
  } catch {
    return undefined;
  }
}

function mtime(path: string): bigint | undefined {
  const st = tryStat(path);
  return st === undefined
    ? undefined
    : BigInt(st.mtime.sec) * 1_000_000_000n + BigInt(st.mtime.nsec);
}

function access(path: string, mode: number): boolean {
  try {
    faccessat(AT.FDCWD, path, mode, AT.EACCESS);
    return true;
  } catch {
    return false;
  }
}
