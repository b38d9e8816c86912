// `deno task boot`: boot MelloOS and run its shell.
//
//   deno task boot                   interactive shell on the console
//   deno task boot -c 'CMD'          run CMD, print its output, exit with its status
//   deno task boot --trace FILE ...  also write a Chrome trace (open it in Perfetto)

import { parseArgs } from "node:util";
import { ALL_RIGHTS, Right } from "./cap/rights.ts";
import { boot } from "./mod.ts";
import { shellStatus } from "./proc/process.ts";

const PINNED_DENO = "2.9.6";

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      command: { type: "string", short: "c" },
      trace: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log("usage: deno task boot [-c CMD] [--trace FILE]");
    return 0;
  }
  if (Deno.version.deno !== PINNED_DENO) {
    console.error(
      `warning: MelloOS is tested on Deno ${PINNED_DENO}, this is ${Deno.version.deno}`,
    );
  }
  if (values.command !== undefined) {
    const os = await boot({ trace: values.trace, warm: 1 });
    try {
      const { pid, done } = await os.start(values.command);
      void pid;
      const r = await done;
      await Deno.stdout.write(new TextEncoder().encode(r.stdout));
      await Deno.stderr.write(new TextEncoder().encode(r.stderr));
      return r.status;
    } finally {
      await os.shutdown();
    }
  }
  const os = await boot({ trace: values.trace, console: true });
  try {
    const k = os.kernel;
    const shell = await k.spawn({
      path: "/bin/sh",
      argv: ["-sh"],
      env: ["PATH=/bin", "HOME=/", "TERM=" + (Deno.env.get("TERM") ?? "xterm"), "USER=root"],
      pgid: 0,
      rights: ALL_RIGHTS & ~Right.SYSTEM,
    });
    const status = await shell.exited;
    return shellStatus(status);
  } finally {
    await os.shutdown();
  }
}

Deno.exit(await main());
