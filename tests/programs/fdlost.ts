// Test program: what becomes of an fd the VFS held itself (a pipe) when the
// VFS restarts (tests/fs_crash.test.ts). It makes a pipe, has the VFS
// crashed (`service crash vfs`), opens a file, and prints one line each:
//   new FD      the fd the open got (never one of the pipe's)
//   write EIO   what a write to the pipe's write end does now
//   close ok    what closing it does
//   reopen FD   the fd the next open gets (the closed number is free again)
//   file 1      a write to the file opened after the crash
//   held ok     dup, fcntl and close of a file opened before the crash
//   dup EIO     what dup of the pipe's read end does
//   fsync EIO   what fsync and pread of it do (calls that go straight to
//   pread EIO   the server holding the file, as read and write do)
import {
  close,
  dup,
  ErrnoError,
  errnoName,
  F,
  fcntl,
  fsync,
  O,
  open,
  pipe,
  pread,
  serviceControl,
  write,
} from "../../userland/lib/mod.ts";

function outcome(fn: () => unknown): string {
  try {
    const v = fn();
    return v === undefined ? "ok" : String(v);
  } catch (err) {
    if (err instanceof ErrnoError) return errnoName(err.errno);
    throw err;
  }
}

export function main(argv: string[]): number {
  const file = argv[1];
  const [r, w] = pipe();
  const held = open(file + ".held", O.RDWR | O.CREAT, 0o644);
  serviceControl("vfs", "crash");
  const fd = open(file, O.RDWR | O.CREAT, 0o644);
  const lines = [
    `pipe ${r} ${w}`,
    `new ${fd === r || fd === w ? "reused" : "fresh"}`,
    `write ${outcome(() => write(w, "x"))}`,
    `close ${outcome(() => close(w))}`,
    `reopen ${open(file, O.RDONLY) === w ? "the closed fd" : "another fd"}`,
    `file ${outcome(() => write(fd, "y"))}`,
    `held ${outcome(() => [close(dup(held)), fcntl(held, F.GETFL) >= 0, close(held)][0])}`,
    `dup ${outcome(() => dup(r))}`,
    `fsync ${outcome(() => fsync(r))}`,
    `pread ${outcome(() => pread(r, new Uint8Array(1), 0))}`,
  ];
  // Our stdout was a pipe too: it is lost; the lines go to the file.
  write(fd, lines.join("\n") + "\n");
  return 0;
}
