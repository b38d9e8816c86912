// Programs get the userland library from their Worker's runtime, not from
// their image: every library file must be in the runtime's module table, or
// a program importing it fails at exec with "cannot find module".
import assert from "node:assert/strict";

Deno.test("loader: the runtime provides every file of userland/lib", async () => {
  const table = await Deno.readTextFile(new URL("../userland/runtime/worker.ts", import.meta.url));
  const missing: string[] = [];
  for await (const e of Deno.readDir(new URL("../userland/lib/", import.meta.url))) {
    if (e.isFile && e.name.endsWith(".ts") && !table.includes(`"lib/${e.name}":`)) {
      missing.push(e.name);
    }
  }
  assert.deepEqual(missing, []);
});
