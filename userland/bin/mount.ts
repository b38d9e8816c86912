// mount: list or mount file systems, as util-linux mount(8).
//
//   mount [-t TYPE]                    list /proc/mounts: "SRC on TARGET type TYPE (OPTS)"
//   mount [-t TYPE] [-o OPTS] [-r|-w] SRC TARGET
//   mount --bind OLDDIR NEWDIR
//
// Options known to mount(2) (ro, rw, nosuid, nodev, noexec, remount, bind,
// ...) become flags; the rest (size=1m, ...) go to the file system as its
// data string. A failed mount exits 32, a usage error 1.
import { eprint, getuid, mount, print, warn } from "../lib/mod.ts";
import { Errno } from "../lib/mod.ts";
import { getopt } from "../coreutils/getopt.ts";
import { MS } from "../coreutils/consts.ts";
import { errnoOf } from "../coreutils/files.ts";
import { readMounts } from "../coreutils/mounts.ts";
import { errText } from "../lib/mod.ts";

const USAGE = `Usage:
 mount [-lhV]
 mount -a [options]
 mount [options] [--source] <source> | [--target] <directory>
 mount [options] <source> <directory>
 mount <operation> <mountpoint> [<target>]

Mount a filesystem.

Options:
 -o, --options <list>    comma-separated list of mount options
 -r, --read-only         mount the filesystem read-only (same as -o ro)
 -t, --types <list>      limit the set of filesystem types
 -w, --rw, --read-write  mount the filesystem read-write (default)
 -B, --bind              mount a subtree somewhere else (same as -o bind)`;

const EX_USAGE = 1;
const EX_FAIL = 32;

/** Options that are mount(2) flags: [flag, set (true) or clear (false)]. */
const FLAG_OPTIONS: Record<string, [number, boolean]> = {
  ro: [MS.RDONLY, true],
  rw: [MS.RDONLY, false],
  nosuid: [MS.NOSUID, true],
  suid: [MS.NOSUID, false],
  nodev: [MS.NODEV, true],
  dev: [MS.NODEV, false],
  noexec: [MS.NOEXEC, true],
  exec: [MS.NOEXEC, false],
  sync: [MS.SYNCHRONOUS, true],
  async: [MS.SYNCHRONOUS, false],
  remount: [MS.REMOUNT, true],
  bind: [MS.BIND, true],
  rbind: [MS.BIND | MS.REC, true],
  noatime: [MS.NOATIME, true],
  atime: [MS.NOATIME, false],
  defaults: [0, true],
};

export function main(argv: string[]): number {
  const p = getopt(argv, {
    short: "t:o:rwBlvna",
    usage: USAGE,
    long: {
      types: { arg: "required", key: "t" },
      options: { arg: "required", key: "o" },
      "read-only": { arg: "none", key: "r" },
      rw: { arg: "none", key: "w" },
      "read-write": { arg: "none", key: "w" },
      bind: { arg: "none", key: "B" },
      rbind: { arg: "none", key: "--rbind" },
      verbose: { arg: "none", key: "v" },
      "no-mtab": { arg: "none", key: "n" },
      all: { arg: "none", key: "a" },
    },
  });
  if (typeof p === "number") return p === 0 ? 0 : EX_USAGE;
  let type: string | undefined;
  const opts: string[] = [];
  for (const { key, value } of p.opts) {
    if (key === "t") type = value;
    else if (key === "o") opts.push(...value!.split(",").filter((s) => s !== ""));
    else if (key === "r") opts.push("ro");
    else if (key === "w") opts.push("rw");
    else if (key === "B") opts.push("bind");
    else if (key === "--rbind") opts.push("rbind");
  }
  if (p.opts.some((o) => o.key === "a")) return 0; // no /etc/fstab to mount from
  const args = p.operands;
  if (args.length === 0) return list(type);
  if (args.length === 1) {
    eprint(`mount: ${args[0]}: can't find in /etc/fstab.`);
    return EX_USAGE;
  }
  if (args.length > 2) {
    warn("bad usage");
    eprint(`Try 'mount --help' for more information.`);
    return EX_USAGE;
  }
  const [source, target] = args;
  let flags = 0;
  const data: string[] = [];
  for (const o of opts) {
    const f = FLAG_OPTIONS[o];
    if (f === undefined) data.push(o);
    else if (f[1]) flags |= f[0];
    else flags &= ~f[0];
  }
  try {
    mount(source, target, (flags & MS.BIND) !== 0 ? "none" : type ?? "", flags, data.join(","));
  } catch (err) {
    eprint(`mount: ${target}: ${failure(errnoOf(err), source, type, err)}`);
    eprint("       dmesg(1) may have more information after failed mount system call.");
    return EX_FAIL;
  }
  return 0;
}

function failure(errno: number, source: string, type: string | undefined, err: unknown): string {
  switch (errno) {
    case Errno.EPERM:
    case Errno.EACCES:
      return getuid() === 0 ? "permission denied." : "must be superuser to use mount.";
    case Errno.ENOENT:
      return "mount point does not exist.";
    case Errno.ENOTDIR:
      return "mount point is not a directory.";
    case Errno.EBUSY:
      return `${source} already mounted or mount point busy.`;
    case Errno.ENODEV:
      return type === undefined ? "unknown filesystem type." : `unknown filesystem type '${type}'.`;
    case Errno.EINVAL:
      return `wrong fs type, bad option, bad superblock on ${source}, missing codepage or helper program, or other error.`;
    case Errno.ENOSPC:
      return "no space left on device.";
    default:
      return `mount(2) system call failed: ${errText(err)}.`;
  }
}

function list(type: string | undefined): number {
  for (const m of readMounts()) {
    if (type !== undefined && !type.split(",").includes(m.fstype)) continue;
    print(`${m.source} on ${m.target} type ${m.fstype} (${m.options})`);
  }
  return 0;
}
