// /proc/self/mountinfo, and the FUSE connection number of a mount.
//
// A line is: id parent major:minor root mountpoint options [optional...] -
// fstype source superoptions. Paths escape space, tab, newline and
// backslash as \ooo octal. Reading this file never touches the mounted
// filesystems, so it works even when a FUSE server is hung or dead (a
// stat() of the mount point would wait for it).

import { libc } from "./libc.ts";

/** One mount, as mountinfo describes it. */
export interface MountEntry {
  /** The superblock's device number, as "major:minor". */
  major: number;
  minor: number;
  mountPoint: string;
  fstype: string;
  source: string;
}

/** Every mount of this process's namespace, bottom of each stack first. */
export function readMounts(): MountEntry[] {
  const bytes = libc().readFile("/proc/self/mountinfo");
  if (typeof bytes === "number") {
    throw new Error(`cannot read /proc/self/mountinfo: errno ${-bytes}`);
  }
  return parseMountinfo(new TextDecoder().decode(bytes));
}

/** Parse mountinfo text. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-");
    if (fields.length < 10 || dash < 6) continue;
    const [major, minor] = fields[2].split(":").map(Number);
    out.push({
      major,
      minor,
      mountPoint: unescapeOctal(fields[4]),
      fstype: fields[dash + 1],
      source: unescapeOctal(fields[dash + 2]),
    });
  }
  return out;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The topmost mount at `mountPoint` (an absolute path without symlinks), if any. */
export function mountAt(mountPoint: string): MountEntry | undefined {
  return readMounts().findLast((m) => m.mountPoint === mountPoint);
}

/**
 * The name of a FUSE connection in fusectl (/sys/fs/fuse/connections/<N>):
 * the kernel's dev_t of the superblock, (major << 20) | minor, in decimal.
 * FUSE mounts get anonymous devices (major 0), so N is the minor.
 */
export function connectionOf(m: MountEntry): number {
  return m.major * 2 ** 20 + m.minor;
}
