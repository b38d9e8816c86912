// Path strings: joining, last components, as the C library and GNU tools treat them.

/** `dir` + "/" + `name`, without doubling a slash. */
export function join(dir: string, name: string): string {
  if (dir === "") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** basename(3) with trailing slashes ignored: "a/b/" -> "b", "/" -> "/". */
export function baseName(path: string): string {
  const t = stripTrailingSlashes(path);
  if (t === "/") return "/";
  return t.slice(t.lastIndexOf("/") + 1);
}

/** dirname(3): "a/b" -> "a", "b" -> ".", "/b" -> "/". */
export function dirName(path: string): string {
  const t = stripTrailingSlashes(path);
  const i = t.lastIndexOf("/");
  if (i < 0) return ".";
  const d = t.slice(0, i).replace(/\/+$/, "");
  return d === "" ? "/" : d;
}

/** "a//" -> "a"; "/" stays "/". */
export function stripTrailingSlashes(path: string): string {
  const t = path.replace(/\/+$/, "");
  return t === "" && path.startsWith("/") ? "/" : t;
}

/** Lexically normalized absolute path ("." and ".." resolved without looking at the disk). */
export function normalize(path: string, cwd = "/"): string {
  const parts: string[] = [];
  const full = path.startsWith("/") ? path : `${cwd}/${path}`;
  for (const c of full.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") parts.pop();
    else parts.push(c);
  }
  return "/" + parts.join("/");
}

const encoder = new TextEncoder();

/** strcmp() order (the C locale): by UTF-8 bytes. */
export function compareBytes(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
