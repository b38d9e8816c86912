// Batched messages through one ring: a producer Worker writes 40-byte records
// into a request-ring-sized Ring, ringing the doorbell once per 32, and a
// consumer Worker drains them (ring_worker.ts). The rate is counted over a
// fixed window after a warm-up, so Worker start-up stays outside it.
//
// Baseline: the host moving the same number of messages of the same size
// between two Workers with postMessage (post_worker.ts).

import { Bell } from "../kernel/ipc/doorbell.ts";
import { Ring } from "../kernel/ipc/ring.ts";
import {
  BATCH,
  BELL_INDEX,
  CTL_CONSUMED,
  CTL_OUT_OF_ORDER,
  CTL_STOP,
  LAYOUT_BYTES,
  RECORD_BYTES,
  RING_AT,
  RING_BYTES,
} from "./ring_layout.ts";
import { sleepMs } from "./stats.ts";
import type { Row } from "./table.ts";

const WARMUP_MS = 300;
const WINDOW_MS = 1000;
const TARGET_MSG_PER_S = 1_000_000;
/** The baseline moves as many messages as the ring did, but no more than this (time bound). */
const POST_MAX_MESSAGES = 1_000_000;

const ringWorkerUrl = new URL("./ring_worker.ts", import.meta.url);
const postWorkerUrl = new URL("./post_worker.ts", import.meta.url);

/** The ring throughput row. */
export async function ringBench(): Promise<Row[]> {
  const ring = await ringRate();
  const messages = Math.min(ring.messages, POST_MAX_MESSAGES);
  const hostPerS = await postMessageRate(messages);
  return [{
    name: `ring: ${RECORD_BYTES}-byte records, ${BATCH}/doorbell, Worker→Worker`,
    unit: "msg/s",
    ours: ring.perS,
    hostWork: `postMessage Worker→Worker ×${messages.toLocaleString("en-US")}`,
    host: hostPerS,
    target: TARGET_MSG_PER_S,
  }];
}

/** Messages per second through the ring, and how many the window saw. */
async function ringRate(): Promise<{ perS: number; messages: number }> {
  const sab = new SharedArrayBuffer(LAYOUT_BYTES);
  const ctl = new Int32Array(sab);
  const ring = new Ring(sab, RING_AT, RING_BYTES);
  const bell = new Bell(ctl, BELL_INDEX);
  const workers = ["consumer", "producer"].map((role) =>
    new Worker(ringWorkerUrl, { type: "module", name: `ring-${role}` })
  );
  try {
    const done = workers.map((w) => reply(w));
    workers.forEach((w, i) => w.postMessage({ role: i === 0 ? "consumer" : "producer", sab }));
    await sleepMs(WARMUP_MS);
    const c0 = Atomics.load(ctl, CTL_CONSUMED);
    const t0 = performance.now();
    await sleepMs(WINDOW_MS);
    const c1 = Atomics.load(ctl, CTL_CONSUMED);
    const t1 = performance.now();
    Atomics.store(ctl, CTL_STOP, 1);
    bell.force();
    ring.spaceBell.force();
    await Promise.all(done);
    const outOfOrder = Atomics.load(ctl, CTL_OUT_OF_ORDER);
    if (outOfOrder !== 0) throw new Error(`ring: ${outOfOrder} records out of order`);
    return { perS: (c1 - c0) / ((t1 - t0) / 1000), messages: c1 - c0 };
  } finally {
    workers.forEach((w) => w.terminate());
  }
}

/** Messages per second of `messages` postMessage calls from one Worker to another. */
async function postMessageRate(messages: number): Promise<number> {
  const [sender, receiver] = ["sender", "receiver"].map((role) =>
    new Worker(postWorkerUrl, { type: "module", name: `post-${role}` })
  );
  try {
    // Both Workers answer nothing until the receiver has every message, so the
    // time includes one main-thread hop each way (well under 1 ms of ~1 s).
    const done = reply(receiver) as Promise<{ count: number; outOfOrder: number }>;
    const { port1, port2 } = new MessageChannel();
    await sleepMs(WARMUP_MS); // let both Workers start before the clock does
    const t0 = performance.now();
    receiver.postMessage({ role: "receiver", port: port2, count: messages }, [port2]);
    sender.postMessage({ role: "sender", port: port1, count: messages }, [port1]);
    const result = await done;
    const elapsedMs = performance.now() - t0;
    if (result.outOfOrder !== 0) throw new Error(`postMessage: ${result.outOfOrder} out of order`);
    return messages / (elapsedMs / 1000);
  } finally {
    sender.terminate();
    receiver.terminate();
  }
}

/** The Worker's first message; rejects on its first error. */
function reply(w: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent) => resolve(e.data);
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      reject(new Error(`${e.message} (${e.filename}:${e.lineno})`));
    };
  });
}
