// The mount table, read from /proc/mounts (Linux's format: one mount per
// line, "source target fstype options 0 0", with spaces and the like in
// fields written as octal escapes: \040).
import { type Stat, stat } from "../lib/mod.ts";
import { tryReadText } from "./files.ts";

/** One line of /proc/mounts. */
export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
  options: string;
}

/** The mounts, in mount order; empty if /proc/mounts cannot be read. */
export function readMounts(): MountEntry[] {
  const text = tryReadText("/proc/mounts");
  if (text === undefined) return [];
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    if (f.length < 4) continue;
    out.push({
      source: unescapeField(f[0]),
      target: unescapeField(f[1]),
      fstype: unescapeField(f[2]),
      options: unescapeField(f[3]),
    });
  }
  return out;
}

function unescapeField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mount `path` lives on: the last mount whose target has the same device. */
export function mountOf(path: string, st?: Stat): MountEntry | undefined {
  let dev: number;
  try {
    dev = (st ?? stat(path)).dev;
  } catch {
    return undefined;
  }
  const mounts = readMounts();
  for (let i = mounts.length - 1; i >= 0; i--) {
    try {
      if (stat(mounts[i].target).dev === dev) return mounts[i];
    } catch {
      // a mount point we cannot see
    }
  }
  return undefined;
}

/** stat's %m: the mount point of `path`. */
export function mountPointOf(path: string, st?: Stat): string | undefined {
  return mountOf(path, st)?.target;
}
