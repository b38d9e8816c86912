// What the VFS keeps across a crash of its Worker: the mount table, each
// process's working directory and umask, the open file descriptions held by
// other servers, and every fd table entry that refers to one. It lives in
// the `state` buffer the kernel keeps for the VFS (a PersistentStore from
// kernel/persist: snapshot + write-ahead journal).
//
// Every change is journaled before the reply that reports it, so a restarted
// VFS rebuilds exactly what its clients were told. What is not kept: the
// caches (they refill), and open files the VFS served itself (pipes, FIFOs,
// devices, /proc): their fds fail with EIO after a restart, as the library
// reports a file lost with its server.
//
// Records and snapshots are JSON (small, and rare next to file I/O).

import { PersistentStore, storeBytes } from "../../kernel/persist/store.ts";
import { ByteReader } from "../../kernel/persist/codec.ts";
import type { CapToken } from "../../kernel/ipc/message.ts";

const MAGIC = 0x56465331; // "VFS1"
const OPTS = { journalBytes: 4 << 20, snapshotBytes: 4 << 20 };

/** Bytes of the VFS's state buffer. */
export const VFS_STATE_BYTES = storeBytes(OPTS);

export interface MountRec {
  id: number;
  fstype: string;
  source: string;
  options: string;
  flags: number;
  sb: number;
  root: number;
  dev: number;
  on?: { mount: number; ino: number };
  path: string;
}

export interface OfdRec {
  id: number;
  ep: number;
  root: CapToken;
  flags: number;
  node?: { mount: number; ino: number };
  path?: string;
}

export interface FdRec {
  ofd: number;
  cloexec: boolean;
  cap: CapToken;
}

export interface CtxRec {
  cwd: string;
  umask: number;
}

/** The state as plain data. */
export interface VfsImage {
  mounts: Map<number, MountRec>;
  ctxs: Map<number, CtxRec>;
  ofds: Map<number, OfdRec>;
  fds: Map<number, Map<number, FdRec>>;
  nextOfd: number;
}

type Rec =
  | { t: "mount"; m: MountRec }
  | { t: "umount"; id: number }
  | { t: "ctx"; pid: number; c: CtxRec }
  | { t: "drop"; pid: number }
  | { t: "ofd"; o: OfdRec }
  | { t: "release"; id: number }
  | { t: "setfl"; id: number; flags: number }
  | { t: "fd"; pid: number; fd: number; e: FdRec }
  | { t: "close"; pid: number; fd: number }
  | { t: "setfd"; pid: number; fd: number; cloexec: boolean };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class VfsStore {
  readonly #store: PersistentStore;
  readonly image: VfsImage = {
    mounts: new Map(),
    ctxs: new Map(),
    ofds: new Map(),
    fds: new Map(),
    nextOfd: 1,
  };

  constructor(sab: SharedArrayBuffer) {
    this.#store = new PersistentStore(sab, 0, { magic: MAGIC, ...OPTS });
  }

  /** Load what a previous VFS left (nothing on a first start). */
  recover(): { fresh: boolean; records: number } {
    const r = this.#store.recover(
      (snap) => {
        if (snap !== undefined) {
          this.#load(JSON.parse(decoder.decode(new ByteReader(snap).bytesField())));
        }
      },
      (body) => this.#apply(JSON.parse(decoder.decode(body)) as Rec),
    );
    return { fresh: r.fresh, records: r.records };
  }

  mount(m: MountRec): void {
    this.#log({ t: "mount", m });
  }
  umount(id: number): void {
    this.#log({ t: "umount", id });
  }
  ctx(pid: number, c: CtxRec): void {
    this.#log({ t: "ctx", pid, c });
  }
  drop(pid: number): void {
    this.#log({ t: "drop", pid });
  }
  ofd(o: OfdRec): void {
    this.#log({ t: "ofd", o });
  }
  release(id: number): void {
    this.#log({ t: "release", id });
  }
  setfl(id: number, flags: number): void {
    this.#log({ t: "setfl", id, flags });
  }
  fd(pid: number, fd: number, e: FdRec): void {
    this.#log({ t: "fd", pid, fd, e });
  }
  close(pid: number, fd: number): void {
    this.#log({ t: "close", pid, fd });
  }
  setfd(pid: number, fd: number, cloexec: boolean): void {
    this.#log({ t: "setfd", pid, fd, cloexec });
  }

  #log(r: Rec): void {
    this.#apply(r);
    const body = encoder.encode(JSON.stringify(r));
    if (this.#store.append(body)) return;
    // The journal is full: fold everything into a snapshot (which already
    // includes `r`, applied above) and start the journal again.
    this.#store.checkpoint((out) => out.bytesField(encoder.encode(JSON.stringify(this.#dump()))));
  }

  #apply(r: Rec): void {
    const img = this.image;
    switch (r.t) {
      case "mount":
        img.mounts.set(r.m.id, r.m);
        break;
      case "umount":
        img.mounts.delete(r.id);
        break;
      case "ctx":
        img.ctxs.set(r.pid, r.c);
        break;
      case "drop":
        img.ctxs.delete(r.pid);
        img.fds.delete(r.pid);
        break;
      case "ofd":
        img.ofds.set(r.o.id, r.o);
        img.nextOfd = Math.max(img.nextOfd, r.o.id + 1);
        break;
      case "release":
        img.ofds.delete(r.id);
        break;
      case "setfl": {
        const o = img.ofds.get(r.id);
        if (o !== undefined) o.flags = r.flags;
        break;
      }
      case "fd": {
        let t = img.fds.get(r.pid);
        if (t === undefined) img.fds.set(r.pid, t = new Map());
        t.set(r.fd, r.e);
        break;
      }
      case "close":
        img.fds.get(r.pid)?.delete(r.fd);
        break;
      case "setfd": {
        const e = img.fds.get(r.pid)?.get(r.fd);
        if (e !== undefined) e.cloexec = r.cloexec;
        break;
      }
    }
  }

  #dump(): unknown {
    const img = this.image;
    return {
      mounts: [...img.mounts.values()],
      ctxs: [...img.ctxs],
      ofds: [...img.ofds.values()],
      fds: [...img.fds].map(([pid, t]) => [pid, [...t]]),
      nextOfd: img.nextOfd,
    };
  }

  #load(
    snap: {
      mounts: MountRec[];
      ctxs: Array<[number, CtxRec]>;
      ofds: OfdRec[];
      fds: Array<[number, Array<[number, FdRec]>]>;
      nextOfd: number;
    },
  ) {
    const img = this.image;
    for (const m of snap.mounts) img.mounts.set(m.id, m);
    for (const [pid, c] of snap.ctxs) img.ctxs.set(pid, c);
    for (const o of snap.ofds) img.ofds.set(o.id, o);
    for (const [pid, entries] of snap.fds) img.fds.set(pid, new Map(entries));
    img.nextOfd = snap.nextOfd;
  }
}
