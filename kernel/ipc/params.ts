// IPC tunables, each with its reason (figures from ../shared/MEASURED.md).

/** A client waiting for a reply spins this long before parking: a round trip
 * is ~1 µs when both sides spin and 11-19 µs through a futex. */
export const CLIENT_SPIN_US = 30;

/** A server spins this long for the next request after a batch, so a client
 * calling in a loop finds it awake. */
export const SERVER_SPIN_US = 30;

/** A parked waiter wakes this often to re-check for a kill order or a lost
 * server; a healthy wake-up never depends on it. */
export const PARK_TIMEOUT_MS = 1000;

/** Replies a server holds for a client whose reply ring is full before it
 * stops reading that client's requests (flow control, not loss). */
export const MAX_PENDING_REPLIES = 256;

/** How long a client waits for a restarting server before EIO. */
export const RESTART_WAIT_MS = 10_000;

/** A server busy this long without a break yields to its event loop, so its
 * heartbeat and the kernel's control messages still get through. */
export const YIELD_AFTER_MS = 5;

/** A server finding every spinner slot taken waits this long for the client
 * it just answered to give its slot back, rather than park at once. */
export const SLOT_HANDOFF_US = 3;
