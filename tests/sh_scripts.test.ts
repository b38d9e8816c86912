// The shell against dash: each script in tests/fixtures/sh/ runs as a file in
// MelloOS (`cd /tmp/shN && sh NAME.sh`), and its output (stdout and stderr
// together) and exit status must be what dash gave: NAME.out, recorded with
// `dash NAME.sh > NAME.out 2>&1; echo "rc=$?" >> NAME.out`. Where the host
// has dash, it runs the script again in the same test, so a stale .out file
// shows too.
import assert from "node:assert/strict";
import { withOs } from "./helpers/system.ts";

const dir = new URL("./fixtures/sh/", import.meta.url);
const scripts: string[] = [];
for (const e of Deno.readDirSync(dir)) if (e.name.endsWith(".sh")) scripts.push(e.name);
scripts.sort();

async function hostDash(name: string): Promise<string | undefined> {
  const work = await Deno.makeTempDir({ prefix: "mello_sh_" });
  try {
    await Deno.copyFile(new URL(name, dir), `${work}/${name}`);
    const out = await new Deno.Command("sh", {
      args: ["-c", `dash ${name} 2>&1; echo "rc=$?"`],
      cwd: work,
      env: { PATH: "/usr/bin:/bin", HOME: "/", LC_ALL: "C" },
      clearEnv: true,
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    return text.includes("dash: not found") ? undefined : text;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

Deno.test("sh: scripts give what dash gives (control flow, functions, here-documents, arithmetic, set -e -u -x, errors)", async () => {
  await withOs(async (os) => {
    const failures: string[] = [];
    let n = 0;
    for (const name of scripts) {
      const text = await Deno.readTextFile(new URL(name, dir));
      const expected = await Deno.readTextFile(new URL(name.replace(/\.sh$/, ".out"), dir));
      const work = `/tmp/sh${++n}`;
      const put = await os.run(`mkdir ${work} && cat > ${work}/${name}`, { stdin: text });
      assert.equal(put.status, 0, put.stderr);
      const r = await os.run(`cd ${work} && sh ${name} 2>&1; echo "rc=$?"`, {
        env: { PATH: "/bin", HOME: "/" },
      });
      if (r.stdout !== expected) {
        failures.push(`${name}:\n--- mello\n${r.stdout}--- dash (recorded)\n${expected}`);
      }
      const live = await hostDash(name);
      if (live !== undefined && live !== expected) {
        failures.push(`${name}: the recorded .out is stale; host dash now gives:\n${live}`);
      }
    }
    assert.equal(failures.length, 0, failures.join("\n"));
  });
});

// As bash does it (dash reads a pipe in blocks, so there `read` and `cat` get nothing).
Deno.test("sh: commands from a pipe run one line at a time, leaving the rest for the commands", async () => {
  await withOs(async (os) => {
    const r = await os.run("sh", {
      stdin:
        'read -r first\necho "read: $first"\nx=2\necho "x=$x"\nfor i in 1 2\ndo echo $i\ndone\ncat\nlast line, for cat\n',
    });
    // `read` took line 2 (so it never ran), line 3 ran, the loop came in three lines, `cat` got the rest.
    assert.equal(r.stdout, "x=2\n1\n2\nlast line, for cat\n");
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
  });
});
