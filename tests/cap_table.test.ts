import assert from "node:assert/strict";
import { CapTable, RANGE_SLOTS } from "../kernel/cap/table.ts";
import { Right } from "../kernel/cap/rights.ts";
import { Errno, ErrnoError } from "../kernel/errno.ts";

const EP = 1;
const PID = 42;

function errnoOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof ErrnoError) return err.errno;
    throw err;
  }
  return 0;
}

function fresh() {
  const sab = CapTable.createBuffer();
  return { kernel: new CapTable(sab, 0), server: new CapTable(sab, EP), sab };
}

Deno.test("caps: a minted capability checks out and names its object", () => {
  const { kernel } = fresh();
  const c = kernel.mint(EP, Right.READ | Right.WRITE, PID, 77);
  assert.equal(kernel.check(c.slot, c.gen, EP, PID, Right.READ), 77);
});

Deno.test("caps: forged tokens are EBADF: unminted slot, slot 0, wrong generation, out of range", () => {
  const { kernel } = fresh();
  const c = kernel.mint(EP, Right.READ, PID, 1);
  assert.equal(errnoOf(() => kernel.check(c.slot + 1, c.gen, EP, PID, Right.READ)), Errno.EBADF);
  assert.equal(errnoOf(() => kernel.check(0, 0, EP, PID, 0)), Errno.EBADF);
  assert.equal(errnoOf(() => kernel.check(c.slot, c.gen + 1, EP, PID, Right.READ)), Errno.EBADF);
  assert.equal(errnoOf(() => kernel.check(2 ** 31, 0, EP, PID, 0)), Errno.EBADF);
  assert.equal(errnoOf(() => kernel.check(-5, 0, EP, PID, 0)), Errno.EBADF);
});

Deno.test("caps: a token is worth nothing in another holder's hands or at another endpoint", () => {
  const { kernel } = fresh();
  const c = kernel.mint(EP, Right.READ, PID, 1);
  assert.equal(errnoOf(() => kernel.check(c.slot, c.gen, EP, PID + 1, Right.READ)), Errno.EBADF);
  assert.equal(errnoOf(() => kernel.check(c.slot, c.gen, EP + 1, PID, Right.READ)), Errno.EBADF);
});

Deno.test("caps: a valid capability without the needed right is EPERM", () => {
  const { kernel } = fresh();
  const c = kernel.mint(EP, Right.READ, PID, 1);
  assert.equal(errnoOf(() => kernel.check(c.slot, c.gen, EP, PID, Right.WRITE)), Errno.EPERM);
});

Deno.test("caps: revocation kills every copy and everything derived, transitively", () => {
  const { kernel, server } = fresh();
  const root = server.mint(EP, Right.READ | Right.WRITE, 7, 5);
  const child = kernel.derive(root, Right.READ, PID);
  const grandchild = kernel.derive(child, Right.READ, PID + 1);
  assert.equal(kernel.check(grandchild.slot, grandchild.gen, EP, PID + 1, Right.READ), 5);
  assert.ok(server.revoke(root));
  assert.equal(errnoOf(() => kernel.check(root.slot, root.gen, EP, 7, Right.READ)), Errno.EBADF);
  assert.equal(
    errnoOf(() => kernel.check(child.slot, child.gen, EP, PID, Right.READ)),
    Errno.EBADF,
  );
  assert.equal(
    errnoOf(() => kernel.check(grandchild.slot, grandchild.gen, EP, PID + 1, Right.READ)),
    Errno.EBADF,
  );
  // Revoking twice does nothing more.
  assert.equal(server.revoke(root), false);
});

Deno.test("caps: revoking a derived copy leaves its parent and siblings alive", () => {
  const { kernel } = fresh();
  const root = kernel.mint(EP, Right.READ, 7, 5);
  const a = kernel.derive(root, Right.READ, PID);
  const b = kernel.derive(root, Right.READ, PID + 1);
  kernel.revoke(a);
  assert.equal(errnoOf(() => kernel.check(a.slot, a.gen, EP, PID, Right.READ)), Errno.EBADF);
  assert.equal(kernel.check(b.slot, b.gen, EP, PID + 1, Right.READ), 5);
  assert.equal(kernel.check(root.slot, root.gen, EP, 7, Right.READ), 5);
});

Deno.test("caps: derivation can only weaken", () => {
  const { kernel } = fresh();
  const root = kernel.mint(EP, Right.READ, 7, 5);
  const d = kernel.derive(root, Right.READ | Right.WRITE | Right.CONTROL, PID);
  assert.equal(kernel.entry(d)?.rights, Right.READ);
  assert.equal(errnoOf(() => kernel.check(d.slot, d.gen, EP, PID, Right.WRITE)), Errno.EPERM);
});

Deno.test("caps: a freed slot is reused with a new generation, so old tokens stay dead", () => {
  const { kernel } = fresh();
  const a = kernel.mint(EP, Right.READ, PID, 1);
  kernel.free(a);
  const b = kernel.mint(EP, Right.READ, PID, 2);
  assert.equal(b.slot, a.slot);
  assert.notEqual(b.gen, a.gen);
  assert.equal(errnoOf(() => kernel.check(a.slot, a.gen, EP, PID, Right.READ)), Errno.EBADF);
  assert.equal(kernel.check(b.slot, b.gen, EP, PID, Right.READ), 2);
});

Deno.test("caps: each owner mints only in its own range; a restarted owner's old slots are revoked", () => {
  const { server, sab } = fresh();
  const a = server.mint(EP, Right.READ, PID, 1);
  const keep = server.mint(EP, Right.READ, PID, 2);
  assert.ok(a.slot > EP * RANGE_SLOTS && a.slot < (EP + 1) * RANGE_SLOTS);
  const successor = new CapTable(sab, EP);
  successor.adoptRange((slot) => slot === keep.slot);
  assert.equal(errnoOf(() => successor.check(a.slot, a.gen, EP, PID, Right.READ)), Errno.EBADF);
  assert.equal(successor.check(keep.slot, keep.gen, EP, PID, Right.READ), 2);
  const next = successor.mint(EP, Right.READ, PID, 3);
  assert.notEqual(next.slot, keep.slot);
});

Deno.test("caps: deriving from a dead capability is EBADF", () => {
  const { kernel } = fresh();
  const root = kernel.mint(EP, Right.READ, 7, 5);
  kernel.revoke(root);
  assert.equal(errnoOf(() => kernel.derive(root, Right.READ, PID)), Errno.EBADF);
});

Deno.test("caps: a stale free() of an old token does not free the slot's new capability", () => {
  const { kernel } = fresh();
  const a = kernel.mint(EP, Right.READ, PID, 1);
  kernel.free(a);
  const b = kernel.mint(EP, Right.READ, PID, 2);
  assert.equal(b.slot, a.slot);
  kernel.free(a); // a double free of the old token
  assert.equal(kernel.check(b.slot, b.gen, EP, PID, Right.READ), 2);
  // Freeing after someone else revoked it still returns the slot.
  kernel.revoke(b);
  kernel.free(b);
  const c = kernel.mint(EP, Right.READ, PID, 3);
  assert.equal(c.slot, b.slot);
});
