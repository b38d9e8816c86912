// A process that serves the in-memory test filesystem on the directory given
// as its argument: prints "mounted" once served, unmounts when stdin closes.
// The crash test kills it instead, to see what a dead server leaves.
import { FuseSession } from "../../drivers/fuse/mod.ts";

const session = await FuseSession.mount(Deno.args[0], {
  workerModule: new URL("./fuse_memfs_worker.ts", import.meta.url),
  workers: 1,
});
console.log("mounted");
for await (const _ of Deno.stdin.readable) {
  // Input is ignored; its end is the signal to stop.
}
await session.unmount();
