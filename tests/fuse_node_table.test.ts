// The FUSE bridge's shared node table (drivers/fuse/node_table.ts): one node
// per file, counted lookups, generations that tell a reused slot, and the
// same answers from every Worker.

import assert from "node:assert/strict";
import { NodeTable } from "../drivers/fuse/node_table.ts";
import { Errno, ErrnoError } from "../kernel/errno.ts";

const h = (...b: number[]) => new Uint8Array(b);

Deno.test("fuse node table: one node per handle, freed after its last forget, with a new generation", () => {
  const t = NodeTable.create(8, h(9, 9));
  assert.deepEqual(t.get(1), { handle: h(9, 9), generation: 0 });
  const a = t.ref(h(1, 2, 3));
  assert.notEqual(a.nodeid, 1);
  assert.deepEqual(t.ref(h(1, 2, 3)), a, "the same file, the same node");
  const b = t.ref(h(1, 2, 4));
  assert.notEqual(b.nodeid, a.nodeid);
  assert.equal(t.live, 3);
  t.forget(a.nodeid, 1);
  assert.deepEqual(t.get(a.nodeid).handle, h(1, 2, 3), "one lookup left");
  t.forget(a.nodeid, 1);
  assert.throws(() => t.get(a.nodeid), (e) => e instanceof ErrnoError && e.errno === Errno.ESTALE);
  assert.equal(t.live, 2);
  // The slot comes back with a new generation; (node id, generation) is new.
  const c = t.ref(h(7));
  assert.equal(c.nodeid, a.nodeid);
  assert.equal(c.generation, a.generation + 1);
  // Forgetting the root, or more than was looked up, changes nothing wrong.
  t.forget(1, 5);
  assert.deepEqual(t.get(1).handle, h(9, 9));
  t.forget(b.nodeid, 99);
  assert.equal(t.live, 2);
});

Deno.test("fuse node table: ENFILE when full; chains survive removals from their middle", () => {
  const t = NodeTable.create(4, h(0));
  const n = [t.ref(h(1)), t.ref(h(2)), t.ref(h(3))];
  assert.throws(() => t.ref(h(4)), (e) => e instanceof ErrnoError && e.errno === Errno.ENFILE);
  t.forget(n[1].nodeid, 1);
  assert.deepEqual(t.ref(h(1)), n[0]);
  assert.deepEqual(t.ref(h(3)), n[2]);
  assert.equal(t.ref(h(4)).nodeid, n[1].nodeid);
});

Deno.test("fuse node table: Workers sharing it agree on every node", async () => {
  const t = NodeTable.create(4096, h(0));
  const url = new URL("./helpers/fuse_node_worker.ts", import.meta.url);
  const results = await Promise.all([0, 1, 2].map(() =>
    new Promise<number[]>((resolve) => {
      const w = new Worker(url, { type: "module" });
      w.onmessage = (e) => {
        resolve(e.data as number[]);
        w.terminate();
      };
      w.postMessage(t.sab);
    })
  ));
  // Each Worker looked up handles 0..999 twice and forgot once: same ids everywhere.
  assert.deepEqual(results[1], results[0]);
  assert.deepEqual(results[2], results[0]);
  assert.equal(new Set(results[0]).size, 1000);
  assert.equal(t.live, 1001);
});
