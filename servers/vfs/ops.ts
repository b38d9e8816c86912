// The VFS's dispatch table: fd tables and the VFS's own open files
// (ops_fd.ts), names and metadata (ops_path.ts), and exec checks.

import { Errno, ErrnoError } from "../../kernel/errno.ts";
import { Right } from "../../kernel/cap/rights.ts";
import { PayloadWriter } from "../../kernel/ipc/message.ts";
import type { Answer, Request, Route } from "../../kernel/ipc/server.ts";
import type { ServerEnv, ServerParts } from "../../kernel/ipc/server_runtime.ts";
import { S } from "../../kernel/stat.ts";
import { encodeAttrs } from "./fs_protocol.ts";
import { RemoteFs } from "./fs.ts";
import { AttrEpochs } from "./attr_epochs.ts";
import { VfsOp } from "./mod.ts";
import { MS } from "../../kernel/fcntl.ts";
import { fdRoutes } from "./ops_fd.ts";
import { pathRoutes } from "./ops_path.ts";
import { MAY_EXEC, require } from "./perm.ts";
import { ProcFs } from "./procfs.ts";
import { Vfs } from "./vfs.ts";
import { VfsStore } from "./persist.ts";
import { rebuild } from "./recover.ts";

/** Filesystem types and the endpoints of the servers that implement them. */
const FS_SERVERS: Record<string, number> = { mfs_ram: 3, tmpfs: 3 };
const KERNEL_EP = 0;

/** Build the VFS: its state (rebuilt after a crash) and its dispatch table. */
export async function createVfs(env: ServerEnv): Promise<ServerParts> {
  const store = env.init.state === undefined ? undefined : new VfsStore(env.init.state);
  const recovered = store?.recover();
  const vfs = new Vfs(env, store);
  const capFor = (ep: number) => {
    const c = env.init.endpointCaps[ep];
    if (c === undefined) throw new ErrnoError(Errno.ENODEV, `no capability for endpoint ${ep}`);
    return c;
  };
  const remote = new Map<number, RemoteFs>();
  // Filesystem servers that keep attribute epochs share them with us (the
  // kernel hands both sides the buffer): stat needs no hop while they hold.
  const epochBuffers = (env.init.options.attrEpochs ?? {}) as Record<number, SharedArrayBuffer>;
  const epochsFor = (ep: number) => {
    const sab = epochBuffers[ep];
    return sab instanceof SharedArrayBuffer ? new AttrEpochs(sab) : undefined;
  };
  const procfs = new ProcFs(vfs, capFor(KERNEL_EP));
  vfs.ns.magicLink = (
    l,
  ) => (l.mount.fstype === "proc" ? procfs.magicTarget(l.node.ino) : undefined);
  vfs.ns.alwaysSearchable = (l, cause) =>
    l.mount.fstype === "proc" && procfs.isOwnFdDir(l.node.ino, cause?.pid);
  const w = new PayloadWriter();

  const deps = {
    fsFor(fstype: string) {
      const ep = FS_SERVERS[fstype];
      if (ep === undefined || env.init.endpointCaps[ep] === undefined) return undefined;
      let fs = remote.get(ep);
      if (fs === undefined) {
        const served = new RemoteFs(ep, env.client, capFor(ep), epochsFor(ep));
        // What it did for a call whose reply was lost may have changed names.
        served.onRestart = () => {
          for (const m of vfs.mounts.list()) if (m.fs === served) vfs.ns.dcache.dropMount(m.id);
        };
        remote.set(ep, served);
        fs = served;
      }
      return { ep, fs };
    },
    procfs,
    capFor,
  };

  /**
   * The kernel's exec check: may a process with `credsPid`'s credentials,
   * walking from `ctxPid`'s cwd, execute `path`? Replies with where the file
   * lives (endpoint, instance, mount) and its fresh attributes.
   */
  async function doExecCheck(req: Request): Promise<Answer> {
    const credsPid = req.args.int(1);
    const ctxPid = req.args.int(1);
    const path = req.args.str();
    const c = vfs.rooted(ctxPid);
    const creds = vfs.creds(credsPid);
    const cause = { traceId: req.traceId, traced: req.traced, pid: ctxPid };
    const loc = await vfs.ns.walk(creds, c.root, c.cwd, path, { follow: true, cause });
    if ((loc.node.attrs.mode & S.IFMT) !== S.IFREG) {
      throw new ErrnoError(Errno.EACCES, `${path}: not a regular file`);
    }
    if ((loc.mount.flags & MS.NOEXEC) !== 0) {
      throw new ErrnoError(Errno.EACCES, `${path}: noexec mount`);
    }
    require(creds, loc.node.attrs, MAY_EXEC, path);
    const attrs = await loc.mount.fs.getattr(loc.mount.sb, loc.node.ino);
    vfs.ns.remember(loc.mount, attrs);
    return {
      value: 0,
      payload: encodeAttrs(
        w.reset().num(loc.mount.fs.ep).num(loc.mount.sb).num(loc.mount.id),
        attrs,
      ).bytes().slice(),
    };
  }

  let keepSlots = new Set<number>();
  if (store !== undefined && recovered !== undefined && !recovered.fresh) {
    keepSlots = await rebuild(
      vfs,
      store,
      (t) => (t === "proc" ? procfs : deps.fsFor(t)?.fs),
      procfs,
    );
    env.log(
      `rebuilt from ${recovered.records} journal records: ${vfs.mounts.list().length} mounts, ${vfs.procs.size} processes, ${vfs.ofds.size} open files`,
    );
  }

  const routes = new Map<number, Route>([
    ...fdRoutes(vfs),
    ...pathRoutes(vfs, deps),
    [VfsOp.EXEC, { need: Right.SYSTEM, fn: doExecCheck }],
  ]);

  return {
    routes,
    keepSlots,
    onDetach: (areaId) => vfs.forgetArea(areaId),
  };
}
