// Directory reading for the tools that walk trees (rm, cp, mv, chmod -R, ...).
import { readdir } from "../lib/mod.ts";
import { compareBytes } from "./path.ts";

/** The names in directory `path`, without "." and "..", in strcmp order. */
export function listNames(path: string): string[] {
  return readdir(path).map((d) => d.name).filter((n) => n !== "." && n !== "..").sort(
    compareBytes,
  );
}
