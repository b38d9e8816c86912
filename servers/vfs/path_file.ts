// The open file behind an O_PATH fd: a name for an inode, nothing opened.
//
// The VFS serves it itself and asks no filesystem to open anything (no
// FsOp.OPEN, so no open-file record and no hold on the data at the server).
// Its Ofd holds the inode in the VFS's inode cache, as any fd does, which
// is what fstat, the *at calls and fchdir use. The only calls it answers
// are fstat and fstatfs (Vfs.local refuses the others with EBADF).

import type { Stat } from "../../kernel/stat.ts";
import type { LocalFile } from "./vfs.ts";

export class PathFile implements LocalFile {
  constructor(readonly statOf: () => Promise<Stat>) {}

  stat(): Promise<Stat> {
    return this.statOf();
  }

  release(): void {}
}
