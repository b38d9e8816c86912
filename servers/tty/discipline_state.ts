// The line discipline's copy in the tty server's state buffer, so that modes
// set by a program (raw mode for the shell's line editor), lines typed ahead
// and the line being edited outlive a crash of the server's Worker.
//
// Layout, after the opens (opens.ts), in bytes from DISCIPLINE_STATE_OFFSET:
//   [0]  i32 which copy is current: 0 = none yet, odd = copy A, even = copy B
//   [8]  copy A: u32 length, then saveDiscipline() bytes (line_discipline.ts)
//   [8 + COPY_BYTES]  copy B, the same
// A save writes the copy that is not current and only then flips the word,
// so a Worker stopped in the middle of a save leaves the previous copy whole.

import {
  DISCIPLINE_SAVE_MAX,
  LineDiscipline,
  loadDiscipline,
  saveDiscipline,
} from "./line_discipline.ts";
import { OPENS_BYTES } from "./opens.ts";

const COPY_BYTES = (4 + DISCIPLINE_SAVE_MAX + 7) & ~7;
const HEADER_BYTES = 8;
export const DISCIPLINE_STATE_OFFSET = OPENS_BYTES;
export const DISCIPLINE_STATE_BYTES = HEADER_BYTES + 2 * COPY_BYTES;

export class DisciplineState {
  readonly #word: Int32Array;
  readonly #u8: Uint8Array;
  readonly #dv: DataView;

  constructor(state: SharedArrayBuffer) {
    this.#word = new Int32Array(state, DISCIPLINE_STATE_OFFSET, 1);
    this.#u8 = new Uint8Array(state, DISCIPLINE_STATE_OFFSET, DISCIPLINE_STATE_BYTES);
    this.#dv = new DataView(state, DISCIPLINE_STATE_OFFSET, DISCIPLINE_STATE_BYTES);
  }

  /** The saved discipline, or a new one (first boot, or nothing saved yet). */
  load(): LineDiscipline {
    const seq = Atomics.load(this.#word, 0);
    if (seq === 0) return new LineDiscipline();
    const at = this.#copyAt(seq);
    const n = this.#dv.getUint32(at, true);
    if (n > DISCIPLINE_SAVE_MAX) return new LineDiscipline();
    return loadDiscipline(this.#u8.slice(at + 4, at + 4 + n));
  }

  /** Record `ld` as it is now. */
  save(ld: LineDiscipline): void {
    const bytes = saveDiscipline(ld);
    const next = Atomics.load(this.#word, 0) + 1;
    const at = this.#copyAt(next);
    this.#dv.setUint32(at, bytes.length, true);
    this.#u8.set(bytes, at + 4);
    Atomics.store(this.#word, 0, next);
  }

  #copyAt(seq: number): number {
    return HEADER_BYTES + ((seq & 1) === 1 ? 0 : COPY_BYTES);
  }
}
