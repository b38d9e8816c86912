// A consistency check of the model, as fsck would run it on a disk: every
// link count, parent pointer and chunk reference agrees with the rest.
// Recovery runs it after a replay (and logs what it finds); tests run it
// after every scenario.
//
// Checked, for each instance:
//   - the root exists, is a directory, and is its own parent;
//   - every entry names an existing inode; a directory is named once, from
//     its `parent`;
//   - a directory's nlink is 2 + its subdirectories (0 if removed);
//   - a non-directory's nlink is the number of entries naming it;
//   - an inode no entry names has nlink 0 and is held by an open file;
//   - no regular file has a chunk at or past ceil(size / CHUNK_BYTES);
//   - chunksUsed matches the chunk maps.
// And overall: no chunk is in two files, and the arena bitmap marks exactly
// the chunks in use.

import type { Arena } from "./arena.ts";
import { chunksFor } from "./file_data.ts";
import type { FsModel } from "./model.ts";
import { ROOT_INO } from "./model.ts";

/** Problems found (empty: consistent). */
export function fsck(m: FsModel, arena?: Arena): string[] {
  const out: string[] = [];
  const owner = new Map<number, string>();
  for (const s of m.sbs.values()) {
    const where = (ino: number) => `sb ${s.id} inode ${ino}`;
    const root = s.inodes.get(ROOT_INO);
    if (root?.dir === undefined || root.parent !== ROOT_INO) out.push(`sb ${s.id}: bad root`);
    const names = new Map<number, number>();
    const subdirs = new Map<number, number>();
    for (const d of s.inodes.values()) {
      if (d.dir === undefined) continue;
      d.dir.entries.verify();
      for (const e of d.dir.entries.from()) {
        const child = s.inodes.get(e.ino);
        if (child === undefined) {
          out.push(`${where(d.ino)}: entry names missing inode ${e.ino}`);
          continue;
        }
        names.set(e.ino, (names.get(e.ino) ?? 0) + 1);
        if (child.dir !== undefined) {
          subdirs.set(d.ino, (subdirs.get(d.ino) ?? 0) + 1);
          if (child.parent !== d.ino) {
            out.push(`${where(e.ino)}: parent ${child.parent}, named in ${d.ino}`);
          }
        }
      }
    }
    let chunks = 0;
    for (const i of s.inodes.values()) {
      const n = names.get(i.ino) ?? 0;
      if (i.dir !== undefined) {
        const want = i.ino === ROOT_INO || n > 0 ? 2 + (subdirs.get(i.ino) ?? 0) : 0;
        if (n > 1) out.push(`${where(i.ino)}: directory named ${n} times`);
        if (i.nlink !== want) out.push(`${where(i.ino)}: directory nlink ${i.nlink}, want ${want}`);
      } else if (i.nlink !== n) out.push(`${where(i.ino)}: nlink ${i.nlink}, named ${n} times`);
      if (i.nlink === 0 && i.opens === 0) out.push(`${where(i.ino)}: unreferenced`);
      for (const [index, c] of i.chunks ?? []) {
        chunks++;
        if (index >= chunksFor(i.size)) out.push(`${where(i.ino)}: chunk ${index} past EOF`);
        const prev = owner.get(c);
        if (prev !== undefined) out.push(`chunk ${c} in ${prev} and ${where(i.ino)}`);
        owner.set(c, where(i.ino));
        if (arena !== undefined && !arena.isUsed(c)) out.push(`chunk ${c} in use but free`);
      }
    }
    if (chunks !== s.chunksUsed) {
      out.push(`sb ${s.id}: chunksUsed ${s.chunksUsed}, maps hold ${chunks}`);
    }
  }
  if (arena !== undefined) {
    let marked = 0;
    for (let c = 0; c < arena.chunks; c++) if (arena.isUsed(c)) marked++;
    if (marked !== owner.size) out.push(`bitmap marks ${marked} chunks, files hold ${owner.size}`);
  }
  return out;
}
