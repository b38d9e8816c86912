// The state buffer: where each part of mfs_ram's persistent state lives in
// the one SharedArrayBuffer the kernel keeps across restarts
// (ServerSpec.stateBytes). docs/mfs_ram_format.md draws the same map.
//
//   offset        bytes         part
//   0             4,096         header: magic "MFSR" u32, layout version u32
//   4,096         20,971,520    open-file table: MAX_OPENS records x 320 bytes (opens.ts)
//   20,975,616    16,384        chunk allocation bitmap: 1 bit per arena chunk (arena.ts)
//   20,992,000    167,776,256   persistent store (kernel/persist/store.ts):
//                                 4,096 header, 32 MiB journal, 2 x 64 MiB snapshot slots
//   188,768,256   2,147,483,648 chunk arena: ARENA_CHUNKS x 16 KiB of file data (arena.ts)
//   2,336,251,904               end (STATE_BYTES)
//
// What must stay true: every part starts on a 4096-byte boundary, and the
// sizes depend only on params.ts, so a restarted Worker computes the same
// offsets its predecessor used. The buffer is virtual: pages stay untouched
// (and cost nothing) until a part grows into them.

import { storeBytes } from "../../kernel/persist/store.ts";
import { ARENA_CHUNKS, CHUNK_BYTES, JOURNAL_BYTES, MAX_OPENS, SNAPSHOT_BYTES } from "./params.ts";

/** "MFSR": the state buffer belongs to mfs_ram. */
export const STATE_MAGIC = 0x5253464d;
/** Bump when any layout below changes. */
export const LAYOUT_VERSION = 1;

export const HEADER_BYTES = 4096;
export const OPEN_RECORD_BYTES = 320;

const page = (n: number) => Math.ceil(n / 4096) * 4096;

export const OPENS_OFFSET = HEADER_BYTES;
export const OPENS_BYTES = page(MAX_OPENS * OPEN_RECORD_BYTES);
export const BITMAP_OFFSET = OPENS_OFFSET + OPENS_BYTES;
export const BITMAP_BYTES = page(ARENA_CHUNKS / 8);
export const STORE_OFFSET = BITMAP_OFFSET + BITMAP_BYTES;
export const STORE_BYTES = storeBytes({
  journalBytes: JOURNAL_BYTES,
  snapshotBytes: SNAPSHOT_BYTES,
});
export const ARENA_OFFSET = STORE_OFFSET + page(STORE_BYTES);
export const ARENA_BYTES = ARENA_CHUNKS * CHUNK_BYTES;

/** Bytes of the whole state buffer. */
export const STATE_BYTES = ARENA_OFFSET + ARENA_BYTES;

/** Header words. */
export const H_MAGIC = 0;
export const H_VERSION = 1;
