// A Worker for tests/fuse_vfs_handler.test.ts: the FUSE bridge's VfsHandler
// driven directly (no host kernel in between), as an attached process, so a
// test sees exactly the node ids and attributes it answers.
import { attachContext, type AttachedInit } from "../../userland/runtime/attached.ts";
import { VfsHandler } from "../../drivers/fuse/vfs_handler.ts";
import type { Entry, RequestContext } from "../../drivers/fuse/handler.ts";
import type { DirPacker } from "../../drivers/fuse/dirent.ts";
import type { VfsHandlerConfig } from "../../drivers/fuse/vfs_options.ts";
import { O } from "../../kernel/fcntl.ts";
import { workerScope } from "../../kernel/ipc/worker_scope.ts";

const ctx: RequestContext = {
  caller: { uid: 0, gid: 0, pid: 0, groups: [0] },
  unique: 0n,
  interrupted: () => false,
};
const decoder = new TextDecoder();
let handler: VfsHandler;

/** Every entry READDIRPLUS packs for directory node `nodeid`: name -> [node id, size]. */
function listPlus(nodeid: number): Record<string, [number, number]> {
  const { fh } = handler.opendir(ctx, { nodeid, flags: O.RDONLY });
  const got: Record<string, [number, number]> = {};
  const out = {
    addPlus(name: Uint8Array, e: Entry) {
      got[decoder.decode(name)] = [e.nodeid, e.attr.sizeBytes];
      return true;
    },
  } as unknown as DirPacker;
  handler.readdirplus(ctx, { nodeid, fh, offset: 0, out });
  handler.releasedir(ctx, { nodeid, fh, flags: 0, releaseFlags: 0 });
  return got;
}

workerScope.onmessage = (e: MessageEvent) => {
  const m = e.data as { init?: AttachedInit; config?: VfsHandlerConfig; list?: string };
  if (m.init !== undefined) {
    attachContext(m.init);
    handler = new VfsHandler(m.config!);
    workerScope.postMessage("ready");
    return;
  }
  const dir = handler.lookup(ctx, { parent: 1, name: new TextEncoder().encode(m.list!) });
  workerScope.postMessage(listPlus(dir.nodeid));
};
