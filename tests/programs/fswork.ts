// Test program: a filesystem workload that a server crash interrupts
// (tests/fs_crash.test.ts). Everything it reports goes to files in DIR, not
// to stdout: a VFS crash takes pipes with it.
//
//   fswork MODE DIR SERVER [MIN] [CRASH_AT]
//
// Modes, one operation per iteration; after each one completes, a line is
// appended to DIR/ack.log (held open from the start) and fsynced:
//   records  append record i to DIR/data.(i % 4) (opened each time), fsync:
//            "R i file offset length"; an operation that fails is noted in
//            the report and the workload goes on
//   renames  move file k = i % 8 to the next of three directories under a
//            new name: "N i from to"; the first failure ends the workload
//   dirs     make DIR/d.i/s/f, and take apart what iteration i - 2 made:
//            "M|C|U|D i path" (mkdir, create, unlink, rmdir); the first
//            failure ends the workload
//
// It runs at least MIN iterations (default 40), and until SERVER has been
// restarted and 10 more iterations have run. With CRASH_AT, iteration
// CRASH_AT runs `service crash SERVER` itself.
//
// Each iteration also uses files held open since the start: a regular file
// (pwrite, pread), a directory (getdents64), a pipe (a byte through it),
// /dev/null (a write) and /dev/console (fstat, TCGETS). DIR/report gets
// "probe NAME i ERRNO" at a probe's first failure, "error i OP ERRNO" for a
// failed operation, "final NAME ok|ERRNO" for each probe at the end, and
// "close NAME ok|ERRNO" for closing each held fd, then "done" or "stopped".
import {
  close,
  Errno,
  ErrnoError,
  errnoName,
  FileAction,
  fstat,
  fsync,
  getdents64,
  ioctlBytes,
  lseek,
  mkdir,
  O,
  open,
  pipe,
  pread,
  pwrite,
  read,
  rename,
  rmdir,
  SEEK,
  serviceList,
  spawnp,
  unlink,
  waitpid,
  write,
  writeAll,
} from "../../userland/lib/mod.ts";

/** ioctl: get the terminal's modes (Linux's TCGETS). */
const TCGETS = 0x5401;

const encoder = new TextEncoder();

/** Record i: its number, then a deterministic run of bytes (some span chunks). */
export function record(i: number): Uint8Array {
  const len = 40 + (i * 2713) % 9000;
  const out = new Uint8Array(len);
  out.set(encoder.encode(`rec ${i} `));
  for (let k = 12; k < len - 1; k++) out[k] = 33 + ((i * 31 + k * 7) % 90);
  out[len - 1] = 10;
  return out;
}

interface Probe {
  name: string;
  fd: number;
  run(fd: number, i: number): void;
  failed?: number;
}

class Workload {
  readonly ack: number;
  readonly report: number;
  readonly probes: Probe[];
  stopped = false;

  constructor(readonly mode: string, readonly dir: string, readonly server: string) {
    this.ack = open(`${dir}/ack.log`, O.WRONLY | O.CREAT | O.APPEND, 0o644);
    this.report = open(`${dir}/report`, O.WRONLY | O.CREAT | O.APPEND, 0o644);
    const [r, w] = pipe();
    const held = open(`${dir}/held`, O.RDWR | O.CREAT, 0o644);
    const buf = new Uint8Array(8);
    this.probes = [
      {
        name: "held",
        fd: held,
        run: (fd, i) => {
          pwrite(fd, `${i}`.padStart(8), (i % 64) * 8);
          pread(fd, buf, (i % 64) * 8);
        },
      },
      {
        name: "dir",
        fd: open(dir, O.RDONLY | O.DIRECTORY),
        run: (fd) => {
          lseek(fd, 0, SEEK.SET);
          getdents64(fd, 4096);
        },
      },
      {
        name: "pipe",
        fd: r,
        run: (fd) => {
          write(w, "x");
          read(fd, buf);
        },
      },
      { name: "pipe-w", fd: w, run: (fd) => void fstat(fd) },
      { name: "null", fd: open("/dev/null", O.WRONLY), run: (fd) => void write(fd, "x") },
      {
        name: "console",
        fd: open("/dev/console", O.RDWR),
        run: (fd) => {
          fstat(fd);
          try {
            ioctlBytes(fd, TCGETS);
          } catch (err) {
            // Over a host pipe the console is no terminal; ENOTTY is its answer.
            if (errnoOf(err) !== Errno.ENOTTY) throw err;
          }
        },
      },
    ];
  }

  /** A line in the report; a write the crash failed is tried once more (a line may then be doubled). */
  note(line: string): void {
    try {
      writeAll(this.report, line + "\n");
    } catch {
      writeAll(this.report, line + "\n");
    }
  }

  acked(line: string): void {
    writeAll(this.ack, line + "\n");
    fsync(this.ack);
  }

  restarts(): number {
    return serviceList().servers.find((s) => s.name === this.server)?.restarts ?? 0;
  }

  probe(i: number): void {
    for (const p of this.probes) {
      if (p.failed !== undefined) continue;
      try {
        p.run(p.fd, i);
      } catch (err) {
        p.failed = errnoOf(err);
        this.note(`probe ${p.name} ${i} ${errnoName(p.failed)}`);
      }
    }
  }

