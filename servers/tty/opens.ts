// The console's open files, kept in the state buffer the kernel holds for
// this server, so that they outlive a crash of its Worker.
//
// Layout (i32 words): [0] next open id, [1] foreground process group,
// then MAX_OPENS records of 5 words: id (0 = free), open flags, slot, gen of
// the root capability minted for the VFS, and the device minor opened
// (1 /dev/console, 0 /dev/tty: fstat tells them apart). A restarted tty server reads the
// records back and keeps those capabilities (CapTable.adoptRange), so every
// fd on the console keeps working; only calls in flight at the crash fail.

export const MAX_OPENS = 1024;
const HEADER_WORDS = 4;
const RECORD_WORDS = 5;
export const OPENS_BYTES = (HEADER_WORDS + MAX_OPENS * RECORD_WORDS) * 4;

export interface ConsoleOpen {
  id: number;
  flags: number;
  root: { slot: number; gen: number };
  minor: number;
}

export class Opens {
  readonly #i32: Int32Array;
  readonly #index = new Map<number, number>(); // id -> record number

  /** The records live in the first OPENS_BYTES of `state`. */
  constructor(state: SharedArrayBuffer) {
    this.#i32 = new Int32Array(state, 0, OPENS_BYTES / 4);
    for (let r = 0; r < MAX_OPENS; r++) {
      const id = this.#i32[HEADER_WORDS + r * RECORD_WORDS];
      if (id !== 0) this.#index.set(id, r);
    }
    if (this.#i32[0] === 0) this.#i32[0] = 1;
  }

  get foreground(): number {
    return this.#i32[1];
  }

  set foreground(pgid: number) {
    this.#i32[1] = pgid;
  }

  nextId(): number {
    return this.#i32[0]++;
  }

  get(id: number): ConsoleOpen | undefined {
    const r = this.#index.get(id);
    if (r === undefined) return undefined;
    const base = HEADER_WORDS + r * RECORD_WORDS;
    const i32 = this.#i32;
    return {
      id,
      flags: i32[base + 1],
      root: { slot: i32[base + 2], gen: i32[base + 3] >>> 0 },
      minor: i32[base + 4],
    };
  }

  add(o: ConsoleOpen): boolean {
    for (let r = 0; r < MAX_OPENS; r++) {
      const base = HEADER_WORDS + r * RECORD_WORDS;
      if (this.#i32[base] !== 0) continue;
      this.#i32[base + 1] = o.flags;
      this.#i32[base + 2] = o.root.slot;
      this.#i32[base + 3] = o.root.gen;
      this.#i32[base + 4] = o.minor;
      this.#i32[base] = o.id; // last: a record is valid once its id is set
      this.#index.set(o.id, r);
      return true;
    }
    return false;
  }

  setFlags(id: number, flags: number): void {
    const r = this.#index.get(id);
    if (r !== undefined) this.#i32[HEADER_WORDS + r * RECORD_WORDS + 1] = flags;
  }

  remove(id: number): void {
    const r = this.#index.get(id);
    if (r === undefined) return;
    this.#i32[HEADER_WORDS + r * RECORD_WORDS] = 0;
    this.#index.delete(id);
  }

  /** Capability slots the opens hold (kept across a restart). */
  slots(): Set<number> {
    const out = new Set<number>();
    for (const id of this.#index.keys()) out.add(this.get(id)!.root.slot);
    return out;
  }
}
