// What the bridge (bridge.ts) hands each session Worker of a MelloOS mount
// (vfs_worker.ts, vfs_handler.ts).

import type { AttachedInit } from "../../userland/runtime/attached.ts";

/** What a VfsHandler needs. */
export interface VfsHandlerConfig {
  /** The node table (NodeTable.sab); node 1 is `root`. */
  nodes: SharedArrayBuffer;
  /** The MelloOS directory served as the mount's root. */
  root: string;
  /**
   * Attribute epochs of filesystem servers, by endpoint (servers/vfs/attr_epochs.ts):
   * a GETATTR answers from memory while the file's counter has not moved.
   */
  attrEpochs?: Record<number, SharedArrayBuffer>;
}

/** The handler options of a MelloOS mount: one attached process per Worker. */
export interface VfsWorkerOptions extends VfsHandlerConfig {
  processes: AttachedInit[];
  /** Int32 word 0: the next process to take (each Worker takes one). */
  claim: SharedArrayBuffer;
}
