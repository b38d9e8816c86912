// Putting a FUSE connection on a host directory, and taking it off again.
//
// As root: open /dev/fuse (O_CLOEXEC, so host programs we start never hold
// the connection open) and mount(2) it with fd=N. The options admit every
// host user (allow_other) and leave permission checks to us: no
// default_permissions, since MelloOS checks permissions itself with each
// caller's credentials. Not root: fusermount3 (setuid) mounts and hands us
// the fd over a socket (SCM_RIGHTS); allow_other then needs
// user_allow_other in /etc/fuse.conf.
//
// Taking it off never waits for the server: umount2(MNT_DETACH) detaches at
// once (the connection ends when the last user is gone), and an abort
// through fusectl (/sys/fs/fuse/connections/<N>/abort) fails every pending
// and future request with ENOTCONN, so a hung or dead server cannot leave
// host programs stuck. fusectl is mounted for the moment it is needed when
// the host has not mounted it.

import { Libc, libc, MNT_DETACH, MS_NODEV, MS_NOSUID, O_CLOEXEC, O_RDWR } from "./libc.ts";
import { connectionOf, mountAt, type MountEntry, readMounts } from "./mountinfo.ts";
import { Errno, ErrnoError } from "../../kernel/errno.ts";

/** A FUSE mount we made. */
export interface Mounted {
  /** Our end of the connection, a /dev/fuse fd. */
  fd: number;
  /** The mount point, absolute and without symlinks. */
  dir: string;
  /** fusectl's name of the connection (mountinfo.ts connectionOf). */
  connection: number;
  via: "mount" | "fusermount3";
  fsName: string;
}

/** How to mount. */
export interface MountOptions {
  /** Source and subtype shown in /proc/mounts ("melloos" -> type fuse.melloos). */
  fsName?: string;
  /** Admit every host user (allow_other); true unless said otherwise. */
  allowOther?: boolean;
  /** mount(2) when we are root (the default), or always through fusermount3. */
  via?: "auto" | "fusermount3";
}

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const F_SETFD = 2;
const FD_CLOEXEC = 1;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;
const X_OK = 1;

/** Mount a new FUSE connection on `dir`. Nothing is served until Workers read the fd. */
export async function mountFuse(dir: string, options: MountOptions = {}): Promise<Mounted> {
  const c = libc();
  const fsName = options.fsName ?? "melloos";
  const allowOther = options.allowOther ?? true;
  const real = c.realpath(dir);
  if (typeof real === "number") throw new ErrnoError(-real, `mount point ${dir}`);
  if (c.fn.getuid() === 0 && options.via !== "fusermount3") {
    const fd = c.open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) throw new ErrnoError(-fd, "open /dev/fuse");
    const data = `fd=${fd},rootmode=40000,user_id=0,group_id=0${allowOther ? ",allow_other" : ""}`;
    const r = c.mount(fsName, real, `fuse.${fsName}`, MS_NOSUID | MS_NODEV, data);
    if (r === 0) {
      return { fd, dir: real, connection: ourConnection(real, fsName), via: "mount", fsName };
    }
    c.close(fd);
    // EPERM as uid 0: no CAP_SYS_ADMIN (a container); fusermount3 may still be allowed.
    if (r !== -Errno.EPERM) throw new ErrnoError(-r, `mount fuse on ${real}`);
  }
  // fusermount3 refuses allow_other unless /etc/fuse.conf says user_allow_other:
  // then the mount is the mounting user's alone (the kernel's rule), not a failure.
  return await mountWithFusermount(c, real, fsName, allowOther && fuseConfAllowsOther());
}

/** Does /etc/fuse.conf let users mount with allow_other? */
function fuseConfAllowsOther(): boolean {
  const bytes = libc().readFile("/etc/fuse.conf");
  if (typeof bytes === "number") return false;
  return new TextDecoder().decode(bytes).split("\n").some((l) => l.trim() === "user_allow_other");
}

function ourConnection(dir: string, fsName: string): number {
  const m = mountAt(dir);
  if (m === undefined || m.fstype !== `fuse.${fsName}`) {
    throw new Error(`fuse: ${dir} mounted, but not in /proc/self/mountinfo`);
  }
  return connectionOf(m);
}

