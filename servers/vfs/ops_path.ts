// VFS handlers for the calls that name files by path (and the metadata calls
// on fds the library routes here), one group a file: open (ops_open.ts),
// attributes (ops_meta.ts), names (ops_names.ts), the cwd and umask
// (ops_cwd.ts), whole filesystems (ops_mount.ts), extended attributes
// (ops_xattr.ts), file handles (ops_handles.ts). What they share,
// resolution for the caller and the cache updates, is ops_path_ctx.ts.
// Errno choices follow Linux's (fs/namei.c, open.c, xattr.c, fhandle.c);
// each file's comments say where Linux's order of checks matters.

import type { Route } from "../../kernel/ipc/server.ts";
import { nowTimespec } from "../../kernel/stat.ts";
import { FS_MAGIC } from "./fs_protocol.ts";
import { cwdRoutes } from "./ops_cwd.ts";
import { handleRoutes } from "./ops_handles.ts";
import { metaRoutes } from "./ops_meta.ts";
import { mountRoutes } from "./ops_mount.ts";
import { nameRoutes } from "./ops_names.ts";
import { openRoutes } from "./ops_open.ts";
import { pathCtx, type PathDeps } from "./ops_path_ctx.ts";
import { xattrRoutes } from "./ops_xattr.ts";
import type { Vfs } from "./vfs.ts";

export type { PathDeps };

/** Every path route, all groups sharing one context. */
export function pathRoutes(vfs: Vfs, deps: PathDeps): Map<number, Route> {
  const x = pathCtx(vfs, deps);
  return new Map<number, Route>([
    ...openRoutes(x),
    ...metaRoutes(x),
    ...nameRoutes(x),
    ...cwdRoutes(x),
    ...mountRoutes(x),
    ...xattrRoutes(x),
    ...handleRoutes(x),
  ]);
}

export { FS_MAGIC, nowTimespec };
