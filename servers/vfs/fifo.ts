// FIFOs (named pipes): a FIFO inode on a filesystem gets its pipe here, in
// the VFS, while anyone has it open. Opening follows Linux:
//   - O_RDONLY waits for a writer (unless O_NONBLOCK: it returns at once);
//   - O_WRONLY waits for a reader; with O_NONBLOCK and no reader: ENXIO;
//   - O_RDWR never waits (it is both).
// When the last end closes, the pipe and anything left in it go away.
// An open that waits counts as a reader or writer already (as Linux's
// fifo_open); when its process ends meanwhile (forget), it is undone.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { O } from "../../kernel/fcntl.ts";
import type { Stat } from "../../kernel/stat.ts";
import { Pipe, PipeEnd } from "./pipe.ts";

interface Fifo {
  pipe: Pipe;
  /** Opens waiting for the other side. */
  waiters: Array<{ wantReader: boolean; area: number; go: () => void; fail: (e: Error) => void }>;
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
    area = -1,
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
    try {
      await new Promise<void>((go, fail) =>
        fifo.waiters.push({ wantReader: needReader, area, go, fail })
      );
    } catch (err) {
      end.release();
      throw err;
    }
    return end;
  }

  /** The process on `area` ended: its opens waiting for the other side are void. */
  forget(area: number): void {
    for (const f of this.#fifos.values()) {
      const gone = f.waiters.filter((w) => w.area === area);
      if (gone.length === 0) continue;
      f.waiters = f.waiters.filter((w) => w.area !== area);
      for (const w of gone) w.fail(new ErrnoError(Errno.EINTR, "the opener ended"));
    }
  }

  /** FIFOs with a pipe now, and opens waiting for their other side (/proc/mello/vfs). */
  counts(): { fifos: number; openWaiters: number } {
    let openWaiters = 0;
    for (const f of this.#fifos.values()) openWaiters += f.waiters.length;
    return { fifos: this.#fifos.size, openWaiters };
  }

  #dropIfUnused(key: string, f: Fifo): void {
    if (f.opens === 0) this.#fifos.delete(key);
  }
}
