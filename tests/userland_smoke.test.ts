// Userland smoke tests: every coreutils-style program, run for real in a
// booted MelloOS through its shell.
//
// Where the answer does not depend on the host (no inode numbers, directory
// sizes, user names past root, or "now"), the same command line runs on the
// host's GNU tools too, in a fresh temporary directory, with LC_ALL=C and
// TZ=UTC, and stdout, stderr and the exit status must match exactly. Each
// MelloOS command runs in a fresh /tmp/t. Host shell builtins (test, [,
// printf, echo, pwd) are reached through env(1) so the host runs its GNU
// programs, not dash's builtins. Other checks compare with literal outputs
// (attr's getfattr may not be installed on the host).

import assert from "node:assert/strict";
import { boot, type Handle } from "../kernel/mod.ts";

const decoder = new TextDecoder();
const hostIsRoot = Deno.uid() === 0;

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

async function inMello(os: Handle, cmd: string): Promise<Outcome> {
  const r = await os.run(`rm -rf /tmp/t; mkdir /tmp/t; cd /tmp/t; ${cmd}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function onHost(cmd: string): Promise<Outcome> {
  const dir = await Deno.makeTempDir({ prefix: "mello_smoke_" });
  try {
    const hostCmd = cmd.replace(/(^|[;|&(] *)(test|\[|printf|echo|pwd) /g, "$1env $2 ");
    const out = await new Deno.Command("sh", {
      args: ["-c", hostCmd],
      cwd: dir,
      env: { LC_ALL: "C", TZ: "UTC", PATH: "/usr/bin:/bin" },
      clearEnv: true,
    }).output();
    return {
      status: out.code,
      stdout: decoder.decode(out.stdout),
      stderr: decoder.decode(out.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Run each command in MelloOS and on the host; every one must give the same outcome. */
async function sameAsHost(os: Handle, cmds: string[]): Promise<void> {
  const diffs: string[] = [];
  for (const cmd of cmds) {
    const [m, h] = [await inMello(os, cmd), await onHost(cmd)];
    try {
      assert.deepEqual(m, h);
    } catch {
      diffs.push(`$ ${cmd}\n  mello: ${JSON.stringify(m)}\n  host:  ${JSON.stringify(h)}`);
    }
  }
  assert.equal(diffs.length, 0, `${diffs.length} of ${cmds.length} differ:\n${diffs.join("\n")}`);
}

/** Boot, run `fn`, shut down. */
async function withOs(fn: (os: Handle) => Promise<void>): Promise<void> {
  const os = await boot({ warm: 2 });
  try {
    await fn(os);
  } finally {
    await os.shutdown();
  }
}

async function expectRun(os: Handle, cmd: string, expected: Partial<Outcome>): Promise<void> {
  const r = await inMello(os, cmd);
  const got: Partial<Outcome> = {};
  for (const k of Object.keys(expected) as (keyof Outcome)[]) {
    (got as Record<string, unknown>)[k] = r[k];
  }
  assert.deepEqual(got, expected, `$ ${cmd}\n${JSON.stringify(r)}`);
}

const OLD = "touch -d '2020-01-02 03:04:05'";
const NUMS = "printf '%s\\n' 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20";

Deno.test("userland: mkdir, rmdir, rm, ln, cp and mv behave and fail as GNU's", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      "mkdir a; mkdir a; echo $?",
      "mkdir -p a/b/c; ls -R a",
      "mkdir -pv q/r/s",
      "mkdir -m 700 m; stat -c '%a %A %F' m",
      "mkdir -m u=rwx,g=rx m; stat -c '%a' m",
      "umask 077; mkdir m; stat -c '%a' m",
      "touch f; mkdir -p f/a; echo $?",
      "touch f; mkdir -p f; echo $?",
      "mkdir; echo $?",
      "mkdir x/y/z; echo $?",
      "rmdir x; echo $?",
      "mkdir -p r1/r2/r3; touch r1/zz; rmdir -p r1/r2/r3; echo $?; ls r1",
      "mkdir -p r1/r2; rmdir -pv r1/r2",
      "touch f; rmdir f; echo $?",
      "mkdir -p r1/r2; rmdir --ignore-fail-on-non-empty r1; echo $?",
      "mkdir d; rm d; echo $?",
      "rm x; echo $?",
      "rm -f x; echo $?",
      "rm; echo $?",
      "rm -f; echo $?",
      "rm -r .; echo $?",
      "rm -r /; echo $?",
      "mkdir -p rr/s; touch rr/s/a rr/b; rm -rv rr",
      "mkdir e1; rm -dv e1",
      "mkdir -p e2/x; rm -d e2; echo $?",
      "touch a b; ln a c; stat -c '%h' a",
      "touch a; mkdir d; ln -s a d; ls d",
      "touch a; ln -s a b; ln -s a b; echo $?",
      "touch a g; ln a g; echo $?",
      "ln x y; echo $?",
      "touch a; ln -sv a z",
      "touch a; ln -v a h",
      "mkdir d; ln d dd; echo $?",
      "touch a; ln a b c; echo $?",
      "ln; echo $?",
      "echo hi > a; cp -v a b; cat b",
      "mkdir d; cp d e; echo $?",
      "cp x e; echo $?",
      "touch f; cp f f; echo $?",
      "mkdir -p d/e; cp -r d d/e; echo $?",
      "mkdir -p d/s; echo x > d/s/f; cp -rv d e; cat e/s/f",
      "echo x > a; chmod 600 a; cp -p a b; stat -c '%a' b",
      "echo x > a; ln -s a sl; cp -a sl z; stat -c '%F' z",
      "echo x > a; mkdir dd; cp a dd -T; echo $?",
      "cp; echo $?",
      "echo x > a; cp a; echo $?",
      "touch a b; cp a b nonex; echo $?",
      "touch a b c; cp a b c; echo $?",
      "echo x > a; mv -v a b; cat b; ls",
      "mv x y; echo $?",
      "touch f; mv f f; echo $?",
      "mkdir -p d/e; mv d d/e; echo $?",
      "mkdir f; touch a; mv f a; echo $?",
      "mkdir dd; touch a; mv a dd -T; echo $?",
      "mkdir -p m1/x m3/m1/q; mv m1 m3; echo $?",
      "mkdir -p d e/d; touch d/x e/d/y; mv d e; echo $?",
      "touch w; echo n | rm -i w; echo; ls; echo y | rm -i w; echo; ls",
      "mkdir -p e3/y; echo n | rm -ri e3; echo; ls",
      "touch a; echo x > b; cp -n b a; cat a; echo n | cp -i b a; echo; echo y | cp -i b a; cat a",
      "echo 1 > a; echo 2 > b; ln -f a b; cat b; stat -c '%h' a",
      "mkdir -p d/s e; echo x > d/s/f; cp -r d e; ls -R e",
      "touch -d @1600000000 a; cp -p a b; stat -c '%Y' b",
      "touch a; rm -v a nonexist; echo $?",
      "touch a; ln -s a b; readlink b; readlink a; echo $?",
      "readlink -f nonexist/x; echo $?; readlink -e nonexist; echo $?",
      "ln -s loop loop; readlink -f loop; echo $?",
      "realpath nonexist/x; echo $?",
      "basename /a/b/c.txt .txt; basename a/; basename /; basename -a x/y z/w; basename -s .c a.c b.c",
      "dirname /a/b/c a/ a / //x",
    ])
  );
});

Deno.test("userland: chmod, chown, mknod, mkfifo, touch and stat match GNU", async () => {
  await withOs((os) =>
    sameAsHost(
      os,
      [
        "touch f; chmod 755 f; stat -c '%a %A' f",
        "touch f; chmod u+x,g-w,o=r f; stat -c '%a' f",
        "touch f; chmod 644 f; chmod a+X f; stat -c '%a' f",
        "mkdir d; chmod 700 d; chmod a+X d; stat -c '%a' d",
        "touch f; chmod 4755 f; stat -c '%a %A' f",
        "mkdir d; chmod 1777 d; stat -c '%a %A' d",
        "touch f; chmod 2644 f; stat -c '%A' f",
        "touch f; chmod zz f; echo $?",
        "chmod 777 x; echo $?",
        "touch f; chmod u+x; echo $?",
        "umask 022; touch wz; chmod 666 wz; chmod -w wz; echo $?; stat -c '%a' wz",
        "mkdir m1; chmod 755 m1; chmod -v 700 m1",
        "mkdir -p d/e; touch d/e/f; chmod -R 700 d; stat -c '%a' d d/e d/e/f",
        "touch f; chmod g=u f; stat -c '%a' f",
        "touch f; chown bob f; echo $?",
        "chown 0 x; echo $?",
        "touch f; chown -v 0 f",
        "touch f; chown 0:0:0 f; echo $?",
        "mknod q p 1 2; echo $?",
        "mknod q c; echo $?",
        "touch f; mknod f p; echo $?",
        "mknod q z 1 2; echo $?",
        "mknod n c 1 3; stat -c '%F %t %T %Hr %Lr' n",
        "mknod -m 600 b b 8 1; stat -c '%F %a' b",
        "mkfifo -m 600 f; stat -c '%F %a' f",
        "touch f; mkfifo f; echo $?",
        `${OLD} f; stat -c '%y %Y' f`,
        "touch -d '@1700000000' f; stat -c '%Y %X' f",
        "touch -t 202001020304.05 f; stat -c '%y' f",
        "touch -d garbage f; echo $?",
        "touch -c zz; echo $?; ls",
        "touch x/y; echo $?",
        "touch -d '@1700000000' a; touch -m -d '@1600000000' a; stat -c '%Y %X' a",
        "echo hello > f; stat -c '%n|%s|%F|%a|%h|%U|%G|%B' f",
        "echo hello > f; stat -c '%N' f; ln -s f l; stat -c '%N' l",
        "echo hello > f; stat --printf='%n\\t%s\\n' f",
        "stat x; echo $?",
        "touch -d @1700000000.123456789 f; stat -c '%.9Y %.3X %Y' f",
      ].concat(
        hostIsRoot ? ["touch f; chown -c 1 f; chown -c 0 f", "touch f; chgrp -v daemon f"] : [],
      ),
    )
  );
});

Deno.test("userland: text tools (cat head tail wc od cut grep sort tee printf test) match GNU", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      "printf 'a\\n\\n\\n\\tb\\001\\200\\n' | cat -A",
      "printf 'a\\n\\n\\n\\tb\\n' | cat -sn",
      "printf 'a\\nb\\n' > f; cat -n f - f < f",
      "cat x; echo $?",
      "mkdir d; cat d; echo $?",
      `${NUMS} | head -n 3`,
      `${NUMS} | head -n -17`,
      `${NUMS} | head -c 5`,
      `${NUMS} | head -5`,
      `${NUMS} | tail -n +18`,
      `${NUMS} | tail -c 6`,
      "printf 'a\\nb' | tail -n 1",
      "printf '1\\n2\\n3\\n' > f; echo x > g; head f x g; echo $?",
      "printf '1\\n2\\n3\\n' > f; tail -n 2 f f",
      "mkdir d; tail d; echo $?",
      "head -n x",
      `${NUMS} | wc`,
      "printf 'a b\\nc\\n' > f; echo xyz > g; wc f g",
      "printf 'a b\\nc\\n' > f; wc -c f x; echo $?",
      "mkdir d; wc d; echo $?",
      "printf 'ab\\tc\\nxyz\\n' | wc -L",
      "printf 'hello world\\nabc\\001\\377\\n' | od",
      "printf 'hello world\\nabc\\001\\377\\n' | od -t c -t x1",
      "printf 'hello world\\nabc\\001\\377\\n' | od -A x -t x1z",
      "printf 'hello world\\nabc\\001\\377\\n' | od -A n -t d2",
      "printf 'hello world\\nabc\\001\\377\\n' | od -A d -t o1 -t u4",
      "printf 'hello world\\nabc\\001\\377\\n' | od -t a -t f4",
      "printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' | od -c",
      "printf 'a:b:c\\nnodelim\\nx:y\\n' | cut -d: -f2",
      "printf 'a:b:c\\nnodelim\\n' | cut -d: -f2 -s",
      "printf 'a:b:c:d\\n' | cut -d: -f1,3- --output-delimiter=+",
      "printf 'abcdef\\n' | cut --complement -c2-3",
      "cut -f0",
      "cut -d ab -f1",
      "printf 'l1\\nfoo\\nl3\\nl4\\nfoo\\nl6\\nl7\\nl8\\nfoo\\n' | grep -n -C1 foo",
      "printf 'Foo\\nbar\\n' | grep -i foo",
      "printf 'foo bar\\nfoobar\\n' | grep -w foo",
      "printf 'abc\\nab+c\\nabbc\\n' | grep 'ab+c'; printf 'abc\\nabbc\\n' | grep 'ab\\+c'",
      "printf 'abc\\nabbc\\n' | grep -E 'ab+c'",
      "printf 'x\\n' | grep 'a\\{'; echo $?",
      "printf 'xay\\nxby\\n' | grep -o '[ab]'",
      "printf 'xay\\n' | grep zzz; echo $?",
      "printf 'the cat\\ncatalog\\n' | grep '\\<cat\\>'",
      "printf 'ab\\n12\\n' | grep '[[:digit:]]'",
      "mkdir -p d/e; echo hello > d/e/f; echo hello > d/g; grep -r hello d | sort",
      "echo hello > f; echo x > g; grep -c hello f g; grep -l hello f g; grep -L hello f g",
      "echo hello > f; grep hello f nonexist; echo $?",
      "printf 'a\\0b\\nzz\\n' > bin; grep a bin; echo $?",
      "printf '10\\n9\\n100\\n' | sort -n",
      "printf 'a:3\\nb:1\\nc:2\\n' | sort -t: -k2n -r",
      "printf '10 b\\n9 a\\n10 a\\n1K x\\n2M y\\n' | sort -h",
      "printf ' b 2\\na  1\\n' | sort -k2; printf ' b 2\\na  1\\n' | sort -k2b",
      "printf '3\\n-1\\n1e3\\nx\\n2.5\\n' | sort -n; printf '3\\n-1\\n1e3\\nx\\n2.5\\n' | sort -g",
      "printf 'B\\na\\nb\\nA\\n' | sort -fu",
      "printf 'b\\na\\n' | sort -c; echo $?",
      "printf 'b\\na\\n' > f; sort -o f f; cat f",
      "sort -k 0",
      "echo hi | tee a b; cat a b",
      "echo hi > a; echo ho | tee -a a; cat a",
      "printf '%5c|%-3s|%.2s|%05d|%+d|% d|%x|%#o|%#x|%e|%g|%G|%10.3f|\\n' A bc xyz 42 5 7 -1 8 255 12345.678 0.0001 1e20 3.14159",
      "printf '%d\\n' abc 12abc \"'A\"; echo $?",
      "printf '%s-%s\\n' a b c",
      "printf '%b|\\n' 'a\\tb\\0101\\c' zz",
      "printf '%z'; echo $?",
      "printf '%.3e %E %a\\n' 1234.5 0.000123 1",
      "printf '%d %d\\n' 9223372036854775807 -9223372036854775808",
      "test 1 -eq a; echo $?",
      "test a b; echo $?",
      "[ 1 = 1; echo $?",
      "test a b c d e; echo $?",
      "test 1 -lt 2 -a \\( a = b -o x \\) ; echo $?",
      "test 9999999999999999999999 -gt 1; echo $?",
      "touch f; ln -s f l; test -L l; echo $?; test -h f; echo $?; [ -f f ]; echo $?",
      "mkfifo p; test -p p; echo $?; test -d p; echo $?",
      "touch -d @1600000000 a; touch -d @1700000000 b; test b -nt a; echo $?; test a -ef a; echo $?",
    ])
  );
});

Deno.test("userland: ls formats, sorting, errors and exit statuses match GNU", async () => {
  await withOs((os) =>
    sameAsHost(os, [
      `${OLD} f g; ls -l`,
      `${OLD} f; ln -s f l; touch -h -d '2020-01-02 03:04:05' l; ls -l`,
      "touch b a c .h; ls; ls -A; ls -r",
      "mkdir d; touch d/x f; ls d f",
      "mkdir d e; touch d/x e/y; ls d e",
      "mkdir -p d/e; touch d/e/f d/g; ls -R d",
      "mkdir -p d/e; touch d/e/f d/g; cd d; ls -R",
      "ls x; echo $?",
      "touch f; ls x f; echo $?",
      "mkdir d; touch d/f; ls -d d",
      `${OLD} f; mknod n c 1 3; mknod b b 259 0; touch -h -d '2020-01-02 03:04:05' n b; ls -l n b f`,
      `${OLD} f; chmod 4755 f; ls -l f`,
      "mkdir d; chmod 1777 d; ls -ld d | cut -d' ' -f1",
      `${OLD} f; chown 4242:4343 f; ls -l f; ls -n f`,
      `printf '%02000d' 0 > big; ${OLD} big; ls -lh big`,
      "mkdir d; touch d/a d/b; ls -F d; mkdir d/s; ls -p d",
      "touch -d @1600000000 a; touch -d @1700000000 b; ls -t",
      "printf 'xx' > a; printf 'x' > b; ls -S",
      "ls --foo; echo $?",
      "ls -z; echo $?",
      "ls --all=3; echo $?",
      "touch 'a b'; ls",
      "mkdir d; touch d/f; ln -s d ld; ls ld; ls -l ld | cut -d' ' -f1,9-",
      "touch a bb ccc dddd eeeee ffffff ggggggg; COLUMNS=20 ls -C; COLUMNS=40 ls -C",
      "touch a bb ccc dddd eeeee ffffff ggggggg hhhhhhhh i j k l m n o p q r s t; COLUMNS=30 ls -C",
      "touch f; ls -l f nonexist 2>&1 | cut -c1-10",
    ])
  );
});

Deno.test("userland: ls -l shows owners, device numbers and link targets", async () => {
  await withOs(async (os) => {
    const r = await inMello(os, "mknod n c 5 1; ln -s /etc/passwd l; ls -l n l");
    assert.match(
      r.stdout,
      /^lrwxrwxrwx 1 root root\s+11 \w{3} [ \d]\d [\d:]{5} l -> \/etc\/passwd$/m,
    );
    assert.match(r.stdout, /^crw-r--r-- 1 root root\s+5, 1 \w{3} [ \d]\d [\d:]{5} n$/m);
    const root = await os.run("ls -la /");
    assert.equal(root.status, 0, root.stderr);
    assert.match(root.stdout, /^total \d+\n/);
    for (const name of ["bin", "dev", "etc", "home", "proc", "tmp"]) {
      assert.match(root.stdout, new RegExp(`^d[rwxsStT-]{9} .* ${name}$`, "m"));
    }
    assert.match(root.stdout, /^drwxrwxrwt .* tmp$/m);
  });
});

Deno.test("userland: touch without a date sets the times to now", async () => {
  await withOs(async (os) => {
    const before = Math.floor(Date.now() / 1000);
    const r = await inMello(
      os,
      "touch f; stat -c '%X %Y' f; touch -d @1 g; touch g; stat -c '%Y' g",
    );
    const [atime, mtime, again] = r.stdout.trim().split(/\s+/).map(Number);
    for (const t of [atime, mtime, again]) {
      assert.ok(t >= before - 1 && t <= before + 60, `time ${t}, expected about ${before}`);
    }
  });
});

Deno.test("userland: getfattr and setfattr print and parse values as attr does", async () => {
  await withOs(async (os) => {
    await expectRun(
      os,
      "touch xa; setfattr -n user.a -v hello xa; setfattr -n user.b -v 0x0102ff xa; " +
        "setfattr -n user.c -v 'two words' xa; setfattr -n user.d -v '\"quoted\\012nl\"' xa; getfattr -d xa",
      {
        status: 0,
        stdout: '# file: xa\nuser.a="hello"\nuser.b=0sAQL/\nuser.c="two words"\n' +
          'user.d="quoted\\012nl"\n\n',
      },
    );
    await expectRun(
      os,
      "touch xa; setfattr -n user.a -v hello xa; getfattr -n user.a xa; " +
        "getfattr -n user.a --only-values xa; echo '|'; getfattr xa",
      { stdout: '# file: xa\nuser.a="hello"\n\nhello|\n# file: xa\nuser.a\n\n' },
    );
    await expectRun(os, "touch xa; setfattr -n user.b -v 0x0102ff xa; getfattr -d -e hex xa", {
      stdout: "# file: xa\nuser.b=0x0102ff\n\n",
    });
    await expectRun(os, "touch xa; getfattr -n user.zz xa; echo $?", {
      stdout: "1\n",
      stderr: "xa: user.zz: No such attribute\n",
    });
    await expectRun(os, "getfattr nonexist; echo $?", {
      stdout: "1\n",
      stderr: "getfattr: nonexist: No such file or directory\n",
    });
    await expectRun(os, "touch xa; setfattr -x user.zz xa; echo $?", {
      stdout: "1\n",
      stderr: "setfattr: xa: No such attribute\n",
    });
    await expectRun(os, "touch xa; setfattr -n user.a -v 1 xa; getfattr -d /tmp/t/xa", {
      stdout: '# file: tmp/t/xa\nuser.a="1"\n\n',
      stderr: "getfattr: Removing leading '/' from absolute path names\n",
    });
    await expectRun(os, "touch xa; setfattr -n user.a -v 1 xa; cp -a xa xb; getfattr -d xb", {
      stdout: '# file: xb\nuser.a="1"\n\n',
    });
  });
});

Deno.test("userland: df, mount and umount; mv across file systems copies then removes", async () => {
  await withOs(async (os) => {
    const df = await os.run("df; df -h /; df -T /");
    assert.equal(df.status, 0, df.stderr);
    assert.match(df.stdout, /^Filesystem {5}1K-blocks\s+Used Available Use% Mounted on$/m);
    assert.match(df.stdout, /^\S+\s+\d+\s+\d+\s+\d+\s+\d+% \/$/m);
    assert.match(df.stdout, /^Filesystem\s+Size\s+Used Avail Use% Mounted on$/m);
    assert.match(df.stdout, /^Filesystem\s+Type\s+1K-blocks/m);
    assert.doesNotMatch(df.stdout, / \/proc$/m);

    const mounts = await os.run("mount");
    assert.match(mounts.stdout, /^\S+ on \/ type mfs_ram \(rw[^)]*\)$/m);
    assert.match(mounts.stdout, /^proc on \/proc type proc \(rw[^)]*\)$/m);
    await expectRun(
      os,
      "mkdir -p /mnt; mount -t mfs_ram -o size=1m tmpx /mnt; echo $?; mount | grep /mnt; df /mnt | tail -n 1",
      {
        stdout:
          "0\ntmpx on /mnt type mfs_ram (rw,size=1m)\ntmpx                1024     0      1024   0% /mnt\n",
      },
    );
    await expectRun(
      os,
      "echo hi > a; mkdir -p d/e; echo x > d/e/f; mv -v a /mnt/a; mv d /mnt/; cat /mnt/a /mnt/d/e/f; ls",
      {
        status: 0,
        stdout: "copied 'a' -> '/mnt/a'\nremoved 'a'\nhi\nx\n",
      },
    );
    await expectRun(os, "umount /mnt; echo $?; umount /mnt; echo $?", {
      stdout: "0\n32\n",
      stderr: "umount: /mnt: not mounted.\n",
    });
    await expectRun(os, "umount /nonexist; echo $?", {
      stdout: "32\n",
      stderr: "umount: /nonexist: no mount point specified.\n",
    });
    await expectRun(os, "mount -t nofs x /mnt; echo $?", {
      stdout: "32\n",
      stderr: "mount: /mnt: unknown filesystem type 'nofs'.\n" +
        "       dmesg(1) may have more information after failed mount system call.\n",
    });
    await expectRun(os, "mount -t mfs_ram x /nonexist; echo $?", {
      stdout: "32\n",
      stderr: "mount: /nonexist: mount point does not exist.\n" +
        "       dmesg(1) may have more information after failed mount system call.\n",
    });
  });
});

Deno.test("userland: id reads /etc/passwd and /etc/group; su runs commands as another user", async () => {
  await withOs(async (os) => {
    await expectRun(os, "id; id -u; id -g; id -un; id -Gn", {
      stdout: "uid=0(root) gid=0(root) groups=0(root)\n0\n0\nroot\nroot\n",
    });
    await expectRun(os, "id bob; echo $?", { stdout: "1\n", stderr: "id: 'bob': no such user\n" });
    // su sets the supplementary groups /etc/group lists for the user (initgroups).
    await expectRun(os, "su user -c id", {
      status: 0,
      stdout: "uid=1000(user) gid=1000(user) groups=1000(user),100(users)\n",
    });
    await expectRun(os, "su - user -c 'pwd; echo $HOME $USER'", {
      stdout: "/home/user\n/home/user user\n",
    });
    await expectRun(os, "su user -c 'touch /root/x'; echo $?", {
      stdout: "1\n",
      stderr: "touch: cannot touch '/root/x': Permission denied\n",
    });
    await expectRun(os, "su user -c 'exit 3'; echo $?", { stdout: "3\n" });
    await expectRun(os, "su bob -c id; echo $?", {
      stdout: "1\n",
      stderr:
        "su: user bob does not exist or the user entry does not contain all the required fields\n",
    });
    const denied = await os.run("su root -c id", { uid: 1000, gid: 1000 });
    assert.deepEqual([denied.status, denied.stderr], [1, "su: Authentication failure\n"]);
  });
});

Deno.test("userland: pwd, sync and the fs error paths of the text tools", async () => {
  await withOs(async (os) => {
    await expectRun(os, "mkdir d; cd d; pwd; pwd -P", { stdout: "/tmp/t/d\n/tmp/t/d\n" });
    await expectRun(os, "echo hi > f; sync; echo $?; sync f; echo $?; sync x; echo $?", {
      stdout: "0\n0\n1\n",
      stderr: "sync: error opening 'x': No such file or directory\n",
    });
    await expectRun(
      os,
      "mkdir -p d/e; ln -s d/e l; touch d/e/f; readlink -f l/f; realpath d/../d",
      {
        stdout: "/tmp/t/d/e/f\n/tmp/t/d\n",
      },
    );
    await expectRun(os, "echo hi | tee d/x; echo $?", {
      stdout: "hi\n1\n",
      stderr: "tee: d/x: No such file or directory\n",
    });
  });
});
