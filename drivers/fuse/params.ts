// Tunables of the FUSE driver, each with its reason.

/** Largest WRITE we accept, and so the largest READ the kernel sends (1 MiB). */
export const MAX_WRITE = 1 << 20;
/** Pages per request; the kernel caps this at fs.fuse.max_pages_limit (256 by default). */
export const MAX_PAGES = MAX_WRITE / 4096;
/**
 * A read buffer must hold the biggest request: a WRITE is 40 (header) + 40
 * (fuse_write_in) + MAX_WRITE bytes; the extra page leaves room for
 * extensions and is what libfuse uses.
 */
export const READ_BUFFER_BYTES = MAX_WRITE + 4096;
/** The biggest reply: READ data of up to MAX_WRITE bytes after a 16-byte header. */
export const REPLY_BUFFER_BYTES = MAX_WRITE + 4096;
/** Readahead we ask for; the kernel takes the smaller of this and its own (128 KiB). */
export const MAX_READAHEAD = 1 << 20;
/** Background requests (readahead, async reads, releases) the kernel may queue at once. */
export const MAX_BACKGROUND = 16;
/** The kernel marks the mount congested at this many background requests (3/4, as libfuse). */
export const CONGESTION_THRESHOLD = 12;
/** Timestamps are kept to the nanosecond. */
export const TIME_GRAN_NS = 1;

/** Session Workers per mount: requests in flight at once (2 vCPUs; handlers mostly wait). */
export const DEFAULT_WORKERS = 2;
/** How long the kernel may trust a name -> node answer, as libfuse's default. */
export const DEFAULT_ENTRY_TIMEOUT_MS = 1000;
/** How long the kernel may trust attributes, as libfuse's default. */
export const DEFAULT_ATTR_TIMEOUT_MS = 1000;

/** Interrupts remembered; a handler asks about its own request while it runs. */
export const INTERRUPT_SLOTS = 64;