  /** `service crash SERVER`, its output in DIR/service.out (a file survives any crash). */
  crashFromInside(): void {
    const out = open(`${this.dir}/service.out`, O.WRONLY | O.CREAT | O.TRUNC, 0o644);
    const pid = spawnp(["service", "crash", this.server], {
      actions: [
        { kind: FileAction.DUP2, fd: out, fd2: 1 },
        { kind: FileAction.DUP2, fd: out, fd2: 2 },
      ],
    });
    close(out);
    const [, status] = waitpid(pid);
    this.note(`service crash ${this.server}: ${status}`);
  }

  finish(): void {
    for (const p of this.probes) {
      let result = "ok";
      try {
        p.run(p.fd, 0);
      } catch (err) {
        result = errnoName(errnoOf(err));
      }
      this.note(`final ${p.name} ${result}`);
    }
    for (const p of this.probes) {
      let result = "ok";
      try {
        close(p.fd);
      } catch (err) {
        result = errnoName(errnoOf(err));
      }
      this.note(`close ${p.name} ${result}`);
    }
  }
}

function errnoOf(err: unknown): number {
  if (err instanceof ErrnoError) return err.errno;
  throw err;
}

// --- the three workloads: one operation each call ---

function recordStep(wl: Workload, i: number): void {
  const name = `data.${i % 4}`;
  const rec = record(i);
  let fd = -1;
  try {
    fd = open(`${wl.dir}/${name}`, O.WRONLY | O.CREAT | O.APPEND, 0o644);
    writeAll(fd, rec);
    fsync(fd);
    const end = lseek(fd, 0, SEEK.CUR);
    wl.acked(`R ${i} ${name} ${end - rec.length} ${rec.length}`);
  } catch (err) {
    wl.note(`error ${i} record ${errnoName(errnoOf(err))}`);
  } finally {
    if (fd >= 0) {
      try {
        close(fd);
      } catch {
        // lost with the VFS: the report has said so
      }
    }
  }
}

const DIRS = ["a", "b", "c"];
const where = new Map<number, string>();

function renameStep(wl: Workload, i: number): void {
  const k = i % 8;
  if (i < 8) {
    const fd = open(`${wl.dir}/a/f${k}.${i}`, O.WRONLY | O.CREAT | O.EXCL, 0o644);
    writeAll(fd, `file ${k}\n`);
    close(fd);
    where.set(k, `a/f${k}.${i}`);
    wl.acked(`N ${i} - a/f${k}.${i}`);
    return;
  }
  const from = where.get(k)!;
  const to = `${DIRS[(DIRS.indexOf(from[0]) + 1) % 3]}/f${k}.${i}`;
  wl.note(`try ${i} ${from} ${to}`);
  rename(`${wl.dir}/${from}`, `${wl.dir}/${to}`);
  where.set(k, to);
  wl.acked(`N ${i} ${from} ${to}`);
}

function dirStep(wl: Workload, i: number): void {
  const d = `d.${i}`;
  const steps: Array<[string, string, () => void]> = [
    ["M", d, () => mkdir(`${wl.dir}/${d}`, 0o755)],
    ["M", `${d}/s`, () => mkdir(`${wl.dir}/${d}/s`, 0o755)],
    ["C", `${d}/s/f`, () => close(open(`${wl.dir}/${d}/s/f`, O.WRONLY | O.CREAT | O.EXCL))],
  ];
  if (i >= 2) {
    const old = `d.${i - 2}`;
    steps.push(
      ["U", `${old}/s/f`, () => unlink(`${wl.dir}/${old}/s/f`)],
      ["D", `${old}/s`, () => rmdir(`${wl.dir}/${old}/s`)],
      ["D", old, () => rmdir(`${wl.dir}/${old}`)],
    );
  }
  for (const [op, path, fn] of steps) {
    wl.note(`try ${i} ${op} ${path}`);
    fn();
    wl.acked(`${op} ${i} ${path}`);
  }
}

const STEPS: Record<string, (wl: Workload, i: number) => void> = {
  records: recordStep,
  renames: renameStep,
  dirs: dirStep,
};

export function main(argv: string[]): number {
  const [mode, dir, server, minArg = "40", crashAt = "-1"] = argv.slice(1);
  const step = STEPS[mode];
  if (step === undefined) throw new Error(`fswork: no mode ${mode}`);
  if (mode === "renames") { for (const d of DIRS) mkdir(`${dir}/${d}`, 0o755); }
  const wl = new Workload(mode, dir, server);
  const min = Number(minArg);
  const first = wl.restarts();
  let after = -1;
  for (let i = 0; after < 10 || i < min; i++) {
    if (i === Number(crashAt)) wl.crashFromInside();
    if (after < 0 && wl.restarts() > first) after = 0;
    if (after >= 0) after++;
    if (i > 100_000) throw new Error("fswork: the server was never restarted");
    wl.probe(i);
    try {
      step(wl, i);
    } catch (err) {
      wl.note(`error ${i} ${mode} ${errnoName(errnoOf(err))}`);
      wl.finish();
      wl.note("stopped");
      return 2;
    }
  }
  wl.finish();
  wl.note("done");
  return 0;
}
