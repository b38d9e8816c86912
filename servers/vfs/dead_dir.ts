// An open of a directory that was removed while it was still some process's
// cwd, so its filesystem has forgotten it (ops_names.ts, removedDir). Linux
// lets such an open succeed, fstat shows a link count of 0, and getdents64
// answers ENOENT (glibc's readdir takes that for the end).

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { SEEK } from "../../kernel/fcntl.ts";
import type { Stat } from "../../kernel/stat.ts";
import type { LocalFile } from "./vfs.ts";

export class DeadDir implements LocalFile {
  constructor(readonly stat: () => Stat) {}

  getdents(): number {
    throw new ErrnoError(Errno.ENOENT, "getdents64 of a removed directory");
  }

  lseek(offset: number, whence: number): number {
    if ((whence !== SEEK.SET && whence !== SEEK.CUR) || offset < 0) {
      throw new ErrnoError(Errno.EINVAL, "lseek of a removed directory");
    }
    return offset;
  }

  release(): void {}
}
