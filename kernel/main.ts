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
      fuse: { type: "string" },
      "fuse-root": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(
      "usage: deno task boot [-c CMD] [--trace FILE] [--fuse HOSTDIR [--fuse-root PATH]]",
    );
    return 0;
  }
  if (values["fuse-root"] !== undefined && values.fuse === undefined) {
    console.error("boot: --fuse-root needs --fuse HOSTDIR");
    return 2;
  }
  if (Deno.version.deno !== PINNED_DENO) {
    console.error(
      `warning: MelloOS is tested on Deno ${PINNED_DENO}, this is ${Deno.version.deno}`,
    );
  }
  // With -c the command runs as `sh -c` does on the host: on the console
  // (the host's stdin, stdout and stderr, streamed), its status the exit code.
  const command = values.command;
  const os = await boot({
    trace: values.trace,
    fuse: values.fuse === undefined
      ? undefined
      : { dir: values.fuse, root: values["fuse-root"] ?? "/" },
    console: true,
    warm: command === undefined ? undefined : 1,
  });
  try {
    const shell = await os.kernel.spawn({
      path: "/bin/sh",
      argv: command === undefined ? ["-sh"] : ["sh", "-c", command],
      env: ["PATH=/bin", "HOME=/", "TERM=" + (Deno.env.get("TERM") ?? "xterm"), "USER=root"],
      pgid: 0,
      rights: ALL_RIGHTS & ~Right.SYSTEM,
    });
    return shellStatus(await shell.exited);
  } finally {
    await os.shutdown();
  }
}

Deno.exit(await main());
