import assert from "node:assert/strict";

const root = new URL("../", import.meta.url).pathname;

/** Boot interactively on a pseudo-terminal and play `steps`; returns what appeared and the exit status. */
/** Prompt waits after the first use "\n# ": a redraw of the line being edited starts with "\r# ". */
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
    { wait: "\n# ", send: "spin\r" },
    { wait: "spin\r\n", send: "\x03", until: "# " },
    { wait: "\n# ", send: "echo status=$?\r" },
    { wait: "status=130\r\n# ", send: "service crash tty\r" },
    { wait: "restarted\r\n# ", send: "echo still here\r" },
    { wait: "still here\r\n# ", send: "exit 7\r" },
  ]);
  assert.equal(r.status, 7, JSON.stringify(r));
  assert.match(r.output, /\r\nhello from the console\r\n/);
  assert.match(r.output, /\^C/);
  assert.match(r.output, /\r\nstatus=130\r\n/);
  assert.match(r.output, /\r\ntty: crashed and restarted\r\n/);
  assert.match(r.output, /\r\nstill here\r\n/);
});

Deno.test("console: the shell's line editor: erase, cursor moves, history; ^D at a prompt ends the shell", async () => {
  const r = await dialogue([
    { wait: "# ", send: "echo typox\x7f\x7fo\r" },
    { wait: "\n# ", send: "echo ab\x1b[Dx\r" }, // Left, then insert before the last character
    { wait: "\n# ", send: "garbage\x15echo killed line\r" },
    { wait: "\n# ", send: "\x1b[A\x1b[A\r" }, // Up twice: "echo axb"
    { wait: "\n# ", send: "cat\r" },
    { wait: "cat\r\n", send: "partial\x04" }, // ^D after text: readable without a newline
    { wait: "partialpartial", send: "\x04" }, // ^D on an empty line: end of file, cat exits
    { wait: "# ", send: "\x04" }, // the prompt follows "partial" on the same line, as in bash
  ]);
  assert.equal(r.status, 0, JSON.stringify(r));
  assert.match(r.output, /\r\ntypo\r\n/);
  assert.equal(r.output.match(/\r\naxb\r\n/g)?.length, 2, "echo axb, then again from history");
  assert.match(r.output, /\r\nkilled line\r\n/);
});

Deno.test("console: a tty crash keeps the terminal's modes and the lines typed ahead", async () => {
  const r = await dialogue([
    // While sleep runs, the shell is not reading: the next line waits in the
    // tty server's canonical buffer, and the server crashes with it there.
    // ("go" shows the shell has given the terminal back its canonical mode.)
    { wait: "# ", send: "echo go; sleep 0.5; service crash tty\r" },
    { wait: "\ngo\r\n", send: "echo typed ahead\r" },
    { wait: "typed ahead\r\n# ", send: "exit 3\r" },
  ]);
  assert.equal(r.status, 3, JSON.stringify(r));
  assert.match(r.output, /tty: crashed and restarted\r\n/);
  // The line, echoed by the tty as it was typed, then read by the shell after the crash.
  assert.match(
    r.output,
    /\r\ngo\r\necho typed ahead\r\ntty: crashed and restarted\r\n# echo typed ahead\r\ntyped ahead\r\n/,
  );
});

Deno.test('console: an unfinished command continues on the next line after a "> " prompt', async () => {
  const r = await dialogue([
    { wait: "# ", send: "for i in 1 2\r" },
    { wait: "\n> ", send: "do echo i$i\r" },
    { wait: "\n> ", send: "done\r" },
    { wait: "i2\r\n# ", send: "echo 'open\r" },
    { wait: "\n> ", send: "quote'\r" },
    { wait: "quote\r\n# ", send: "exit\r" },
  ]);
  assert.equal(r.status, 0, JSON.stringify(r));
  assert.match(r.output, /\r\ni1\r\ni2\r\n/);
  assert.match(r.output, /\r\nopen\r\nquote\r\n/);
});
