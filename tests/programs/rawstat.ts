// Test program: the raw bytes the stat calls answer, as a C program would see
// its struct stat, struct statx or getdents64 buffer, printed as hex (one
// line per call) so that a test can read each field at the offset the host's
// C compiler gives it.
//
//   rawstat fstat PATH            fstat(open(PATH, O_RDONLY))' reply, sent by hand
//   rawstat stat PATH FLAGS       newfstatat(AT_FDCWD, PATH, FLAGS)'s reply, sent by hand
//   rawstat statx PATH FLAGS MASK statx(AT_FDCWD, PATH, FLAGS, MASK)
//   rawstat dents DIR             getdents64 on DIR until the end, each buffer on its line
// A call that fails prints its errno name instead.
import {
  AT_FDCWD,
  close,
  endpointCap,
  ErrnoError,
  errnoName,
  fdRoute,
  getdents64Raw,
  O,
  open,
  print,
  rawCall,
  statx,
} from "../../userland/lib/mod.ts";

const VFS = 1;
const FSTAT = 5;
const NEWFSTATAT = 262;

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A request payload as the library's PayloadWriter lays it out: f64 numbers, u32-length strings padded to 4. */
function payload(fields: Array<number | string>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    if (typeof f === "number") {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setFloat64(0, f, true);
      parts.push(b);
    } else {
      const s = new TextEncoder().encode(f);
      const b = new Uint8Array(4 + ((s.length + 3) & ~3));
      new DataView(b.buffer).setUint32(0, s.length, true);
      b.set(s, 4);
      parts.push(b);
    }
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function reply(r: { errno: number; payload: Uint8Array }): string {
  return r.errno === 0 ? hex(r.payload) : errnoName(r.errno);
}

function run(argv: string[]): string[] {
  const [mode, path] = [argv[1], argv[2]];
  switch (mode) {
    case "fstat": {
      const fd = open(path, O.RDONLY | O.NONBLOCK);
      const route = fdRoute(fd);
      const out = reply(rawCall(route.ep, FSTAT, route.cap));
      close(fd);
      return [out];
    }
    case "stat":
      return [
        reply(
          rawCall(VFS, NEWFSTATAT, endpointCap(VFS), payload([AT_FDCWD, path, Number(argv[3])])),
        ),
      ];
    case "statx":
      return [hex(statx(AT_FDCWD, path, Number(argv[3]), Number(argv[4])))];
    case "dents": {
      const fd = open(path, O.RDONLY | O.DIRECTORY);
      const lines: string[] = [];
      for (let b = getdents64Raw(fd, 200); b.length > 0; b = getdents64Raw(fd, 200)) {
        lines.push(hex(b));
      }
      close(fd);
      return lines;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

export function main(argv: string[]): number {
  try {
    for (const line of run(argv)) print(line);
  } catch (err) {
    if (!(err instanceof ErrnoError)) throw err;
    print(errnoName(err.errno));
  }
  return 0;
}
