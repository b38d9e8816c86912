// umount: unmount file systems, as util-linux umount(8).
//
//   umount [-f] [-l] TARGET...
//
// TARGET is a mount point, or a mount's source as /proc/mounts names it.
// -f forces (MNT_FORCE), -l detaches lazily (MNT_DETACH). Exit 32 on failure.
import { eprint, getuid, umount2 } from "../lib/mod.ts";
import { Errno, errText } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { MNT_DETACH, MNT_FORCE } from "../coreutils/consts.ts";
import { errnoOf } from "../coreutils/files.ts";
import { readMounts } from "../coreutils/mounts.ts";

const USAGE = `Usage:
 umount [-hV]
 umount <source> | <directory>

Unmount filesystems.

Options:
 -f, --force             force unmount (in case of an unreachable NFS system)
 -l, --lazy              detach the filesystem now, clean up things later`;

const EX_USAGE = 1;
const EX_FAIL = 32;

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "flvnr",
    usage: USAGE,
    long: {
      force: { arg: "none", key: "f" },
      lazy: { arg: "none", key: "l" },
      verbose: { arg: "none", key: "v" },
      "no-mtab": { arg: "none", key: "n" },
      "read-only": { arg: "none", key: "r" },
    },
  });
  if (typeof p === "number") return p === 0 ? 0 : EX_USAGE;
  let flags = 0;
  for (const { key } of p.opts) {
    if (key === "f") flags |= MNT_FORCE;
    else if (key === "l") flags |= MNT_DETACH;
  }
  if (p.operands.length === 0) {
    eprint("umount: bad usage");
    eprint("Try 'umount --help' for more information.");
    return EX_USAGE;
  }
  let status = 0;
  for (const arg of p.operands) {
    const target = resolveTarget(arg);
    try {
      umount2(target, flags);
    } catch (err) {
      eprint(`umount: ${arg}: ${failure(errnoOf(err), err)}`);
      status = EX_FAIL;
    }
  }
  return status;
}

/** A mount source given instead of a mount point names its (last) mount point. */
function resolveTarget(arg: string): string {
  const mounts = readMounts();
  if (mounts.some((m) => m.target === arg)) return arg;
  for (let i = mounts.length - 1; i >= 0; i--) {
    if (mounts[i].source === arg) return mounts[i].target;
  }
  return arg;
}

function failure(errno: number, err: unknown): string {
  switch (errno) {
    case Errno.EINVAL:
      return "not mounted.";
    case Errno.ENOENT:
      return "no mount point specified.";
    case Errno.EBUSY:
      return "target is busy.";
    case Errno.EPERM:
    case Errno.EACCES:
      return getuid() === 0 ? "permission denied." : "must be superuser to unmount.";
    default:
      return `umount failed: ${errText(err)}.`;
  }
}
