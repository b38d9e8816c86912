// Test Worker: pushes `count` records of varying size into a shared ring.
// Record body: producer id (u32), sequence (u32), then bytes derived from both.
import { Ring } from "../../kernel/ipc/ring.ts";
import { Bell } from "../../kernel/ipc/doorbell.ts";
import { workerScope } from "../../kernel/ipc/worker_scope.ts";

workerScope.onmessage = (e: MessageEvent) => {
  const { sab, at, size, producer, count, bellIndex } = e.data;
  const ring = new Ring(sab, at, size);
  const bell = new Bell(new Int32Array(sab), bellIndex);
  for (let seq = 0; seq < count; seq++) {
    const body = 8 + ((seq * 7 + producer * 13) % 200);
    const bytes = (4 + body + 7) & ~7;
    let off = ring.reserve(bytes);
    while (off < 0) {
      bell.ring();
      ring.spaceBell.park(() => ring.usedBytes() + bytes <= ring.size, 20);
      off = ring.reserve(bytes);
    }
    ring.dv.setUint32(off + 4, producer, true);
    ring.dv.setUint32(off + 8, seq, true);
    for (let i = 12; i < 4 + body; i++) ring.u8[off + i] = (producer + seq + i) & 0xff;
    ring.publish(off, bytes);
    if ((seq & 15) === 0) bell.ring();
  }
  bell.ring();
  workerScope.postMessage("done");
};
