// yes: print a line (default "y") for ever.
import { writeAll } from "../lib/mod.ts";

export function main(argv: string[]): number {
  const line = (argv.length > 1 ? argv.slice(1).join(" ") : "y") + "\n";
  const chunk = new TextEncoder().encode(line.repeat(Math.max(1, Math.floor(8192 / line.length))));
  for (;;) writeAll(1, chunk);
}
