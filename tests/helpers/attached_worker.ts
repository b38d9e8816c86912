// An attached process's Worker for tests/attached.test.ts: it makes the
// syscalls the test asks for and reports what they returned.
import { attachContext, type AttachedInit, ProcessGone } from "../../userland/runtime/attached.ts";
import {
  close,
  ErrnoError,
  errnoName,
  getpid,
  getuid,
  O,
  open,
  readAllText,
  write,
} from "../../userland/lib/mod.ts";
import { workerScope } from "../../kernel/ipc/worker_scope.ts";

function outcome(fn: () => unknown): string {
  try {
    return String(fn());
  } catch (err) {
    if (err instanceof ErrnoError) return errnoName(err.errno);
    if (err instanceof ProcessGone) return "gone";
    throw err;
  }
}

workerScope.onmessage = (e: MessageEvent) => {
  const m = e.data as { init?: AttachedInit; step?: string };
  if (m.init !== undefined) {
    attachContext(m.init);
    workerScope.postMessage("attached");
    return;
  }
  switch (m.step) {
    case "ids":
      workerScope.postMessage(`${getpid()} ${getuid()}`);
      return;
    case "files":
      workerScope.postMessage(outcome(() => {
        const fd = open("/tmp/attached", O.WRONLY | O.CREAT | O.TRUNC, 0o644);
        write(fd, "from an attached process\n");
        close(fd);
        const rd = open("/tmp/attached", O.RDONLY);
        const text = readAllText(rd);
        close(rd);
        return `${fd} ${text.trim()}`;
      }));
      return;
    case "after-kill":
      workerScope.postMessage(outcome(() => getpid()));
      return;
  }
};
