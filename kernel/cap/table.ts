// The capability table: every capability in the system, in one
// SharedArrayBuffer that the kernel and the servers share and programs never
// see. A capability held by a process is a token (slot, generation); the
// process can name any slot, but the entry decides what the token is worth.
//
// Entry, 8 words (32 bytes) per slot:
//   0 gen        generation: bumped by revoke, so old tokens go stale
//   1 state      FREE or LIVE
//   2 endpoint   the server that acts on this capability
//   3 rights     Right bits
//   4 holder     pid allowed to present it (a token copied to another
//                process is worth nothing there)
//   5 parent     slot it was derived from, or 0
//   6 parentGen  generation the parent had at derivation
//   7 object     what it designates, in the endpoint's own numbering
//
// Who writes: the table is cut into ranges of RANGE_SLOTS slots; range e
// belongs to endpoint e (range 0 to the kernel), and only its owner mints or
// frees slots in it. Minting is a few stores, with no message to anyone: the
// kernel mints endpoint capabilities, servers mint capabilities for their own
// objects. Revocation bumps a generation; every capability derived from a
// revoked one fails the ancestry check, so one store revokes all copies.
//
// Checking (servers, on every request): slot in range, generation current,
// state LIVE, endpoint is us, holder is the sender, rights cover the
// operation, and every ancestor still current. A failure is EBADF (forged,
// stale, revoked, someone else's) or EPERM (valid but too weak).

import { Errno, ErrnoError } from "../errno.ts";
import type { CapToken } from "../ipc/message.ts";

export const SLOT_WORDS = 8;
export const RANGE_SLOTS = 65536;
export const RANGES = 16;
export const TABLE_SLOTS = RANGE_SLOTS * RANGES;
export const TABLE_BYTES = TABLE_SLOTS * SLOT_WORDS * 4;
const MAX_DEPTH = 8;

const GEN = 0;
const STATE = 1;
const ENDPOINT = 2;
const RIGHTS = 3;
const HOLDER = 4;
const PARENT = 5;
const PARENT_GEN = 6;
const OBJECT = 7;

const FREE = 0;
const LIVE = 1;

/** A decoded capability entry. */
export interface CapEntry {
  slot: number;
  gen: number;
  endpoint: number;
  rights: number;
  holder: number;
  parent: number;
  object: number;
}

/** View of the shared capability table; `range` is the slice this owner may mint in. */
export class CapTable {
  readonly i32: Int32Array;
  readonly #free: number[] = [];
  #next: number;
  readonly #end: number;

  constructor(readonly sab: SharedArrayBuffer, readonly range: number) {
    this.i32 = new Int32Array(sab);
    // Slot 0 of every range is never minted, so (0, 0) is the null capability.
    this.#next = range * RANGE_SLOTS + 1;
    this.#end = (range + 1) * RANGE_SLOTS;
  }

