// Test program: fstat fds 0-2 (no output); exit 0 if all answer, else the errno of the first failure.
import { fstat } from "../../userland/lib/mod.ts";
import { ErrnoError } from "../../userland/lib/syscall.ts";

export function main(_argv: string[]): number {
  for (const fd of [0, 1, 2]) {
    try {
      fstat(fd);
    } catch (err) {
      return err instanceof ErrnoError ? err.errno : 99;
    }
  }
  return 0;
}
