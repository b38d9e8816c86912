// Test program: FIFOs seen from one process, for tests/fs_special_nodes.test.ts.
//
//   fifo read PATH [MARKER]  (create MARKER first, so a test knows we got as far
//                            as the open) open PATH O_RDONLY, which waits for a
//                            writer; print "opened", read to EOF, print what came
//                            and "EOF"
//   fifo open PATH FLAGS     open PATH with FLAGS (O_RDONLY,O_NONBLOCK,...); print
//                            "opened" or the errno's name, and exit
//   fifo nbread PATH         open O_RDONLY|O_NONBLOCK, read once: the bytes, "EOF"
//                            or the errno's name
//   fifo write PATH TEXT [MARKER]  (create MARKER first) open O_WRONLY, which
//                            waits for a reader; write TEXT, close
//   fifo writers PATH A B    open two write ends; write A on the first and close
//                            it, then B on the second and close it: the reader
//                            sees EOF only after both
//   fifo epipe PATH          ignore SIGPIPE, open O_WRONLY, write until a write
//                            fails; print its errno's name (EPIPE once the
//                            reader has gone)
import {
  close,
  ErrnoError,
  errnoName,
  O,
  open,
  print,
  read,
  Sig,
  signal,
  write,
} from "../../userland/lib/mod.ts";

const decoder = new TextDecoder();

function flagsOf(names: string): number {
  let flags = 0;
  for (const n of names.split(",")) {
    const v = (O as Record<string, number>)[n.replace(/^O_/, "")];
    if (v === undefined) throw new Error(`unknown flag ${n}`);
    flags |= v;
  }
  return flags;
}

function readToEnd(fd: number): string {
  let text = "";
  const buf = new Uint8Array(4096);
  for (let n = read(fd, buf); n > 0; n = read(fd, buf)) text += decoder.decode(buf.subarray(0, n));
  return text;
}

function run(argv: string[]): void {
  const [mode, path] = [argv[1], argv[2]];
  switch (mode) {
    case "read": {
      if (argv[3] !== undefined) close(open(argv[3], O.WRONLY | O.CREAT, 0o644));
      const fd = open(path, O.RDONLY);
      print("opened");
      print(readToEnd(fd));
      print("EOF");
      return;
    }
    case "open":
      open(path, flagsOf(argv[3]));
      print("opened");
      return;
    case "nbread": {
      const fd = open(path, O.RDONLY | O.NONBLOCK);
      const buf = new Uint8Array(100);
      const n = read(fd, buf);
      print(n === 0 ? "EOF" : decoder.decode(buf.subarray(0, n)));
      return;
    }
    case "write": {
      if (argv[4] !== undefined) close(open(argv[4], O.WRONLY | O.CREAT, 0o644));
      const fd = open(path, O.WRONLY);
      write(fd, argv[3]);
      close(fd);
      return;
    }
    case "writers": {
      const [a, b] = [open(path, O.WRONLY), open(path, O.WRONLY)];
      write(a, argv[3]);
      close(a);
      write(b, argv[4]);
      close(b);
      return;
    }
    case "epipe": {
      signal(Sig.SIGPIPE, "ignore");
      const fd = open(path, O.WRONLY);
      const chunk = new Uint8Array(4096);
      for (;;) write(fd, chunk);
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

export function main(argv: string[]): number {
  try {
    run(argv);
  } catch (err) {
    if (!(err instanceof ErrnoError)) throw err;
    print(errnoName(err.errno));
  }
  return 0;
}
