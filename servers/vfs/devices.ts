// Character devices. The VFS serves the memory devices itself (Linux's
// major 1: null, zero, full, random, urandom); the console and /dev/tty are
// the tty server's (major 5), which the VFS opens on the caller's behalf.
// Any other device number has no driver: ENXIO, as Linux says.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { major, makedev, minor, S, type Stat } from "../../kernel/stat.ts";
import type { LocalFile } from "./vfs.ts";

export const MEM_MAJOR = 1;
export const Mem = { NULL: 3, ZERO: 5, FULL: 7, RANDOM: 8, URANDOM: 9 } as const;
export const TTY_MAJOR = 5;
export const Tty = { TTY: 0, CONSOLE: 1 } as const;

// dev_t numbers reach past 32 bits: no JS bit operators on them (kernel/stat.ts has BigInt).
export { major, minor };

/** The device nodes a boot creates in /dev: name, mode, rdev. */
export const STANDARD_NODES: Array<{ name: string; mode: number; rdev: number }> = [
  { name: "null", mode: S.IFCHR | 0o666, rdev: makedev(MEM_MAJOR, Mem.NULL) },
  { name: "zero", mode: S.IFCHR | 0o666, rdev: makedev(MEM_MAJOR, Mem.ZERO) },
  { name: "full", mode: S.IFCHR | 0o666, rdev: makedev(MEM_MAJOR, Mem.FULL) },
  { name: "random", mode: S.IFCHR | 0o666, rdev: makedev(MEM_MAJOR, Mem.RANDOM) },
  { name: "urandom", mode: S.IFCHR | 0o666, rdev: makedev(MEM_MAJOR, Mem.URANDOM) },
  { name: "tty", mode: S.IFCHR | 0o666, rdev: makedev(TTY_MAJOR, Tty.TTY) },
  { name: "console", mode: S.IFCHR | 0o600, rdev: makedev(TTY_MAJOR, Tty.CONSOLE) },
];

/** A memory device's open file. */
export class MemDevice implements LocalFile {
  constructor(readonly minorNo: number, readonly statOf: () => Stat | Promise<Stat>) {}

  read(_req: unknown, sink: Uint8Array): number {
    switch (this.minorNo) {
      case Mem.NULL:
        return 0;
      case Mem.ZERO:
      case Mem.FULL:
        sink.fill(0);
        return sink.length;
      default: {
        // getRandomValues fills at most 64 KiB per call.
        for (let at = 0; at < sink.length; at += 65536) {
          crypto.getRandomValues(sink.subarray(at, Math.min(sink.length, at + 65536)));
        }
        return sink.length;
      }
    }
  }

  writeTo(_req: unknown, src: Uint8Array): number {
    if (this.minorNo === Mem.FULL) throw new ErrnoError(Errno.ENOSPC, "/dev/full");
    return src.length; // null, zero: discarded; random: would stir the pool
  }

  /** A memory device has no position: pread and pwrite are read and write. */
  pread(sink: Uint8Array): number {
    return this.read(undefined, sink);
  }

  pwrite(src: Uint8Array): number {
    return this.writeTo(undefined, src);
  }

  lseek(): number {
    return 0; // Linux: seeking a memory device always succeeds, at 0
  }

  stat(): Stat | Promise<Stat> {
    return this.statOf();
  }

  release(): void {}
}

/** Is there a driver the VFS itself serves for `rdev`? */
export function isMemDevice(rdev: number): boolean {
  return major(rdev) === MEM_MAJOR && (Object.values(Mem) as number[]).includes(minor(rdev));
}

export function isTtyDevice(rdev: number): boolean {
  return major(rdev) === TTY_MAJOR && (minor(rdev) === Tty.TTY || minor(rdev) === Tty.CONSOLE);
}
