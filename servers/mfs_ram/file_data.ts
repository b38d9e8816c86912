// Regular file data: reading and writing a file's chunks in the arena, and
// where data and holes lie (SEEK_DATA, SEEK_HOLE).
//
// A file is a sparse array of CHUNK_BYTES chunks (inode.chunks: index ->
// arena chunk); a missing index is a hole and reads as zeros.
//
// What must stay true: every byte below EOF reads as what was last written
// there, or zero. Bytes of an allocated chunk past EOF may hold anything (a
// truncate down does not wipe them), so whoever moves EOF up first zeroes
// from the old EOF to the end of its chunk (zeroTail), and a newly taken
// chunk is zeroed wherever its first write does not fill it.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import type { Arena } from "./arena.ts";
import type { Inode } from "./inode.ts";
import { CHUNK_BYTES } from "./params.ts";

/** Copy file bytes [pos, pos + sink.length) into `sink` (the caller clamps to EOF). */
export function readData(arena: Arena, i: Inode, pos: number, sink: Uint8Array): void {
  const chunks = i.chunks!;
  let done = 0;
  while (done < sink.length) {
    const at = pos + done;
    const index = Math.floor(at / CHUNK_BYTES);
    const inner = at - index * CHUNK_BYTES;
    const n = Math.min(CHUNK_BYTES - inner, sink.length - done);
    const c = chunks.get(index);
    if (c === undefined) sink.fill(0, done, done + n);
    else {
      const from = arena.offsetOf(c) + inner;
      sink.set(arena.data.subarray(from, from + n), done);
    }
    done += n;
  }
}

/** A write's plan: the chunks it takes, and how many bytes it can write. */
export interface WritePlan {
  bytes: number;
  fresh: Array<{ index: number; chunk: number }>;
}

/**
 * Take the chunks a write of `want` bytes at `pos` needs (at most
 * `budget` new ones) and zero what the write will not cover. Changes only
 * the arena, never the model: the caller records `fresh` in its
 * transaction. ENOSPC if not even the first byte has room.
 */
export function prepareWrite(
  arena: Arena,
  i: Inode,
  pos: number,
  want: number,
  budget: number,
): WritePlan {
  const chunks = i.chunks!;
  const first = Math.floor(pos / CHUNK_BYTES);
  const last = Math.floor((pos + want - 1) / CHUNK_BYTES);
  const fresh: Array<{ index: number; chunk: number }> = [];
  let end = pos + want;
  for (let index = first; index <= last; index++) {
    if (chunks.has(index)) continue;
    const c = fresh.length < budget ? arena.alloc() : -1;
    if (c < 0) {
      end = index * CHUNK_BYTES;
      break;
    }
    fresh.push({ index, chunk: c });
  }
  const bytes = Math.max(0, end - pos);
  if (bytes === 0) {
    for (const f of fresh) arena.free(f.chunk);
    throw new ErrnoError(Errno.ENOSPC, "no room for data");
  }
  for (const f of fresh) {
    // Zero the parts of the new chunk outside [pos, pos + bytes).
    const base = f.index * CHUNK_BYTES;
    const off = arena.offsetOf(f.chunk);
    const a = Math.max(0, pos - base);
    const b = Math.min(CHUNK_BYTES, pos + bytes - base);
    if (a > 0) arena.data.fill(0, off, off + a);
    if (b < CHUNK_BYTES) arena.data.fill(0, off + Math.max(a, b), off + CHUNK_BYTES);
  }
  return { bytes, fresh };
}

/** Copy `src` into the file at `pos`; `chunkOf` names every chunk it touches (prepareWrite). */
export function copyIn(
  arena: Arena,
  chunkOf: (index: number) => number | undefined,
  pos: number,
  src: Uint8Array,
): void {
  let done = 0;
  while (done < src.length) {
    const at = pos + done;
    const index = Math.floor(at / CHUNK_BYTES);
    const inner = at - index * CHUNK_BYTES;
    const n = Math.min(CHUNK_BYTES - inner, src.length - done);
    const c = chunkOf(index);
    if (c === undefined) throw new Error(`mfs_ram: write into a hole at chunk ${index}`);
    arena.data.set(src.subarray(done, done + n), arena.offsetOf(c) + inner);
    done += n;
  }
}

/** Before EOF moves up from `oldSize`: zero the rest of the chunk that holds it. */
export function zeroTail(arena: Arena, i: Inode, oldSize: number, newSize: number): void {
  const index = Math.floor(oldSize / CHUNK_BYTES);
  const inner = oldSize - index * CHUNK_BYTES;
  const c = i.chunks!.get(index);
  if (inner === 0 || c === undefined) return;
  const stop = Math.min(CHUNK_BYTES, newSize - index * CHUNK_BYTES);
  if (stop > inner) arena.data.fill(0, arena.offsetOf(c) + inner, arena.offsetOf(c) + stop);
}

/** The first chunk index a file of `size` bytes no longer needs. */
export function chunksFor(size: number): number {
  return Math.ceil(size / CHUNK_BYTES);
}

/** SEEK_DATA: the first data offset >= `off` (ENXIO if none below EOF). */
export function seekData(i: Inode, size: number, off: number): number {
  if (off >= size) throw new ErrnoError(Errno.ENXIO, "SEEK_DATA past EOF");
  const index = Math.floor(off / CHUNK_BYTES);
  let best = Infinity;
  for (const k of i.chunks?.keys() ?? []) if (k >= index && k < best) best = k;
  const at = best === Infinity ? size : Math.max(off, best * CHUNK_BYTES);
  if (at >= size) throw new ErrnoError(Errno.ENXIO, "no data after the offset");
  return at;
}

/** SEEK_HOLE: the first hole offset >= `off`; EOF counts as a hole (ENXIO past it). */
export function seekHole(i: Inode, size: number, off: number): number {
  if (off >= size) throw new ErrnoError(Errno.ENXIO, "SEEK_HOLE past EOF");
  const chunks = i.chunks;
  let index = Math.floor(off / CHUNK_BYTES);
  if (chunks === undefined || !chunks.has(index)) return off;
  while (chunks.has(index)) index++;
  return Math.min(size, index * CHUNK_BYTES);
}