  /** Allocate a zeroed table. */
  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(TABLE_BYTES);
  }

  /**
   * A restarted owner adopts its range: every slot it had minted is revoked
   * (its successor cannot know what they meant) and becomes free again,
   * except those `keep` names (state the server kept in shared memory).
   */
  adoptRange(keep: (slot: number) => boolean = () => false): number {
    let revoked = 0;
    const first = this.range * RANGE_SLOTS + 1;
    this.#free.length = 0;
    let last = first;
    for (let slot = first; slot < this.#end; slot++) {
      const base = slot * SLOT_WORDS;
      if (Atomics.load(this.i32, base + STATE) !== LIVE) continue;
      if (keep(slot)) {
        last = slot + 1;
        continue;
      }
      Atomics.add(this.i32, base + GEN, 1);
      Atomics.store(this.i32, base + STATE, FREE);
      revoked++;
    }
    // Slots below `last` that are free go back on the free list.
    for (let slot = last - 1; slot >= first; slot--) {
      if (Atomics.load(this.i32, slot * SLOT_WORDS + STATE) !== LIVE) this.#free.push(slot);
    }
    this.#next = last;
    return revoked;
  }

  /** Mint a root capability in our range. */
  mint(endpoint: number, rights: number, holder: number, object: number): CapToken {
    return this.#write(endpoint, rights, holder, object, 0, 0);
  }

  /**
   * Derive a capability from `parent` (which must be live) with a subset of
   * its rights, for `holder`. Revoking the parent revokes it too.
   */
  derive(parent: CapToken, rightsMask: number, holder: number): CapToken {
    const p = this.entry(parent);
    if (p === undefined) throw new ErrnoError(Errno.EBADF, "derive from a dead capability");
    return this.#write(
      p.endpoint,
      p.rights & rightsMask,
      holder,
      p.object,
      parent.slot,
      parent.gen,
    );
  }

  #write(
    endpoint: number,
    rights: number,
    holder: number,
    object: number,
    parent: number,
    parentGen: number,
  ): CapToken {
    const slot = this.#free.pop() ?? (this.#next < this.#end ? this.#next++ : -1);
    if (slot < 0) throw new ErrnoError(Errno.ENFILE, "capability range full");
    const base = slot * SLOT_WORDS;
    const i32 = this.i32;
    // Every minting bumps the generation, so no token from a slot's earlier
    // life (ours, or a predecessor's before adoptRange) matches the new one,
    // and a stale free() finds nothing to free.
    Atomics.add(i32, base + GEN, 1);
    i32[base + ENDPOINT] = endpoint;
    i32[base + RIGHTS] = rights;
    i32[base + HOLDER] = holder;
    i32[base + PARENT] = parent;
    i32[base + PARENT_GEN] = parentGen;
    i32[base + OBJECT] = object;
    // LIVE last: a checker that sees LIVE sees the fields above.
    Atomics.store(i32, base + STATE, LIVE);
    return { slot, gen: Atomics.load(i32, base + GEN) >>> 0 };
  }

  /** Invalidate every copy of `token` and everything derived from it. */
  revoke(token: CapToken): boolean {
    if (!this.#inTable(token.slot)) return false;
    const base = token.slot * SLOT_WORDS;
    const gen = token.gen | 0;
    return Atomics.compareExchange(this.i32, base + GEN, gen, (gen + 1) | 0) === gen;
  }

  /**
   * Revoke (if still current) and give the slot back to our range. Freeing a
   * token whose slot was revoked by someone else since still frees it; a
   * token from a slot's earlier life frees nothing.
   */
  free(token: CapToken): void {
    if (!this.#inOwnRange(token.slot)) return;
    const base = token.slot * SLOT_WORDS;
    const gen = token.gen | 0;
    const now = Atomics.load(this.i32, base + GEN) | 0;
    if (Atomics.load(this.i32, base + STATE) !== LIVE) return;
    if (now === gen) this.revoke(token);
    else if (now !== ((gen + 1) | 0)) return;
    Atomics.store(this.i32, base + STATE, FREE);
    this.#free.push(token.slot);
  }

  /** The live entry a token designates, or undefined if it is stale or free. */
  entry(token: CapToken): CapEntry | undefined {
    if (!this.#inTable(token.slot)) return undefined;
    const base = token.slot * SLOT_WORDS;
    const i32 = this.i32;
    if (Atomics.load(i32, base + STATE) !== LIVE) return undefined;
    if ((Atomics.load(i32, base + GEN) >>> 0) !== (token.gen >>> 0)) return undefined;
    return {
      slot: token.slot,
      gen: token.gen >>> 0,
      endpoint: i32[base + ENDPOINT],
      rights: i32[base + RIGHTS],
      holder: i32[base + HOLDER],
      parent: i32[base + PARENT],
      object: i32[base + OBJECT],
    };
  }

  /**
   * Validate a presented capability; returns the object it designates.
   * Throws EBADF for a forged, stale, revoked or foreign token and EPERM when
   * it lacks `need`.
   */
  check(slot: number, gen: number, endpoint: number, holder: number, need: number): number {
    if (!this.#inTable(slot) || slot % RANGE_SLOTS === 0) {
      throw new ErrnoError(Errno.EBADF, `no capability in slot ${slot}`);
    }
    const i32 = this.i32;
    let base = slot * SLOT_WORDS;
    if (
      Atomics.load(i32, base + STATE) !== LIVE || (Atomics.load(i32, base + GEN) | 0) !== (gen | 0)
    ) {
      throw new ErrnoError(Errno.EBADF, `stale capability ${slot}/${gen}`);
    }
    if (i32[base + ENDPOINT] !== endpoint || i32[base + HOLDER] !== holder) {
      throw new ErrnoError(Errno.EBADF, `capability ${slot} is not for pid ${holder} here`);
    }
    if ((i32[base + RIGHTS] & need) !== need) {
      throw new ErrnoError(Errno.EPERM, `capability ${slot} lacks rights ${need}`);
    }
    const object = i32[base + OBJECT];
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const parent = i32[base + PARENT];
      if (parent === 0) return object;
      const parentGen = i32[base + PARENT_GEN];
      base = parent * SLOT_WORDS;
      if (
        Atomics.load(i32, base + STATE) !== LIVE ||
        (Atomics.load(i32, base + GEN) | 0) !== parentGen
      ) {
        throw new ErrnoError(Errno.EBADF, `capability ${slot} was revoked through its parent`);
      }
    }
    throw new ErrnoError(Errno.EBADF, `capability ${slot} derived too deep`);
  }

  /** Live slots in our range (for leak checks and `service`). */
  liveCount(): number {
    let n = 0;
    for (let slot = this.range * RANGE_SLOTS + 1; slot < this.#next; slot++) {
      if (Atomics.load(this.i32, slot * SLOT_WORDS + STATE) === LIVE) n++;
    }
    return n;
  }

  /** Live slots in any endpoint's range (the kernel's leak checks of servers' ranges). */
  liveIn(range: number): number {
    let n = 0;
    for (let slot = range * RANGE_SLOTS + 1; slot < (range + 1) * RANGE_SLOTS; slot++) {
      if (Atomics.load(this.i32, slot * SLOT_WORDS + STATE) === LIVE) n++;
    }
    return n;
  }

  #inTable(slot: number): boolean {
    return Number.isInteger(slot) && slot > 0 && slot < TABLE_SLOTS;
  }

  #inOwnRange(slot: number): boolean {
    return slot > this.range * RANGE_SLOTS && slot < this.#end;
  }
}
