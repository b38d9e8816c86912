// The tty server: the console (the host terminal, or the host's stdin and
// stdout when they are not a terminal), with a Linux-style line discipline.

/** Kernel-only requests. */
export const TtyOp = {
  OPEN: 0x8201, // holder pid, open flags -> root capability (slot, gen) of a new console open file
} as const;

/** Console device numbers (/dev/console is 5:1 on Linux). */
export const CONSOLE_MAJOR = 5;
export const CONSOLE_MINOR = 1;

import { DISCIPLINE_STATE_BYTES } from "./discipline_state.ts";
import { OPENS_BYTES } from "./opens.ts";

/**
 * Bytes of state the tty server keeps across restarts: its console opens
 * (opens.ts), then the line discipline's buffers and modes (discipline_state.ts).
 */
export const STATE_BYTES = OPENS_BYTES + DISCIPLINE_STATE_BYTES;
