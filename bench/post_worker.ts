// postMessage baseline Worker: the sender or the receiver of small messages
// over a MessagePort, by the `role` of its first message.
//
// Messages are 36-byte Uint8Arrays (a ring record's body: sequence number and
// 32 payload bytes), structured-cloned by postMessage. The receiver answers
// every ACK_EVERY messages with how many it has, and the sender keeps at most
// MAX_IN_FLIGHT unanswered: a bounded queue, as the ring is, instead of
// millions of messages piled up in memory. Only the receiver reports to the
// main thread, once it has them all.

import { workerScope } from "../kernel/ipc/worker_scope.ts";

const BODY_BYTES = 36;
const ACK_EVERY = 1024;
const MAX_IN_FLIGHT = 16 * 1024;

interface Start {
  role: "sender" | "receiver";
  port: MessagePort;
  count: number;
}

workerScope.onmessage = (e: MessageEvent) => {
  const { role, port, count } = e.data as Start;
  workerScope.onmessage = null;
  if (role === "sender") send(port, count);
  else receive(port, count);
};

function send(port: MessagePort, count: number): void {
  const body = new Uint8Array(BODY_BYTES);
  const dv = new DataView(body.buffer);
  let sent = 0;
  let acked = 0;
  const pump = () => {
    while (sent < count && sent - acked < MAX_IN_FLIGHT) {
      dv.setUint32(0, sent, true);
      for (let at = 4; at < BODY_BYTES; at += 4) dv.setUint32(at, sent ^ at, true);
      port.postMessage(body);
      sent++;
    }
  };
  port.onmessage = (e: MessageEvent) => {
    acked = e.data as number;
    pump();
  };
  pump();
}

function receive(port: MessagePort, count: number): void {
  let received = 0;
  let outOfOrder = 0;
  port.onmessage = (e: MessageEvent) => {
    const body = e.data as Uint8Array;
    if (new DataView(body.buffer, body.byteOffset).getUint32(0, true) !== received) outOfOrder++;
    received++;
    if (received % ACK_EVERY === 0 || received === count) port.postMessage(received);
    if (received === count) workerScope.postMessage({ count: received, outOfOrder });
  };
}
