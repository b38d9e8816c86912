// Canonical absolute paths (readlink -f/-e/-m, realpath): ".", ".." and
// symlinks resolved, as gnulib's canonicalize_filename_mode does it.
import { Errno, ErrnoError, getcwd, lstat, readlink } from "../lib/mod.ts";
import { isDir, isLnk } from "./consts.ts";
import { errnoOf } from "./files.ts";

/** e: every component must exist; f: all but the last; m: none need to. */
export type CanonMode = "e" | "f" | "m";

const MAX_HOPS = 40;

/** The canonical form of `path`; throws ErrnoError (ENOENT, ENOTDIR, ELOOP) as the mode requires. */
export function canonicalize(path: string, mode: CanonMode): string {
  if (path === "") throw new ErrnoError(Errno.ENOENT, path);
  const todo = (path.startsWith("/") ? path : `${getcwd()}/${path}`).split("/").filter((c) =>
    c !== ""
  );
  const parts: string[] = [];
  let hops = 0;
  let missing = false; // a component did not exist (mode m goes on lexically)
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === ".") continue;
    if (c === "..") {
      parts.pop();
      continue;
    }
    const candidate = "/" + [...parts, c].join("/");
    if (missing) {
      parts.push(c);
      continue;
    }
    let st;
    try {
      st = lstat(candidate);
    } catch (err) {
      const e = errnoOf(err);
      if (mode === "m" || (mode === "f" && e === Errno.ENOENT && todo.length === 0)) {
        missing = true;
        parts.push(c);
        continue;
      }
      throw err;
    }
    if (isLnk(st.mode)) {
      if (++hops > MAX_HOPS) throw new ErrnoError(Errno.ELOOP, path);
      const target = readlink(candidate);
      if (target.startsWith("/")) parts.length = 0;
      todo.unshift(...target.split("/").filter((x) => x !== ""));
      continue;
    }
    if (!isDir(st.mode) && todo.length > 0 && mode !== "m") {
      throw new ErrnoError(Errno.ENOTDIR, candidate);
    }
    parts.push(c);
  }
  return "/" + parts.join("/");
}
