// Test helper: boot a system, mount a fresh mfs_ram instance, run the test,
// check the instance with fsck, and always shut down.

import assert from "node:assert/strict";
import type { BootOptions, Handle } from "../../kernel/mod.ts";
import { defaultServers } from "../../kernel/registry.ts";
import type { Attrs } from "../../servers/vfs/fs_protocol.ts";
import { withOs } from "./system.ts";
import { MfsClient } from "./mfs_client.ts";

export interface MfsTest {
  os: Handle;
  c: MfsClient;
  sb: number;
  root: Attrs;
}

/** Boot, mount `options`, run `fn`, then fsck must find nothing. */
export function withMfs(
  fn: (t: MfsTest) => Promise<void>,
  opts: { mount?: string; mfsOptions?: Record<string, unknown>; boot?: BootOptions } = {},
): Promise<void> {
  const servers = opts.mfsOptions === undefined
    ? undefined
    : defaultServers().map((s) =>
      s.name === "mfs_ram" ? { ...s, options: { ...s.options, ...opts.mfsOptions } } : s
    );
  return withOs(async (os) => {
    const c = new MfsClient(os);
    const { sb, root } = await c.mount(opts.mount ?? "");
    await fn({ os, c, sb, root });
    assert.deepEqual(await c.fsck(), []);
  }, { ...opts.boot, ...(servers === undefined ? {} : { servers }) });
}

const encoder = new TextEncoder();

/** Deterministic bytes: a pattern that differs for every offset and seed. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}
