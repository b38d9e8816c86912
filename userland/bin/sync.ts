// sync: commit cached writes to storage.
//
//   sync [-d] [-f] [FILE]...
//
// Without FILE, every filesystem (sync(2)); with FILEs, each one (fsync(2),
// or fdatasync(2) with -d; -f syncs the file's filesystem, done here with fsync).
import { close, fdatasync, fsync, O, open, sync, warn } from "../lib/mod.ts";
import { getopt, has, usageError } from "../coreutils/getopt.ts";
import { quoteAlways } from "../coreutils/quote.ts";

const USAGE = `Usage: sync [OPTION] [FILE]...
Synchronize cached writes to persistent storage

  -d, --data             sync only file data, no unneeded metadata
  -f, --file-system      sync the file systems that contain the files`;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "df",
    usage: USAGE,
    long: { data: { arg: "none", key: "d" }, "file-system": { arg: "none", key: "f" } },
  });
  if (typeof p === "number") return p;
  const data = has(p, "d");
  if (data && has(p, "f")) return usageError("cannot specify both --data and --file-system");
  if (p.operands.length === 0) {
    if (data) return usageError("--data needs at least one argument");
    try {
      sync();
    } catch (err) {
      warn("sync failed", err);
      return 1;
    }
    return 0;
  }
  let status = 0;
  for (const f of p.operands) {
    let fd: number;
    try {
      fd = open(f, O.RDONLY | O.NONBLOCK);
    } catch (err) {
      warn(`error opening ${quoteAlways(f)}`, err);
      status = 1;
      continue;
    }
    try {
      if (data) fdatasync(fd);
      else fsync(fd);
    } catch (err) {
      warn(`error syncing ${quoteAlways(f)}`, err);
      status = 1;
    } finally {
      close(fd);
    }
  }
  return status;
}
