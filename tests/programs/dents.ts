// Test program: getdents64(2) as raw bytes, checked against Linux's
// linux_dirent64 layout, and listings that span many calls.
//
//   dents make DIR N           create DIR with N empty files f00000, f00001, ...
//   dents list DIR BUF [types] list DIR with getdents64 calls of BUF bytes
//   dents churn DIR BUF        list DIR (made by `make`) while removing and
//                              adding entries between the calls
//   dents dead DIR             make DIR, hold it open and as the cwd, remove
//                              it, and report what each call then answers
//
// list and churn print one JSON object: {calls, names (in order), problems}.
// A problem is a record that breaks the layout (d_reclen is
// ALIGN8(19 + name bytes + 1), the name ends in a NUL inside the record,
// records tile the returned bytes exactly), a name given twice, and with
// `types` a d_type or d_ino that disagrees with lstat(2).
import * as lib from "../../userland/lib/mod.ts";
import { ErrnoError, errnoName, O, S } from "../../userland/lib/mod.ts";

const decoder = new TextDecoder();

/** d_type from st_mode, as Linux's IFTODT. */
function dtOf(mode: number): number {
  return (mode & S.IFMT) >> 12;
}

interface Listing {
  calls: number;
  names: string[];
  problems: string[];
}

/** Decode and check one getdents64 reply. */
function check(b: Uint8Array, out: Listing): Array<{ name: string; ino: number; type: number }> {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const got = [];
  let at = 0;
  while (at < b.length) {
    if (at + 19 > b.length) {
      out.problems.push(`record at ${at} runs past the ${b.length} bytes returned`);
      break;
    }
    const reclen = dv.getUint16(at + 16, true);
    const nul = b.indexOf(0, at + 19);
    const name = decoder.decode(b.subarray(at + 19, nul < 0 ? b.length : nul));
    const nameLen = nul - (at + 19);
    if (nul < 0 || nul >= at + reclen) out.problems.push(`${name}: no NUL inside the record`);
    if (reclen !== ((19 + nameLen + 1 + 7) & ~7)) {
      out.problems.push(`${name}: d_reclen ${reclen} for a ${nameLen}-byte name`);
    }
    if (at % 8 !== 0) out.problems.push(`${name}: record at ${at}, not 8-byte aligned`);
    if (reclen === 0) break;
    got.push({
      name,
      ino: Number(dv.getBigUint64(at, true)),
      type: dv.getUint8(at + 18),
    });
    at += reclen;
  }
  if (at !== b.length) out.problems.push(`records end at ${at}, reply has ${b.length} bytes`);
  return got;
}

/** Compare a record with lstat of the name (a vanished /proc entry is no problem). */
function checkType(dir: string, e: { name: string; ino: number; type: number }, out: Listing) {
  let st;
  try {
    st = lib.lstat(`${dir}/${e.name}`);
  } catch (err) {
    if (err instanceof ErrnoError && err.errno === lib.Errno.ENOENT) return;
    throw err;
  }
  if (dtOf(st.mode) !== e.type) {
    out.problems.push(`${e.name}: d_type ${e.type}, lstat says ${dtOf(st.mode)}`);
  }
  // A mountpoint's entry names the directory below the mount (as in Linux),
  // and ".." may be on another filesystem: only same-device inodes compare.
  if (st.dev === lib.lstat(dir).dev && st.ino !== e.ino && e.name !== "..") {
    out.problems.push(`${e.name}: d_ino ${e.ino}, lstat says ${st.ino}`);
  }
}

/** List `dir` a buffer of `buf` bytes at a time; `between` runs after each call. */
function list(dir: string, buf: number, types: boolean, between?: (l: Listing) => void): Listing {
  const out: Listing = { calls: 0, names: [], problems: [] };
  const seen = new Set<string>();
  const fd = lib.open(dir, O.RDONLY | O.DIRECTORY);
  for (;;) {
    const b = lib.getdents64Raw(fd, buf);
    out.calls++;
    if (b.length === 0) break;
    for (const e of check(b, out)) {
      if (seen.has(e.name)) out.problems.push(`${e.name}: returned twice`);
      seen.add(e.name);
      out.names.push(e.name);
      if (types) checkType(dir, e, out);
    }
    between?.(out);
  }
  lib.close(fd);
  return out;
}

