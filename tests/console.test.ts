import assert from "node:assert/strict";

const root = new URL("../", import.meta.url).pathname;

/** Boot interactively on a pseudo-terminal and play `steps`; returns what appeared and the exit status. */
async function dialogue(
  steps: Array<{ wait: string; send: string; until?: string }>,
): Promise<{ output: string; status: number }> {
  const cmd = new Deno.Command("python3", {
    args: [
      new URL("./helpers/pty_run.py", import.meta.url).pathname,
      Deno.execPath(),
      "run",
      "--allow-all",
      "--unstable-worker-options",
      "kernel/main.ts",
    ],
    cwd: root,
    env: { PTY_STEPS: JSON.stringify(steps), TERM: "xterm" },
    stdout: "piped",
    stderr: "inherit",
  });
  const { stdout } = await cmd.output();
  return JSON.parse(new TextDecoder().decode(stdout));
}

Deno.test("console: `deno task boot` gives a shell on the terminal; ^C ends the job, not the shell", async () => {
  const r = await dialogue([
    { wait: "# ", send: "echo hello from the console\r" },
    { wait: "# ", send: "spin\r" },
    { wait: "spin\r\n", send: "\x03", until: "# " },
    { wait: "# ", send: "echo status=$?\r" },
    { wait: "# ", send: "service crash tty\r" },
    { wait: "# ", send: "echo still here\r" },
    { wait: "# ", send: "exit 7\r" },
  ]);
  assert.equal(r.status, 7, JSON.stringify(r));
  assert.match(r.output, /hello from the console\r\n/);
  assert.match(r.output, /\^C\r\n# echo status=\$\?\r\nstatus=130\r\n/);
  assert.equal(r.output.match(/status=/g)?.length, 2, "one job killed, the shell alive");
  assert.match(r.output, /tty: crashed and restarted\r\n/);
  assert.match(r.output, /still here\r\n/);
});

Deno.test("console: input typed at the terminal is edited a line at a time (erase, kill) and EOF ends the shell", async () => {
  const r = await dialogue([
    { wait: "# ", send: "echo typox\x7f\x7fo\r" },
    { wait: "# ", send: "garbage\x15echo killed line\r" },
    { wait: "# ", send: "cat\r" },
    { wait: "cat\r\n", send: "partial\x04" },
    { wait: "partialpartial", send: "\x04" },
    { wait: "# ", send: "\x04" },
  ]);
  assert.equal(r.status, 0, JSON.stringify(r));
  assert.match(r.output, /\r\ntypo\r\n/);
  assert.match(r.output, /\r\nkilled line\r\n/);
});
