// sleep: pause for NUMBER[SUFFIX]... seconds (s, m, h, d), summed, as GNU sleep.
import { sleep, warn } from "../lib/mod.ts";

export function main(argv: string[]): number {
  const args = argv.slice(1);
  if (args.length === 0) {
    warn("missing operand");
    return 1;
  }
  let total = 0;
  for (const a of args) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (m === null) {
      warn(`invalid time interval '${a}'`);
      return 1;
    }
    const scale = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]]!;
    total += Number(m[1]) * scale;
  }
  sleep(total * 1000);
  return 0;
}
