import assert from "node:assert/strict";
import { installProgram, until, withOs } from "./helpers/system.ts";
import { INIT_PID } from "../kernel/proc/manager.ts";

Deno.test("proc: exit statuses reach the parent as $? and as wait statuses", async () => {
  await withOs(async (os) => {
    assert.equal((await os.run("true")).status, 0);
    assert.equal((await os.run("false")).status, 1);
    assert.equal((await os.run("exit 3")).status, 3);
    assert.equal((await os.run("sh -c 'exit 300'")).status, 300 & 0xff);
    await installProgram(os, "waittest");
    const r = await os.run("waittest status");
    assert.equal(r.stdout, "exit 0\nexit 7\nsignal 15\n", r.stderr);
  });
});

Deno.test("proc: wait4 gives ECHILD without children and 0 with WNOHANG while one runs", async () => {
  await withOs(async (os) => {
    await installProgram(os, "waittest");
    assert.equal((await os.run("waittest echild")).stdout, "wait: ECHILD\n");
    assert.equal((await os.run("waittest nohang")).stdout, "nohang 0\nwaited true true 0\n");
    assert.equal((await os.run("waittest many 20")).stdout, "reaped 20\n");
  });
});

Deno.test("proc: getpid and getppid agree with the process table", async () => {
  await withOs(async (os) => {
    const { pid, done } = await os.start("echo $$");
    assert.equal((await done).stdout, `${pid}\n`);
  });
});

Deno.test("proc: an orphan is reparented to init and reaped when it ends", async () => {
  await withOs(async (os) => {
    await installProgram(os, "waittest");
    const r = await os.run("waittest orphan");
    const child = Number(/child (\d+)/.exec(r.stdout)![1]);
    const p = os.kernel.manager.get(child)!;
    assert.equal(p.ppid, INIT_PID);
    os.kill(child, 9);
    assert.equal(await p.exited, 9);
    await until(() => os.kernel.manager.get(child) === undefined, "orphan reaped");
  });
});

Deno.test("proc: SIGKILL, SIGTERM and SIGINT end a sleeping program with 128+sig", async () => {
  await withOs(async (os) => {
    for (const sig of [9, 15, 2]) {
      const job = await os.start("exec sleep 30");
      await until(() => os.kernel.manager.get(job.pid)?.name === "sleep", "sleep running");
      os.kill(job.pid, sig);
      assert.equal((await job.done).status, 128 + sig);
    }
  });
});

Deno.test("proc: a program stuck in a loop is killed and stops using the CPU", async () => {
  // In a process of its own: `deno test --parallel` runs other test files in
  // this one, and their CPU would count. The Worker ends itself at its next
  // loop guard; a spinning thread would use a whole core in every window.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--unstable-worker-options",
      new URL("./helpers/spin_kill.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // Read its one line, then end it: if the Worker never stopped, it could not shut down.
  let text = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += decoder.decode(chunk);
    if (text.includes("\n")) break;
  }
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
  await child.status;
  const { status, windows } = JSON.parse(text);
  assert.equal(status, 137);
  assert.ok(
    windows.some((share: number) => share < 0.5),
    `a core stayed busy: ${windows.map((w: number) => w.toFixed(2))}`,
  );
});

Deno.test("proc: a caught signal runs its handler and the program carries on; default TERM ends it", async () => {
  await withOs(async (os) => {
    await installProgram(os, "sigtest");
    const job = await os.start("exec sigtest catch");
    await until(() => os.kernel.manager.get(job.pid)?.name === "sigtest", "sigtest running");
    await until(() => os.kernel.manager.get(job.pid)!.dispositions[10] === 2, "handler installed");
    os.kill(job.pid, 10);
    os.kill(job.pid, 10);
    await new Promise((r) => setTimeout(r, 50));
    os.kill(job.pid, 15);
    const r = await job.done;
    assert.equal(r.status, 143);
    // SIGUSR1 may land before "ready" is written: both lines, in either order.
    assert.match(r.stdout, /ready \d+\n/);
    assert.match(r.stdout, /got 10\n/);
  });
});