/** Detach the mount (lazily: users of it keep it until they let go). False if it is not there. */
export async function unmountFuse(m: Mounted): Promise<boolean> {
  const top = mountAt(m.dir);
  // Only our own mount: something stacked on it since is not ours to take off.
  if (top === undefined || connectionOf(top) !== m.connection) return false;
  if (m.via === "fusermount3") {
    const out = await new Deno.Command(findInPath("fusermount3") ?? "fusermount3", {
      args: ["-u", "-z", "--", m.dir],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    return out.success;
  }
  return libc().umount2(m.dir, MNT_DETACH) === 0;
}

/**
 * Abort connection `connection`: every request waiting on it fails and
 * every later one gets ENOTCONN; the server's reads fail with ENODEV.
 * False if there is no such connection (already gone), or if fusectl is
 * not mounted and we may not mount it (not root): a lazy unmount is then
 * all that can be done.
 */
export function abortConnection(connection: number): boolean {
  const c = libc();
  return withFusectl(c, (ctl) => c.writeFile(`${ctl}/${connection}/abort`, "1") === 0);
}

function withFusectl(c: Libc, fn: (dir: string) => boolean): boolean {
  const mounted = readMounts().find((m) => m.fstype === "fusectl");
  if (mounted !== undefined) return fn(mounted.mountPoint);
  const dir = c.makeTempDir("/tmp", "melloos-fusectl-");
  if (typeof dir === "number") return false;
  try {
    if (c.mount("fusectl", dir, "fusectl", 0, "") < 0) return false;
    try {
      return fn(dir);
    } finally {
      c.umount2(dir, MNT_DETACH);
    }
  } finally {
    c.rmdir(dir);
  }
}

/**
 * Take off a FUSE mount of type fuse.`fsName` left at `dir` by a server that
 * died: abort its connection, then detach it. True if there was one.
 */
export async function removeStaleMount(dir: string, fsName = "melloos"): Promise<boolean> {
  const real = libc().realpath(dir);
  if (typeof real === "number") return false;
  const top = mountAt(real);
  if (top === undefined || top.fstype !== `fuse.${fsName}`) return false;
  const m: Mounted = {
    fd: -1,
    dir: real,
    connection: connectionOf(top),
    via: libc().fn.getuid() === 0 ? "mount" : "fusermount3",
    fsName,
  };
  abortConnection(m.connection);
  return await unmountFuse(m);
}

/** The FUSE mounts of type fuse.`fsName` in this namespace. */
export function fuseMounts(fsName = "melloos"): MountEntry[] {
  return readMounts().filter((m) => m.fstype === `fuse.${fsName}`);
}

// ---- fusermount3 --------------------------------------------------------------

async function mountWithFusermount(
  c: Libc,
  dir: string,
  fsName: string,
  allowOther: boolean,
): Promise<Mounted> {
  const prog = findInPath("fusermount3");
  if (prog === undefined) {
    throw new Error("fuse: mounting needs root (mount(2)) or fusermount3 on PATH; neither is here");
  }
  const sv = new Int32Array(2);
  if (c.fn.socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
    throw new ErrnoError(c.errno(), "socketpair for fusermount3");
  }
  // fusermount3 inherits sv[1] (fds without FD_CLOEXEC survive exec); sv[0] stays ours.
  c.fn.fcntl(sv[0], F_SETFD, FD_CLOEXEC);
  try {
    const out = await new Deno.Command(prog, {
      args: [
        "-o",
        `${allowOther ? "allow_other," : ""}fsname=${fsName},subtype=${fsName}`,
        "--",
        dir,
      ],
      env: { _FUSE_COMMFD: String(sv[1]) },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    c.close(sv[1]);
    sv[1] = -1;
    if (!out.success) {
      throw new Error(`fuse: fusermount3 failed: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
    const fd = receiveFd(c, sv[0]);
    return { fd, dir, connection: ourConnection(dir, fsName), via: "fusermount3", fsName };
  } finally {
    c.close(sv[0]);
    if (sv[1] >= 0) c.close(sv[1]);
  }
}

/** Receive one fd sent with SCM_RIGHTS on socket `sock` (x86-64/aarch64 struct msghdr). */
function receiveFd(c: Libc, sock: number): number {
  // Pointers go into these structs, so each buffer is its own ArrayBuffer
  // (never a small on-heap typed array, which the GC may move).
  const data = new Uint8Array(new ArrayBuffer(8));
  const iov = new BigUint64Array(new ArrayBuffer(16));
  iov.set([address(data), 8n]);
  // struct cmsghdr { u64 len; i32 level; i32 type; } then the fd: CMSG_SPACE(4) = 24.
  const control = new Uint8Array(new ArrayBuffer(24));
  const msg = new DataView(new ArrayBuffer(56));
  msg.setBigUint64(16, address(new Uint8Array(iov.buffer)), true); // msg_iov
  msg.setBigUint64(24, 1n, true); // msg_iovlen
  msg.setBigUint64(32, address(control), true); // msg_control
  msg.setBigUint64(40, BigInt(control.length), true); // msg_controllen
  const msgBytes = new Uint8Array(msg.buffer);
  const n = Number(c.fn.recvmsg(sock, msgBytes, MSG_CMSG_CLOEXEC));
  if (n < 0) throw new ErrnoError(c.errno(), "recvmsg from fusermount3");
  const cmsg = new DataView(control.buffer);
  if (
    msg.getBigUint64(40, true) < 20n || cmsg.getInt32(8, true) !== SOL_SOCKET ||
    cmsg.getInt32(12, true) !== SCM_RIGHTS
  ) {
    throw new Error("fuse: fusermount3 sent no file descriptor");
  }
  return cmsg.getInt32(16, true);
}

function address(bytes: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
}

/** The first executable `name` in $PATH. */
function findInPath(name: string): string | undefined {
  const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
  for (const dir of path.split(":")) {
    if (dir !== "" && libc().access(`${dir}/${name}`, X_OK) === 0) return `${dir}/${name}`;
  }
  return undefined;
}
