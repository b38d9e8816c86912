// System memory: state the kernel writes and servers read without asking,
// in one SharedArrayBuffer that programs never get.
//
//   word 0            trace-all flag (deno task boot --trace)
//   word 64 ..        area owners: pid of the process owning area i, 0 if none
//   word CREDS ..     credentials, one record of CRED_WORDS per process slot
//                     (slot = pid % MAX_PROCS; word 0 holds the pid, so a
//                     reader can tell a reused slot):
//                       0 pid  1 uid  2 euid  3 gid  4 egid  5 ngroups
//                       6 .. 6+MAX_GROUPS-1 supplementary groups
//                       6+MAX_GROUPS fsuid  7+MAX_GROUPS fsgid
//
// Servers trust these words because only the kernel can write them: they are
// how a server learns who sent a message (the channel's area -> its owner)
// and with what credentials to judge it.

export const MAX_AREAS = 4096;
export const MAX_PROCS = 4096;
export const MAX_GROUPS = 32;
const TRACE_ALL = 0;
const OWNERS = 64;
const CRED_WORDS = 8 + MAX_GROUPS;
const FSUID = 6 + MAX_GROUPS;
const FSGID = 7 + MAX_GROUPS;
const CREDS = OWNERS + MAX_AREAS;
const WORDS = CREDS + MAX_PROCS * CRED_WORDS;

/**
 * A process's credentials. Permission checks on files use fsuid and fsgid
 * (with the groups), as Linux's do: they follow euid and egid, except after
 * setfsuid(2)/setfsgid(2), which a file server acting for others (the FUSE
 * bridge) uses to take on its caller's identity without giving up its own.
 */
export interface Creds {
  uid: number;
  euid: number;
  gid: number;
  egid: number;
  groups: number[];
  fsuid: number;
  fsgid: number;
}

/** Root's credentials. */
export const ROOT_CREDS: Creds = {
  uid: 0,
  euid: 0,
  gid: 0,
  egid: 0,
  groups: [0],
  fsuid: 0,
  fsgid: 0,
};

/** Credentials of `uid` and `gid` (real, effective and filesystem ids alike). */
export function credsOf(uid: number, gid: number, groups = [gid]): Creds {
  return { uid, euid: uid, gid, egid: gid, groups, fsuid: uid, fsgid: gid };
}

/** Typed view over the system SharedArrayBuffer. */
export class SysMem {
  readonly i32: Int32Array;

  constructor(readonly sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab);
  }

  static createBuffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(WORDS * 4);
  }

  get traceAll(): boolean {
    return Atomics.load(this.i32, TRACE_ALL) !== 0;
  }

  set traceAll(on: boolean) {
    Atomics.store(this.i32, TRACE_ALL, on ? 1 : 0);
  }

  /** Pid owning IPC area `area`, or 0. */
  owner(area: number): number {
    if (area < 0 || area >= MAX_AREAS) return 0;
    return Atomics.load(this.i32, OWNERS + area);
  }

  setOwner(area: number, pid: number): void {
    Atomics.store(this.i32, OWNERS + area, pid);
  }

  /** Credentials of `pid`, or undefined if it has none recorded. */
  creds(pid: number): Creds | undefined {
    const base = CREDS + (pid % MAX_PROCS) * CRED_WORDS;
    const i32 = this.i32;
    if (Atomics.load(i32, base) !== pid || pid === 0) return undefined;
    const n = Math.min(i32[base + 5], MAX_GROUPS);
    const groups: number[] = [];
    for (let i = 0; i < n; i++) groups.push(i32[base + 6 + i]);
    return {
      uid: i32[base + 1],
      euid: i32[base + 2],
      gid: i32[base + 3],
      egid: i32[base + 4],
      groups,
      fsuid: i32[base + FSUID],
      fsgid: i32[base + FSGID],
    };
  }

  setCreds(pid: number, c: Creds): void {
    const base = CREDS + (pid % MAX_PROCS) * CRED_WORDS;
    const i32 = this.i32;
    Atomics.store(i32, base, 0); // readers see no half-written record as valid
    i32[base + 1] = c.uid;
    i32[base + 2] = c.euid;
    i32[base + 3] = c.gid;
    i32[base + 4] = c.egid;
    const n = Math.min(c.groups.length, MAX_GROUPS);
    i32[base + 5] = n;
    for (let i = 0; i < n; i++) i32[base + 6 + i] = c.groups[i];
    i32[base + FSUID] = c.fsuid;
    i32[base + FSGID] = c.fsgid;
    Atomics.store(i32, base, pid);
  }

  clearCreds(pid: number): void {
    const base = CREDS + (pid % MAX_PROCS) * CRED_WORDS;
    Atomics.compareExchange(this.i32, base, pid, 0);
  }
}
