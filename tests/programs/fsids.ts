// Test program: setfsuid(2)/setfsgid(2) (tests/fs_fsuid.test.ts). Prints one
// line per step: what each call returned, and what file calls did with the
// filesystem ids changed. argv[1] is a scratch directory root may write in.
import {
  close,
  ErrnoError,
  errnoName,
  getegid,
  geteuid,
  getuid,
  O,
  open,
  print,
  setfsgid,
  setfsuid,
  stat,
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
  const dir = argv[1];
  print(`ids ${getuid()} ${geteuid()} ${getegid()}`);
  print(`read fsuid ${setfsuid(-1)} fsgid ${setfsgid(-1)}`);
  print(`setfsuid 1234 -> ${setfsuid(1234)}, setfsgid 5678 -> ${setfsgid(5678)}`);
  print(`now ${setfsuid(-1)} ${setfsgid(-1)}; uid ${getuid()} euid ${geteuid()}`);
  print(`create ${outcome(() => close(open(`${dir}/made`, O.WRONLY | O.CREAT, 0o644)))}`);
  const st = stat(`${dir}/made`);
  print(`owner ${st.uid} ${st.gid}`);
  print(`root-only ${outcome(() => open(`${dir}/secret`, O.RDONLY))}`);
  print(`back ${setfsuid(0)} ${setfsgid(0)}`);
  print(`root-only again ${outcome(() => close(open(`${dir}/secret`, O.RDONLY)))}`);
  return 0;
}
