// Test program: file calls racing other copies of itself on the same names,
// printing one line: how many calls succeeded and the errnos of the rest
// ("ok 57 EEXIST 3").
//
//   crerace DIR N plain   open DIR/f0 .. f(N-1) with O_CREAT
//   crerace DIR N excl    the same with O_CREAT|O_EXCL
//   crerace DIR N churn   N times: create DIR/f, then unlink it
//   crerace DIR N look    N times: open DIR/f, then stat it
import * as lib from "../../userland/lib/mod.ts";
import { ErrnoError, errnoName, O } from "../../userland/lib/mod.ts";

const counts = new Map<string, number>([["ok", 0]]);

/** Run `fn`, counting its success or its errno. */
function tally(fn: () => void): void {
  let key = "ok";
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ErrnoError)) throw err;
    key = errnoName(err.errno);
  }
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export function main(argv: string[]): number {
  const [, dir, n, mode] = argv;
  const flags = O.WRONLY | O.CREAT | (mode === "excl" ? O.EXCL : 0);
  for (let i = 0; i < Number(n); i++) {
    if (mode === "plain" || mode === "excl") {
      tally(() => lib.close(lib.open(`${dir}/f${i}`, flags, 0o644)));
    } else if (mode === "churn") {
      lib.close(lib.open(`${dir}/f`, O.WRONLY | O.CREAT, 0o644));
      lib.unlink(`${dir}/f`);
    } else {
      tally(() => lib.close(lib.open(`${dir}/f`, O.RDONLY)));
      tally(() => lib.stat(`${dir}/f`));
    }
  }
  lib.print([...counts].map(([k, v]) => `${k} ${v}`).join(" "));
  return 0;
}
