// cat: copy standard input (or "-") to standard output.
import { read, stdout, warn, writeAll } from "../lib/mod.ts";

export function main(argv: string[]): number {
  const files = argv.slice(1).filter((a) => a !== "-u");
  const out = stdout();
  out.flush();
  let status = 0;
  for (const f of files.length === 0 ? ["-"] : files) {
    if (f !== "-") {
      // Files arrive with the filesystem (next issue).
      warn(`${f}: No such file or directory`);
      status = 1;
      continue;
    }
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = read(0, buf);
      if (n === 0) break;
      writeAll(1, buf.subarray(0, n));
    }
  }
  return status;
}