/** What `fn` returns, or the name of its errno. */
function attempt(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ErrnoError) return errnoName(err.errno);
    throw err;
  }
}

/** A directory removed while open and while it is the cwd (Linux keeps both usable, empty). */
function dead(dir: string): Record<string, unknown> {
  lib.mkdir(dir, 0o755);
  const held = lib.open(dir, O.RDONLY | O.DIRECTORY);
  lib.chdir(dir);
  lib.rmdir(dir);
  const dot = attempt(() => lib.open(".", O.RDONLY | O.DIRECTORY));
  return {
    heldGetdents: attempt(() => lib.getdents64Raw(held).length),
    heldNlink: attempt(() => lib.fstat(held).nlink),
    dotOpen: typeof dot === "number" ? "ok" : dot,
    dotGetdents: attempt(() => lib.getdents64Raw(dot as number).length),
    dotNlink: attempt(() => lib.stat(".").nlink),
    readdir: attempt(() => lib.readdir(".").length),
    getcwd: attempt(() => lib.getcwd()),
    create: attempt(() => lib.open("x", O.WRONLY | O.CREAT, 0o644)),
    mkdir: attempt(() => lib.mkdir("y")),
    lookup: attempt(() => lib.stat("x")),
    up: attempt(() => {
      lib.chdir("..");
      return lib.getcwd();
    }),
    remade: attempt(() => {
      lib.mkdir(dir); // may get the old inode's number: the old cwd must not become it
      lib.fchdir(held);
      return lib.getcwd();
    }),
  };
}

const fname = (i: number) => `f${String(i).padStart(5, "0")}`;

function make(dir: string, n: number): void {
  lib.mkdir(dir, 0o755);
  for (let i = 0; i < n; i++) lib.close(lib.open(`${dir}/${fname(i)}`, O.WRONLY | O.CREAT, 0o644));
}

/**
 * After the first call: remove two names already returned and two not yet
 * returned, add names before and after the listing's position. Names left
 * alone must come exactly once; none may come twice.
 */
function churn(dir: string, buf: number, n: number): Listing & { missing: string[] } {
  const touched = new Set<string>();
  let done = false;
  const out = list(dir, buf, false, (l) => {
    if (done) return;
    done = true;
    const last = Number(l.names[l.names.length - 1].slice(1));
    for (const i of [1, 2, last + 5, n - 1]) {
      lib.unlink(`${dir}/${fname(i)}`);
      touched.add(fname(i));
    }
    for (const name of ["a-new", "e-new", "g-new", "zz-new"]) {
      lib.close(lib.open(`${dir}/${name}`, O.WRONLY | O.CREAT, 0o644));
      touched.add(name);
    }
  });
  const names = new Set(out.names);
  const missing = [];
  for (let i = 0; i < n; i++) {
    if (!touched.has(fname(i)) && !names.has(fname(i))) missing.push(fname(i));
  }
  return { ...out, names: [], missing };
}

export function main(argv: string[]): number {
  const [, mode, dir, arg, extra] = argv;
  try {
    if (mode === "make") make(dir, Number(arg));
    else if (mode === "list") lib.print(JSON.stringify(list(dir, Number(arg), extra === "types")));
    else if (mode === "dead") lib.print(JSON.stringify(dead(dir)));
    else if (mode === "churn") lib.print(JSON.stringify(churn(dir, Number(arg), Number(extra))));
    else throw new Error(`unknown mode ${mode}`);
  } catch (err) {
    if (!(err instanceof ErrnoError)) throw err;
    lib.print(JSON.stringify({ error: errnoName(err.errno) }));
  }
  return 0;
}
