// FIFOs (named pipes): a FIFO inode on a filesystem gets its pipe here, in
// the VFS, while anyone has it open. Opening follows Linux:
//   - O_RDONLY waits for a writer (unless O_NONBLOCK: it returns at once);
//   - O_WRONLY waits for a reader; with O_NONBLOCK and no reader: ENXIO;
//   - O_RDWR never waits (it is both).
// When the last end closes, the pipe and anything left in it go away.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { O } from "../../kernel/fcntl.ts";
import type { Stat } from "../../kernel/stat.ts";
import { Pipe, PipeEnd } from "./pipe.ts";

interface Fifo {
  pipe: Pipe;
  /** Opens waiting for the other side. */
  waiters: Array<{ wantReader: boolean; go: () => void }>;
  opens: number;
}

export class Fifos {
  readonly #fifos = new Map<string, Fifo>();
  #nextId = 1;

  /** Open the FIFO `key` (mount:ino) with `flags`; resolves with its ends when it may proceed. */
  async open(
    key: string,
    flags: number,
    uid: number,
    gid: number,
    statOf: () => Stat | Promise<Stat>,
  ): Promise<PipeEnd> {
    let f = this.#fifos.get(key);
    if (f === undefined) {
      f = { pipe: new Pipe(this.#nextId++, uid, gid), waiters: [], opens: 0 };
      f.pipe.readers = 0;
      f.pipe.writers = 0;
      this.#fifos.set(key, f);
    }
    const fifo = f;
    const mode = flags & O.ACCMODE;
    const nonblock = (flags & O.NONBLOCK) !== 0;
    const reading = mode === O.RDONLY || mode === O.RDWR;
    const writing = mode === O.WRONLY || mode === O.RDWR;
    if (mode === O.WRONLY && nonblock && fifo.pipe.readers === 0) {
      this.#dropIfUnused(key, fifo);
      throw new ErrnoError(Errno.ENXIO, "FIFO has no reader");
    }
    fifo.opens++;
    if (reading) fifo.pipe.readers++;
    if (writing) fifo.pipe.writers++;
    const end = new PipeEnd(fifo.pipe, reading, writing, statOf, () => {
      fifo.opens--;
      if (fifo.opens === 0) this.#fifos.delete(key);
    });
    // Wake opens waiting for what we just became.
    for (const wt of fifo.waiters.splice(0)) {
      if ((wt.wantReader && fifo.pipe.readers > 0) || (!wt.wantReader && fifo.pipe.writers > 0)) {
        wt.go();
      } else fifo.waiters.push(wt);
    }
    if (mode === O.RDWR || nonblock) return end;
    const needReader = mode === O.WRONLY;
    if (needReader ? fifo.pipe.readers > 0 : fifo.pipe.writers > 0) return end;
    await new Promise<void>((go) => fifo.waiters.push({ wantReader: needReader, go }));
    return end;
  }

  #dropIfUnused(key: string, f: Fifo): void {
    if (f.opens === 0) this.#fifos.delete(key);
  }
}
