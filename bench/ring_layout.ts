// Shared memory of the ring benchmark (ring_bench.ts and ring_worker.ts):
//
//   0     control, i32 words: STOP (main sets it to end the run),
//         CONSUMED (records the consumer has taken, published per batch),
//         OUT_OF_ORDER (records whose sequence number was not the next one)
//   64    the consumer's doorbell: seq, waiting (its own cache line)
//   128   the ring: header and RING_BYTES of data, the size of a real
//         request ring (kernel/ipc/channel.ts)
//
// Records are RECORD_BYTES long: the length word, a u32 sequence number,
// then 32 payload bytes. The producer rings the doorbell once per BATCH.

import { REQ_RING_BYTES } from "../kernel/ipc/channel.ts";
import { Ring } from "../kernel/ipc/ring.ts";

export const CTL_STOP = 0;
export const CTL_CONSUMED = 1;
export const CTL_OUT_OF_ORDER = 2;
export const BELL_INDEX = 16; // byte 64
export const RING_AT = 128;
export const RING_BYTES = REQ_RING_BYTES;
export const RECORD_BYTES = 40;
export const BATCH = 32;
/** Bytes of the whole shared buffer. */
export const LAYOUT_BYTES = RING_AT + Ring.bytesFor(RING_BYTES);
