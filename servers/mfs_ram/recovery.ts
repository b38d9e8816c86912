// Start-up: build mfs_ram's state from the state buffer, whether it is new
// (first boot) or was left by a Worker that died.
//
// Order, and why:
//   1. the header: a zero magic is a new buffer (format it); a wrong magic or
//      layout version is a bug (refuse to start rather than misread data);
//   2. the model: the committed snapshot, then every valid journal record
//      (kernel/persist/store.ts); the arena bitmap is left alone meanwhile;
//   3. the arena bitmap is rebuilt from the chunk maps: chunks a dead Worker
//      took for a write it never committed go back, chunks it freed for a
//      truncate it never committed come back;
//   4. open files: a record is kept if its inode exists and its root
//      capability is still the one the record names; the rest are dropped
//      (their capabilities are then revoked by CapTable.adoptRange);
//   5. inodes with no name left and no open file (their last close died
//      before committing the free, or their open file was dropped) are
//      freed, each in a journaled transaction;
//   6. fsck (fsck.ts): what it finds is logged, not fatal.

import { AttrEpochs } from "../vfs/attr_epochs.ts";
import { ByteReader } from "../../kernel/persist/codec.ts";
import { PersistentStore } from "../../kernel/persist/store.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import type { ServerEnv } from "../../kernel/ipc/server_runtime.ts";
import { Arena } from "./arena.ts";
import type { Mfs } from "./context.ts";
import { fsck } from "./fsck.ts";
import {
  ARENA_OFFSET,
  BITMAP_OFFSET,
  H_MAGIC,
  H_VERSION,
  HEADER_BYTES,
  LAYOUT_VERSION,
  STATE_BYTES,
  STATE_MAGIC,
  STORE_OFFSET,
} from "./layout.ts";
import { FsModel } from "./model.ts";
import { OpenTable } from "./opens.ts";
import { ARENA_CHUNKS, CHECKPOINT_MIN_BYTES, JOURNAL_BYTES, SNAPSHOT_BYTES } from "./params.ts";
import { RecType } from "./records.ts";
import { decodeSnapshot } from "./snapshot.ts";
import { Persistence } from "./txn.ts";

/** The rebuilt state, and the capability slots its open files hold. */
export interface Recovered {
  mfs: Mfs;
  keepSlots: Set<number>;
  /** One line for the kernel log. */
  summary: string;
}

/** Rebuild mfs_ram from `state`. */
export function recover(env: ServerEnv, state: SharedArrayBuffer): Recovered {
  if (state.byteLength < STATE_BYTES) {
    throw new Error(`mfs_ram: state buffer of ${state.byteLength} bytes, need ${STATE_BYTES}`);
  }
  const hdr = new Int32Array(state, 0, HEADER_BYTES / 4);
  const magic = Atomics.load(hdr, H_MAGIC);
  if (magic === 0) {
    Atomics.store(hdr, H_VERSION, LAYOUT_VERSION);
    Atomics.store(hdr, H_MAGIC, STATE_MAGIC);
  } else if (magic !== STATE_MAGIC || Atomics.load(hdr, H_VERSION) !== LAYOUT_VERSION) {
    throw new Error(`mfs_ram: state buffer has magic ${magic}, version ${hdr[H_VERSION]}`);
  }

  const arena = new Arena(state, {
    bitmapOffset: BITMAP_OFFSET,
    dataOffset: ARENA_OFFSET,
    chunks: ARENA_CHUNKS,
  });
  const store = new PersistentStore(state, STORE_OFFSET, {
    magic: STATE_MAGIC,
    journalBytes: JOURNAL_BYTES,
    snapshotBytes: SNAPSHOT_BYTES,
  });
  const model = new FsModel(arena);
  const checkpointMin = Number(env.init.options.checkpointMinBytes ?? CHECKPOINT_MIN_BYTES);
  const persist = new Persistence(model, store, checkpointMin);
  const opens = new OpenTable(state);
  const mfs: Mfs = { env, model, persist, opens, arena, w: new PayloadWriter() };

  model.replaying = true;
  const r = store.recover(
    (snap) => {
      if (snap !== undefined) decodeSnapshot(model, new ByteReader(snap));
    },
    (body) => persist.replay(body),
  );
  model.replaying = false;
  // The VFS may hold attributes from before a crash; recovery can have
  // rolled back a change it saw (one applied but never committed).
  const epochs = env.init.options.attrEpochs;
  if (epochs instanceof SharedArrayBuffer) {
    const e = new AttrEpochs(epochs);
    e.bumpAll();
    model.onChange = (sb, ino) => ino < 0 ? e.bumpAll() : e.bump(sb, ino);
  }

  const { orphans, revived } = arena.rebuild(model.referencedChunks());

  const keepSlots = new Set<number>();
  let dropped = 0;
  for (const o of [...opens.all()]) {
    const i = model.sbs.get(o.sb)?.inodes.get(o.ino);
    const cap = env.caps.entry(o.root);
    if (i === undefined || cap === undefined || cap.object !== o.id) {
      opens.close(o.id);
      dropped++;
      continue;
    }
    i.opens++;
    keepSlots.add(o.root.slot);
  }

  let freed = 0;
  for (const s of model.sbs.values()) {
    for (const i of [...s.inodes.values()]) {
      if (i.nlink !== 0 || i.opens !== 0) continue;
      persist.transact((tx) => tx.apply({ t: RecType.INODE_FREE, sb: s.id, ino: i.ino }));
      freed++;
    }
  }

  const problems = fsck(model, arena);
  for (const p of problems.slice(0, 20)) env.log(`fsck: ${p}`);
  const summary = r.fresh ? "new state buffer" : `recovered epoch ${r.epoch}: snapshot ` +
    `${r.snapshotBytes} bytes + ${r.records} journal records; ${keepSlots.size} open files ` +
    `kept, ${dropped} dropped; ${orphans} orphan chunks freed, ${revived} revived; ` +
    `${freed} unreferenced inodes freed; fsck: ${problems.length} problems`;
  return { mfs, keepSlots, summary };
}
