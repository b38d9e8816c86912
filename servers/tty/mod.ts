// The tty server: the console (the host terminal, or the host's stdin and
// stdout when they are not a terminal), with a Linux-style line discipline.

/** Kernel-only requests. */
export const TtyOp = {
  /** holder pid, open flags[, minor: 1 console (default), 0 tty] -> root capability (slot, gen). */
  OPEN: 0x8201,
} as const;

/** Console device numbers (/dev/console is 5:1 on Linux). */
export const CONSOLE_MAJOR = 5;
export const CONSOLE_MINOR = 1;
/** /dev/tty, the caller's controlling terminal: here always the console, as 5:0. */
export const TTY_MINOR = 0;

import { DISCIPLINE_STATE_BYTES } from "./discipline_state.ts";
import { OPENS_BYTES } from "./opens.ts";

/**
 * Bytes of state the tty server keeps across restarts: its console opens
 * (opens.ts), then the line discipline's buffers and modes (discipline_state.ts).
 */
export const STATE_BYTES = OPENS_BYTES + DISCIPLINE_STATE_BYTES;
