// The root filesystem a boot starts with: mfs_ram at "/", the standard
// directories, the device nodes, a few /etc files, /proc, and the programs
// in /bin (their images, as kernel/loader/build.ts makes them, mode 0755:
// exec reads them from here).

import { Endpoint } from "./registry.ts";
import { PayloadWriter } from "./ipc/message.ts";
import type { KernelFds } from "./kfd.ts";
import type { AsyncClient } from "./ipc/client_async.ts";
import type { CapToken } from "./ipc/message.ts";
import { ErrnoError } from "./errno.ts";
import { VfsOp } from "../servers/vfs/mod.ts";
import { STANDARD_NODES } from "../servers/vfs/devices.ts";

/** Directories of a fresh root, with their modes. */
export const ROOT_DIRS: Array<[string, number]> = [
  ["/bin", 0o755],
  ["/dev", 0o755],
  ["/etc", 0o755],
  ["/home", 0o755],
  ["/proc", 0o555],
  ["/tmp", 0o1777],
  ["/data", 0o755],
  ["/root", 0o700],
];

const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh",
  "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
  "user:x:1000:1000:A user:/home/user:/bin/sh",
  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
].join("\n") + "\n";

const GROUP =
  ["root:x:0:", "daemon:x:1:", "tty:x:5:", "users:x:100:user", "user:x:1000:", "nogroup:x:65534:"]
    .join("\n") +
  "\n";

/** Mount and fill the root; returns when every file is in place. */
export async function populateRoot(
  client: AsyncClient,
  vfsCap: CapToken,
  fds: KernelFds,
  images: Map<string, string>,
): Promise<void> {
  const mount = async (fstype: string, source: string, options: string, target: string) => {
    const w = new PayloadWriter().str(fstype).str(source).str(options).num(0).str(target);
    const r = await client.call(Endpoint.VFS, VfsOp.MOUNT, vfsCap, w.bytes().slice());
    if (r.errno !== 0) throw new ErrnoError(r.errno, `mount ${fstype} on ${target}`);
  };
  await mount("mfs_ram", "rootfs", "mode=755", "/");
  await Promise.all(ROOT_DIRS.map(([path, mode]) => fds.mkdir(path, mode)));
  // mkdir applies the umask: make the modes exact.
  await Promise.all(ROOT_DIRS.map(([path, mode]) => fds.chmod(path, mode)));
  await fds.mkdir("/home/user", 0o755);
  await mount("proc", "proc", "", "/proc");
  await Promise.all(STANDARD_NODES.map((n) => fds.mknod(`/dev/${n.name}`, n.mode, n.rdev)));
  await Promise.all(STANDARD_NODES.map((n) => fds.chmod(`/dev/${n.name}`, n.mode & 0o7777)));
  const enc = new TextEncoder();
  await fds.writeFile("/etc/passwd", enc.encode(PASSWD), 0o644);
  await fds.writeFile("/etc/group", enc.encode(GROUP), 0o644);
  await fds.writeFile("/etc/hostname", enc.encode("mello\n"), 0o644);
  await Promise.all(
    [...images].map(([name, image]) => fds.writeFile(`/bin/${name}`, enc.encode(image), 0o755)),
  );
}
