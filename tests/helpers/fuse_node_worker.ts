// A Worker for tests/fuse_node_table.test.ts: looks up 1000 handles in a shared table.
import { NodeTable } from "../../drivers/fuse/node_table.ts";
import { workerScope } from "../../kernel/ipc/worker_scope.ts";

workerScope.onmessage = (e: MessageEvent) => {
  const t = new NodeTable(e.data as SharedArrayBuffer);
  const ids: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const handle = new Uint8Array([i & 0xff, i >> 8, 42]);
    ids.push(t.ref(handle).nodeid);
    t.ref(handle);
    t.forget(ids[i], 1);
  }
  workerScope.postMessage(ids);
};
