// Ring benchmark Worker: the producer or the consumer of one ring, by the
// `role` of its first message (see ring_layout.ts for the shared memory).
//
// The producer writes records in batches of BATCH and rings the consumer's
// doorbell once per batch; on a full ring it rings first, then parks on the
// ring's space bell (a producer that sleeps on a full ring without ringing
// would leave both sides asleep). The consumer takes records, commits the
// head once per batch, and parks on its doorbell when the ring is empty.
// Both stop when the main thread sets STOP and forces their bells.

import { Bell } from "../kernel/ipc/doorbell.ts";
import { Ring } from "../kernel/ipc/ring.ts";
import { workerScope } from "../kernel/ipc/worker_scope.ts";
import {
  BATCH,
  BELL_INDEX,
  CTL_CONSUMED,
  CTL_OUT_OF_ORDER,
  CTL_STOP,
  RECORD_BYTES,
  RING_AT,
  RING_BYTES,
} from "./ring_layout.ts";

const PARK_TIMEOUT_MS = 20; // only a safety net: every wake-up here is rung

workerScope.onmessage = (e: MessageEvent) => {
  const { role, sab } = e.data as { role: "producer" | "consumer"; sab: SharedArrayBuffer };
  workerScope.onmessage = null;
  const ctl = new Int32Array(sab);
  const ring = new Ring(sab, RING_AT, RING_BYTES);
  const bell = new Bell(ctl, BELL_INDEX);
  const count = role === "producer" ? produce(ctl, ring, bell) : consume(ctl, ring, bell);
  workerScope.postMessage({ role, count });
};

function produce(ctl: Int32Array, ring: Ring, bell: Bell): number {
  const dv = ring.dv;
  const stopped = () => Atomics.load(ctl, CTL_STOP) !== 0;
  let seq = 0;
  while (!stopped()) {
    for (let i = 0; i < BATCH; i++) {
      let off = ring.reserve(RECORD_BYTES);
      while (off < 0) {
        bell.ring();
        ring.spaceBell.park(
          () => ring.usedBytes() + RECORD_BYTES <= ring.size || stopped(),
          PARK_TIMEOUT_MS,
        );
        if (stopped()) return seq;
        off = ring.reserve(RECORD_BYTES);
      }
      dv.setUint32(off + 4, seq, true);
      for (let at = off + 8; at < off + RECORD_BYTES; at += 4) dv.setUint32(at, seq ^ at, true);
      ring.publish(off, RECORD_BYTES);
      seq++;
    }
    bell.ring();
  }
  return seq;
}

function consume(ctl: Int32Array, ring: Ring, bell: Bell): number {
  const dv = ring.dv;
  const stopped = () => Atomics.load(ctl, CTL_STOP) !== 0;
  let taken = 0;
  let uncommitted = 0;
  let outOfOrder = 0;
  for (;;) {
    const off = ring.peek();
    if (off < 0) {
      if (uncommitted > 0) {
        ring.commit();
        Atomics.store(ctl, CTL_CONSUMED, taken);
        uncommitted = 0;
      }
      if (stopped()) break;
      bell.park(() => ring.hasRecord() || stopped(), PARK_TIMEOUT_MS);
      continue;
    }
    if (dv.getUint32(off + 4, true) !== (taken >>> 0)) outOfOrder++;
    ring.consume(off);
    taken++;
    if (++uncommitted === BATCH) {
      ring.commit();
      Atomics.store(ctl, CTL_CONSUMED, taken);
      uncommitted = 0;
    }
  }
  Atomics.store(ctl, CTL_OUT_OF_ORDER, outOfOrder);
  return taken;
}
