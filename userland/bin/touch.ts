// touch: set a file's access and modification times, creating it if needed.
//
//   touch [-acm] [-d DATE | -t STAMP | -r FILE] [-h] FILE...
//
// A missing file is created (mode 0666 less the umask) unless -c. -d takes
// ISO 8601 dates and "@SECONDS" (always UTC here), -t [[CC]YY]MMDDhhmm[.ss],
// -r another file's times. "-" touches standard output.
import { Errno, futimens, lstat, O, open, stat, utimensat, warn } from "../lib/mod.ts";
import { close, UTIME_NOW, UTIME_OMIT } from "../lib/mod.ts";
import { getopt, usageError } from "../coreutils/getopt.ts";
import { AT } from "../coreutils/consts.ts";
import { errnoOf } from "../coreutils/files.ts";
import { quoteAlways } from "../coreutils/quote.ts";
import { parseDate, parseTouchStamp } from "../coreutils/time.ts";

const USAGE = `Usage: touch [OPTION]... FILE...
Update the access and modification times of each FILE to the current time.

  -a                     change only the access time
  -c, --no-create        do not create any files
  -d, --date=STRING      parse STRING and use it instead of current time
  -h, --no-dereference   affect each symbolic link instead of any referenced file
  -m                     change only the modification time
  -r, --reference=FILE   use this file's times instead of current time
  -t STAMP               use [[CC]YY]MMDDhhmm[.ss] instead of current time`;

type Timespec = { sec: number; nsec: number };

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "acd:fhmr:t:",
    usage: USAGE,
    long: {
      "no-create": { arg: "none", key: "c" },
      date: { arg: "required", key: "d" },
      "no-dereference": { arg: "none", key: "h" },
      reference: { arg: "required", key: "r" },
      time: { arg: "required", key: "--time" },
    },
  });
  if (typeof p === "number") return p;
  let atime = false;
  let mtime = false;
  let noCreate = false;
  let noDeref = false;
  let when: [Timespec, Timespec] | undefined;
  for (const { key, value } of p.opts) {
    switch (key) {
      case "a":
        atime = true;
        break;
      case "m":
        mtime = true;
        break;
      case "c":
        noCreate = true;
        break;
      case "h":
        noDeref = true;
        break;
      case "--time":
        if (value === "atime" || value === "access" || value === "use") atime = true;
        else if (value === "mtime" || value === "modify") mtime = true;
        else return usageError(`invalid argument '${value}' for '--time'`);
        break;
      case "d": {
        const t = parseDate(value!);
        if (t === undefined) {
          warn(`invalid date format ${quoteAlways(value!)}`);
          return 1;
        }
        when = [t, t];
        break;
      }
      case "t": {
        const t = parseTouchStamp(value!);
        if (t === undefined) {
          warn(`invalid date format ${quoteAlways(value!)}`);
          return 1;
        }
        when = [t, t];
        break;
      }
      case "r":
        try {
          const st = noDeref ? lstat(value!) : stat(value!);
          when = [st.atime, st.mtime];
        } catch (err) {
          warn(`failed to get attributes of ${quoteAlways(value!)}`, err);
          return 1;
        }
        break;
    }
  }
  if (p.operands.length === 0) return usageError("missing file operand");
  if (!atime && !mtime) atime = mtime = true;
  const nowTs = { sec: 0, nsec: UTIME_NOW };
  const omit = { sec: 0, nsec: UTIME_OMIT };
  const times: [Timespec, Timespec] | undefined = when === undefined && atime && mtime
    ? undefined
    : [
      atime ? (when?.[0] ?? nowTs) : omit,
      mtime ? (when?.[1] ?? nowTs) : omit,
    ];
  let status = 0;
  for (const file of p.operands) {
    if (!touch(file, times, noCreate, noDeref)) status = 1;
  }
  return status;
}

function touch(
  file: string,
  times: [Timespec, Timespec] | undefined,
  noCreate: boolean,
  noDeref: boolean,
): boolean {
  let fd = -1;
  let openErr: unknown;
  if (file === "-") {
    fd = 1;
  } else if (!noCreate && !noDeref) {
    try {
      fd = open(file, O.WRONLY | O.CREAT | O.NONBLOCK | O.NOCTTY, 0o666);
    } catch (err) {
      openErr = err;
    }
  }
  try {
    if (fd >= 0) futimens(fd, times);
    else utimensat(AT.FDCWD, file, times, noDeref ? AT.SYMLINK_NOFOLLOW : 0);
    return true;
  } catch (err) {
    if (openErr !== undefined) {
      warn(`cannot touch ${quoteAlways(file)}`, openErr);
    } else {
      if (noCreate && errnoOf(err) === Errno.ENOENT) return true;
      warn(`setting times of ${quoteAlways(file)}`, err);
    }
    return false;
  } finally {
    if (fd > 1) close(fd);
  }
}
