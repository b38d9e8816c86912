// A directory's entries: lookup by name, iteration in name (byte) order, and
// lookup by readdir cookie.
//
// Order lives in a two-level B+-tree: sorted leaves of at most LEAF_MAX
// entries, found by binary search on each leaf's last name, then by binary
// search inside the leaf. Insert and remove cost O(log n + LEAF_MAX); a split
// or an emptied leaf costs O(n / LEAF_MAX) to fix the leaf list. Two maps
// answer by name and by cookie in O(1).
//
// Cookies (readdir d_off): each entry gets `seq`, a number unique in its
// directory for good (never reused), when it is inserted; a rename over an
// existing name keeps the entry, and its seq. The readdir code turns a
// cookie back into a position by the entry's name (dir.ts).
//
// What must stay true: every leaf is non-empty and sorted, the leaves are in
// order, and the three views (leaves, byName, bySeq) hold the same entries.

/** One entry. */
export interface Dirent {
  readonly name: string; // binary key (names.ts)
  ino: number;
  readonly seq: number;
}

const LEAF_MAX = 256;

export class DirIndex {
  readonly #leaves: Dirent[][] = [];
  readonly #byName = new Map<string, Dirent>();
  readonly #bySeq = new Map<number, Dirent>();

  get size(): number {
    return this.#byName.size;
  }

  get(name: string): Dirent | undefined {
    return this.#byName.get(name);
  }

  bySeq(seq: number): Dirent | undefined {
    return this.#bySeq.get(seq);
  }

  /** Add an entry whose name is not present. */
  insert(e: Dirent): void {
    if (this.#byName.has(e.name)) throw new Error(`mfs_ram: duplicate entry`);
    this.#byName.set(e.name, e);
    this.#bySeq.set(e.seq, e);
    if (this.#leaves.length === 0) {
      this.#leaves.push([e]);
      return;
    }
    let li = this.#leafFor(e.name);
    if (li === this.#leaves.length) li--; // past every name: the last leaf
    const leaf = this.#leaves[li];
    leaf.splice(upperBound(leaf, e.name), 0, e);
    if (leaf.length > LEAF_MAX) {
      this.#leaves.splice(li + 1, 0, leaf.splice(leaf.length >> 1));
    }
  }

  /** Remove the entry named `name`; returns it. */
  remove(name: string): Dirent | undefined {
    const e = this.#byName.get(name);
    if (e === undefined) return undefined;
    this.#byName.delete(name);
    this.#bySeq.delete(e.seq);
    const li = this.#leafFor(name);
    const leaf = this.#leaves[li];
    leaf.splice(upperBound(leaf, name) - 1, 1);
    if (leaf.length === 0) this.#leaves.splice(li, 1);
    return e;
  }

  /** Entries in name order, starting after `after` (a binary key), or from the first. */
  *from(after?: string): Iterable<Dirent> {
    let li = 0;
    let i = 0;
    if (after !== undefined) {
      li = this.#leafFor(after);
      if (li < this.#leaves.length) i = upperBound(this.#leaves[li], after);
    }
    for (; li < this.#leaves.length; li++, i = 0) {
      const leaf = this.#leaves[li];
      for (; i < leaf.length; i++) yield leaf[i];
    }
  }

  /** Check the invariants (tests, recovery self-check). */
  verify(): void {
    let prev: string | undefined;
    let n = 0;
    for (const leaf of this.#leaves) {
      if (leaf.length === 0 || leaf.length > LEAF_MAX) throw new Error("mfs_ram: bad leaf size");
      for (const e of leaf) {
        if (prev !== undefined && !(prev < e.name)) {
          throw new Error("mfs_ram: entries out of order");
        }
        if (this.#byName.get(e.name) !== e || this.#bySeq.get(e.seq) !== e) {
          throw new Error("mfs_ram: index views disagree");
        }
        prev = e.name;
        n++;
      }
    }
    if (n !== this.#byName.size || n !== this.#bySeq.size) throw new Error("mfs_ram: index sizes");
  }

  /** Index of the first leaf whose last name is >= `name` (leaves.length if none). */
  #leafFor(name: string): number {
    let lo = 0;
    let hi = this.#leaves.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const leaf = this.#leaves[mid];
      if (leaf[leaf.length - 1].name < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Index of the first entry of `leaf` whose name is > `name`. */
function upperBound(leaf: Dirent[], name: string): number {
  let lo = 0;
  let hi = leaf.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (leaf[mid].name <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
