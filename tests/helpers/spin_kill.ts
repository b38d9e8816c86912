// Run by tests/proc.test.ts in a process of its own (so other tests' CPU use
// does not count): boot, start a program that spins, SIGKILL it, let the
// warm pool settle, then print this process's CPU share in up to five 300 ms
// windows, as JSON. A Worker still spinning keeps every window near 1.
import process from "node:process";
import { boot } from "../../kernel/mod.ts";
import { until } from "./system.ts";

const os = await boot({ warm: 2 });
try {
  const job = await os.start("exec spin");
  await until(() => os.kernel.manager.get(job.pid)?.name === "spin", "spin running");
  os.kill(job.pid, 9);
  const { status } = await job.done;
  await os.kernel.pool.whenFull();
  await new Promise((r) => setTimeout(r, 100));
  const windows: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 300));
    const used = process.cpuUsage(before);
    windows.push((used.user + used.system) / 1000 / (performance.now() - t0));
    if (windows[i] < 0.5) break;
  }
  console.log(JSON.stringify({ status, windows }));
} finally {
  await os.shutdown();
}
