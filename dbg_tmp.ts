import { installProgram, until, withOs } from "./tests/helpers/system.ts";
await withOs(async (os) => {
  await installProgram(os, "sigtest");
  const job = await os.start("exec sigtest catch");
  await until(() => os.kernel.manager.get(job.pid)?.name === "sigtest", "sigtest running");
  await until(() => os.kernel.manager.get(job.pid)!.dispositions[10] === 2, "handler installed");
  os.kill(job.pid, 10);
  await new Promise((r) => setTimeout(r, 300));
  os.kill(job.pid, 15);
  const r = await job.done;
  console.log(r, os.log());
});
