// INIT: agree on a protocol version and on the features we can honour.
//
// The kernel offers its version and flags; we answer with the smaller minor
// (never above FUSE_KERNEL_MINOR_VERSION, the header our layouts are checked
// against) and with the offered flags we honour, and only those:
//   ASYNC_READ        several READs of one file in flight: each is independent here.
//   ATOMIC_O_TRUNC    OPEN carries O_TRUNC and the handler truncates (no extra SETATTR).
//   BIG_WRITES        writes above 4 KiB (implied on new kernels; old ones need it).
//   MAX_PAGES         requests of up to MAX_PAGES pages, so 1 MiB reads and writes.
//   AUTO_INVAL_DATA   drop cached pages when mtime or size changes under us
//                     (MelloOS programs change files the host kernel never sees).
//   PARALLEL_DIROPS   lookups and readdirs of one directory in parallel (the
//                     handler's state is per request or in the VFS server).
//   DO_READDIRPLUS, READDIRPLUS_AUTO   only when the handler has readdirplus.
//   HANDLE_KILLPRIV_V2  only when the handler clears set-id bits itself
//                     (killsPrivileges; see handler.ts).
// Left out on purpose: WRITEBACK_CACHE (the kernel would keep writes and times
// we could not see), POSIX_LOCKS/FLOCK_LOCKS (the host kernel keeps locks
// locally), POSIX_ACL and HANDLE_KILLPRIV (v1; the kernel does those for us),
// DONT_MASK (the kernel applies the caller's umask), SETXATTR_EXT and
// INIT_EXT (they only carry features above), EXPORT_SUPPORT (no "." and ".."
// lookups), SPLICE_* (plain read/write).

import {
  FUSE_KERNEL_MINOR_VERSION,
  FUSE_KERNEL_VERSION,
  FUSE_MIN_KERNEL_MINOR,
  InitFlag,
} from "./abi.ts";
import type { InitIn, InitOut } from "./codec.ts";
import type { FuseHandler } from "./handler.ts";
import {
  CONGESTION_THRESHOLD,
  MAX_BACKGROUND,
  MAX_PAGES,
  MAX_READAHEAD,
  MAX_WRITE,
  TIME_GRAN_NS,
} from "./params.ts";

/** Flags we ask for whatever the handler. */
const ALWAYS = InitFlag.ASYNC_READ | InitFlag.ATOMIC_O_TRUNC | InitFlag.BIG_WRITES |
  InitFlag.MAX_PAGES | InitFlag.AUTO_INVAL_DATA | InitFlag.PARALLEL_DIROPS;

/** Our answer to an INIT offer, or why we refuse it. */
export type Negotiated = { ok: true; reply: InitOut } | { ok: false; why: string };

/** Answer the kernel's INIT offer for `handler`. */
export function negotiate(offer: InitIn, handler: FuseHandler): Negotiated {
  if (offer.major !== FUSE_KERNEL_VERSION) {
    return { ok: false, why: `kernel speaks FUSE ${offer.major}.${offer.minor}, we speak 7` };
  }
  if (offer.minor < FUSE_MIN_KERNEL_MINOR) {
    return {
      ok: false,
      why: `kernel FUSE 7.${offer.minor} is older than 7.${FUSE_MIN_KERNEL_MINOR}`,
    };
  }
  let wanted = ALWAYS;
  if (handler.readdirplus !== undefined) {
    wanted |= InitFlag.DO_READDIRPLUS | InitFlag.READDIRPLUS_AUTO;
  }
  if (handler.killsPrivileges === true) wanted |= InitFlag.HANDLE_KILLPRIV_V2;
  return {
    ok: true,
    reply: {
      major: FUSE_KERNEL_VERSION,
      minor: Math.min(offer.minor, FUSE_KERNEL_MINOR_VERSION),
      maxReadahead: Math.min(offer.maxReadahead, MAX_READAHEAD),
      flags: (wanted & offer.flags) >>> 0,
      maxBackground: MAX_BACKGROUND,
      congestionThreshold: CONGESTION_THRESHOLD,
      maxWrite: MAX_WRITE,
      timeGranNs: TIME_GRAN_NS,
      maxPages: MAX_PAGES,
    },
  };
}
