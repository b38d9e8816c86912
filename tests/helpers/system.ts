// Test helpers: boot a system for one test, and install test programs.

import { boot, type BootOptions, type Handle } from "../../kernel/mod.ts";
import { compileProgram } from "../../kernel/loader/build.ts";

/** Boot, run `fn`, always shut down. */
export async function withOs<T>(
  fn: (os: Handle) => Promise<T>,
  opts: BootOptions = {},
): Promise<T> {
  const os = await boot({ warm: 2, ...opts });
  try {
    return await fn(os);
  } finally {
    await os.shutdown();
  }
}

/** Put tests/programs/NAME.ts into the system as /bin/NAME (mode 0755). */
export async function installProgram(os: Handle, name: string): Promise<void> {
  const file = new URL(`../programs/${name}.ts`, import.meta.url);
  const image = await compileProgram(name, await Deno.readTextFile(file), file);
  os.kernel.images.set(name, image);
  if (os.kernel.loader !== undefined) {
    await os.kernel.fds.writeFile(`/bin/${name}`, new TextEncoder().encode(image), 0o755);
  }
}

/** Resolve when `pred` holds, checking every few ms (for states, never for timing). */
export async function until(pred: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const start = performance.now();
  while (!pred()) {
    if (performance.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
