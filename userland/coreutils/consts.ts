// st_mode tests the coreutils share, and the library's constants re-exported
// so that a tool imports its Linux names from one place.
import { S } from "../lib/consts.ts";

export * from "../lib/consts.ts";

export function isDir(mode: number): boolean {
  return (mode & S.IFMT) === S.IFDIR;
}
export function isLnk(mode: number): boolean {
  return (mode & S.IFMT) === S.IFLNK;
}
export function isReg(mode: number): boolean {
  return (mode & S.IFMT) === S.IFREG;
}
export function isDev(mode: number): boolean {
  const t = mode & S.IFMT;
  return t === S.IFCHR || t === S.IFBLK;
}
