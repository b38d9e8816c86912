// Pieces of the VFS's own data area, for requests the VFS relays to a
// filesystem server with bulk data (xattr values and name lists past one
// message). The filesystem server reads or writes the VFS's area, as any
// server does its caller's; each request in flight holds its own piece, so
// concurrent ones never share bytes.
//
// Layout of the VFS's data area (1 MiB):
//   [0, 512 KiB)       procfs: the kernel's process list (procfs.ts)
//   [512 KiB, 1 MiB)   8 slots of SLOT_BYTES, handed out here
// A request that finds every slot taken waits for one (FIFO).

import type { Area } from "../../kernel/ipc/channel.ts";
import { XATTR_LIST_MAX, XATTR_SIZE_MAX } from "./fs_protocol.ts";

/** One slot holds the largest xattr value or name list. */
export const SLOT_BYTES = Math.max(XATTR_SIZE_MAX, XATTR_LIST_MAX);

/** A slot: its offset in the data area, and a view of its bytes. */
export interface Slot {
  off: number;
  bytes: Uint8Array;
}

export class DataSlots {
  readonly #free: number[] = [];
  readonly #waiting: Array<(off: number) => void> = [];

  constructor(readonly area: Area) {
    const half = area.data.length / 2;
    for (let off = area.data.length - SLOT_BYTES; off >= half; off -= SLOT_BYTES) {
      this.#free.push(off);
    }
  }

  /** Run `fn` with a slot of its own; the slot is free again when `fn` settles. */
  async with<T>(fn: (slot: Slot) => Promise<T>): Promise<T> {
    const off = this.#free.pop() ?? await new Promise<number>((r) => this.#waiting.push(r));
    try {
      return await fn({ off, bytes: this.area.data.subarray(off, off + SLOT_BYTES) });
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next(off);
      else this.#free.push(off);
    }
  }
}

const byArea = new WeakMap<Area, DataSlots>();

/** The slots of `area`: one allocator per area, shared by every user of it. */
export function slotsOf(area: Area): DataSlots {
  let s = byArea.get(area);
  if (s === undefined) {
    s = new DataSlots(area);
    byArea.set(area, s);
  }
  return s;
}
