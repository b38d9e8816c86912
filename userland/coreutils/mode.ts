// File modes: the 10-character string ls and stat print, the type names stat
// prints, and chmod's MODE syntax (octal or symbolic, as gnulib's
// modechange.c compiles and applies it, umask and directory rules included).

import { S } from "./consts.ts";

const CHMOD_MODE_BITS = 0o7777;
const S_IRWXUGO = 0o777;

/** The type letter of a mode, as ls -l prints it. */
export function typeChar(mode: number): string {
  switch (mode & S.IFMT) {
    case S.IFDIR:
      return "d";
    case S.IFLNK:
      return "l";
    case S.IFCHR:
      return "c";
    case S.IFBLK:
      return "b";
    case S.IFIFO:
      return "p";
    case S.IFSOCK:
      return "s";
    case S.IFREG:
      return "-";
    default:
      return "?";
  }
}

/** "drwxr-xr-x", with s/S for setuid and setgid and t/T for sticky. */
export function modeString(mode: number): string {
  const rwx = (bits: number, special: boolean, on: string, off: string) =>
    (bits & 4 ? "r" : "-") + (bits & 2 ? "w" : "-") +
    (special ? (bits & 1 ? on : off) : bits & 1 ? "x" : "-");
  return typeChar(mode) +
    rwx((mode >> 6) & 7, (mode & S.ISUID) !== 0, "s", "S") +
    rwx((mode >> 3) & 7, (mode & S.ISGID) !== 0, "s", "S") +
    rwx(mode & 7, (mode & S.ISVTX) !== 0, "t", "T");
}

/** stat's %F: "regular file", "directory", ... */
export function fileTypeName(mode: number, size: number): string {
  switch (mode & S.IFMT) {
    case S.IFREG:
      return size === 0 ? "regular empty file" : "regular file";
    case S.IFDIR:
      return "directory";
    case S.IFLNK:
      return "symbolic link";
    case S.IFCHR:
      return "character special file";
    case S.IFBLK:
      return "block special file";
    case S.IFIFO:
      return "fifo";
    case S.IFSOCK:
      return "socket";
    default:
      return "weird file";
  }
}

const Flag = { ORDINARY: 0, COPY_EXISTING: 1, X_IF_ANY_X: 2 } as const;
type Flag = typeof Flag[keyof typeof Flag];

/** One compiled change of a MODE string. */
export interface ModeChange {
  op: "=" | "+" | "-";
  flag: Flag;
  affected: number;
  value: number;
  mentioned: number;
}

/** Compile chmod's MODE ("755", "u+x,g-w", "a=rX"); undefined if it is not valid. */
export function compileMode(str: string): ModeChange[] | undefined {
  if (/^[0-7]+$/.test(str)) {
    const octal = parseInt(str, 8);
    if (octal > CHMOD_MODE_BITS) return undefined;
    const mentioned = str.length < 5
      ? (octal & (S.ISUID | S.ISGID)) | S.ISVTX | S_IRWXUGO
      : CHMOD_MODE_BITS;
    return [{ op: "=", flag: Flag.ORDINARY, affected: CHMOD_MODE_BITS, value: octal, mentioned }];
  }
  const changes: ModeChange[] = [];
  let i = 0;
  for (;;) {
    let affected = 0;
    for (;; i++) {
      const c = str[i];
      if (c === "u") affected |= S.ISUID | 0o700;
      else if (c === "g") affected |= S.ISGID | 0o070;
      else if (c === "o") affected |= S.ISVTX | 0o007;
      else if (c === "a") affected |= CHMOD_MODE_BITS;
      else if (c === "=" || c === "+" || c === "-") break;
      else return undefined;
    }
    do {
      const op = str[i++] as "=" | "+" | "-";
      let value = 0;
      let flag: Flag = Flag.COPY_EXISTING;
      const c = str[i];
      if (c === "u") {
        value = 0o700;
        i++;
      } else if (c === "g") {
        value = 0o070;
        i++;
      } else if (c === "o") {
        value = 0o007;
        i++;
      } else {
        flag = Flag.ORDINARY;
        for (;; i++) {
          const p = str[i];
          if (p === "r") value |= 0o444;
          else if (p === "w") value |= 0o222;
          else if (p === "x") value |= 0o111;
          else if (p === "X") flag = Flag.X_IF_ANY_X;
          else if (p === "s") value |= S.ISUID | S.ISGID;
          else if (p === "t") value |= S.ISVTX;
          else break;
        }
      }
      changes.push({
        op,
        flag,
        affected,
        value,
        mentioned: affected ? affected & value : value,
      });
    } while (str[i] === "=" || str[i] === "+" || str[i] === "-");
    if (i >= str.length) return changes;
    if (str[i] !== ",") return undefined;
    i++;
  }
}

/**
 * The mode `changes` make of `oldMode` (gnulib mode_adjust). `bits` gets the
 * mode bits the changes explicitly set or cleared.
 */
export function applyMode(
  oldMode: number,
  dir: boolean,
  umask: number,
  changes: ModeChange[],
): { mode: number; bits: number } {
  let mode = oldMode & CHMOD_MODE_BITS;
  let bits = 0;
  for (const c of changes) {
    const omit = (dir ? S.ISUID | S.ISGID : 0) & ~c.mentioned;
    let value = c.value;
    if (c.flag === Flag.COPY_EXISTING) {
      value &= mode;
      value |= (value & 0o444 ? 0o444 : 0) | (value & 0o222 ? 0o222 : 0) |
        (value & 0o111 ? 0o111 : 0);
    } else if (c.flag === Flag.X_IF_ANY_X) {
      if ((mode & 0o111) !== 0 || dir) value |= 0o111;
    }
    value &= (c.affected ? c.affected : ~umask) & ~omit;
    if (c.op === "=") {
      const preserved = (c.affected ? ~c.affected : 0) | omit;
      bits |= CHMOD_MODE_BITS & ~preserved;
      mode = (mode & preserved) | value;
    } else if (c.op === "+") {
      bits |= value;
      mode |= value;
    } else {
      bits |= value;
      mode &= ~value;
    }
  }
  return { mode, bits };
}
