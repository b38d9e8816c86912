// mfs_ram tunables, each with its reason.

const KiB = 1024;
const MiB = 1024 * KiB;

/** Bytes of one data chunk: file data is allocated, and counted, in these (plan 3.4: 16-64 KiB). */
export const CHUNK_BYTES = 16 * KiB;

/** RAM all mfs_ram instances together may use for file data: the chunk arena's size. */
export const RAM_BUDGET_BYTES = 2048 * MiB;

/** Chunks in the arena. */
export const ARENA_CHUNKS = RAM_BUDGET_BYTES / CHUNK_BYTES;

/** size= when a mount names none: half the RAM budget, as tmpfs takes half of RAM. */
export const DEFAULT_SIZE_BYTES = RAM_BUDGET_BYTES / 2;

/** nr_inodes= when a mount names none: tmpfs's default (half the RAM pages) for our budget. */
export const DEFAULT_NR_INODES = RAM_BUDGET_BYTES / 4096 / 2;

/** Root directory mode when a mount names none (tmpfs: 1777, a /tmp). */
export const DEFAULT_ROOT_MODE = 0o1777;

/** Most instances at once: st_dev minors 40 .. 40 + this stay distinct. */
export const MAX_SUPERBLOCKS = 1024;

/** First st_dev minor (major 0, anonymous devices); below it sit pipefs (13) and others. */
export const DEV_MINOR_BASE = 40;

/** Largest minor makedev() encodes (20 bits): instance ids stop there. */
export const MAX_DEV_MINOR = 0xfffff;

/** Open files at once: each holds one root capability in our 65,535-slot range. */
export const MAX_OPENS = 65535;

/** Hard links to one inode; tmpfs has no limit, this keeps nlink in a u32 and EMLINK reachable (ext4's). */
export const LINK_MAX = 65000;

/** Largest file size and offset: 2^52 keeps offset + count exact in an f64. */
export const MAX_FILE_BYTES = 2 ** 52;

/** Directory st_size as tmpfs reports it: 40 empty, +20 per entry (BOGO_DIRENT_SIZE). */
export const DIR_BASE_BYTES = 40;
export const DIR_ENTRY_BYTES = 20;

/** st_blksize and f_bsize: the page size programs expect (tmpfs reports 4096). */
export const BLOCK_BYTES = 4096;

/** Longest symlink target, in bytes (PATH_MAX minus the NUL). */
export const SYMLINK_MAX = 4095;

/** relatime: a read refreshes an atime older than this even when nothing changed (Linux: 1 day). */
export const RELATIME_MAX_AGE_S = 24 * 60 * 60;

/** Journal bytes; at most about a second of replay at restart. */
export const JOURNAL_BYTES = 32 * MiB;

/** Bytes of each of the two snapshot slots; bounds all metadata (see META_BUDGET_BYTES). */
export const SNAPSHOT_BYTES = 64 * MiB;

/**
 * Metadata (inodes, names, xattrs, symlink targets) may use this much, as
 * counted by the upper bounds in model.ts, so that a checkpoint always fits
 * a snapshot slot: the slot less room for every chunk-map entry the arena
 * can hold, every superblock, and slack.
 */
export const META_BUDGET_BYTES = SNAPSHOT_BYTES - ARENA_CHUNKS * 16 - MAX_SUPERBLOCKS * 128 -
  1 * MiB;

/** Largest journal record one request makes (a 64 KiB xattr value, or a 1 MiB write's chunks). */
export const MAX_TX_BYTES = 128 * KiB;

/** Checkpoint once the journal holds this much, at least ... */
export const CHECKPOINT_MIN_BYTES = 4 * MiB;

/** ... and this many times the last snapshot's size (so checkpoints cost O(1) per record). */
export const CHECKPOINT_SNAPSHOT_FACTOR = 2;
