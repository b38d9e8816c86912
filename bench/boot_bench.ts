// `deno task boot -c true` as a whole process, warm (the image cache is filled
// by an untimed first run): Deno starts, MelloOS boots, its shell runs `true`,
// everything shuts down. Baselines: `deno run` of an empty script (Deno's own
// start-up) and `sh -c true` (a host process).

import { fileURLToPath } from "node:url";
import { summarize, timeRounds } from "./stats.ts";
import type { Row } from "./table.ts";

const ROUNDS = 7;
const WARMUP_ROUNDS = 1;
const TARGET_MS = 1000;
const RUN_TIMEOUT_MS = 20_000; // a hung boot fails its row instead of the whole run

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const emptyScript = fileURLToPath(new URL("./empty.ts", import.meta.url));
// What `deno task boot` runs (deno.json), called directly so the task runner stays out.
const bootArgs = "run --allow-all --unstable-worker-options kernel/main.ts -c true".split(" ");

/** Whole-process boot rows. */
export async function bootBench(): Promise<Row[]> {
  const opts = { warmup: WARMUP_ROUNDS };
  const deno = Deno.execPath();
  const boot = summarize(await timeRounds(ROUNDS, () => run(deno, bootArgs), opts));
  const empty = summarize(
    await timeRounds(ROUNDS, () => run(deno, ["run", "--allow-all", emptyScript]), opts),
  );
  const sh = summarize(await timeRounds(ROUNDS, () => run("sh", ["-c", "true"]), opts));
  const name = `deno task boot -c true, whole process p50 (×${ROUNDS})`;
  return [
    {
      name,
      unit: "ms",
      ours: boot.p50,
      hostWork: "deno run of an empty script",
      host: empty.p50,
      target: TARGET_MS,
    },
    { name, unit: "ms", ours: boot.p50, hostWork: "sh -c true", host: sh.p50 },
  ];
}

/** Run a command in the repository root; throws if it fails or outlives RUN_TIMEOUT_MS. */
async function run(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, {
    args,
    cwd: repoRoot,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
  }).output();
  if (!r.success) {
    const why = r.signal !== null ? `killed by ${r.signal} (timeout?)` : `exit ${r.code}`;
    throw new Error(`${cmd} ${args.join(" ")}: ${why}: ${new TextDecoder().decode(r.stderr)}`);
  }
}
