// The process umask, read without changing it (umask(2) can only swap it).
import { umask } from "../lib/mod.ts";

/** The current umask. */
export function currentUmask(): number {
  const old = umask(0);
  umask(old);
  return old;
}