Deno.test("proc: an ignored SIGTERM does nothing; SIGKILL cannot be ignored", async () => {
  await withOs(async (os) => {
    await installProgram(os, "sigtest");
    const job = await os.start("exec sigtest ignore");
    await until(() => os.kernel.manager.get(job.pid)?.dispositions[15] === 1, "SIGTERM ignored");
    os.kill(job.pid, 15);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(os.kernel.manager.get(job.pid)?.state, "running");
    os.kill(job.pid, 9);
    assert.equal((await job.done).status, 137);
  });
});

Deno.test("proc: SIGCHLD reaches a parent that catches it", async () => {
  await withOs(async (os) => {
    await installProgram(os, "sigtest");
    const r = await os.run("sigtest chld");
    assert.equal(r.stdout, "sigchld true 0\n", r.stderr);
  });
});

Deno.test("proc: a handler making syscalls while its program waits in the kernel does not lose the reply", async () => {
  await withOs(async (os) => {
    await installProgram(os, "sigtest");
    const r = await os.run("sigtest nested");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /handler ran in pid \d+\n/);
    assert.match(r.stdout, /waited true 0 handler calls 1\n/);
  });
});

Deno.test("proc: writing to a pipe without readers raises SIGPIPE, or EPIPE when it is ignored", async () => {
  await withOs(async (os) => {
    await installProgram(os, "sigtest");
    const killed = await os.run("exec sigtest pipe");
    assert.equal(killed.status, 128 + 13);
    assert.equal(killed.stdout, "");
    assert.equal((await os.run("sigtest epipe")).stdout, "write: EPIPE\n");
    // A producer feeding a consumer that quits early dies of SIGPIPE instead of hanging.
    assert.equal((await os.run("yes | true; echo done")).stdout, "done\n");
  });
});

Deno.test("proc: a crashing program exits 1 with its error on stderr, and the system carries on", async () => {
  await withOs(async (os) => {
    await installProgram(os, "crash");
    const r = await os.run("crash throw");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /crash: TypeError: kaboom/);
    const a = await os.run("crash async");
    assert.equal(a.status, 1);
    assert.match(a.stderr, /async kaboom/);
    assert.equal((await os.run("echo alive")).stdout, "alive\n");
  });
});

Deno.test("proc: kill checks credentials: another user's process is EPERM", async () => {
  await withOs(async (os) => {
    const job = await os.start("exec sleep 30");
    await until(() => os.kernel.manager.get(job.pid)?.name === "sleep", "sleep running");
    const r = await os.run(`kill ${job.pid}`, { uid: 1000 });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Operation not permitted/);
    assert.equal((await os.run(`kill -9 ${job.pid}`)).status, 0);
    assert.equal((await job.done).status, 137);
    assert.match((await os.run("kill 99999")).stderr, /No such process/);
  });
});

Deno.test("proc: with no warm Workers kept (warm: 0), a spawn starts one and runs", async () => {
  await withOs(async (os) => {
    const r = await os.run("echo cold start");
    assert.equal(r.stdout, "cold start\n");
    assert.equal(r.status, 0);
  }, { warm: 0 });
});

Deno.test("proc: arguments as long as Linux allows (128 KiB each) pass to a program; longer ones are E2BIG", async () => {
  await withOs(async (os) => {
    // 131071 bytes + NUL is Linux's MAX_ARG_STRLEN; a byte more is "Argument list too long".
    const r = await os.run(
      "a=$(head -c 131071 /dev/zero | od -An -v -tx1 -w1 | cut -c2-3 | head -c 131071 | cat); " +
        'echo ${#a}; /bin/echo "$a" | wc -c; /bin/echo "${a}x" | wc -c; ' +
        '/bin/echo "$a" "$a" "$a" | wc -c',
    );
    assert.equal(r.stdout, "131071\n131072\n0\n393216\n", r.stderr);
    assert.match(r.stderr, /^sh: 1: \/bin\/echo: Argument list too long\n$/);
  });
});
