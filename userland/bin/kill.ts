// kill: send a signal (default TERM) to processes: kill [-s SIG | -SIG] PID...; kill -l.
import { errText, kill, parseSignal, print, sigName, warn } from "../lib/mod.ts";

export function main(argv: string[]): number {
  let args = argv.slice(1);
  let sig = 15;
  if (args[0] === "-l") {
    const names: string[] = [];
    for (let s = 1; s < 32; s++) {
      const n = sigName(s);
      if (!n.startsWith("SIG") || /^SIG\d+$/.test(n)) continue;
      names.push(n.slice(3));
    }
    print(names.join(" "));
    return 0;
  }
  if (args[0] === "-s" && args.length > 1) {
    const s = parseSignal(args[1]);
    if (s === undefined) {
      warn(`${args[1]}: invalid signal specification`);
      return 1;
    }
    sig = s;
    args = args.slice(2);
  } else if (
    args[0]?.startsWith("-") && args[0] !== "--" && !/^-\d+$/.test(args[1] ?? "x") ||
    /^-[A-Za-z]/.test(args[0] ?? "")
  ) {
    const s = parseSignal(args[0].slice(1));
    if (s === undefined) {
      warn(`${args[0].slice(1)}: invalid signal specification`);
      return 1;
    }
    sig = s;
    args = args.slice(1);
  }
  if (args[0] === "--") args = args.slice(1);
  if (args.length === 0) {
    warn("usage: kill [-s sigspec | -signum | -sigspec] pid ... or kill -l");
    return 2;
  }
  let status = 0;
  for (const a of args) {
    const pid = Number(a);
    if (!/^-?\d+$/.test(a)) {
      warn(`failed to parse argument: '${a}'`);
      status = 1;
      continue;
    }
    try {
      kill(pid, sig);
    } catch (err) {
      warn(`(${pid}) - ${errText(err)}`);
      status = 1;
    }
  }
  return status;
}
