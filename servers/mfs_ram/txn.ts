// Transactions: how a request's changes become durable before its reply.
//
// A handler checks everything first, then runs its changes inside
// transact(): each tx.apply(record) changes the model at once (later steps
// see it), and when the function returns, the whole transaction is appended
// to the journal as ONE record. The handler returns (and the reply goes out)
// only after that. So:
//   - a reply is never sent for a change that is not in the journal;
//   - a Worker that dies inside a handler, before the commit, leaves no trace
//     of that request in the journal: recovery rebuilds the state before it
//     (chunks it had taken are orphans; arena.ts frees them);
//   - transact() makes room first: when the journal cannot take one more
//     transaction of MAX_TX_BYTES, it checkpoints (a snapshot of the model,
//     which always fits: model.ts), which empties the journal.
// Between requests, once the journal outgrows CHECKPOINT_MIN_BYTES and twice
// the last snapshot, a checkpoint is scheduled for when the loop is idle, so
// replay at restart stays proportional to the state's size.

import { ByteReader, ByteWriter } from "../../kernel/persist/codec.ts";
import type { PersistentStore } from "../../kernel/persist/store.ts";
import type { FsModel } from "./model.ts";
import {
  CHECKPOINT_MIN_BYTES,
  CHECKPOINT_SNAPSHOT_FACTOR,
  JOURNAL_BYTES,
  MAX_TX_BYTES,
} from "./params.ts";
import { decodeRec, encodeRec, type Rec } from "./records.ts";
import { encodeSnapshot } from "./snapshot.ts";

/** One request's changes: apply() changes the model at once and joins the record. */
export interface Txn {
  apply(r: Rec): void;
}

/** Counters for tests and the log. */
export interface PersistStats {
  commits: number;
  checkpoints: number;
  lastSnapshotBytes: number;
}

/** The model's journal and checkpoints. */
export class Persistence {
  readonly stats: PersistStats = { commits: 0, checkpoints: 0, lastSnapshotBytes: 0 };
  readonly #w = new ByteWriter(MAX_TX_BYTES);
  #open = false;
  #scheduled = false;

  constructor(
    readonly model: FsModel,
    readonly store: PersistentStore,
    /** Journal bytes before a checkpoint is considered (CHECKPOINT_MIN_BYTES; tests lower it). */
    readonly checkpointMinBytes = CHECKPOINT_MIN_BYTES,
  ) {}

  /**
   * Run `fn` as one transaction and commit it. An error thrown before the
   * first apply() passes through (an errno: nothing changed); one thrown
   * after it means the model is half-changed, so it becomes a bug that ends
   * the Worker, and recovery rebuilds the state before this request.
   */
  transact<T>(fn: (tx: Txn) => T): T {
    if (this.#open) throw new Error("mfs_ram: nested transaction");
    if (this.store.journal.free < MAX_TX_BYTES) this.checkpoint();
    this.#open = true;
    const w = this.#w.reset();
    let n = 0;
    const tx: Txn = {
      apply: (r: Rec) => {
        n++;
        this.model.apply(r);
        encodeRec(w, r);
      },
    };
    try {
      const out = fn(tx);
      if (n > 0) this.#commit(w);
      return out;
    } catch (err) {
      if (n === 0) throw err;
      throw new Error(`mfs_ram: request failed after ${n} changes: ${String(err)}`);
    } finally {
      this.#open = false;
    }
  }

  #commit(w: ByteWriter): void {
    if (w.length > MAX_TX_BYTES || !this.store.append(w.bytes())) {
      throw new Error(`mfs_ram: transaction of ${w.length} bytes does not fit the journal`);
    }
    this.stats.commits++;
    this.#maybeSchedule();
  }

  /** Write a snapshot and empty the journal. */
  checkpoint(): void {
    this.stats.lastSnapshotBytes = this.store.checkpoint((out) => encodeSnapshot(this.model, out));
    this.stats.checkpoints++;
  }

  /** Apply one journaled transaction (recovery). */
  replay(body: Uint8Array): void {
    const r = new ByteReader(body);
    while (r.remaining > 0) this.model.apply(decodeRec(r));
  }

  #maybeSchedule(): void {
    if (this.#scheduled) return;
    const used = this.store.journal.used;
    const due = Math.min(
      JOURNAL_BYTES / 2,
      Math.max(
        this.checkpointMinBytes,
        CHECKPOINT_SNAPSHOT_FACTOR * this.store.lastSnapshotBytes,
      ),
    );
    if (used < due) return;
    this.#scheduled = true;
    setTimeout(() => {
      this.#scheduled = false;
      if (!this.#open) this.checkpoint();
    }, 0);
  }
}
