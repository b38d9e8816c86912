// Pathname expansion (globbing), as POSIX sh does it: a word with an
// unquoted *, ? or [...] becomes the sorted list of existing paths it
// matches; a word that matches nothing stays as it is. A leading "." in a
// name must be matched by a "." in the pattern; "/" is never matched by a
// wildcard. Quoted metacharacters arrive escaped with a backslash.

import { lstat, readdir } from "../lib/fs.ts";

/** Does the pattern have an unescaped metacharacter? */
export function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") i++;
    else if (c === "*" || c === "?" || c === "[") return true;
  }
  return false;
}

/** The pattern with its escapes removed (the word when nothing matches). */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/g, "$1");
}

/** Backslash-escape what would be a metacharacter in `text`. */
export function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, "\\$&");
}

/**
 * A pattern as a RegExp: one path component's (wildcards never match "/"),
 * or with `anyChar` a case or ${x#pattern} pattern (they match anything).
 */
export function segmentRegExp(seg: string, anyChar = false): RegExp {
  const star = anyChar ? ".*" : "[^/]*";
  const one = anyChar ? "." : "[^/]";
  let re = "^";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === "\\" && i + 1 < seg.length) {
      re += seg[++i].replace(/[.+^${}()|[\]\\*?]/g, "\\$&");
    } else if (c === "*") re += star;
    else if (c === "?") re += one;
    else if (c === "[") {
      const end = seg.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
        continue;
      }
      let body = seg.slice(i + 1, end);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(re + "$", "s");
}

/** Expand `pattern`; [unescaped word] when nothing matches. */
export function glob(pattern: string): string[] {
  if (!hasGlob(pattern)) return [unescapeGlob(pattern)];
  const absolute = pattern.startsWith("/");
  const segs = pattern.split("/").filter((s, i) => s !== "" || i === 0);
  let bases: string[] = [absolute ? "/" : ""];
  for (const seg of segs) {
    if (seg === "") continue;
    const next: string[] = [];
    if (!hasGlob(seg)) {
      for (const b of bases) next.push(join(b, unescapeGlob(seg)));
    } else {
      const re = segmentRegExp(seg);
      const dotOk = seg.startsWith(".") || seg.startsWith("\\.");
      for (const b of bases) {
        let names: string[];
        try {
          names = readdir(b === "" ? "." : b).map((d) => d.name);
        } catch {
          continue;
        }
        for (const n of names) {
          if (n === "." || n === "..") continue;
          if (n.startsWith(".") && !dotOk) continue;
          if (re.test(n)) next.push(join(b, n));
        }
      }
    }
    bases = next;
    if (bases.length === 0) break;
  }
  if (pattern.endsWith("/")) bases = bases.map((b) => b + "/");
  // Literal components after a wildcard must exist too.
  const found = bases.filter((b) => b !== "" && b !== "/" && exists(b)).sort((
    a,
    b,
  ) => (a < b ? -1 : a > b ? 1 : 0));
  return found.length > 0 ? found : [unescapeGlob(pattern)];
}

function exists(path: string): boolean {
  try {
    lstat(path.endsWith("/") && path.length > 1 ? path.slice(0, -1) : path);
    return true;
  } catch {
    return false;
  }
}

function join(base: string, name: string): string {
  if (base === "") return name;
  if (base.endsWith("/")) return base + name;
  return `${base}/${name}`;
}
