"""Run a command on a pseudo-terminal and play a dialogue with it.

usage: pty_run.py CMD [ARG...]   with PTY_STEPS='[{"wait": "# ", "send": "echo hi\\r"}, ...]'
Each step waits until the output so far (since the previous step) contains
`wait`, then types `send` (again and again until `until` appears, if given). Prints JSON {"output": ..., "status": ...} at the end.
"""
import json
import os
import pty
import select
import sys
import time

LIMIT_S = 30


def main() -> None:
    steps = json.loads(os.environ.get("PTY_STEPS", "[]"))
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])
    out = b""
    seen = 0
    deadline = time.time() + LIMIT_S

    def pump(timeout: float) -> bool:
        nonlocal out
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        out += chunk
        return True

    for step in steps:
        want = step["wait"].encode()
        while want not in out[seen:]:
            if time.time() > deadline or not pump(0.1):
                print(json.dumps({"output": out.decode("utf-8", "replace"), "status": -1, "stuck": step}))
                os.kill(pid, 9)
                return
        seen = out.index(want, seen) + len(want)
        os.write(fd, step["send"].encode())
        # "until": keep typing `send` until that text appears (a key that may
        # arrive before the program it is meant for, like ^C).
        until = step.get("until", "").encode()
        while until and until not in out[seen:] and time.time() < deadline:
            for _ in range(3):
                pump(0.1)
            if until not in out[seen:]:
                os.write(fd, step["send"].encode())
    while time.time() < deadline and pump(0.1):
        pass
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"output": out.decode("utf-8", "replace"), "status": os.waitstatus_to_exitcode(status)}))


main()
