// ps: list processes (ps -ef columns: UID PID PPID C STIME TTY TIME CMD, compacted).
import { print, procList } from "../lib/mod.ts";

export function main(argv: string[]): number {
  const all = argv.includes("-e") || argv.includes("-A") || argv.includes("-ef") ||
    argv.includes("aux");
  const rows = procList().filter((p) => all || !p.server);
  print(
    `${"PID".padStart(5)} ${"PPID".padStart(5)} ${"PGID".padStart(5)} ${"UID".padStart(5)} S CMD`,
  );
  for (const p of rows) {
    const cmd = p.server ? `[${p.name}]` : p.argv.join(" ");
    print(
      `${String(p.pid).padStart(5)} ${String(p.ppid).padStart(5)} ${String(p.pgid).padStart(5)} ${
        String(p.uid).padStart(5)
      } ${p.state} ${cmd}`,
    );
  }
  return 0;
}
